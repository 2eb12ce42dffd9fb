import type { Command } from "../config/config.ts";
import { createLineSplitter } from "./line-splitter.ts";
import type { ProcessResult } from "./outcome.ts";
import { describeSpawnError } from "./spawn-error.ts";
import { signalGroup, trackGroup, untrackGroup } from "./process-group.ts";
import { TailBuffer } from "./tail-buffer.ts";

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
    proc = Bun.spawn(argv, {
      cwd: options.cwd,
      env: options.env,
      stdin: "inherit",
      stdout: "pipe",
      stderr: "pipe",
      detached: true,
    });
  } catch (error) {
    return notRun(startedAt, describeSpawnError(error, argv[0]!, options.cwd));
  }

  const pgid = proc.pid;
  trackGroup(pgid);

  let cause: Cause | null = null;
  let killDeadline = Number.POSITIVE_INFINITY;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const terminate = (why: Cause, now: boolean): void => {
    cause ??= why;
    if (now || options.killGraceMs <= 0) {
      signalGroup(pgid, "SIGKILL");
      killDeadline = performance.now();
      return;
    }
    if (killTimer !== undefined) return;
    signalGroup(pgid, "SIGTERM");
    killDeadline = performance.now() + options.killGraceMs;
    // SIGKILL whatever is left, even if the leader already exited: grandchildren may ignore TERM.
    killTimer = setTimeout(() => signalGroup(pgid, "SIGKILL"), options.killGraceMs);
  };

  const timeoutMs = options.timeoutMs ?? 0;
  const timeoutTimer = timeoutMs > 0 ? setTimeout(() => terminate("timeout", false), timeoutMs) : undefined;
  const onAbort = (): void => terminate("abort", options.signal.reason === KILL_NOW);
  options.signal.addEventListener("abort", onAbort, { once: true });
  const onKillNow = (): void => terminate("abort", true);
  if (options.killNow?.aborted) onKillNow();
  else options.killNow?.addEventListener("abort", onKillNow, { once: true });

  const stdoutReader = proc.stdout.getReader();
  const stderrReader = proc.stderr.getReader();
  const onStdout = (line: string): void => options.onLine("stdout", line);
  const onStderr = (line: string): void => {
    tail.push(line);
    options.onLine("stderr", line);
  };
  let outputDone = false;
  const output = Promise.all([pump(stdoutReader, onStdout), pump(stderrReader, onStderr)]);
  output.then(
    () => (outputDone = true),
    () => {
      // onLine threw (a bug): nobody reads the pipes any more, so stop the command instead of letting it block.
      outputDone = true;
      signalGroup(pgid, "SIGKILL");
    },
  );

  try {
    await proc.exited;
    const causeAtExit: Cause | null = cause;
    if (!outputDone) {
      // Something in the group still holds a pipe. While stopping, it gets the rest of its grace period.
      const waitMs = cause === null ? DRAIN_MS : Math.max(0, killDeadline - performance.now());
      await settleWithin(output, waitMs);
    }
    signalGroup(pgid, "SIGKILL"); // final sweep: no member of the group outlives the command
    if (!outputDone) {
      await settleWithin(output, DRAIN_MS);
      // A process outside the group (it called setsid itself) still holds the pipe: stop reading.
      if (!outputDone) await Promise.all([stdoutReader.cancel(), stderrReader.cancel()]).catch(() => undefined);
    }
    await output; // rethrows a bug in onLine
    return {
      exitCode: proc.exitCode,
      signal: typeof proc.signalCode === "number" ? `signal ${proc.signalCode}` : proc.signalCode,
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

/** The part of a stream reader that pump uses (Bun's and the DOM reader types differ nominally). */
interface ChunkReader {
  read(): Promise<{ done: true; value?: Uint8Array | undefined } | { done: false; value: Uint8Array }>;
}

async function pump(reader: ChunkReader, onLine: (line: string) => void): Promise<void> {
  const splitter = createLineSplitter(onLine);
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch {
      break; // the pipe was cancelled or broke: keep what was read
    }
    if (chunk.done) break;
    splitter.push(chunk.value);
  }
  splitter.end();
}

/** Resolves when `promise` settles or after `ms`, whichever is first; leaves no timer behind. */
async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  try {
    await Promise.race([promise.then(noop, noop), expired]);
  } finally {
    clearTimeout(timer);
  }
}

function noop(): void {}

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
