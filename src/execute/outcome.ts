/** What running one command produced: one flat record per process. */
export interface ProcessResult {
  /** null when the process died from a signal or never started. */
  readonly exitCode: number | null;
  /** e.g. "SIGTERM" when the process died from a signal. */
  readonly signal: string | null;
  readonly timedOut: boolean;
  /** Stopped because the run was interrupted or failed fast. */
  readonly cancelled: boolean;
  readonly durationMs: number;
  /** Last lines of stderr, for error messages. */
  readonly stderrTail: readonly string[];
  /** Set when the process could not be started (missing executable, bad cwd). */
  readonly spawnError?: string;
}

interface Timing {
  readonly startedMs: number;
  readonly durationMs: number;
}

/** How a task ended. A failed command is an outcome, never an exception. */
export type TaskOutcome =
  | ({ readonly kind: "success"; readonly retriesUsed: number } & Timing)
  | ({ readonly kind: "cached" } & Timing)
  | ({
      readonly kind: "failed";
      readonly command: string;
      readonly exitCode: number | null;
      readonly signal: string | null;
      readonly stderrTail: readonly string[];
      readonly message: string;
      /** continue_on_error: recorded as failed, but dependents run and the run can succeed. */
      readonly allowed: boolean;
      /** Commands run again after a failure before this one gave up; absent when none was. */
      readonly retriesUsed?: number;
    } & Timing)
  | ({
      readonly kind: "timed-out";
      readonly command: string;
      readonly afterMs: number;
      /** The signal that finally stopped the command (SIGTERM, or SIGKILL after the grace). */
      readonly signal: string | null;
      readonly stderrTail: readonly string[];
      readonly message: string;
      /** As for failed: retries before the last attempt timed out. */
      readonly retriesUsed?: number;
    } & Timing)
  | ({ readonly kind: "cancelled"; readonly reason: string; readonly command?: string } & Timing)
  | { readonly kind: "skipped"; readonly reason: string };

export type TaskStatus = TaskOutcome["kind"];

/** The exit status to report for a task: a code (0 for success and cached), or the signal that ended it. */
export function exitStatus(outcome: TaskOutcome): { readonly exitCode: number | null; readonly signal: string | null } {
  switch (outcome.kind) {
    case "success":
    case "cached":
      return { exitCode: 0, signal: null };
    case "failed":
      return { exitCode: outcome.exitCode, signal: outcome.signal };
    case "timed-out":
      return { exitCode: null, signal: outcome.signal };
    case "cancelled":
    case "skipped":
      return { exitCode: null, signal: null };
  }
}

/** A failure that dependents may not build on. */
export function isBlocking(outcome: TaskOutcome): boolean {
  switch (outcome.kind) {
    case "success":
    case "cached":
      return false;
    case "failed":
      return !outcome.allowed;
    case "timed-out":
    case "cancelled":
    case "skipped":
      return true;
  }
}
