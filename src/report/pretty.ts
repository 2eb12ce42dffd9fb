import type { TaskOutcome } from "../execute/outcome.ts";
import type { OutputMode } from "../invocation.ts";
import { ROOT_PLACE, type Task } from "../plan/task.ts";
import { formatDuration } from "../shared/duration.ts";
import { redactText } from "../shared/redact.ts";
import { outcomeError, type Output, type Reporter } from "./reporter.ts";
import type { RunSummary } from "./summarize.ts";

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
  const groups = new Map<string, { stream: "stdout" | "stderr"; line: string }[]>();
  const write = (stream: "stdout" | "stderr", text: string) => output[stream](redactText(text, options.secrets()));
  const label = (task: Task) => (task.place.name === ROOT_PLACE ? "" : `[${task.place.name}] `);

  return {
    runStart() {},
    taskStart(task) {
      const what = task.kind === "hook" ? `Running hook: ${task.phase}` : `Running phase: ${task.phase}`;
      if (!options.quiet) write("stdout", `${label(task)}${what}\n`);
      if (options.mode === "grouped") groups.set(task.id, []);
    },
    taskOutput(task, stream, line) {
      if (options.mode === "stream") write(stream, `${line}\n`);
      else if (options.mode === "prefix") write(stream, `${task.id} | ${line}\n`);
      else groups.get(task.id)?.push({ stream, line });
    },
    taskEnd(task: Task, outcome: TaskOutcome) {
      const block = groups.get(task.id);
      if (block) {
        groups.delete(task.id);
        write("stdout", `── ${task.id} (${outcome.kind}) ──\n`);
        for (const { stream, line } of block) write(stream, `${line}\n`);
      }
      if (outcome.kind === "cached" && !options.quiet) write("stdout", `${label(task)}Cached: ${task.phase}\n`);
      const error = outcomeError(outcome);
      if (error && outcome.kind !== "skipped") write("stderr", `Error: ${error}\n`);
    },
    runEnd(summary: RunSummary) {
      if (summary.status === "success") {
        if (summary.pipeline) write("stdout", `\nPipeline completed: ${summary.phases.join(" → ")}\n`);
        return;
      }
      const c = summary.counts;
      const parts = [`${c.success} succeeded`, c.cached ? `${c.cached} cached` : "", `${c.failed + c["timed-out"]} failed`, c.cancelled ? `${c.cancelled} cancelled` : "", c.skipped ? `${c.skipped} skipped` : ""];
      const headline = summary.status === "interrupted" ? `Run interrupted by ${summary.interruptedBy}` : "Run failed";
      write("stderr", `\n${headline} after ${formatDuration(summary.durationMs)}: ${parts.filter(Boolean).join(", ")}\n`);
      for (const { task, outcome } of summary.failures) {
        const code = outcome.kind === "failed" ? (outcome.exitCode !== null ? `exit ${outcome.exitCode}` : `signal ${outcome.signal}`) : outcome.kind;
        write("stderr", `  ✗ ${task.id} (${code})\n`);
      }
    },
  };
}
