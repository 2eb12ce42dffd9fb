import { readFileSync } from "node:fs";
import type { Config } from "../config/config.ts";
import { formatKeyPath } from "../config/key-path.ts";
import { loadConfig } from "../config/load-config.ts";
import { locateDiagnostics } from "../config/locate-diagnostics.ts";
import { findConfig } from "../config/find-config.ts";
import { findPhaseCycles, formatChain } from "../plan/find-cycle.ts";
import { ROOT_PLACE } from "../plan/task.ts";
import type { PlaceConfig } from "../plan/build-graph.ts";
import { errorDiagnostic, type Diagnostic } from "../shared/diagnostic.ts";
import { err, ok, type Result } from "../shared/result.ts";
import { didYouMean } from "../shared/suggest.ts";
import { discoverWorkspaces, displayPath, type Workspace } from "./discover.ts";
import { findWorkspaceCycles } from "./workspace-cycles.ts";

/** A loaded project: the root make.toml, its workspaces, and the warnings found while loading. */
export interface Project {
  readonly root: PlaceConfig;
  readonly workspaces: readonly Workspace[];
  readonly warnings: readonly Diagnostic[];
}

/** Loads and checks everything that can be checked before a task runs; every problem in one list. */
export function loadProject(rootDir: string, file: string | undefined, options: { strict: boolean }): Result<Project, Diagnostic[]> {
  const found = findConfig(rootDir, file);
  const shownPath = displayPath(found.path, rootDir);
  if (!found.exists) return err([errorDiagnostic({ message: file ? `${shownPath} not found` : `No make.toml found in ${rootDir}` })]);
  const loaded = loadConfig(found.path, shownPath, options);
  if (!loaded.ok) return err(loaded.error);
  const config = loaded.value.config;
  // A wrong workspace directory does not hide the cycles: every problem is listed at once.
  const discovered = discoverWorkspaces(config, rootDir, options);
  const problems: Diagnostic[] = discovered.ok ? [] : [...discovered.error];
  const { workspaces, warnings } = discovered.ok ? discovered.value : { workspaces: [], warnings: [] };
  for (const pc of [config, ...workspaces.filter((w) => w.ownConfig).map((w) => w.config)]) {
    for (const chain of findPhaseCycles(pc)) {
      problems.push(errorDiagnostic({ file: displayPath(pc.file, rootDir), keyPath: "hooks", message: `cycle through hooks and depends_on: ${formatChain(chain)}` }));
    }
  }
  for (const chain of findWorkspaceCycles(config.workspaces)) {
    problems.push(errorDiagnostic({ file: shownPath, keyPath: "workspace", message: `workspace dependency cycle: ${formatChain(chain)}` }));
  }
  if (discovered.ok) problems.push(...unknownPhaseWorkspaces(config, workspaces, shownPath));
  if (problems.length > 0) return err(locateInFile(problems, shownPath, found.path));
  return ok({ root: { place: { name: ROOT_PLACE, dir: rootDir }, config, ownConfig: true }, workspaces, warnings: [...loaded.value.warnings, ...locateInFile(warnings, shownPath, found.path)] });
}

/** A phase's `workspaces` names workspaces (a `members` one by its path, e.g. "pkgs/a"): a name that is none of them is a typo, and the phase would silently run nowhere. */
function unknownPhaseWorkspaces(config: Config, workspaces: readonly Workspace[], file: string): Diagnostic[] {
  const names = workspaces.map((w) => w.place.name);
  const problems: Diagnostic[] = [];
  for (const [phase, definition] of config.phases) {
    definition.workspaces?.forEach((name, index) => {
      if (names.includes(name)) return;
      const glob = /[*?[\]{}]/.test(name) ? " (names, not globs: list each workspace)" : "";
      problems.push(errorDiagnostic({ file, keyPath: formatKeyPath(["lifecycle", phase, "workspaces", index]), message: `unknown workspace "${name}"${glob}`, hint: didYouMean(name, names) }));
    });
  }
  return problems;
}

/** Line:column for what was found in the root make.toml after it was parsed (workspace paths and members, phase workspaces). */
function locateInFile(problems: readonly Diagnostic[], shownPath: string, path: string): Diagnostic[] {
  if (!problems.some((d) => d.file === shownPath && d.line === undefined)) return [...problems];
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [...problems];
  }
  const located = locateDiagnostics(problems.filter((d) => d.file === shownPath), text);
  return [...located, ...problems.filter((d) => d.file !== shownPath)];
}
