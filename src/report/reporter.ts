import type { TaskOutcome } from "../execute/outcome.ts";
import type { Task } from "../plan/task.ts";
import type { RunSummary } from "./summarize.ts";

/** What happens during a run, told to whoever shows it (human lines or NDJSON events). */
export interface Reporter {
  runStart(info: { runId: string; phases: readonly string[]; taskCount: number }): void;
  taskStart(task: Task): void;
  taskOutput(task: Task, stream: "stdout" | "stderr", line: string): void;
  taskEnd(task: Task, outcome: TaskOutcome): void;
  runEnd(summary: RunSummary): void;
}

/** The two byte sinks; only reporters and main write to them. */
export interface Output {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Backpressure: a promise while written text is backed up in memory (output-sink.ts); absent = never. */
  readonly ready?: () => Promise<void> | undefined;
  /** Writes a large block (grouped output) at the reader's pace, in order with later writes (output-sink.ts). */
  readonly writeBlock?: (next: () => { readonly stream: "stdout" | "stderr"; readonly text: string } | null) => void;
  /** The terminal status line (output-sink.ts); absent when there is none. */
  readonly status?: (line: string | null) => void;
  readonly needsStatus?: () => boolean;
}

/** One line describing why a task did not succeed, for humans and for `error` fields. */
export function outcomeError(outcome: TaskOutcome): string | undefined {
  switch (outcome.kind) {
    case "failed":
    case "timed-out":
      return outcome.message;
    case "cancelled":
      return `cancelled: ${outcome.reason}`;
    case "skipped":
      return `skipped: ${outcome.reason}`;
    case "success":
    case "cached":
      return undefined;
  }
}
