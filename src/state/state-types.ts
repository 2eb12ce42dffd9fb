/** Format version we write into `version`; ggen's files have none and read as version 1. */
export const STATE_VERSION = 1;

/** One task's run in `phase_history`. The first four fields are ggen's; the rest are ours and optional. */
export interface RunRecord {
  readonly phase: string;
  /** Unix epoch milliseconds. */
  readonly started_ms: number;
  readonly duration_ms: number;
  /** false for failed, timed-out and interrupted tasks (ggen only ever wrote true). */
  readonly success: boolean;
  readonly run_id?: string;
  /** TaskStatus: success | cached | failed | timed-out | cancelled. */
  readonly status?: string;
  readonly exit_code?: number | null;
  readonly signal?: string | null;
  readonly error?: string;
  /** `//` for the root, else the workspace name. */
  readonly place?: string;
}

/** One entry of `cache_keys`, as ggen wrote them (appended per run, so a phase repeats). */
export interface CacheKeyEntry {
  readonly phase: string;
  readonly key: string;
}

/** `<place>/.ggen/state.json`: ggen's fields, our additions, and whatever else the file held. */
export interface StateFile {
  readonly version?: number;
  /** The last phase that succeeded; null/absent when none has. */
  readonly last_phase?: string | null;
  readonly phase_history: readonly RunRecord[];
  readonly generated: readonly string[];
  readonly cache_keys: readonly CacheKeyEntry[];
  /** Top-level keys we do not know, kept in file order and written back after ours. */
  readonly extra: Readonly<Record<string, unknown>>;
}

/** The state of a place that has never run anything. */
export function emptyState(): StateFile {
  return { phase_history: [], generated: [], cache_keys: [], extra: {} };
}
