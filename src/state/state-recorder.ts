import type { TaskOutcome } from "../execute/outcome.ts";
import type { Task } from "../plan/task.ts";
import { outcomeError } from "../report/reporter.ts";
import { fsyncEach, type Durability } from "./atomic-write.ts";
import { SaveQueue } from "./save-queue.ts";
import type { CacheKeyEntry, RunRecord } from "./state-types.ts";

export interface StateRecorderOptions {
  readonly runId: string;
  readonly historyLimit: number;
  readonly rootDir: string;
  readonly onError: (message: string) => void;
  readonly onWarning: (message: string) => void;
  /** Places saved together at most (default 8): each batch's synchronous steps run on this thread. */
  readonly maxBatchPlaces?: number;
  /** How long a place whose lock another process holds is retried (default 10 s). */
  readonly lockTimeoutMs?: number;
  /** How saves become durable (default: fsync of each file and directory on the I/O threads). */
  readonly durability?: Durability;
}

/** What a run needs from whatever records its tasks into the places' state files. */
export interface RunStateRecorder {
  /** Queues the task's record and returns at once. cacheKey is what `cache_keys` records for a success; default: task.ggenCacheKey. */
  record(task: Task, outcome: TaskOutcome, cacheKey?: string): void;
  /** Resolves when every record handed in so far is on disk (or reported as failed); rethrows a bug a save hit. */
  flush(): Promise<void>;
}

const DEFAULT_MAX_BATCH_PLACES = 8;

/**
 * Writes each finished phase task into its place's state file, starting as soon as it ends (a
 * crash later keeps it), without making the caller wait: record() returns at once, and places
 * are saved in small batches on later turns of the event loop, the fsyncs on the I/O threads.
 * Records of one place are saved in the order they were recorded. The file lock covers other
 * processes. Skipped tasks and inline hook commands are not phases: not recorded.
 */
export class StateRecorder implements RunStateRecorder {
  private readonly queue: SaveQueue;

  constructor(private readonly options: StateRecorderOptions) {
    this.queue = new SaveQueue({ ...options, durability: options.durability ?? fsyncEach, maxBatchPlaces: options.maxBatchPlaces ?? DEFAULT_MAX_BATCH_PLACES });
  }

  record(task: Task, outcome: TaskOutcome, cacheKey?: string): void {
    const entry = stateEntryOf(task, outcome, this.options.runId, cacheKey);
    if (entry !== null) this.queue.add(task.place.dir, entry.record, entry.cacheKey);
  }

  flush(): Promise<void> {
    return this.queue.flush();
  }
}

/** What a finished task adds to its place's state file: its history record, and for a success its cache key. null: not recorded. */
export function stateEntryOf(task: Task, outcome: TaskOutcome, runId: string, cacheKey?: string): { readonly record: RunRecord; readonly cacheKey: CacheKeyEntry | undefined } | null {
  if (task.kind !== "phase" || outcome.kind === "skipped") return null;
  const error = outcomeError(outcome);
  const success = outcome.kind === "success" || outcome.kind === "cached";
  const record: RunRecord = {
    phase: task.phase,
    started_ms: outcome.startedMs,
    duration_ms: outcome.durationMs,
    success,
    run_id: runId,
    status: outcome.kind,
    exit_code: outcome.kind === "failed" ? outcome.exitCode : success ? 0 : null,
    ...(outcome.kind === "failed" && outcome.signal ? { signal: outcome.signal } : {}),
    ...(error ? { error } : {}),
    place: task.place.name,
  };
  return { record, cacheKey: success ? { phase: task.phase, key: cacheKey ?? task.ggenCacheKey } : undefined };
}
