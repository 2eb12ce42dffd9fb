import { errorDiagnostic, warningDiagnostic, type Diagnostic } from "../shared/diagnostic.ts";
import { didYouMean } from "../shared/suggest.ts";
import type { Config, HookEntry } from "./config.ts";
import { formatKeyPath, type KeySegment } from "./key-path.ts";

/**
 * Names that must exist: every phase named by a hook list or a `depends_on` (error, with a suggestion), every
 * workspace named by a workspace's `depends_on` (error; skipped when `members` globs may supply more names, which
 * only discovery knows). A `before_<x>`/`after_<x>` hook for a phase x that is not defined is a warning, and only
 * without workspaces (a workspace's own make.toml may define x). Cycles are not looked for here.
 */
export function checkReferences(config: Config, displayPath: string): Diagnostic[] {
  const found: Diagnostic[] = [];
  const phaseNames = [...config.phases.keys()];
  const unknownPhase = (name: string, path: KeySegment[]) => {
    if (config.phases.has(name)) return;
    found.push(errorDiagnostic({ file: displayPath, keyPath: formatKeyPath(path), message: `unknown phase "${name}"`, hint: didYouMean(name, phaseNames) }));
  };
  const checkHook = (key: string, entries: readonly HookEntry[]) => {
    entries.forEach((entry, index) => {
      if (entry.kind === "phase") unknownPhase(entry.phase, ["hooks", key, index]);
    });
  };

  const { hooks } = config;
  checkHook("before_all", hooks.beforeAll);
  checkHook("after_all", hooks.afterAll);
  checkHook("on_error", hooks.onError);
  checkHook("on_success", hooks.onSuccess);
  const hasWorkspaces = config.workspaces.length > 0 || config.members.length > 0;
  for (const [prefix, table] of [["before", hooks.before], ["after", hooks.after]] as const) {
    for (const [phase, entries] of Object.entries(table)) {
      const key = `${prefix}_${phase}`;
      checkHook(key, entries);
      if (!hasWorkspaces && !config.phases.has(phase)) {
        const closest = didYouMean(phase, phaseNames);
        found.push(
          warningDiagnostic({
            file: displayPath,
            keyPath: formatKeyPath(["hooks", key]),
            message: `hook for phase "${phase}", which is not defined: it never runs`,
            hint: closest,
          }),
        );
      }
    }
  }

  for (const phase of config.phases.values()) {
    phase.dependsOn.forEach((dependency, index) => unknownPhase(dependency, ["lifecycle", phase.name, "depends_on", index]));
  }

  if (config.members.length === 0) {
    const workspaceNames = config.workspaces.map((w) => w.name);
    for (const workspace of config.workspaces) {
      workspace.dependsOn.forEach((dependency, index) => {
        if (workspaceNames.includes(dependency)) return;
        found.push(
          errorDiagnostic({
            file: displayPath,
            keyPath: formatKeyPath(["workspace", workspace.name, "depends_on", index]),
            message: `unknown workspace "${dependency}"`,
            hint: didYouMean(dependency, workspaceNames),
          }),
        );
      });
    }
  }
  return found;
}
