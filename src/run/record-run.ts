import type { AppContext } from "../context.ts";
import { exitStatus, type TaskOutcome } from "../execute/outcome.ts";
import type { GlobalOptions, RunOptions } from "../invocation.ts";
import type { Task, TaskId } from "../plan/task.ts";
import type { RunSummary } from "../report/summarize.ts";
import { selectionInfo } from "../report/summary-file.ts";
import { commandsOfTask } from "../report/task-commands.ts";
import { writeReportFiles } from "../report/write-reports.ts";
import { appendAudit } from "../state/audit.ts";
import type { Selection } from "../workspace/select-workspaces.ts";
import type { RunSession } from "./run-session.ts";

export interface FinishedRun {
  readonly summary: RunSummary;
  /** Every task of the run, on_error / on_success included, with its outcome. */
  readonly tasks: ReadonlyMap<TaskId, Task>;
  readonly outcomes: ReadonlyMap<TaskId, TaskOutcome>;
  readonly selection: Selection;
}

/** After the last task: the cache's records, every state record on disk, the audit line, --summary / --junit / --metrics-file / --trace-file. */
export async function recordRun(ctx: AppContext, global: GlobalOptions, options: RunOptions, session: RunSession, run: FinishedRun): Promise<void> {
  const entry = {
    time: new Date(session.startedMs).toISOString(),
    argv: [...ctx.argv],
    run_id: session.runId,
    phases: options.phases,
    status: run.summary.status,
    duration_ms: run.summary.durationMs,
    tasks: [...run.tasks.values()].map((task) => {
      const outcome = run.outcomes.get(task.id);
      return { task: task.id, commands: commandsOfTask(task, session.secrets), status: outcome?.kind ?? "skipped", exit_code: outcome ? exitStatus(outcome).exitCode : null };
    }),
  };
  // Independent files: the cache's bookkeeping and the audit line are written while the state writer finishes.
  const [, , audited] = await Promise.all([session.cache?.finish(session.runId), session.state.flush(), appendAudit(global.root, entry, { secrets: session.secrets })]);
  if (!audited.ok) ctx.logger.error(audited.error);
  const reports = { summaryFile: options.summaryFile, junitFile: options.junitFile, metricsFile: options.metricsFile, traceFile: options.traceFile, version: ctx.version, summary: run.summary, tasks: run.tasks, outcomes: run.outcomes, startedMs: session.startedMs, selection: selectionInfo(run.selection), secrets: session.secrets };
  for (const problem of await writeReportFiles(reports)) ctx.logger.error(problem);
}
