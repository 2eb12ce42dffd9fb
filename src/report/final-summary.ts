import type { TaskOutcome } from "../execute/outcome.ts";
import { formatDuration } from "../shared/duration.ts";
import type { RunSummary } from "./summarize.ts";

/** How long one task that ran took, for the "slowest" line. */
export interface TaskTiming {
  readonly id: string;
  readonly durationMs: number;
}

/** Slowest tasks shown; failures whose stderr tail is shown (every failure is listed). */
const SLOWEST_SHOWN = 5;
const TAILS_SHOWN = 10;
const TAIL_LINES = 5;

/**
 * The closing block for humans (stderr): a headline with the counts by status, every failure as
 * `✗ <workspace>#<phase> (exit N)` with the last lines of its stderr, and the slowest tasks.
 */
export function formatFinalSummary(summary: RunSummary, timings: readonly TaskTiming[]): string {
  const lines = [`\n${headline(summary)} after ${formatDuration(summary.durationMs)}: ${countsText(summary)}`];
  summary.failures.forEach(({ task, outcome }, i) => {
    lines.push(`  ✗ ${task.id} (${failureCode(outcome)})`);
    const tail = outcome.kind === "failed" || outcome.kind === "timed-out" ? outcome.stderrTail : [];
    if (i < TAILS_SHOWN) for (const line of tail.slice(-TAIL_LINES)) lines.push(`      │ ${line}`);
  });
  if (summary.failures.length > TAILS_SHOWN) lines.push(`  (stderr shown for the first ${TAILS_SHOWN} failures; --summary FILE has all)`);
  const slowest = slowestTasks(timings, SLOWEST_SHOWN);
  if (slowest.length > 1) lines.push(`  slowest: ${slowest.map((t) => `${t.id} ${formatDuration(t.durationMs)}`).join(", ")}`);
  return lines.join("\n") + "\n";
}

/** The `n` longest tasks, longest first; ties in the order given. */
export function slowestTasks(timings: readonly TaskTiming[], n: number): TaskTiming[] {
  const top: TaskTiming[] = [];
  for (const timing of timings) {
    if (top.length === n && timing.durationMs <= top[n - 1]!.durationMs) continue;
    let at = top.length;
    while (at > 0 && top[at - 1]!.durationMs < timing.durationMs) at--;
    top.splice(at, 0, timing);
    if (top.length > n) top.pop();
  }
  return top;
}

function headline(summary: RunSummary): string {
  if (summary.status === "interrupted") return `Run interrupted by ${summary.interruptedBy}`;
  return summary.status === "success" ? "Run succeeded" : "Run failed";
}

/** `3 succeeded, 1 cached, 2 failed (1 timed out), 1 skipped`: succeeded and failed always, the others when present. */
function countsText(summary: RunSummary): string {
  const c = summary.counts;
  const parts = [`${c.success} succeeded`, c.cached ? `${c.cached} cached` : "", `${c.failed + c["timed-out"]} failed${c["timed-out"] ? ` (${c["timed-out"]} timed out)` : ""}`, c.cancelled ? `${c.cancelled} cancelled` : "", c.skipped ? `${c.skipped} skipped` : ""];
  return parts.filter(Boolean).join(", ");
}

function failureCode(outcome: TaskOutcome): string {
  if (outcome.kind === "failed") return outcome.exitCode !== null ? `exit ${outcome.exitCode}` : `signal ${outcome.signal}`;
  if (outcome.kind === "timed-out") return `timed out after ${formatDuration(outcome.afterMs)}`;
  return outcome.kind;
}
