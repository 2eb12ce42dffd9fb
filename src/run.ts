import { randomUUID } from "node:crypto";
import { commandsOfTask } from "./report/task-commands.ts";
import type { AppContext } from "./context.ts";
import { printDiagnostics } from "./commands/print-diagnostics.ts";
import { executeTask } from "./execute/execute-task.ts";
import type { TaskOutcome } from "./execute/outcome.ts";
import type { GlobalOptions, RunOptions } from "./invocation.ts";
import { planRun } from "./plan/plan-run.ts";
import type { Task, TaskId } from "./plan/task.ts";
import { describeDryRun } from "./report/dry-run.ts";
import { createJsonReporter } from "./report/json.ts";
import { createPrettyReporter } from "./report/pretty.ts";
import type { Reporter } from "./report/reporter.ts";
import { exitCodeFor, summarize } from "./report/summarize.ts";
import { schedule } from "./schedule/scheduler.ts";
import { secretValues } from "./shared/redact.ts";
import { appendAudit } from "./state/audit.ts";
import { StateRecorder } from "./state/state-recorder.ts";
import { availableParallelism } from "node:os";

/** `run` / `pipeline`: plan -> schedule(execute) -> summarize -> save state and audit -> exit code. */
export async function runCommand(ctx: AppContext, global: GlobalOptions, options: RunOptions): Promise<number> {
  const planned = planRun(global, { phases: options.phases, workspaceFilters: options.workspaces, timeoutMs: options.timeoutMs, parentEnv: ctx.env });
  if (!planned.ok) return printDiagnostics(ctx, planned.error), 2;
  const { project, graph } = planned.value;
  printDiagnostics(ctx, project.warnings);
  const settings = project.root.config.settings;
  if (options.dryRun) return dryRun(ctx, graph, settings.shell);

  const runId = randomUUID();
  ctx.logger.setRunId(runId);
  const secrets = () => [...new Set([...graph.tasks.values()].flatMap((t) => secretValues({ ...ctx.env, ...t.env })))];
  ctx.logger.addSecrets(secrets());
  const concurrency = options.concurrency ?? settings.concurrency ?? availableParallelism();
  const reporter = pickReporter(ctx, global, options, project.workspaces.length > 0 && concurrency > 1, secrets);
  const state = new StateRecorder({ runId, historyLimit: settings.historyLimit, rootDir: global.root, onError: (message) => ctx.logger.error(message), onWarning: (message) => ctx.logger.warn(message) });
  const startedMs = Date.now();
  reporter.runStart({ runId, phases: options.phases, taskCount: graph.tasks.size });

  const runGraph = (tasks: ReadonlyMap<TaskId, Task>) =>
    schedule(tasks, {
      concurrency,
      policy: options.policy,
      signal: ctx.interrupt,
      executeTask: (task, signal) =>
        executeTask(task, { signal, killNow: ctx.killNow, shell: settings.shell, killGraceMs: settings.killGraceMs, parentEnv: ctx.env, onOutput: (stream, line) => reporter.taskOutput(task, stream, line) }),
      onTaskStart: (task) => reporter.taskStart(task),
      onTaskEnd: (task, outcome) => {
        reporter.taskEnd(task, outcome);
        state.record(task, outcome);
      },
    });
  const outcomes = await runGraph(graph.tasks);
  const interruptedBy = ctx.interrupt.aborted ? (ctx.interrupt.reason as "SIGINT" | "SIGTERM" | "SIGHUP") : undefined;
  let summary = summarize(graph.tasks, outcomes, { runId, durationMs: Date.now() - startedMs, phases: options.phases, pipeline: options.pipeline, interruptedBy });
  if (!interruptedBy) {
    const finalTasks = summary.status === "success" ? graph.onSuccess : graph.onError;
    const finalOutcomes = await runGraph(finalTasks);
    const merged = new Map<TaskId, Task>([...graph.tasks, ...finalTasks]);
    const allOutcomes = new Map<TaskId, TaskOutcome>([...outcomes, ...finalOutcomes]);
    summary = summarize(merged, allOutcomes, { runId, durationMs: Date.now() - startedMs, phases: options.phases, pipeline: options.pipeline });
  }
  await state.flush();
  const audited = await appendAudit(
    global.root,
    {
    time: new Date(startedMs).toISOString(),
    argv: [...ctx.argv],
    run_id: runId,
    phases: options.phases,
    status: summary.status,
    duration_ms: summary.durationMs,
    tasks: [...graph.tasks.values()].map((task) => ({ task: task.id, commands: commandsOfTask(task, secrets()), status: outcomes.get(task.id)?.kind ?? "skipped", exit_code: exitCodeOf(outcomes.get(task.id)) })),
  },
    { secrets: secrets() },
  );
  if (!audited.ok) ctx.logger.error(audited.error);
  reporter.runEnd(summary);
  return exitCodeFor(summary);
}

function dryRun(ctx: AppContext, graph: Parameters<typeof describeDryRun>[0], shell: string): number {
  const report = describeDryRun(graph, shell, ctx.env);
  ctx.output.stdout(report.text);
  return report.missing.length > 0 ? 2 : 0;
}

function pickReporter(ctx: AppContext, global: GlobalOptions, options: RunOptions, parallel: boolean, secrets: () => readonly string[]): Reporter {
  if (global.json) return createJsonReporter(ctx.output, secrets);
  return createPrettyReporter(ctx.output, { mode: options.output ?? (parallel ? "prefix" : "stream"), quiet: global.quiet, secrets });
}

function exitCodeOf(outcome: TaskOutcome | undefined): number | null {
  if (!outcome) return null;
  return outcome.kind === "failed" ? outcome.exitCode : outcome.kind === "success" || outcome.kind === "cached" ? 0 : null;
}
