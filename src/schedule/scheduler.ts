import type { TaskOutcome } from "../execute/outcome.ts";
import { isBlocking } from "../execute/outcome.ts";
import { fanOutOf, type Task, type TaskId } from "../plan/task.ts";
import { Limiter } from "./limiter.ts";
import { ReadyQueues } from "./ready-queues.ts";

/** default: a sequential phase stops at its first failure, a parallel fan-out finishes; continue: run all that can; fail-fast: stop everything. */
export type FailurePolicy = "default" | "continue" | "fail-fast";

export interface ScheduleOptions {
  readonly concurrency: number;
  readonly policy: FailurePolicy;
  /** Aborted on SIGINT/SIGTERM: nothing new starts; running tasks see it through executeTask. */
  readonly signal: AbortSignal;
  readonly executeTask: (task: Task, signal: AbortSignal) => Promise<TaskOutcome>;
  readonly onTaskStart?: (task: Task) => void;
  readonly onTaskEnd?: (task: Task, outcome: TaskOutcome) => void;
}

/**
 * Runs a sealed graph under the bounds: at most `concurrency` tasks, one task per place at a time,
 * a parallel phase capped by max_threads, a sequential phase in one place at a time. Among the tasks
 * that may start, the first in graph order starts first, so runs are deterministic. The loop sleeps
 * on a promise between task endings (no polling). Every task gets an outcome; tasks that never
 * started are `skipped` with the reason.
 */
export async function schedule(tasks: ReadonlyMap<TaskId, Task>, options: ScheduleOptions): Promise<Map<TaskId, TaskOutcome>> {
  const outcomes = new Map<TaskId, TaskOutcome>();
  const order = [...tasks.values()];
  const position = new Map<TaskId, number>();
  order.forEach((task, i) => position.set(task.id, i));
  const waitingOn = new Int32Array(order.length);
  const dependents: number[][] = order.map(() => []);
  order.forEach((task, i) => {
    for (const dep of task.deps) {
      const at = position.get(dep);
      if (at === undefined) throw new Error(`task ${task.id} depends on ${dep}, which is not in the graph`);
      waitingOn[i]!++;
      dependents[at]!.push(i);
    }
  });
  const busyPlaces = new Set<string>();
  const ready = new ReadyQueues(order, busyPlaces);
  order.forEach((_, i) => waitingOn[i] === 0 && ready.add(i));
  const limiter = new Limiter(Math.max(1, options.concurrency));
  /** Running tasks per fan-out (fanOutOf: a phase with its inline hooks), for the parallel/max_threads caps. */
  const runningByFanOut = new Map<string, number>();
  const failFast = new AbortController();
  const runSignal = AbortSignal.any([options.signal, failFast.signal]);
  /** Set after a blocking failure under the default policy: only this parallel fan-out may still start (null: nothing may). */
  let stopExceptFanOut: string | null | undefined;
  let running = 0;
  let internalError: unknown;
  let wake: (() => void) | undefined;

  /** The task and everything downstream of it never run. Iterative: chains may be 10,000 tasks deep. */
  const skip = (start: number, reason: string) => {
    const stack: Array<[number, string]> = [[start, reason]];
    while (stack.length > 0) {
      const [at, why] = stack.pop()!;
      const task = order[at]!;
      if (outcomes.has(task.id)) continue;
      const outcome: TaskOutcome = { kind: "skipped", reason: why };
      outcomes.set(task.id, outcome);
      // Reporters give every task a task-end, skipped ones included (product.md section 5).
      options.onTaskEnd?.(task, outcome);
      for (const next of dependents[at]!) stack.push([next, `dependency ${task.id} did not succeed`]);
    }
  };

  const mayStart = (task: Task): boolean => {
    const fanOut = fanOutOf(task);
    if (stopExceptFanOut !== undefined && fanOut !== stopExceptFanOut) return false;
    const cap = task.parallel ? task.maxThreads ?? Infinity : 1;
    return (runningByFanOut.get(fanOut) ?? 0) < cap;
  };
  const countRunning = (task: Task, delta: 1 | -1) => {
    const fanOut = fanOutOf(task);
    runningByFanOut.set(fanOut, (runningByFanOut.get(fanOut) ?? 0) + delta);
  };

  const finish = (at: number, outcome: TaskOutcome) => {
    const task = order[at]!;
    outcomes.set(task.id, outcome);
    running--;
    limiter.release();
    busyPlaces.delete(task.place.name);
    ready.placeFreed(task.place.name);
    countRunning(task, -1);
    options.onTaskEnd?.(task, outcome);
    if (isBlocking(outcome)) {
      for (const next of dependents[at]!) skip(next, `dependency ${task.id} did not succeed`);
      if (options.policy === "fail-fast") failFast.abort("fail-fast");
      else if (options.policy === "default" && stopExceptFanOut === undefined) stopExceptFanOut = task.parallel ? fanOutOf(task) : null;
    } else {
      for (const next of dependents[at]!) {
        if (--waitingOn[next]! === 0 && !outcomes.has(order[next]!.id)) ready.add(next);
      }
    }
    wake?.();
  };

  const startReady = () => {
    while (limiter.available > 0 && !runSignal.aborted && stopExceptFanOut !== null) {
      const at = ready.take(mayStart);
      if (at === undefined) return;
      const task = order[at]!;
      limiter.tryAcquire();
      running++;
      busyPlaces.add(task.place.name);
      countRunning(task, 1);
      options.onTaskStart?.(task);
      options.executeTask(task, runSignal).then(
        (outcome) => finish(at, outcome),
        (error: unknown) => {
          // A thrown executeTask is a bug: stop everything and let main report it (exit 70).
          internalError ??= error;
          failFast.abort("internal error");
          finish(at, { kind: "cancelled", reason: "internal error", startedMs: Date.now(), durationMs: 0 });
        },
      );
    }
  };

  const onAbort = () => wake?.();
  options.signal.addEventListener("abort", onAbort);
  try {
    for (;;) {
      startReady();
      if (running === 0) break;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    options.signal.removeEventListener("abort", onAbort);
  }

  if (internalError !== undefined) throw internalError;
  const reason = options.signal.aborted ? "run interrupted" : failFast.signal.aborted ? "stopped by --fail-fast" : "not started: an earlier task failed";
  order.forEach((task, i) => outcomes.has(task.id) || skip(i, reason));
  return outcomes;
}
