import type { Command } from "../config/config.ts";
import { settleWithin, startPumps } from "./output-pump.ts";
import type { ProcessResult } from "./outcome.ts";
import { describeSpawnError } from "./spawn-error.ts";
import { signalGroup, trackGroup, untrackGroup, type KillSignal } from "./process-group.ts";
import { TailBuffer } from "./tail-buffer.ts";
import { spawnChild } from "../runtime/spawn-child.ts";

export type OutputStream = "stdout" | "stderr";

/** An abort reason that skips SIGTERM and the grace period: SIGKILL at once (second Ctrl-C). */
export const KILL_NOW = "kill-now";

/** How long pipes may stay open after the leader exited before the group is SIGKILLed. */
export const DRAIN_MS = 250;

export interface SpawnOptions {
  readonly command: Command;
  /** Runs shell commands as `[shell, "-c", script]`; argv commands never see a shell. */
  readonly shell: string;
  readonly cwd: string;
  /** The complete environment of the child (already merged; it replaces ours). */
  readonly env: Readonly<Record<string, string>>;
  /** null or <= 0: no timeout. */
  readonly timeoutMs: number | null;
  /** SIGTERM -> SIGKILL delay for timeouts and aborts. */
  readonly killGraceMs: number;
  /** Abort = stop the command (TERM, then KILL after the grace); reason KILL_NOW = SIGKILL at once. */
  readonly signal: AbortSignal;
  /** Abort = SIGKILL the group at once, grace or not (second Ctrl-C). Reported as cancelled. */
  readonly killNow?: AbortSignal;
  /** Every complete line, in order per stream, without its "\n". Called while the command runs. */
  readonly onLine: (stream: OutputStream, line: string) => void;
  /**
   * Backpressure: called after each chunk of output has gone through onLine; when it returns a promise,
   * the pipe is not read again until it resolves (the command blocks on a full pipe, our memory stays flat).
   */
  readonly outputReady?: () => Promise<void> | undefined;
  /** Lines of stderr kept for error messages; default 20. */
  readonly stderrTailLines?: number;
}

type Cause = "timeout" | "abort";

/**
 * Runs one command in its own process group and waits until it and everything it started are gone.
 * Never throws for a command that fails or cannot start: that is a ProcessResult (spawnError set).
 * Nothing of the group survives the return: after the leader exits, open pipes get DRAIN_MS, then
 * the whole group is SIGKILLed (so `server &` in a command does not outlive it).
 * stdin is inherited, as in ggen, so interactive commands keep working when run alone; concurrent
 * commands share it, and commands lose the controlling terminal (setsid): /dev/tty is unavailable.
 */
export async function spawnCommand(options: SpawnOptions): Promise<ProcessResult> {
  const startedAt = performance.now();
  const tail = new TailBuffer(options.stderrTailLines ?? 20);
  if (options.signal.aborted || options.killNow?.aborted) return notRun(startedAt, { cancelled: true });

  const argv = options.command.kind === "shell" ? [options.shell, "-c", options.command.script] : [...options.command.argv];
  if (argv.length === 0 || argv[0] === "") return notRun(startedAt, { spawnError: "empty command", exitCode: 127 });

  let proc;
  try {
    proc = await spawnChild({ argv, cwd: options.cwd, env: options.env });
  } catch (error) {
    return notRun(startedAt, describeSpawnError(error, argv[0]!, options.cwd));
  }

  const pgid = proc.pid;
  trackGroup(pgid);

  let cause: Cause | null = null;
  let killDeadline = Number.POSITIVE_INFINITY;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  let firstSignal: KillSignal | undefined;
  const terminate = (why: Cause, now: boolean, sig: KillSignal = "SIGTERM"): void => {
    cause ??= why;
    if (now || options.killGraceMs <= 0) {
      signalGroup(pgid, "SIGKILL");
      killDeadline = performance.now();
      return;
    }
    if (killTimer !== undefined) return;
    firstSignal = sig;
    signalGroup(pgid, sig);
    killDeadline = performance.now() + options.killGraceMs;
    // SIGKILL whatever is left, even if the leader already exited: grandchildren may ignore TERM.
    killTimer = setTimeout(() => signalGroup(pgid, "SIGKILL"), options.killGraceMs);
  };

  const timeoutMs = options.timeoutMs ?? 0;
  const timeoutTimer = timeoutMs > 0 ? setTimeout(() => terminate("timeout", false), timeoutMs) : undefined;
  const onAbort = (): void => terminate("abort", options.signal.reason === KILL_NOW, forwardedSignal(options.signal.reason));
  options.signal.addEventListener("abort", onAbort, { once: true });
  const onKillNow = (): void => terminate("abort", true);
  if (options.killNow?.aborted) onKillNow();
  else options.killNow?.addEventListener("abort", onKillNow, { once: true });

  const pumps = startPumps({
    stdout: proc.stdout,
    stderr: proc.stderr,
    onStdout: (line) => options.onLine("stdout", line),
    onStderr: (line) => {
      tail.push(line);
      options.onLine("stderr", line);
    },
    ...(options.outputReady === undefined ? {} : { outputReady: options.outputReady }),
  });
  // onLine threw (a bug): nobody reads the pipes any more, so stop the command instead of letting it block.
  pumps.done.catch(() => signalGroup(pgid, "SIGKILL"));

  try {
    const status = await proc.exited;
    const causeAtExit: Cause | null = cause;
    if (!pumps.finished() && firstSignal !== undefined && firstSignal !== "SIGTERM" && killDeadline > performance.now()) {
      // The leader obeyed a forwarded SIGINT/SIGHUP, but `sh` starts background jobs with SIGINT ignored:
      // what is left of the group gets SIGTERM (SIGKILL still follows at the deadline).
      signalGroup(pgid, "SIGTERM");
    }
    if (!pumps.finished()) {
      // Something in the group still holds a pipe. While stopping, it gets the rest of its grace period.
      const waitMs = cause === null ? DRAIN_MS : Math.max(0, killDeadline - performance.now());
      await settleWithin(pumps.done, waitMs);
    }
    signalGroup(pgid, "SIGKILL"); // final sweep: no member of the group outlives the command
    // What the group wrote before it died is still read (also when our own stdout is slow); a process
    // outside the group (it called setsid itself) holding a pipe open is not waited for.
    await pumps.finish(cause === null);
    await pumps.done; // rethrows a bug in onLine
    return {
      exitCode: status.exitCode,
      signal: status.signal,
      timedOut: causeAtExit === "timeout",
      cancelled: causeAtExit === "abort",
      durationMs: elapsedMs(startedAt),
      stderrTail: tail.lines(),
    };
  } finally {
    clearTimeout(timeoutTimer);
    clearTimeout(killTimer);
    options.signal.removeEventListener("abort", onAbort);
    options.killNow?.removeEventListener("abort", onKillNow);
    untrackGroup(pgid);
  }
}

/** The signal a stop forwards to the group: the one lifecycle received (SIGINT, SIGHUP...), else SIGTERM. */
function forwardedSignal(reason: unknown): KillSignal {
  return reason === "SIGINT" || reason === "SIGHUP" || reason === "SIGTERM" ? reason : "SIGTERM";
}

function elapsedMs(startedAt: number): number {
  return Math.round(performance.now() - startedAt);
}

function notRun(startedAt: number, fields: { cancelled?: boolean; spawnError?: string; exitCode?: number }): ProcessResult {
  return {
    exitCode: fields.exitCode ?? null,
    signal: null,
    timedOut: false,
    cancelled: fields.cancelled ?? false,
    durationMs: elapsedMs(startedAt),
    stderrTail: [],
    ...(fields.spawnError === undefined ? {} : { spawnError: fields.spawnError }),
  };
}
