import { randomUUID } from "node:crypto";
import { commandsOfTask } from "./report/task-commands.ts";
import { executeWithCache } from "./cache/cached-execute.ts";
import { cacheDiagnostics, openRunCache } from "./cache/cache-setup.ts";
import { explainPlan } from "./cache/explain-plan.ts";
import { remoteSetup } from "./cache/remote-config.ts";
import type { AppContext } from "./context.ts";
import { printDiagnostics } from "./commands/print-diagnostics.ts";
import { executeTask } from "./execute/execute-task.ts";
import { exitStatus, type TaskOutcome } from "./execute/outcome.ts";
import type { GlobalOptions, RunOptions } from "./invocation.ts";
import { planRun } from "./plan/plan-run.ts";
import type { Task, TaskId } from "./plan/task.ts";
import { describeDryRun } from "./report/dry-run.ts";
import { createJsonReporter } from "./report/json.ts";
import { createPrettyReporter } from "./report/pretty.ts";
import { addProgress, wantsProgress } from "./report/progress.ts";
import { outcomeError, type Reporter } from "./report/reporter.ts";
import { exitCodeFor, summarize } from "./report/summarize.ts";
import { selectionInfo } from "./report/summary-file.ts";
import { writeReportFiles } from "./report/write-reports.ts";
import { describeSelection } from "./workspace/describe-selection.ts";
import { schedule } from "./schedule/scheduler.ts";
import { secretValues } from "./shared/redact.ts";
import { appendAudit } from "./state/audit.ts";
import { StateRecorder } from "./state/state-recorder.ts";
import { availableParallelism } from "node:os";

/** `run` / `pipeline`: plan -> schedule(execute) -> summarize -> save state and audit -> exit code. */
export async function runCommand(ctx: AppContext, global: GlobalOptions, options: RunOptions): Promise<number> {
  const planned = planRun(global, { phases: options.phases, workspaceFilters: options.workspaces, since: options.since, shard: options.shard, timeoutMs: options.timeoutMs, parentEnv: ctx.env });
  if (!planned.ok) return printDiagnostics(ctx, planned.error), 2;
  const { project, graph, selection } = planned.value;
  printDiagnostics(ctx, project.warnings);
  for (const line of describeSelection(selection)) ctx.logger.info(line);
  const settings = project.root.config.settings;
  const cacheProblems = cacheDiagnostics(graph, global.root);
  if (cacheProblems.length > 0) return printDiagnostics(ctx, cacheProblems), 2;
  const cacheSettings = project.root.config.cache;
  if (options.dryRun) {
    const remote = remoteSetup(cacheSettings, ctx.env).backends.length > 0 && options.remoteCache !== "off";
    return dryRun(ctx, graph, settings.shell, explainPlan(graph, { rootDir: global.root, shell: settings.shell, force: options.force, remote }));
  }

  const runId = randomUUID();
  ctx.logger.setRunId(runId);
  // Secret values are fixed for the run: computed once, masked everywhere output can go.
  const secretList = collectSecrets(ctx.env, graph.tasks.values());
  const secrets = () => secretList;
  ctx.logger.addSecrets(secretList);
  const concurrency = options.concurrency ?? settings.concurrency ?? availableParallelism();
  const showProgress = wantsProgress({ isTTY: ctx.isTTY, json: global.json, quiet: global.quiet, term: ctx.env.TERM });
  const reporter = addProgress(pickReporter(ctx, global, options, project.workspaces.length > 0 && concurrency > 1, secrets), ctx.output, showProgress, graph.tasks.size);
  const state = new StateRecorder({ runId, historyLimit: settings.historyLimit, rootDir: global.root, onError: (message) => ctx.logger.error(message), onWarning: (message) => ctx.logger.warn(message) });
  const cache = openRunCache(graph, {
    rootDir: global.root,
    settings: cacheSettings,
    shell: settings.shell,
    env: ctx.env,
    force: options.force,
    remoteMode: options.remoteCache ?? "rw",
    explain: options.explain === true,
    warn: (message) => ctx.logger.warn(message),
    info: (message) => ctx.logger.info(message),
  });
  const startedMs = Date.now();
  reporter.runStart({ runId, phases: options.phases, taskCount: graph.tasks.size });
  ctx.logger.debug(`run started: ${options.phases.join(" ")}`, { phases: options.phases, tasks: graph.tasks.size });

  const runGraph = (tasks: ReadonlyMap<TaskId, Task>) =>
    schedule(tasks, {
      concurrency,
      policy: options.policy,
      signal: ctx.interrupt,
      executeTask: (task, signal) => {
        const onOutput = (stream: "stdout" | "stderr", line: string) => reporter.taskOutput(task, stream, line);
        const run = (output: typeof onOutput) => executeTask(task, { signal, killNow: ctx.killNow, shell: settings.shell, killGraceMs: settings.killGraceMs, parentEnv: ctx.env, onOutput: output, ...(ctx.output.ready ? { outputReady: ctx.output.ready } : {}) });
        return cache ? executeWithCache(task, cache, onOutput, run) : run(onOutput);
      },
      onTaskStart: (task) => reporter.taskStart(task),
      onTaskEnd: (task, outcome) => {
        reporter.taskEnd(task, outcome);
        state.record(task, outcome, cache?.stateKey(task));
        logTaskEnd(ctx, task, outcome);
      },
    });
  const outcomes = await runGraph(graph.tasks);
  const interruptedBy = ctx.interrupt.aborted ? (ctx.interrupt.reason as "SIGINT" | "SIGTERM" | "SIGHUP") : undefined;
  let summary = summarize(graph.tasks, outcomes, { runId, durationMs: Date.now() - startedMs, phases: options.phases, pipeline: options.pipeline, interruptedBy });
  let allTasks: ReadonlyMap<TaskId, Task> = graph.tasks;
  let allOutcomes: ReadonlyMap<TaskId, TaskOutcome> = outcomes;
  if (!interruptedBy) {
    const finalTasks = summary.status === "success" ? graph.onSuccess : graph.onError;
    const finalOutcomes = await runGraph(finalTasks);
    allTasks = new Map<TaskId, Task>([...graph.tasks, ...finalTasks]);
    allOutcomes = new Map<TaskId, TaskOutcome>([...outcomes, ...finalOutcomes]);
    summary = summarize(allTasks, allOutcomes, { runId, durationMs: Date.now() - startedMs, phases: options.phases, pipeline: options.pipeline });
  }
  await cache?.finish(runId);
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
    tasks: [...graph.tasks.values()].map((task) => ({ task: task.id, commands: commandsOfTask(task, secrets()), status: outcomes.get(task.id)?.kind ?? "skipped", exit_code: exitStatusOrNull(outcomes.get(task.id)) })),
  },
    { secrets: secrets() },
  );
  if (!audited.ok) ctx.logger.error(audited.error);
  const reportFiles = { summaryFile: options.summaryFile, junitFile: options.junitFile, summary, tasks: allTasks, outcomes: allOutcomes, startedMs, selection: selectionInfo(selection), secrets: secretList };
  for (const problem of await writeReportFiles(reportFiles)) ctx.logger.error(problem);
  ctx.logger.debug(`run ${summary.status}`, { status: summary.status, duration_ms: summary.durationMs, counts: summary.counts });
  reporter.runEnd(summary);
  return exitCodeFor(summary);
}

function dryRun(ctx: AppContext, graph: Parameters<typeof describeDryRun>[0], shell: string, cacheText: string): number {
  const report = describeDryRun(graph, shell, ctx.env);
  ctx.output.stdout(report.text + cacheText);
  return report.missing.length > 0 ? 2 : 0;
}

function pickReporter(ctx: AppContext, global: GlobalOptions, options: RunOptions, parallel: boolean, secrets: () => readonly string[]): Reporter {
  if (global.json) return createJsonReporter(ctx.output, secrets);
  return createPrettyReporter(ctx.output, { mode: options.output ?? (parallel ? "prefix" : "stream"), quiet: global.quiet, secrets });
}

/** Every task ending as a log line: failures at error level (the human error message), the rest at debug. */
function logTaskEnd(ctx: AppContext, task: Task, outcome: TaskOutcome): void {
  const error = outcomeError(outcome);
  const fields = { task: task.id, status: outcome.kind, exit_code: exitStatus(outcome).exitCode, duration_ms: "durationMs" in outcome ? outcome.durationMs : 0, error };
  if (error && outcome.kind !== "skipped") ctx.logger.error(task.place.workspace ? `${task.id}: ${error}` : error, fields);
  else ctx.logger.debug(`${task.id} ${outcome.kind}${error ? `: ${error}` : ""}`, fields);
}

function exitStatusOrNull(outcome: TaskOutcome | undefined): number | null {
  return outcome ? exitStatus(outcome).exitCode : null;
}

function collectSecrets(parentEnv: Readonly<Record<string, string | undefined>>, tasks: Iterable<Task>): string[] {
  const values = new Set(secretValues(parentEnv));
  for (const task of tasks) for (const value of secretValues(task.env)) values.add(value);
  return [...values].sort((a, b) => b.length - a.length);
}

