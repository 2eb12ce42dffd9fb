import { realpathSync } from "node:fs";
import { relative } from "node:path";
import { errorDiagnostic, type Diagnostic } from "../shared/diagnostic.ts";
import { err, ok, type Result } from "../shared/result.ts";
import { affectedWorkspaces } from "./affected.ts";
import type { Workspace } from "./discover.ts";
import { changedFilesSince } from "./git-changes.ts";
import { globToRegExp, hasGlobChars } from "./match-glob.ts";
import { recordedDurationMs } from "./recorded-durations.ts";
import { assignShards, type ShardSpec } from "./shard.ts";

/** The user's narrowing of the workspaces: `-w` names or globs, `--since <ref>`, `--shard i/n`. */
export interface SelectionRequest {
  readonly filters: readonly string[];
  readonly since?: string;
  readonly shard?: ShardSpec;
  /** The phases being run: shards are balanced by their recorded durations. */
  readonly phases: readonly string[];
}

/** The workspaces to build the graph for, and how they were chosen (for logs and the run summary). */
export interface Selection {
  /** Sorted by name. */
  readonly workspaces: Workspace[];
  readonly since?: { readonly ref: string; readonly changedFiles: number; readonly affected: readonly string[] };
  /** `own`: this shard's share; `dependencies`: workspaces of other shards that its share depends on, run here too. */
  readonly shard?: { readonly index: number; readonly count: number; readonly own: readonly string[]; readonly dependencies: readonly string[] };
}

/**
 * `-w` first (a filter that matches nothing is an error), then `--since` (changed workspaces and
 * their dependents, among those), then `--shard` (a deterministic share of those, plus the
 * selected workspaces that share depends on, so a shard never runs a workspace before its
 * dependencies). Every problem is a diagnostic: exit 2, nothing runs.
 */
export function selectWorkspaces(all: readonly Workspace[], rootDir: string, configFile: string, request: SelectionRequest): Result<Selection, Diagnostic[]> {
  if ((request.since !== undefined || request.shard !== undefined) && all.length === 0) {
    const flag = request.since !== undefined ? "--since" : "--shard";
    return err([errorDiagnostic({ message: `${flag} selects workspaces, and this project has none` })]);
  }
  const filtered = filterByName(all, request.filters);
  if (!filtered.ok) return filtered;
  let workspaces = filtered.value;
  let since: Selection["since"];
  if (request.since !== undefined) {
    const changed = changedFilesSince(rootDir, request.since);
    if (!changed.ok) return err([errorDiagnostic({ message: changed.error })]);
    const realRoot = realpathSync(rootDir);
    const affected = affectedWorkspaces(all, changed.value, realRoot, relative(rootDir, configFile));
    workspaces = workspaces.filter((w) => affected.has(w.place.name));
    since = { ref: request.since, changedFiles: changed.value.length, affected: workspaces.map((w) => w.place.name) };
  }
  if (request.shard === undefined) return ok({ workspaces, ...(since ? { since } : {}) });
  const { index, count } = request.shard;
  const items = workspaces.map((w) => ({ name: w.place.name, durationMs: recordedDurationMs(w.place.dir, request.phases), dependsOn: w.dependsOn }));
  const own = assignShards(items, count)[index - 1]!;
  const closed = withDependencies(workspaces, new Set(own));
  const dependencies = [...closed].filter((name) => !own.includes(name)).sort();
  return ok({ workspaces: workspaces.filter((w) => closed.has(w.place.name)), ...(since ? { since } : {}), shard: { index, count, own, dependencies } });
}

/** `-w NAME` (repeatable, globs): a filter that matches nothing is an error, not an empty run. */
function filterByName(all: readonly Workspace[], filters: readonly string[]): Result<Workspace[], Diagnostic[]> {
  if (filters.length === 0) return ok([...all]);
  const problems: Diagnostic[] = [];
  const chosen = new Set<Workspace>();
  for (const filter of filters) {
    const pattern = hasGlobChars(filter) ? globToRegExp(filter) : undefined;
    const matches = all.filter((w) => (pattern ? pattern.test(w.place.name) : w.place.name === filter));
    if (matches.length === 0) problems.push(errorDiagnostic({ message: `--workspace ${filter}: no workspace matches (workspaces: ${namesForMessage(all)})` }));
    for (const w of matches) chosen.add(w);
  }
  if (problems.length > 0) return err(problems);
  return ok(all.filter((w) => chosen.has(w)));
}

/** `names` plus, transitively, the workspaces among `pool` they depend on. */
function withDependencies(pool: readonly Workspace[], names: ReadonlySet<string>): Set<string> {
  const byName = new Map(pool.map((w) => [w.place.name, w] as const));
  const result = new Set(names);
  const queue = [...names];
  while (queue.length > 0) {
    for (const dep of byName.get(queue.pop()!)?.dependsOn ?? []) {
      if (result.has(dep) || !byName.has(dep)) continue;
      result.add(dep);
      queue.push(dep);
    }
  }
  return result;
}

function namesForMessage(all: readonly Workspace[]): string {
  if (all.length === 0) return "none";
  const shown = all.slice(0, 20).map((w) => w.place.name).join(", ");
  return all.length > 20 ? `${shown}, ... ${all.length - 20} more` : shown;
}
