/// <reference types="bun-types" />
import type { ByteReader, ReadResult } from "./child-process.ts";
import { loadFfi, openErrno, openLibcSymbols } from "./libc-ffi.ts";

/** A pipe for one of a child's output streams: the child gets writeFd, we read through `reader`. */
export interface PolledPipe {
  /** Blocking, close-on-exec: hand it to the child, then close it here (closeWriteEnd). */
  readonly writeFd: number;
  readonly reader: PolledReader;
  /** Our copy of the child's end: closed once the child has its own, so the pipe ends when the child's writers do. */
  closeWriteEnd(): void;
}

/** A ByteReader that polls a non-blocking pipe; wake() makes a waiting read look again at once (the child exited). */
export interface PolledReader extends ByteReader {
  wake(): void;
}

/** Makes pipes; create() returns null when the system refuses one (too many open files): the caller falls back to the runtime's pipes. */
export interface PipeMaker {
  create(): PolledPipe | null;
}

/** Waits between empty reads: at once twice (a busy writer refills the pipe quickly), then 1 ms doubling up to MAX_WAIT_MS. */
const WAITS_MS = [0, 0, 1, 2, 4, 8, 16];
/**
 * Where a new pipe starts in WAITS_MS: its first look is 16 ms after the command started, not at once.
 * A command that was just exec'd has written nothing yet, and one that ends sooner is read in one go
 * on wake(), with no timer at all. Reading at once (then twice more) made ~2,300 empty reads for 500
 * `true` commands; a first look at 16 ms rather than 2 ms made a 500-workspace -j2 run 1.21x instead
 * of 1.28x of make (10 alternating rounds), the timers being on the thread that starts commands.
 */
const FIRST_WAIT_INDEX = WAITS_MS.indexOf(16);
/** The longest a line written after a silence waits before it is read. */
const MAX_WAIT_MS = 32;
const CHUNK_BYTES = 64 * 1024;
const EAGAIN = 11; // Linux, every architecture
const EINTR = 4;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000; // Linux x64 and arm64
const O_CLOEXEC = 0o2000000;

let maker: PipeMaker | null | undefined;

/**
 * Pipes read by polling on Bun/Linux, or null (other systems, no bun:ffi): the caller uses the runtime's
 * pipes then. Bun's stdout/stderr pipes are ReadableStreams over socketpairs, registered with the event
 * loop: per command they cost ~0.4 ms of the thread that starts commands, which for short commands is
 * most of lifecycle's own cost. A plain pipe read with read(2) costs a few µs; the price is that output
 * after a silence is seen up to MAX_WAIT_MS late, and the end of a short command's output is seen when
 * the caller calls wake() on its exit.
 */
export function openPipeMaker(): PipeMaker | null {
  if (maker !== undefined) return maker;
  maker = null;
  if (process.platform !== "linux") return null;
  const ffi = loadFfi();
  if (ffi === null) return null;
  const { FFIType, ptr } = ffi;
  const signatures = {
    pipe2: { args: [FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
    fcntl: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    read: { args: [FFIType.i32, FFIType.ptr, FFIType.u64], returns: FFIType.i64 },
    close: { args: [FFIType.i32], returns: FFIType.i32 },
  } as const;
  const libc = openLibcSymbols(ffi, signatures);
  const errno = openErrno(ffi);
  if (libc === null || errno === null) return null;
  const { pipe2, fcntl, read } = libc;
  // close(2) itself: node:fs closeSync validates and throws, which cost more than the call (4 per command).
  // Linux releases the fd even when close fails (EINTR included), so its result is not looked at.
  const closeFd = (fd: number): void => void libc.close(fd);
  // Own ArrayBuffers: the engine may move a small typed array's storage after a pointer to it was taken.
  const fds = new Int32Array(new ArrayBuffer(64));
  const fdsPtr = ptr(fds);
  const chunk = new Uint8Array(new ArrayBuffer(CHUNK_BYTES));
  const chunkPtr = ptr(chunk);

  /** One read(2): bytes, "end" (every writer closed, or the fd failed), or "empty" (nothing yet). */
  const readOnce = (fd: number): Uint8Array | "end" | "empty" => {
    for (;;) {
      const n = Number(read(fd, chunkPtr, CHUNK_BYTES));
      if (n > 0) return chunk.slice(0, n);
      if (n === 0) return "end";
      const code = errno();
      if (code === EINTR) continue;
      return code === EAGAIN ? "empty" : "end";
    }
  };

  maker = {
    create() {
      if (pipe2(fdsPtr, O_CLOEXEC) !== 0) return null;
      const [readFd, writeFd] = [fds[0]!, fds[1]!];
      // A new pipe's read end has no status flags yet: no F_GETFL needed (one syscall less per pipe).
      if (fcntl(readFd, F_SETFL, O_NONBLOCK) !== 0) {
        closeFd(readFd);
        closeFd(writeFd);
        return null;
      }
      let writeOpen = true;
      return {
        writeFd,
        reader: pollingReader(readFd, readOnce, closeFd),
        closeWriteEnd() {
          if (writeOpen) closeFd(writeFd);
          writeOpen = false;
        },
      };
    },
  };
  return maker;
}

/** Reads `fd` until its end; an empty pipe is looked at again after the next wait in WAITS_MS, or at once on wake(). */
function pollingReader(fd: number, readOnce: (fd: number) => Uint8Array | "end" | "empty", closeFd: (fd: number) => void): PolledReader {
  let open = true;
  /** Nothing read yet: the first read waits before it looks. */
  let fresh = true;
  let emptyReads = FIRST_WAIT_INDEX;
  let waiting: { readonly resolve: (result: ReadResult) => void; timer: ReturnType<typeof setTimeout> | undefined } | undefined;

  const close = (): void => {
    if (!open) return;
    open = false;
    closeFd(fd);
  };
  /** One look at the pipe for a waiting read: it resolves, or waits again. */
  const poll = (): void => {
    const pending = waiting;
    if (pending === undefined) return;
    clearTimeout(pending.timer);
    const got = open ? readOnce(fd) : "end";
    if (got === "empty") {
      pending.timer = setTimeout(poll, WAITS_MS[emptyReads] ?? MAX_WAIT_MS);
      emptyReads++;
      return;
    }
    waiting = undefined;
    emptyReads = 0;
    fresh = false;
    if (got === "end") {
      close();
      pending.resolve({ done: true });
    } else pending.resolve({ done: false, value: got });
  };

  return {
    read() {
      if (waiting !== undefined) return Promise.reject(new Error("a pipe read is already waiting")); // the pump reads one at a time
      return new Promise<ReadResult>((resolve) => {
        waiting = { resolve, timer: undefined };
        if (fresh) waiting.timer = setTimeout(poll, WAITS_MS[emptyReads++]);
        else poll();
      });
    },
    cancel() {
      close();
      if (waiting !== undefined) {
        clearTimeout(waiting.timer);
        const { resolve } = waiting;
        waiting = undefined;
        resolve({ done: true });
      }
      return Promise.resolve();
    },
    wake() {
      emptyReads = 0;
      fresh = false;
      poll();
    },
  };
}
