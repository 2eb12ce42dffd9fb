import { availableParallelism } from "node:os";
import { executeWithCache } from "../cache/cached-execute.ts";
import { openRunCache } from "../cache/cache-setup.ts";
import type { AppContext } from "../context.ts";
import { snapshotEnv } from "../execute/command-env.ts";
import { executeTask } from "../execute/execute-task.ts";
import { exitStatus, type TaskOutcome } from "../execute/outcome.ts";
import type { GlobalOptions, RunOptions } from "../invocation.ts";
import type { PlannedRun } from "../plan/plan-run.ts";
import type { Task, TaskId } from "../plan/task.ts";
import { createJsonReporter } from "../report/json.ts";
import { createPrettyReporter } from "../report/pretty.ts";
import { addProgress, wantsProgress } from "../report/progress.ts";
import { outcomeError, type Reporter } from "../report/reporter.ts";
import { schedule } from "../schedule/scheduler.ts";
import { longestFirst, secretValues } from "../shared/redact.ts";
import { createStateRecorder } from "../state/create-recorder.ts";
import type { RunStateRecorder } from "../state/state-recorder.ts";
import { randomId } from "../runtime/hashing.ts";

/** Everything one run shares: its id, the secrets to mask, where events go, the state recorder and the cache. */
export interface RunSession {
  readonly runId: string;
  readonly startedMs: number;
  readonly secrets: readonly string[];
  readonly reporter: Reporter;
  readonly state: RunStateRecorder;
  readonly cache: ReturnType<typeof openRunCache>;
  /** Schedules a graph with this run's bounds; every task ends in the reporter, the state file and the log. */
  readonly runGraph: (tasks: ReadonlyMap<TaskId, Task>) => Promise<Map<TaskId, TaskOutcome>>;
}

/** Opens the run: nothing has started yet, no file has been written. */
export function openRunSession(ctx: AppContext, global: GlobalOptions, options: RunOptions, planned: PlannedRun): RunSession {
  const { project, graph } = planned;
  const settings = project.root.config.settings;
  const runId = randomId();
  ctx.logger.setRunId(runId);
  // Secret values are fixed for the run: computed once, masked everywhere output can go.
  const secrets = collectSecrets(ctx.env, graph.tasks.values());
  ctx.logger.addSecrets(secrets);
  const concurrency = options.concurrency ?? settings.concurrency ?? availableParallelism();
  const showProgress = wantsProgress({ isTTY: ctx.isTTY, json: global.json, quiet: global.quiet, term: ctx.env.TERM });
  const reporter = addProgress(pickReporter(ctx, global, options, project.workspaces.length > 0 && concurrency > 1, () => secrets), ctx.output, showProgress, graph.tasks.size);
  const places = new Set([...graph.tasks.values()].filter((task) => task.kind === "phase").map((task) => task.place.dir));
  const state = createStateRecorder({ runId, historyLimit: settings.historyLimit, rootDir: global.root, onError: (message) => ctx.logger.error(message), onWarning: (message) => ctx.logger.warn(message) }, places.size);
  const cache = openRunCache(graph, {
    rootDir: global.root,
    settings: project.root.config.cache,
    shell: settings.shell,
    env: ctx.env,
    force: options.force,
    remoteMode: options.remoteCache ?? "rw",
    explain: options.explain === true,
    warn: (message) => ctx.logger.warn(message),
    info: (message) => ctx.logger.info(message),
  });

  // Commands see the environment lifecycle started with; read once for the run, not once per task.
  const parentEnv = snapshotEnv(ctx.env);
  const runGraph = (tasks: ReadonlyMap<TaskId, Task>) =>
    schedule(tasks, {
      concurrency,
      policy: options.policy,
      signal: ctx.interrupt,
      executeTask: (task, signal) => {
        const onOutput = (stream: "stdout" | "stderr", line: string) => reporter.taskOutput(task, stream, line);
        const run = (output: typeof onOutput) =>
          executeTask(task, { signal, killNow: ctx.killNow, shell: settings.shell, killGraceMs: settings.killGraceMs, parentEnv, onOutput: output, ...(ctx.output.ready ? { outputReady: ctx.output.ready } : {}) });
        return cache ? executeWithCache(task, cache, onOutput, run) : run(onOutput);
      },
      onTaskStart: (task) => reporter.taskStart(task),
      onTaskEnd: (task, outcome) => {
        reporter.taskEnd(task, outcome);
        state.record(task, outcome, cache?.stateKey(task));
        logTaskEnd(ctx, task, outcome);
      },
    });
  return { runId, startedMs: Date.now(), secrets, reporter, state, cache, runGraph };
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

function collectSecrets(parentEnv: Readonly<Record<string, string | undefined>>, tasks: Iterable<Task>): string[] {
  const values = new Set(secretValues(parentEnv));
  for (const task of tasks) for (const value of secretValues(task.env)) values.add(value);
  return longestFirst(values);
}
