import { err, ok, type Result } from "../shared/result.ts";

/** `--shard i/n`: this job runs share `index` (1-based) of `count`. */
export interface ShardSpec {
  readonly index: number;
  readonly count: number;
}

/** Parses `i/n` with 1 <= i <= n; err is a usage message. */
export function parseShard(text: string): Result<ShardSpec, string> {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || !Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count) {
    return err(`--shard: expected i/n with 1 <= i <= n (e.g. 2/4), got "${text}"`);
  }
  return ok({ index, count });
}

/** One workspace to place, with the time its phases took last time (undefined: never recorded). */
export interface ShardItem {
  readonly name: string;
  readonly durationMs?: number;
  /** Workspaces it depends on; names that are not items are ignored. */
  readonly dependsOn?: readonly string[];
}

/**
 * Splits `items` into `count` shards, every item in exactly one, the same way in every CI job
 * that sees the same names, durations and dependencies. A shard also runs what its items depend
 * on, so workspaces joined by dependencies are kept together where that costs no wall time: a
 * connected group goes to one shard whole when its total work is at most a fair share or its own
 * critical path (a chain takes that long wherever it runs); a larger group is split into single
 * workspaces. Then greedy longest-first bin packing: each unit, heaviest first, goes to the shard
 * with the least work so far. Items without a recorded duration weigh the mean of the recorded ones
 * (1 when none is), and ties are broken by a hash of the name, so with no durations and no
 * dependencies the workspaces are dealt round-robin in name-hash order. Returns the names in each
 * shard, sorted; index 0 is shard 1.
 */
export function assignShards(items: readonly ShardItem[], count: number): string[][] {
  const known = items.filter((i) => i.durationMs !== undefined).map((i) => i.durationMs!);
  const fallback = known.length > 0 ? known.reduce((a, b) => a + b, 0) / known.length : 1;
  const weightOf = new Map(items.map((item) => [item.name, Math.max(0, item.durationMs ?? fallback)] as const));
  const fairShare = [...weightOf.values()].reduce((a, b) => a + b, 0) / count;
  const depsOf = new Map(items.map((item) => [item.name, (item.dependsOn ?? []).filter((dep) => weightOf.has(dep))] as const));
  const units: Array<{ names: string[]; weight: number; hash: number; first: string }> = [];
  for (const group of dependencyGroups(items, depsOf)) {
    const weight = group.reduce((sum, name) => sum + weightOf.get(name)!, 0);
    const whole = group.length === 1 || weight <= Math.max(fairShare, criticalPathMs(group, depsOf, weightOf));
    for (const names of whole ? [group] : group.map((name) => [name])) {
      const first = names.reduce((a, b) => (nameHash(b) < nameHash(a) || (nameHash(b) === nameHash(a) && b < a) ? b : a));
      units.push({ names, weight: names.reduce((sum, name) => sum + weightOf.get(name)!, 0), hash: nameHash(first), first });
    }
  }
  units.sort((a, b) => b.weight - a.weight || a.hash - b.hash || (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const shards = Array.from({ length: count }, () => ({ load: 0, names: [] as string[] }));
  for (const unit of units) {
    let best = 0;
    for (let s = 1; s < count; s++) if (shards[s]!.load < shards[best]!.load) best = s;
    shards[best]!.load += unit.weight;
    shards[best]!.names.push(...unit.names);
  }
  return shards.map((s) => s.names.sort());
}

/** The items joined by dependencies (either way), each group's names in input order. Union-find. */
function dependencyGroups(items: readonly ShardItem[], depsOf: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map(items.map((item, i) => [item.name, i] as const));
  const parent = items.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  items.forEach((item, i) => {
    for (const dep of depsOf.get(item.name)!) parent[find(i)] = find(index.get(dep)!);
  });
  const groups = new Map<number, string[]>();
  items.forEach((item, i) => {
    const root = find(i);
    const group = groups.get(root);
    if (group) group.push(item.name);
    else groups.set(root, [item.name]);
  });
  return [...groups.values()];
}

/** The heaviest dependency chain within `group` (its workspaces' weights summed). Dependencies are acyclic (checked at load). */
function criticalPathMs(group: readonly string[], depsOf: ReadonlyMap<string, readonly string[]>, weightOf: ReadonlyMap<string, number>): number {
  const finish = new Map<string, number>();
  // Iterative post-order: a 10,000-long chain does not exhaust the stack.
  for (const start of group) {
    const stack: Array<{ name: string; next: number }> = [{ name: start, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (finish.has(top.name)) {
        stack.pop();
        continue;
      }
      const deps = depsOf.get(top.name)!;
      while (top.next < deps.length && finish.has(deps[top.next]!)) top.next++;
      if (top.next < deps.length) {
        stack.push({ name: deps[top.next]!, next: 0 });
        continue;
      }
      finish.set(top.name, weightOf.get(top.name)! + deps.reduce((longest, dep) => Math.max(longest, finish.get(dep)!), 0));
      stack.pop();
    }
  }
  return group.reduce((longest, name) => Math.max(longest, finish.get(name)!), 0);
}

/** FNV-1a over the name's UTF-16 code units: stable across runs, platforms and versions. */
function nameHash(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
