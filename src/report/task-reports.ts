import { exitStatus, type TaskOutcome, type TaskStatus } from "../execute/outcome.ts";
import { ROOT_PLACE, type Task, type TaskId } from "../plan/task.ts";
import { outcomeError } from "./reporter.ts";

/** One task's ending as CI reports show it (`--summary`, `--junit`). Field names are part of the summary file's contract. */
export interface TaskReport {
  readonly task: string;
  /** `//` for the root, else the workspace name. */
  readonly place: string;
  /** null at the root. */
  readonly workspace: string | null;
  readonly phase: string;
  readonly kind: "phase" | "hook";
  readonly status: TaskStatus;
  readonly exit_code: number | null;
  readonly signal: string | null;
  /** Unix epoch milliseconds; null when the task never started. */
  readonly started_ms: number | null;
  readonly duration_ms: number;
  /** hit: restored from the cache; miss: cacheable and ran; off: not cacheable or never ran. */
  readonly cache: "hit" | "miss" | "off";
  readonly retries: number;
  readonly error: string | null;
  readonly stderr_tail: readonly string[];
}

/** Every task of the run in graph order, with its outcome (a task without one is reported skipped). */
export function taskReports(tasks: ReadonlyMap<TaskId, Task>, outcomes: ReadonlyMap<TaskId, TaskOutcome>): TaskReport[] {
  const reports: TaskReport[] = [];
  for (const [id, task] of tasks) reports.push(taskReport(task, outcomes.get(id) ?? { kind: "skipped", reason: "not started" }));
  return reports;
}

function taskReport(task: Task, outcome: TaskOutcome): TaskReport {
  const ran = outcome.kind !== "skipped";
  return {
    task: task.id,
    place: task.place.name,
    workspace: task.place.name === ROOT_PLACE ? null : (task.place.workspace ?? task.place.name),
    phase: task.phase,
    kind: task.kind,
    status: outcome.kind,
    exit_code: exitStatus(outcome).exitCode,
    signal: exitStatus(outcome).signal,
    started_ms: ran ? outcome.startedMs : null,
    duration_ms: ran ? outcome.durationMs : 0,
    cache: outcome.kind === "cached" ? "hit" : task.cache && ran && outcome.kind !== "cancelled" ? "miss" : "off",
    retries: "retriesUsed" in outcome ? (outcome.retriesUsed ?? 0) : 0,
    error: outcomeError(outcome) ?? null,
    stderr_tail: outcome.kind === "failed" || outcome.kind === "timed-out" ? outcome.stderrTail : [],
  };
}
