import type { TaskOutcome } from "../execute/outcome.ts";
import type { OutputMode } from "../invocation.ts";
import { ROOT_PLACE, type Task } from "../plan/task.ts";
import { redactText } from "../shared/redact.ts";
import { type Output, type Reporter } from "./reporter.ts";
import { formatFinalSummary, type TaskTiming } from "./final-summary.ts";
import type { RunSummary } from "./summarize.ts";
import { TaskOutputBuffer } from "./task-output-buffer.ts";

export interface PrettyOptions {
  readonly mode: OutputMode;
  readonly quiet: boolean;
  readonly secrets: () => readonly string[];
}

/**
 * Human output, keeping ggen's lines (`Running phase: build`, `Pipeline completed: a → b`).
 * stream: raw child output; prefix: `api#build | line`; grouped: each task's lines as one block when it ends.
 */
export function createPrettyReporter(output: Output, options: PrettyOptions): Reporter {
  const groups = new Map<string, TaskOutputBuffer>();
  const timings: TaskTiming[] = [];
  const write = (stream: "stdout" | "stderr", text: string) => output[stream](redactText(text, options.secrets()));
  const label = (task: Task) => (task.place.name === ROOT_PLACE ? "" : `[${task.place.name}] `);

  return {
    runStart() {},
    taskStart(task) {
      const what = task.kind === "hook" ? `Running hook: ${task.phase}` : `Running phase: ${task.phase}`;
      if (!options.quiet) write("stdout", `${label(task)}${what}\n`);
      if (options.mode === "grouped") groups.set(task.id, new TaskOutputBuffer());
    },
    taskOutput(task, stream, line) {
      if (options.mode === "stream") write(stream, `${line}\n`);
      else if (options.mode === "prefix") write(stream, `${task.id} | ${line}\n`);
      else groups.get(task.id)?.push(stream, redactText(line, options.secrets()));
    },
    taskEnd(task: Task, outcome: TaskOutcome) {
      if (outcome.kind !== "skipped") timings.push({ id: task.id, durationMs: outcome.durationMs });
      const block = groups.get(task.id);
      if (block) {
        groups.delete(task.id);
        write("stdout", `── ${task.id} (${outcome.kind}) ──\n`);
        // A block can be gigabytes (held in a temp file): written at the reader's pace, in order.
        const next = block.reader();
        if (output.writeBlock) output.writeBlock(next);
        else for (let piece = next(); piece !== null; piece = next()) output[piece.stream](piece.text);
      }
      if (outcome.kind === "cached" && !options.quiet) write("stdout", `${label(task)}Cached: ${task.phase}\n`);
    },
    runEnd(summary: RunSummary) {
      if (summary.status === "success") {
        if (summary.pipeline) write("stdout", `\nPipeline completed: ${summary.phases.join(" → ")}\n`);
        // A plain one-task run keeps ggen's output; anything bigger gets the closing summary.
        const total = Object.values(summary.counts).reduce((a, b) => a + b, 0);
        if (!options.quiet && total > 1) write("stderr", formatFinalSummary(summary, timings));
        return;
      }
      write("stderr", formatFinalSummary(summary, timings));
    },
  };
}
