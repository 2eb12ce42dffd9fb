import type { TaskOutcome, TaskStatus } from "../execute/outcome.ts";
import { isBlocking } from "../execute/outcome.ts";
import type { Task, TaskId } from "../plan/task.ts";

/** Everything a reporter, the state writer and the exit code need to know about a finished run. */
export interface RunSummary {
  readonly runId: string;
  readonly status: "success" | "failed" | "interrupted";
  readonly durationMs: number;
  readonly counts: Record<TaskStatus, number>;
  readonly phases: readonly string[];
  readonly pipeline: boolean;
  /** Blocking failures in graph order. */
  readonly failures: readonly { readonly task: Task; readonly outcome: TaskOutcome }[];
  readonly interruptedBy?: "SIGINT" | "SIGTERM" | "SIGHUP";
}

export function emptyCounts(): Record<TaskStatus, number> {
  return { success: 0, cached: 0, failed: 0, "timed-out": 0, cancelled: 0, skipped: 0 };
}

/** Pure: outcomes in graph order -> the run's status and counts. */
export function summarize(
  tasks: ReadonlyMap<TaskId, Task>,
  outcomes: ReadonlyMap<TaskId, TaskOutcome>,
  info: { runId: string; durationMs: number; phases: readonly string[]; pipeline: boolean; interruptedBy?: "SIGINT" | "SIGTERM" | "SIGHUP" },
): RunSummary {
  const counts = emptyCounts();
  const failures: { task: Task; outcome: TaskOutcome }[] = [];
  for (const [id, task] of tasks) {
    const outcome = outcomes.get(id);
    if (!outcome) continue;
    counts[outcome.kind]++;
    if (isBlocking(outcome) && outcome.kind !== "skipped") failures.push({ task, outcome });
  }
  const status = info.interruptedBy ? "interrupted" : failures.length > 0 || counts.skipped > 0 ? "failed" : "success";
  return { ...info, status, counts, failures };
}

/** 0 success, 1 a task failed, 130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP. */
export function exitCodeFor(summary: RunSummary): number {
  switch (summary.interruptedBy) {
    case "SIGINT":
      return 130;
    case "SIGTERM":
      return 143;
    case "SIGHUP":
      return 129;
    case undefined:
      return summary.status === "success" ? 0 : 1;
  }
}
