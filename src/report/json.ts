import { exitStatus, type TaskOutcome } from "../execute/outcome.ts";
import type { Task } from "../plan/task.ts";
import { redactText } from "../shared/redact.ts";
import type { RunEvent } from "./events.ts";
import { outcomeError, type Output, type Reporter } from "./reporter.ts";
import type { RunSummary } from "./summarize.ts";

/** `--json`: stdout carries only NDJSON events; failures are also told to humans on stderr. */
export function createJsonReporter(output: Output, secrets: () => readonly string[]): Reporter {
  const emit = (event: RunEvent) => output.stdout(redactText(JSON.stringify(event), secrets()) + "\n");
  let runId = "";
  return {
    runStart({ runId: id, phases, taskCount }) {
      runId = id;
      emit({ event: "run-start", run_id: id, phases, tasks: taskCount });
    },
    taskStart(task) {
      emit({ event: "task-start", task: task.id, place: task.place.name, phase: task.phase });
    },
    taskOutput(task, stream, line) {
      emit({ event: "task-output", task: task.id, stream, line });
    },
    taskEnd(task: Task, outcome: TaskOutcome) {
      const error = outcomeError(outcome);
      const timing = "durationMs" in outcome ? outcome.durationMs : 0;
      const { exitCode, signal } = exitStatus(outcome);
      const tail = outcome.kind === "failed" || outcome.kind === "timed-out" ? outcome.stderrTail : undefined;
      emit({ event: "task-end", task: task.id, status: outcome.kind, exit_code: exitCode, signal, duration_ms: timing, error, stderr_tail: tail });
    },
    runEnd(summary: RunSummary) {
      emit({ event: "run-end", run_id: runId, status: summary.status, duration_ms: summary.durationMs, counts: summary.counts });
    },
  };
}
