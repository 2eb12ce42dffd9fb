import { orderedRecord } from "./serialize-state.ts";
import type { CacheKeyEntry, RunRecord, StateFile } from "./state-types.ts";

export interface AppendOptions {
  /** phase_history entries kept (oldest dropped). 0 keeps none; Infinity keeps all. */
  readonly historyLimit: number;
  /** Written into records that do not carry their own run_id. */
  readonly runId?: string;
}

/**
 * The state after a run's records and cache keys are appended, in the order given.
 * last_phase moves to the phase of the last appended record with success: true; a failed,
 * timed-out or interrupted task does not move it (ggen only recorded successes, and its tests
 * read last_phase as "the last phase that completed": `run build` with after_build=[test]
 * gives "test"). A run with no successes leaves last_phase unchanged.
 * cache_keys is bounded to historyLimit entries too, but the newest key of each phase is always kept.
 */
export function appendRuns(state: StateFile, records: readonly RunRecord[], cacheKeys: readonly CacheKeyEntry[], options: AppendOptions): StateFile {
  const limit = checkedLimit(options.historyLimit);
  const added = recordsToAppend(records, options);
  const lastPhase = lastPhaseAfter(state.last_phase, added);
  return {
    ...state,
    ...(lastPhase !== undefined ? { last_phase: lastPhase } : {}),
    phase_history: keepNewest([...state.phase_history, ...added], limit),
    cache_keys: boundCacheKeys([...state.cache_keys, ...cacheKeys.map((k) => ({ phase: k.phase, key: k.key }))], limit),
  };
}

/** The state with only the newest `keep` history entries (and cache keys bounded the same way). */
export function pruneRuns(state: StateFile, keep: number): StateFile {
  const limit = checkedLimit(keep);
  return { ...state, phase_history: keepNewest(state.phase_history, limit), cache_keys: boundCacheKeys(state.cache_keys, limit) };
}

/** The records as they are written: ggen's fields first, and the run's id where a record has none. */
export function recordsToAppend(records: readonly RunRecord[], options: AppendOptions): RunRecord[] {
  return records.map((r) => orderedRecord(r.run_id === undefined && options.runId !== undefined ? { ...r, run_id: options.runId } : r));
}

/** last_phase after `added`: the phase of its last success, else what it was. */
export function lastPhaseAfter<T>(lastPhase: T, added: readonly RunRecord[]): T | string {
  let phase: T | string = lastPhase;
  for (const r of added) if (r.success) phase = r.phase;
  return phase;
}

export function checkedLimit(limit: number): number {
  if (limit === Infinity) return limit;
  if (!Number.isInteger(limit) || limit < 0) throw new Error(`history limit must be a non-negative integer, got ${limit}`);
  return limit;
}

function keepNewest<T>(items: readonly T[], limit: number): readonly T[] {
  return items.length <= limit ? items : items.slice(items.length - limit);
}

/** Drops the oldest keys beyond `limit`, except each phase's newest key, keeping order. */
export function boundCacheKeys(keys: readonly CacheKeyEntry[], limit: number): readonly CacheKeyEntry[] {
  if (keys.length <= limit) return keys;
  const newestOfPhase = new Map<string, number>();
  keys.forEach((k, i) => newestOfPhase.set(k.phase, i));
  const firstKept = keys.length - limit;
  return keys.filter((k, i) => i >= firstKept || newestOfPhase.get(k.phase) === i);
}
