import { commandText, type Command } from "../config/config.ts";
import type { Task } from "../plan/task.ts";
import { redactText } from "../shared/redact.ts";
import { commandEnv } from "./command-env.ts";
import { commandFailedMessage, timedOutMessage } from "./failure-message.ts";
import type { ProcessResult, TaskOutcome } from "./outcome.ts";
import { KILL_NOW, spawnCommand, type OutputStream } from "./spawn.ts";

export interface ExecuteTaskDeps {
  /** Abort = interrupted or failing fast: the running command is stopped and the task is `cancelled`. */
  readonly signal: AbortSignal;
  /** Abort = SIGKILL running commands at once, skipping kill_grace (second Ctrl-C); the task is `cancelled`. */
  readonly killNow?: AbortSignal;
  readonly shell: string;
  readonly killGraceMs: number;
  /** The environment lifecycle was started with; task.env is laid over it. Pass a run's snapshotEnv(): it is read once, not per task. */
  readonly parentEnv: Readonly<Record<string, string | undefined>>;
  /** Each line of child output, secrets already masked. */
  readonly onOutput: (stream: OutputStream, line: string) => void;
  /** Backpressure from the output: while it returns a promise, commands' pipes are not read. */
  readonly outputReady?: () => Promise<void> | undefined;
  /** Called before a failed command is run again (attempt 1 = first retry). */
  readonly onRetry?: (attempt: number, result: ProcessResult) => void;
  /** The pause between retries; must resolve early when `signal` aborts. Default: an abortable timer. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * Runs a task's commands in order and stops at the first failure; a failed command is retried
 * `task.retries` more times. Never throws for a failing command: every ending is a TaskOutcome.
 * Commands that could not start (missing executable, bad cwd) are not retried: they would fail the same way.
 */
export async function executeTask(task: Task, deps: ExecuteTaskDeps): Promise<TaskOutcome> {
  const startedMs = Date.now();
  if (task.commands.length === 0) return { kind: "success", retriesUsed: 0, startedMs, durationMs: 0 };

  const { env, secrets } = commandEnv(deps.parentEnv, task.env);
  const redact = (text: string): string => (secrets.length === 0 ? text : redactText(text, secrets));
  const onLine =
    secrets.length === 0 ? deps.onOutput : (stream: OutputStream, line: string) => deps.onOutput(stream, redactText(line, secrets));
  const sleep = deps.sleep ?? abortableSleep;
  const timing = () => ({ startedMs, durationMs: Date.now() - startedMs });
  const cancelled = (command?: Command): TaskOutcome => ({
    kind: "cancelled",
    reason: abortReason(deps.signal.aborted ? deps.signal : (deps.killNow ?? deps.signal)),
    ...(command === undefined ? {} : { command: redact(commandText(command)) }),
    ...timing(),
  });

  let retriesUsed = 0;
  for (const command of task.commands) {
    for (let attempt = 0; ; attempt++) {
      if (deps.signal.aborted || deps.killNow?.aborted) return cancelled(attempt === 0 ? undefined : command);
      const result = await spawnCommand({
        command,
        shell: deps.shell,
        cwd: task.cwd,
        env,
        timeoutMs: task.timeoutMs,
        killGraceMs: deps.killGraceMs,
        signal: deps.signal,
        ...(deps.killNow === undefined ? {} : { killNow: deps.killNow }),
        onLine,
        ...(deps.outputReady === undefined ? {} : { outputReady: deps.outputReady }),
      });
      if (result.cancelled) return cancelled(command);
      if (succeeded(result)) break;
      if (attempt < task.retries && result.spawnError === undefined) {
        retriesUsed++;
        deps.onRetry?.(attempt + 1, result);
        await sleep(task.retryDelayMs, deps.signal);
        continue;
      }
      return { ...failure(task, redact(commandText(command)), result, redact, timing()), ...(retriesUsed > 0 ? { retriesUsed } : {}) };
    }
  }
  return { kind: "success", retriesUsed, ...timing() };
}

function succeeded(result: ProcessResult): boolean {
  return result.exitCode === 0 && !result.timedOut && result.spawnError === undefined;
}

function failure(
  task: Task,
  command: string,
  result: ProcessResult,
  redact: (text: string) => string,
  timing: { startedMs: number; durationMs: number },
): TaskOutcome {
  const stderrTail = result.stderrTail.map(redact);
  const shown = { ...result, stderrTail };
  if (result.timedOut) {
    const afterMs = task.timeoutMs ?? result.durationMs;
    return { kind: "timed-out", command, afterMs, signal: result.signal, stderrTail, message: redact(timedOutMessage(task.phase, command, afterMs, shown)), ...timing };
  }
  return {
    kind: "failed",
    command,
    exitCode: result.exitCode,
    signal: result.signal,
    stderrTail,
    message: redact(commandFailedMessage(task.phase, command, shown)),
    allowed: task.continueOnError,
    ...timing,
  };
}

/** Reasons are strings by convention: a signal name, "fail-fast", KILL_NOW, or a phrase shown as is. */
function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason === KILL_NOW) return "interrupted";
  if (reason === "fail-fast") return "stopped by --fail-fast";
  if (typeof reason === "string" && /^SIG[A-Z]+$/.test(reason)) return `interrupted by ${reason}`;
  if (typeof reason === "string" && reason.length > 0) return reason;
  if (reason instanceof Error && reason.name !== "AbortError") return reason.message;
  return "interrupted";
}

/** Waits `ms`, or less when `signal` aborts; never rejects and leaves no timer behind. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
