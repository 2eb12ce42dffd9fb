import type { TaskOutcome } from "../execute/outcome.ts";
import type { Task } from "../plan/task.ts";
import type { Output, Reporter } from "./reporter.ts";
import type { RunSummary } from "./summarize.ts";

/** Where the progress line is drawn: the status line of an output sink (see output-sink.ts). */
export interface StatusDisplay {
  readonly status: (line: string | null) => void;
  readonly needsStatus: () => boolean;
}

export interface ProgressOptions {
  readonly display: StatusDisplay;
  /** Tasks in the run (the line shows done/total). */
  readonly total: number;
  /** Redraw period; default 100 ms (at most 10 redraws a second). */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

/** What the progress line says at one moment. */
export interface ProgressState {
  readonly running: readonly string[];
  readonly done: number;
  readonly total: number;
  readonly elapsedMs: number;
}

/** `[3/10] 12.3s  running: api#build, web#build +2`: pure, for one terminal row (the sink truncates). */
export function formatProgress(state: ProgressState): string {
  const shown = state.running.slice(0, 3).join(", ");
  const more = state.running.length > 3 ? ` +${state.running.length - 3}` : "";
  const total = Math.max(state.total, state.done + state.running.length);
  const running = state.running.length > 0 ? `  running: ${shown}${more}` : "";
  return `[${state.done}/${total}] ${(state.elapsedMs / 1000).toFixed(1)}s${running}`;
}

/**
 * Wraps a reporter with a live progress line (running tasks, done/total, elapsed), redrawn on a timer
 * whose handle is unref'd. The line is removed once every task has ended (or at runEnd, whichever
 * comes first) and never shown again. Use only when stderr is a terminal and neither --json nor -q is given.
 */
export function withProgress(reporter: Reporter, options: ProgressOptions): Reporter {
  const now = options.now ?? (() => performance.now());
  const startedAt = now();
  const running = new Set<string>();
  let done = 0;
  let last = "";
  let stopped = false;

  const draw = (): void => {
    if (stopped) return;
    const line = formatProgress({ running: [...running], done, total: options.total, elapsedMs: now() - startedAt });
    if (line === last && !options.display.needsStatus()) return;
    last = line;
    options.display.status(line);
  };
  const timer = setInterval(draw, options.intervalMs ?? 100);
  timer.unref?.();
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    options.display.status(null);
  };

  return {
    runStart(info) {
      reporter.runStart(info);
    },
    taskStart(task: Task) {
      reporter.taskStart(task);
      running.add(task.id);
    },
    taskOutput(task, stream, line) {
      reporter.taskOutput(task, stream, line);
    },
    taskEnd(task: Task, outcome: TaskOutcome) {
      reporter.taskEnd(task, outcome);
      running.delete(task.id);
      done++;
      if (done >= options.total && running.size === 0) stop(); // the rest (saving state, hooks' output) is not a task's progress
    },
    runEnd(summary: RunSummary) {
      stop();
      reporter.runEnd(summary);
    },
  };
}

/** Whether to show it: stderr is a terminal that can erase lines, and neither --json nor -q was given. */
export function wantsProgress(when: { readonly isTTY: boolean; readonly json: boolean; readonly quiet: boolean; readonly term: string | undefined }): boolean {
  return when.isTTY && !when.json && !when.quiet && when.term !== "dumb";
}

/** `reporter` with a progress line drawn on `output`'s status line when `show`; `reporter` itself otherwise. */
export function addProgress(reporter: Reporter, output: Output, show: boolean, total: number): Reporter {
  const { status, needsStatus } = output;
  if (!show || status === undefined || needsStatus === undefined) return reporter;
  return withProgress(reporter, { display: { status, needsStatus }, total });
}
