import type { GlobalOptions } from "../invocation.ts";
import { errorDiagnostic, type Diagnostic } from "../shared/diagnostic.ts";
import { err, type Result } from "../shared/result.ts";
import { globToRegExp, hasGlobChars } from "../workspace/match-glob.ts";
import { loadProject, type Project } from "../workspace/load-project.ts";
import type { Workspace } from "../workspace/discover.ts";
import { buildGraph } from "./build-graph.ts";
import type { TaskGraph } from "./task.ts";

export interface PlannedRun {
  readonly project: Project;
  readonly graph: TaskGraph;
}

export interface PlanRequest {
  readonly phases: readonly string[];
  readonly workspaceFilters: readonly string[];
  readonly timeoutMs?: number | null;
  readonly parentEnv: Readonly<Record<string, string | undefined>>;
}

/** load project -> select workspaces -> build graph; every problem as a diagnostic (exit 2, nothing runs). */
export function planRun(global: GlobalOptions, request: PlanRequest): Result<PlannedRun, Diagnostic[]> {
  const loaded = loadProject(global.root, global.file, { strict: global.strict });
  if (!loaded.ok) return loaded;
  const project = loaded.value;
  const selected = selectWorkspaces(project.workspaces, request.workspaceFilters);
  if (!selected.ok) return selected;
  const graph = buildGraph({
    phases: request.phases,
    root: project.root,
    workspaces: selected.value,
    rootDir: global.root,
    profile: global.profile,
    timeoutOverrideMs: request.timeoutMs,
    parentEnv: request.parentEnv,
  });
  if (!graph.ok) return graph;
  return { ok: true, value: { project, graph: graph.value } };
}

/** `-w NAME` (repeatable, globs): a filter that matches nothing is an error, not an empty run. */
function selectWorkspaces(all: readonly Workspace[], filters: readonly string[]): Result<Workspace[], Diagnostic[]> {
  if (filters.length === 0) return { ok: true, value: [...all] };
  const problems: Diagnostic[] = [];
  const chosen = new Set<Workspace>();
  for (const filter of filters) {
    const matches = hasGlobChars(filter) ? all.filter((w) => globToRegExp(filter).test(w.place.name)) : all.filter((w) => w.place.name === filter);
    if (matches.length === 0) problems.push(errorDiagnostic({ message: `--workspace ${filter}: no workspace matches (workspaces: ${all.map((w) => w.place.name).join(", ") || "none"})` }));
    for (const w of matches) chosen.add(w);
  }
  if (problems.length > 0) return err(problems);
  return { ok: true, value: all.filter((w) => chosen.has(w)) };
}
