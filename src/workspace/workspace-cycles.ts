import type { Workspace } from "./discover.ts";

/** Every distinct cycle through workspace depends_on, each as the full chain `[a, b, a]`. */
export function findWorkspaceCycles(workspaces: readonly Workspace[]): string[][] {
  const byName = new Map(workspaces.map((w) => [w.place.name, w] as const));
  const cycles: string[][] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    const at = stack.indexOf(name);
    if (at >= 0) {
      cycles.push([...stack.slice(at), name]);
      return;
    }
    if (done.has(name) || !byName.has(name)) return;
    stack.push(name);
    for (const dep of byName.get(name)!.decl.dependsOn) visit(dep);
    stack.pop();
    done.add(name);
  };
  for (const name of byName.keys()) visit(name);
  return cycles;
}
