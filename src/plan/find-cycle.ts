import type { Config, HookEntry } from "../config/config.ts";

/** The phases a phase calls, in the order it calls them: before-hooks, depends_on, after-hooks. */
export function calledPhases(config: Config, phase: string): string[] {
  const names = (entries: readonly HookEntry[] | undefined) =>
    (entries ?? []).flatMap((e) => (e.kind === "phase" ? [e.phase] : []));
  const dependsOn = config.phases.get(phase)?.dependsOn ?? [];
  return [...names(config.hooks.before[phase]), ...dependsOn, ...names(config.hooks.after[phase])];
}

/**
 * Every distinct cycle through hooks and depends_on, each as the full chain `[a, b, c, a]`.
 * before_all/after_all are not edges: they run once per invocation, never around their own phases.
 */
export function findPhaseCycles(config: Config): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const done = new Set<string>();
  const stack: string[] = [];
  const onStack = new Set<string>();

  const visit = (phase: string): void => {
    if (onStack.has(phase)) {
      const chain = [...stack.slice(stack.indexOf(phase)), phase];
      const key = [...new Set(chain)].sort().join("\0");
      if (!seen.has(key)) {
        seen.add(key);
        cycles.push(chain);
      }
      return;
    }
    if (done.has(phase) || !config.phases.has(phase)) return;
    stack.push(phase);
    onStack.add(phase);
    for (const next of calledPhases(config, phase)) visit(next);
    stack.pop();
    onStack.delete(phase);
    done.add(phase);
  };

  for (const phase of config.phases.keys()) visit(phase);
  return cycles;
}

export function formatChain(chain: readonly string[]): string {
  return chain.join(" -> ");
}
