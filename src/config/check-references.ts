import { errorDiagnostic, warningDiagnostic, type Diagnostic } from "../shared/diagnostic.ts";
import { didYouMean } from "../shared/suggest.ts";
import type { Config, HookEntry } from "./config.ts";
import { formatKeyPath, type KeySegment } from "./key-path.ts";

/** The names a make.toml refers to, taken from a resolved Config or, leniently, from a document that failed validation. */
export interface ReferenceView {
  readonly phases: readonly string[];
  /** Hook key -> the phase names it lists, with their index in the list (inline commands are left out). */
  readonly hooks: ReadonlyArray<{ readonly key: string; readonly phases: ReadonlyArray<readonly [number, string]> }>;
  readonly dependsOn: ReadonlyArray<{ readonly phase: string; readonly names: readonly string[] }>;
  readonly workspaces: ReadonlyArray<{ readonly name: string; readonly dependsOn: readonly string[] }>;
  readonly hasMembers: boolean;
}

/**
 * Names that must exist: every phase named by a hook list or a `depends_on` (error, with a suggestion), every
 * workspace named by a workspace's `depends_on` (error; skipped when `members` globs may supply more names, which
 * only discovery knows). A `before_<x>`/`after_<x>` hook for a phase x that is not defined is a warning, and only
 * without workspaces (a workspace's own make.toml may define x). Cycles are not looked for here.
 */
export function checkReferences(config: Config, displayPath: string): Diagnostic[] {
  return checkReferenceView(viewOfConfig(config), displayPath);
}

export function checkReferenceView(view: ReferenceView, displayPath: string): Diagnostic[] {
  const found: Diagnostic[] = [];
  const known = new Set(view.phases);
  const unknownPhase = (name: string, path: KeySegment[]) => {
    if (known.has(name)) return;
    found.push(errorDiagnostic({ file: displayPath, keyPath: formatKeyPath(path), message: `unknown phase "${name}"`, hint: didYouMean(name, view.phases) }));
  };
  const hasWorkspaces = view.workspaces.length > 0 || view.hasMembers;
  for (const { key, phases } of view.hooks) {
    for (const [index, name] of phases) unknownPhase(name, ["hooks", key, index]);
    const target = /^(?:before|after)_(.+)$/.exec(key)?.[1];
    if (target !== undefined && key !== "before_all" && key !== "after_all" && !hasWorkspaces && !known.has(target)) {
      found.push(
        warningDiagnostic({
          file: displayPath,
          keyPath: formatKeyPath(["hooks", key]),
          message: `hook for phase "${target}", which is not defined: it never runs`,
          hint: didYouMean(target, view.phases),
        }),
      );
    }
  }
  for (const { phase, names } of view.dependsOn) {
    names.forEach((dependency, index) => unknownPhase(dependency, ["lifecycle", phase, "depends_on", index]));
  }
  if (!view.hasMembers) {
    const workspaceNames = view.workspaces.map((w) => w.name);
    for (const workspace of view.workspaces) {
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

function viewOfConfig(config: Config): ReferenceView {
  const phaseNamesOf = (entries: readonly HookEntry[]) =>
    entries.flatMap((entry, index) => (entry.kind === "phase" ? [[index, entry.phase] as const] : []));
  const { hooks } = config;
  const hookLists = [
    { key: "before_all", phases: phaseNamesOf(hooks.beforeAll) },
    { key: "after_all", phases: phaseNamesOf(hooks.afterAll) },
    { key: "on_error", phases: phaseNamesOf(hooks.onError) },
    { key: "on_success", phases: phaseNamesOf(hooks.onSuccess) },
    ...Object.entries(hooks.before).map(([phase, entries]) => ({ key: `before_${phase}`, phases: phaseNamesOf(entries) })),
    ...Object.entries(hooks.after).map(([phase, entries]) => ({ key: `after_${phase}`, phases: phaseNamesOf(entries) })),
  ];
  return {
    phases: [...config.phases.keys()],
    hooks: hookLists,
    dependsOn: [...config.phases.values()].map((p) => ({ phase: p.name, names: p.dependsOn })),
    workspaces: config.workspaces.map((w) => ({ name: w.name, dependsOn: w.dependsOn })),
    hasMembers: config.members.length > 0,
  };
}
