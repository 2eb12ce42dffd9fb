import { loadConfig } from "../config/load-config.ts";
import { findConfig } from "../config/find-config.ts";
import { findPhaseCycles, formatChain } from "../plan/find-cycle.ts";
import { ROOT_PLACE } from "../plan/task.ts";
import type { PlaceConfig } from "../plan/build-graph.ts";
import { errorDiagnostic, type Diagnostic } from "../shared/diagnostic.ts";
import { err, ok, type Result } from "../shared/result.ts";
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
  const discovered = discoverWorkspaces(config, rootDir, options);
  if (!discovered.ok) return err(discovered.error);
  const { workspaces, warnings } = discovered.value;
  const problems: Diagnostic[] = [];
  for (const pc of [config, ...workspaces.filter((w) => w.ownConfig).map((w) => w.config)]) {
    for (const chain of findPhaseCycles(pc)) {
      problems.push(errorDiagnostic({ file: displayPath(pc.file, rootDir), keyPath: "hooks", message: `cycle through hooks and depends_on: ${formatChain(chain)}` }));
    }
  }
  for (const chain of findWorkspaceCycles(workspaces)) {
    problems.push(errorDiagnostic({ file: shownPath, keyPath: "workspace", message: `workspace dependency cycle: ${formatChain(chain)}` }));
  }
  if (problems.length > 0) return err(problems);
  return ok({ root: { place: { name: ROOT_PLACE, dir: rootDir }, config, ownConfig: true }, workspaces, warnings: [...loaded.value.warnings, ...warnings] });
}
