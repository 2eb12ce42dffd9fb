import type { Output } from "./reporter.ts";
import type { OutputPiece } from "./task-output-buffer.ts";

/** The part of a Node-style writable stream the sink uses (process.stdout / process.stderr). */
export interface WritableLike {
  write(text: string): boolean;
  on(event: "drain" | "close" | "error", listener: (error?: unknown) => void): unknown;
  off(event: "drain" | "close" | "error", listener: (error?: unknown) => void): unknown;
  /** Terminal width, when the stream is a TTY. */
  readonly columns?: number;
}

/** stdout/stderr with backpressure, large blocks written at the reader's pace, and a status line. */
export interface OutputSink extends Output {
  /** A promise while output is backed up (a full stream buffer, or a block being written); else undefined. */
  readonly ready: () => Promise<void> | undefined;
  /** Writes the pieces `next` hands out, in order, pausing on backpressure; later writes wait behind it. */
  readonly writeBlock: (next: () => OutputPiece | null) => void;
  /**
   * Shows `line` (no "\n") as the status line at the bottom of stderr, replacing the previous one;
   * null removes it. Any other write erases it first, so output lines and the status never mix;
   * the owner redraws it afterwards (needsStatus tells when).
   */
  readonly status: (line: string | null) => void;
  /** True when a status line was set and an output write has erased it since. */
  readonly needsStatus: () => boolean;
  /** Resolves when every block has been handed to the streams. */
  readonly settled: () => Promise<void>;
}

const ERASE_LINE = "\r\x1b[2K";
/** Pending text beyond this is written at once rather than at the end of the current job. */
const FLUSH_CHARS = 64 * 1024;

type Queued = { readonly stream: WritableLike; readonly text: string } | { readonly next: () => OutputPiece | null };

/**
 * Writes through to the streams. When a write returns false (a slow pipe or file consumer), ready()
 * hands out a promise that resolves on 'drain', so producers can wait instead of queueing in memory.
 * Writes made in one go (the lines of one chunk of child output) leave in one system call; a switch of
 * stream flushes first, so stdout and stderr keep their order on a shared terminal. A stream that
 * closed or failed (EPIPE: `lifecycle run | head`) never blocks anyone again: its later writes are dropped.
 */
export function createOutputSink(stdout: WritableLike, stderr: WritableLike): OutputSink {
  let shownStatus: string | null = null;
  let wantedStatus: string | null = null;
  const blocked = new Map<WritableLike, Promise<void>>();
  const broken = new Set<WritableLike>();
  /** Non-empty while a block is being written: everything else waits here, in order. */
  const queue: Queued[] = [];
  let idle: Promise<void> = Promise.resolve();

  for (const stream of [stdout, stderr]) {
    // Without a listener an EPIPE would be an uncaught error; output that cannot be delivered is dropped.
    stream.on("error", () => {
      broken.add(stream);
    });
  }

  const waitForDrain = (stream: WritableLike): void => {
    if (blocked.has(stream)) return;
    const drained = new Promise<void>((resolve) => {
      const done = (): void => {
        for (const event of ["drain", "close", "error"] as const) stream.off(event, done);
        if (blocked.get(stream) === drained) blocked.delete(stream);
        resolve();
      };
      for (const event of ["drain", "close", "error"] as const) stream.on(event, done);
    });
    blocked.set(stream, drained);
  };
  const backedUp = (): Promise<void> | undefined =>
    blocked.size === 0 ? undefined : Promise.all(blocked.values()).then(() => undefined);

  let pendingStream: WritableLike | null = null;
  let pendingText = "";
  let flushQueued = false;
  const flush = (): void => {
    flushQueued = false;
    const stream = pendingStream;
    if (stream === null) return;
    const text = pendingText;
    pendingStream = null;
    pendingText = "";
    if (!broken.has(stream) && !stream.write(text)) waitForDrain(stream);
  };
  const writeNow = (stream: WritableLike, text: string): void => {
    if (broken.has(stream)) return;
    if (pendingStream !== stream) flush();
    pendingStream = stream;
    pendingText += text;
    if (pendingText.length >= FLUSH_CHARS) flush();
    else if (!flushQueued) {
      flushQueued = true;
      queueMicrotask(flush);
    }
  };
  const write = (stream: WritableLike, text: string): void => {
    if (queue.length > 0) queue.push({ stream, text });
    else writeNow(stream, text);
  };

  /** Empties the queue front to back; a block is written piece by piece at the streams' pace. */
  const drainQueue = async (): Promise<void> => {
    while (queue.length > 0) {
      const item = queue[0]!;
      if ("text" in item) writeNow(item.stream, item.text);
      else {
        for (let piece = item.next(); piece !== null; piece = item.next()) {
          writeNow(piece.stream === "stdout" ? stdout : stderr, piece.text);
          flush();
          const wait = backedUp();
          if (wait !== undefined) await wait;
        }
      }
      queue.shift();
    }
  };

  const eraseStatus = (): void => {
    if (shownStatus === null) return;
    shownStatus = null;
    write(stderr, ERASE_LINE);
  };

  return {
    stdout(text) {
      eraseStatus();
      write(stdout, text);
    },
    stderr(text) {
      eraseStatus();
      write(stderr, text);
    },
    writeBlock(next) {
      eraseStatus();
      queue.push({ next });
      if (queue.length === 1) idle = drainQueue();
    },
    ready() {
      flush();
      return queue.length > 0 ? idle : backedUp();
    },
    status(line) {
      wantedStatus = line;
      if (line === shownStatus) return;
      if (line === null) return eraseStatus();
      // A status wider than the terminal would wrap, and "\r" + erase only clears the last row.
      const columns = stderr.columns ?? 0;
      const width = columns > 10 ? columns - 1 : 79; // a pty of unknown size reports 0 columns
      shownStatus = line;
      write(stderr, `${ERASE_LINE}${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
    },
    needsStatus: () => wantedStatus !== null && shownStatus === null,
    settled: () => idle,
  };
}
