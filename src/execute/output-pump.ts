import type { ByteReader } from "../runtime/child-process.ts";
import { createLineSplitter } from "./line-splitter.ts";

/** Idle time after which a pipe nobody in the (dead) group can write to any more is given up. */
export const PIPE_IDLE_MS = 250;
/** Output still accepted after the group is dead: what the pipes can hold, with room to spare. */
const AFTER_EXIT_BYTES = 4 * 1024 * 1024;

/** A command's stdout and stderr being read into lines. */
export interface OutputPumps {
  /** Resolves when both pipes ended (or were abandoned); rejects when onLine threw (a bug). */
  readonly done: Promise<void>;
  /** True once `done` has settled. */
  finished(): boolean;
  /**
   * After the last writer of the command's group is dead: reads what is left in the pipes. Gives up
   * (stops reading) when the pipes stay idle for PIPE_IDLE_MS, which means a process outside the group
   * holds them open, or when it keeps writing past AFTER_EXIT_BYTES. Time spent waiting for our own
   * output to drain (backpressure) is not idle time, unless `patient` is false (the run is stopping).
   */
  finish(patient: boolean): Promise<void>;
}

export interface PumpOptions {
  readonly stdout: ByteReader;
  readonly stderr: ByteReader;
  readonly onStdout: (line: string) => void;
  readonly onStderr: (line: string) => void;
  /** Backpressure: while it returns a promise, the pipes are not read. */
  readonly outputReady?: () => Promise<void> | undefined;
}

/** Starts reading both pipes; lines are delivered whole, in order per stream, while the command runs. */
export function startPumps(options: PumpOptions): OutputPumps {
  let bytesRead = 0;
  let waitingForOutput = 0;
  let settled = false;
  let abandon!: () => void;
  const abandoned = new Promise<void>((resolve) => (abandon = resolve));

  const pump = async (reader: ByteReader, onLine: (line: string) => void): Promise<void> => {
    const splitter = createLineSplitter(onLine);
    for (;;) {
      let chunk;
      try {
        chunk = await reader.read();
      } catch {
        break; // the pipe was cancelled or broke: keep what was read
      }
      if (chunk.done) break;
      bytesRead += chunk.value.length;
      splitter.push(chunk.value);
      const ready = options.outputReady?.();
      if (ready === undefined) continue;
      waitingForOutput++;
      try {
        await Promise.race([ready, abandoned]);
      } finally {
        waitingForOutput--;
      }
    }
    splitter.end();
  };

  const done = Promise.all([pump(options.stdout, options.onStdout), pump(options.stderr, options.onStderr)]).then(() => undefined);
  done.then(
    () => (settled = true),
    () => (settled = true),
  );

  return {
    done,
    finished: () => settled,
    async finish(patient) {
      const limit = bytesRead + AFTER_EXIT_BYTES;
      while (!settled) {
        const before = bytesRead;
        await settleWithin(done, PIPE_IDLE_MS);
        if (settled || bytesRead >= limit) break;
        if (patient && waitingForOutput > 0) continue; // our reader is slow, not the pipe: keep going
        if (bytesRead === before) break; // idle: held open by a process outside the group
      }
      if (settled) return;
      abandon();
      await Promise.all([options.stdout.cancel(), options.stderr.cancel()]).catch(() => undefined);
    },
  };
}

/** Resolves when `promise` settles or after `ms`, whichever is first; leaves no timer behind. */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  try {
    await Promise.race([promise.then(noop, noop), expired]);
  } finally {
    clearTimeout(timer);
  }
}

function noop(): void {}
