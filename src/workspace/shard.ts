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
}

/**
 * Splits `items` into `count` shards, every item in exactly one, the same way in every CI job
 * that sees the same names and durations: greedy longest-first bin packing (each item, longest
 * first, goes to the shard with the least work so far). Items without a recorded duration weigh
 * the mean of the recorded ones (1 when none is), and ties are broken by a hash of the name, so
 * with no durations at all the workspaces are dealt round-robin in name-hash order. Returns the
 * names in each shard, sorted; index 0 is shard 1.
 */
export function assignShards(items: readonly ShardItem[], count: number): string[][] {
  const known = items.filter((i) => i.durationMs !== undefined).map((i) => i.durationMs!);
  const fallback = known.length > 0 ? known.reduce((a, b) => a + b, 0) / known.length : 1;
  const weighted = items.map((item) => ({ name: item.name, weight: Math.max(0, item.durationMs ?? fallback), hash: nameHash(item.name) }));
  weighted.sort((a, b) => b.weight - a.weight || a.hash - b.hash || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const shards = Array.from({ length: count }, () => ({ load: 0, names: [] as string[] }));
  for (const item of weighted) {
    let best = 0;
    for (let s = 1; s < count; s++) if (shards[s]!.load < shards[best]!.load) best = s;
    shards[best]!.load += item.weight;
    shards[best]!.names.push(item.name);
  }
  return shards.map((s) => s.names.sort());
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
