import type { TaskOutcome } from "../execute/outcome.ts";
import { isBlocking } from "../execute/outcome.ts";
import type { Task, TaskId } from "../plan/task.ts";
import { Limiter } from "./limiter.ts";

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
 * a parallel phase capped by max_threads, a sequential phase in one place at a time.
 * Every task gets an outcome; tasks that never started are `skipped` with the reason.
 */
export async function schedule(tasks: ReadonlyMap<TaskId, Task>, options: ScheduleOptions): Promise<Map<TaskId, TaskOutcome>> {
  const outcomes = new Map<TaskId, TaskOutcome>();
  const order = [...tasks.values()];
  const waitingOn = new Map<TaskId, number>();
  const dependents = new Map<TaskId, TaskId[]>();
  for (const task of order) {
    waitingOn.set(task.id, task.deps.length);
    for (const dep of task.deps) {
      const list = dependents.get(dep);
      if (list) list.push(task.id);
      else dependents.set(dep, [task.id]);
    }
  }
  const index = new Map(order.map((task, i) => [task.id, i] as const));
  const ready: Task[] = order.filter((task) => task.deps.length === 0);
  const limiter = new Limiter(Math.max(1, options.concurrency));
  const busyPlaces = new Set<string>();
  const runningByPhase = new Map<string, number>();
  const failFast = new AbortController();
  const runSignal = AbortSignal.any([options.signal, failFast.signal]);
  /** Set after a blocking failure under the default policy: only this parallel phase's fan-out may still start. */
  let stopExceptPhase: string | null | undefined;
  let running = 0;
  let internalError: unknown;
  let wake: (() => void) | undefined;

  const skip = (id: TaskId, reason: string) => {
    if (outcomes.has(id)) return;
    outcomes.set(id, { kind: "skipped", reason });
    for (const next of dependents.get(id) ?? []) skip(next, `dependency ${id} did not succeed`);
  };

  const mayStart = (task: Task): boolean => {
    if (runSignal.aborted) return false;
    if (stopExceptPhase !== undefined && task.phase !== stopExceptPhase) return false;
    if (busyPlaces.has(task.place.name)) return false;
    const cap = task.parallel ? task.maxThreads ?? Infinity : 1;
    return (runningByPhase.get(task.phase) ?? 0) < cap;
  };

  const finish = (task: Task, outcome: TaskOutcome) => {
    outcomes.set(task.id, outcome);
    running--;
    limiter.release();
    busyPlaces.delete(task.place.name);
    runningByPhase.set(task.phase, (runningByPhase.get(task.phase) ?? 1) - 1);
    options.onTaskEnd?.(task, outcome);
    if (isBlocking(outcome)) {
      for (const next of dependents.get(task.id) ?? []) skip(next, `dependency ${task.id} did not succeed`);
      if (options.policy === "fail-fast") failFast.abort("fail-fast");
      else if (options.policy === "default" && stopExceptPhase === undefined) stopExceptPhase = task.parallel ? task.phase : null;
    } else {
      for (const next of dependents.get(task.id) ?? []) {
        const left = (waitingOn.get(next) ?? 1) - 1;
        waitingOn.set(next, left);
        if (left === 0 && !outcomes.has(next)) insertByIndex(ready, tasks.get(next)!, index);
      }
    }
    wake?.();
  };

  const startReady = () => {
    for (let i = 0; i < ready.length && limiter.available > 0; ) {
      const task = ready[i]!;
      if (outcomes.has(task.id)) {
        ready.splice(i, 1);
        continue;
      }
      if (!mayStart(task) || !limiter.tryAcquire()) {
        i++;
        continue;
      }
      ready.splice(i, 1);
      running++;
      busyPlaces.add(task.place.name);
      runningByPhase.set(task.phase, (runningByPhase.get(task.phase) ?? 0) + 1);
      options.onTaskStart?.(task);
      options.executeTask(task, runSignal).then(
        (outcome) => finish(task, outcome),
        (error: unknown) => {
          // A thrown executeTask is a bug: stop everything and let main report it (exit 70).
          internalError ??= error;
          failFast.abort("internal error");
          finish(task, { kind: "cancelled", reason: "internal error", startedMs: Date.now(), durationMs: 0 });
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
  for (const task of order) if (!outcomes.has(task.id)) skip(task.id, reason);
  return outcomes;
}

/** Keeps the ready list in graph order, so runs are deterministic. */
function insertByIndex(list: Task[], task: Task, index: ReadonlyMap<TaskId, number>): void {
  const position = index.get(task.id)!;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (index.get(list[mid]!.id)! < position) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, task);
}
