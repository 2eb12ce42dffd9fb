import { cacheDiagnostics } from "./cache/cache-setup.ts";
import { explainPlan } from "./cache/explain-plan.ts";
import { remoteSetup } from "./cache/remote-config.ts";
import { printDiagnostics } from "./commands/print-diagnostics.ts";
import type { AppContext } from "./context.ts";
import type { TaskOutcome } from "./execute/outcome.ts";
import type { GlobalOptions, RunOptions } from "./invocation.ts";
import { planRun, type PlannedRun } from "./plan/plan-run.ts";
import type { Task, TaskId } from "./plan/task.ts";
import { describeDryRun } from "./report/dry-run.ts";
import { exitCodeFor, summarize } from "./report/summarize.ts";
import { recordRun } from "./run/record-run.ts";
import { openRunSession, type RunSession } from "./run/run-session.ts";
import { describeSelection } from "./workspace/describe-selection.ts";

/** `run` / `pipeline`: plan -> schedule(execute) -> on_error/on_success -> summarize -> record -> exit code. */
export async function runCommand(ctx: AppContext, global: GlobalOptions, options: RunOptions): Promise<number> {
  const planned = planRun(global, { phases: options.phases, workspaceFilters: options.workspaces, since: options.since, shard: options.shard, timeoutMs: options.timeoutMs, parentEnv: ctx.env });
  if (!planned.ok) return printDiagnostics(ctx, planned.error), 2;
  const { project, graph, selection } = planned.value;
  printDiagnostics(ctx, project.warnings);
  for (const line of describeSelection(selection)) ctx.logger.info(line);
  // Selected workspaces that all fall outside the phases' `workspaces` lists: say so, not an empty run.
  if (graph.tasks.size === 0 && selection.workspaces.length > 0) ctx.logger.info(`nothing to run: no selected workspace runs ${options.phases.join(", ")} (see the phases' workspaces lists)`);
  const cacheProblems = cacheDiagnostics(graph, global.root);
  if (cacheProblems.length > 0) return printDiagnostics(ctx, cacheProblems), 2;
  if (options.dryRun) return dryRun(ctx, global, options, planned.value);

  const session = openRunSession(ctx, global, options, planned.value);
  session.reporter.runStart({ runId: session.runId, phases: options.phases, taskCount: graph.tasks.size });
  ctx.logger.debug(`run started: ${options.phases.join(" ")}`, { phases: options.phases, tasks: graph.tasks.size });
  const outcomes = await session.runGraph(graph.tasks);
  const interruptedBy = ctx.interrupt.aborted ? (ctx.interrupt.reason as "SIGINT" | "SIGTERM" | "SIGHUP") : undefined;
  const finished = interruptedBy ? { tasks: graph.tasks, outcomes } : await runFinalHooks(session, graph, outcomes, options);
  const summary = summarize(finished.tasks, finished.outcomes, { runId: session.runId, durationMs: Date.now() - session.startedMs, phases: options.phases, pipeline: options.pipeline, interruptedBy });
  await recordRun(ctx, global, options, session, { summary, ...finished, selection });
  ctx.logger.debug(`run ${summary.status}`, { status: summary.status, duration_ms: summary.durationMs, counts: summary.counts });
  session.reporter.runEnd(summary);
  return exitCodeFor(summary);
}

/** on_success after a run that succeeded, on_error after one that failed; their tasks join the run's. */
async function runFinalHooks(session: RunSession, graph: PlannedRun["graph"], outcomes: Map<TaskId, TaskOutcome>, options: RunOptions) {
  const interim = summarize(graph.tasks, outcomes, { runId: session.runId, durationMs: 0, phases: options.phases, pipeline: options.pipeline });
  const finalTasks = interim.status === "success" ? graph.onSuccess : graph.onError;
  const finalOutcomes = await session.runGraph(finalTasks);
  return {
    tasks: new Map<TaskId, Task>([...graph.tasks, ...finalTasks]) as ReadonlyMap<TaskId, Task>,
    outcomes: new Map<TaskId, TaskOutcome>([...outcomes, ...finalOutcomes]) as ReadonlyMap<TaskId, TaskOutcome>,
  };
}

/** --dry-run: the plan, each resolved command, missing programs (exit 2) and predicted cache hits; nothing runs. */
function dryRun(ctx: AppContext, global: GlobalOptions, options: RunOptions, planned: PlannedRun): number {
  const { graph, project } = planned;
  const shell = project.root.config.settings.shell;
  const remote = remoteSetup(project.root.config.cache, ctx.env).backends.length > 0 && options.remoteCache !== "off";
  const report = describeDryRun(graph, shell, ctx.env);
  ctx.output.stdout(report.text + explainPlan(graph, { rootDir: global.root, shell, force: options.force, remote, env: ctx.env }));
  return report.missing.length > 0 ? 2 : 0;
}
