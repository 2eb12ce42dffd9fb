import type { TaskOutcome } from "../execute/outcome.ts";
import type { Task } from "../plan/task.ts";
import { outcomeError } from "../report/reporter.ts";
import { recordTasks } from "./state-file.ts";
import type { CacheKeyEntry, RunRecord } from "./state-types.ts";

export interface StateRecorderOptions {
  readonly runId: string;
  readonly historyLimit: number;
  readonly rootDir: string;
  readonly onError: (message: string) => void;
  readonly onWarning: (message: string) => void;
  /** Saves in flight at once, across places (default 32): bounds open files and queued I/O work. */
  readonly maxConcurrentSaves?: number;
}

const DEFAULT_MAX_CONCURRENT_SAVES = 32;

/** One place's records that are not on disk yet, and whether a save of that place is under way. */
interface PlaceQueue {
  readonly dir: string;
  readonly records: RunRecord[];
  readonly cacheKeys: CacheKeyEntry[];
  saving: Promise<void> | undefined;
}

/**
 * Writes each finished phase task into its place's state file, starting as soon as it ends (a
 * crash later keeps it), without ever blocking the caller: record() returns at once and the
 * save runs on the I/O threads, so places are saved concurrently while commands keep starting.
 * One place has at most one save under way; records that arrive meanwhile go into its next save
 * together, in the order they were recorded. The file lock covers other processes.
 * Skipped tasks and inline hook commands are not phases: not recorded.
 */
export class StateRecorder {
  private readonly places = new Map<string, PlaceQueue>();
  /** Saves waiting for a free slot, in the order they asked. */
  private readonly waiting: Array<() => void> = [];
  private readonly maxSaves: number;
  private savesInFlight = 0;
  /** A bug (not a file-system error) thrown by a save: rethrown by flush(). */
  private bug: { readonly error: unknown } | undefined;

  constructor(private readonly options: StateRecorderOptions) {
    this.maxSaves = options.maxConcurrentSaves ?? DEFAULT_MAX_CONCURRENT_SAVES;
  }

  /**
   * Queues the task's record for its place's state file and returns at once. cacheKey is what
   * `cache_keys` records for a success (the run's cache fingerprint); default: task.ggenCacheKey.
   */
  record(task: Task, outcome: TaskOutcome, cacheKey?: string): void {
    if (task.kind !== "phase" || outcome.kind === "skipped") return;
    const error = outcomeError(outcome);
    const record: RunRecord = {
      phase: task.phase,
      started_ms: outcome.startedMs,
      duration_ms: outcome.durationMs,
      success: outcome.kind === "success" || outcome.kind === "cached",
      run_id: this.options.runId,
      status: outcome.kind,
      exit_code: outcome.kind === "failed" ? outcome.exitCode : outcome.kind === "success" || outcome.kind === "cached" ? 0 : null,
      ...(outcome.kind === "failed" && outcome.signal ? { signal: outcome.signal } : {}),
      ...(error ? { error } : {}),
      place: task.place.name,
    };
    const dir = task.place.dir;
    let place = this.places.get(dir);
    if (place === undefined) {
      place = { dir, records: [], cacheKeys: [], saving: undefined };
      this.places.set(dir, place);
    }
    place.records.push(record);
    if (record.success) place.cacheKeys.push({ phase: task.phase, key: cacheKey ?? task.ggenCacheKey });
    if (place.saving === undefined) place.saving = this.drain(place);
  }

  /** Resolves when every record handed in so far is on disk (or reported as failed); rethrows a bug a save hit. */
  async flush(): Promise<void> {
    for (;;) {
      const saving = [...this.places.values()].flatMap((p) => (p.saving ? [p.saving] : []));
      if (saving.length === 0) break;
      await Promise.all(saving);
    }
    if (this.bug) throw this.bug.error;
  }

  /** Saves the place's queued records, batch after batch, until none is left. Never rejects. */
  private async drain(place: PlaceQueue): Promise<void> {
    try {
      while (place.records.length > 0) {
        await this.takeSlot();
        try {
          // Taken only now: whatever arrived while waiting for the slot goes into this save.
          const records = place.records.splice(0);
          const cacheKeys = place.cacheKeys.splice(0);
          const written = await recordTasks(place.dir, records, cacheKeys, { historyLimit: this.options.historyLimit, runId: this.options.runId, rootDir: this.options.rootDir });
          if (!written.ok) this.options.onError(written.error);
          else for (const warning of written.value.warnings) this.options.onWarning(warning);
        } finally {
          this.releaseSlot();
        }
      }
    } catch (error) {
      this.bug ??= { error };
      place.records.length = 0; // a save that hit a bug: flush reports it instead of saving the rest
      place.cacheKeys.length = 0;
    } finally {
      place.saving = undefined;
    }
  }

  private takeSlot(): Promise<void> | undefined {
    if (this.savesInFlight < this.maxSaves) {
      this.savesInFlight++;
      return undefined;
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private releaseSlot(): void {
    const next = this.waiting.shift();
    if (next) next(); // the slot passes straight to the next save
    else this.savesInFlight--;
  }
}
