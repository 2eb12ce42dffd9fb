import { join } from "node:path";
import type { GlobalOptions } from "../invocation.ts";
import type { Diagnostic } from "../shared/diagnostic.ts";
import type { Result } from "../shared/result.ts";
import { loadProject, type Project } from "../workspace/load-project.ts";
import { selectWorkspaces, type Selection } from "../workspace/select-workspaces.ts";
import type { ShardSpec } from "../workspace/shard.ts";
import { buildGraph } from "./build-graph.ts";
import type { TaskGraph } from "./task.ts";

export interface PlannedRun {
  readonly project: Project;
  readonly graph: TaskGraph;
  /** Which workspaces the graph covers and why (-w, --since, --shard). */
  readonly selection: Selection;
}

export interface PlanRequest {
  readonly phases: readonly string[];
  readonly workspaceFilters: readonly string[];
  /** --since <git-ref>: only workspaces with changes since it, and their dependents. */
  readonly since?: string;
  /** --shard i/n: a deterministic share of the selected workspaces. */
  readonly shard?: ShardSpec;
  readonly timeoutMs?: number | null;
  readonly parentEnv: Readonly<Record<string, string | undefined>>;
}

/**
 * load project -> select workspaces -> build graph; every problem as a diagnostic (exit 2, nothing runs).
 * When --since or --shard leave no workspace, the graph is empty: nothing runs, not even root hooks.
 */
export function planRun(global: GlobalOptions, request: PlanRequest): Result<PlannedRun, Diagnostic[]> {
  const loaded = loadProject(global.root, global.file, { strict: global.strict });
  if (!loaded.ok) return loaded;
  const project = loaded.value;
  const selected = selectWorkspaces(project.workspaces, global.root, global.file ?? join(global.root, "make.toml"), {
    filters: request.workspaceFilters,
    since: request.since,
    shard: request.shard,
    phases: request.phases,
  });
  if (!selected.ok) return selected;
  const selection = selected.value;
  if (selection.workspaces.length === 0 && (request.since !== undefined || request.shard !== undefined)) {
    return { ok: true, value: { project, selection, graph: { tasks: new Map(), phases: request.phases, onError: new Map(), onSuccess: new Map() } } };
  }
  const graph = buildGraph({
    phases: request.phases,
    root: project.root,
    workspaces: selection.workspaces,
    unselected: unselectedOf(project.workspaces, selection.workspaces),
    rootDir: global.root,
    profile: global.profile,
    timeoutOverrideMs: request.timeoutMs,
    parentEnv: request.parentEnv,
  });
  if (!graph.ok) return graph;
  return { ok: true, value: { project, graph: graph.value, selection } };
}

function unselectedOf<T>(all: readonly T[], selected: readonly T[]): T[] {
  if (selected.length === all.length) return [];
  const chosen = new Set(selected);
  return all.filter((w) => !chosen.has(w));
}
