/// <reference types="bun-types" />
import { loadFfi, openLibcSymbols } from "./libc-ffi.ts";

/** The few libc calls the process supervisor needs that no JS runtime exposes (bun:ffi; null elsewhere). */
export interface Libc {
  /**
   * waitpid(pid, &status, WNOHANG): returns `pid` when a zombie was reaped, 0 when the process is still
   * running, -1 when it is not our child (ECHILD) or no longer exists. Never blocks, never throws.
   */
  reapNoHang(pid: number): number;
}

const WNOHANG = 1; // the same value on Linux and macOS

let opened: Libc | null | undefined;

/** The C library of this system, opened once; null where it cannot be loaded (not Linux/macOS, not Bun). */
export function openLibc(): Libc | null {
  if (opened !== undefined) return opened;
  opened = null;
  const ffi = loadFfi();
  // Without it there is no reaping, and everything else still works.
  const libc = ffi === null ? null : openLibcSymbols(ffi, { waitpid: { args: [ffi.FFIType.i32, ffi.FFIType.ptr, ffi.FFIType.i32], returns: ffi.FFIType.i32 } });
  if (libc === null) return null;
  const status = new Int32Array(1);
  opened = { reapNoHang: (pid) => libc.waitpid(pid, status, WNOHANG) };
  return opened;
}

let syncfsOpened: ((fd: number) => number) | null | undefined;

/**
 * syncfs(fd) of Linux: writes back everything of the file system holding fd (data, metadata,
 * journal) in one call, 0 on success, -1 on failure. null elsewhere (macOS has no syncfs, or not Bun).
 * Blocks the calling thread until the disk is done: call it off the thread that starts commands, or
 * when that thread has nothing else to do (the end of a run).
 */
export function openSyncfs(): ((fd: number) => number) | null {
  if (syncfsOpened !== undefined) return syncfsOpened;
  syncfsOpened = null;
  if (process.platform !== "linux") return null;
  const ffi = loadFfi();
  const libc = ffi === null ? null : openLibcSymbols(ffi, { syncfs: { args: [ffi.FFIType.i32], returns: ffi.FFIType.i32 } });
  if (libc !== null) syncfsOpened = (fd) => libc.syncfs(fd);
  return syncfsOpened;
}
