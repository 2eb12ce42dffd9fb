import type { TaskOutcome } from "../execute/outcome.ts";
import type { Task } from "../plan/task.ts";
import { outcomeError } from "../report/reporter.ts";
import { recordTasks } from "./state-file.ts";
import type { RunRecord } from "./state-types.ts";

export interface StateRecorderOptions {
  readonly runId: string;
  readonly historyLimit: number;
  readonly rootDir: string;
  readonly onError: (message: string) => void;
  readonly onWarning: (message: string) => void;
}

/**
 * Writes each finished phase task into its place's state file as soon as it ends (a crash later
 * keeps it). Writes to one place are chained, so one process never races itself; the file lock
 * covers other processes. Skipped tasks and inline hook commands are not phases: not recorded.
 */
export class StateRecorder {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly options: StateRecorderOptions) {}

  record(task: Task, outcome: TaskOutcome): void {
    if (task.kind !== "phase" || outcome.kind === "skipped") return;
    const record: RunRecord = {
      phase: task.phase,
      started_ms: outcome.startedMs,
      duration_ms: outcome.durationMs,
      success: outcome.kind === "success" || outcome.kind === "cached",
      run_id: this.options.runId,
      status: outcome.kind,
      exit_code: outcome.kind === "failed" ? outcome.exitCode : outcome.kind === "success" ? 0 : null,
      ...(outcome.kind === "failed" && outcome.signal ? { signal: outcome.signal } : {}),
      ...(outcomeError(outcome) ? { error: outcomeError(outcome) } : {}),
      place: task.place.name,
    };
    const cacheKeys = record.success ? [{ phase: task.phase, key: task.ggenCacheKey }] : [];
    const dir = task.place.dir;
    const previous = this.chains.get(dir) ?? Promise.resolve();
    const next = previous.then(async () => {
      const written = await recordTasks(dir, [record], cacheKeys, { historyLimit: this.options.historyLimit, runId: this.options.runId, rootDir: this.options.rootDir });
      if (!written.ok) this.options.onError(written.error);
      else for (const warning of written.value.warnings) this.options.onWarning(warning);
    });
    this.chains.set(dir, next);
  }

  /** Resolves when every record handed in so far is on disk (or reported as failed). */
  async flush(): Promise<void> {
    await Promise.all(this.chains.values());
  }
}
