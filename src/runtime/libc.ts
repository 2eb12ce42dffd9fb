/// <reference types="bun-types" />
import { dlopen, FFIType } from "bun:ffi";
import { libcNames } from "./libc-names.ts";

/** The few libc calls the process supervisor needs that no JS runtime exposes. Bun only (bun:ffi). */
export interface Libc {
  /**
   * waitpid(pid, &status, WNOHANG): returns `pid` when a zombie was reaped, 0 when the process is still
   * running, -1 when it is not our child (ECHILD) or no longer exists. Never blocks, never throws.
   */
  reapNoHang(pid: number): number;
}

const WNOHANG = 1; // the same value on Linux and macOS

let opened: Libc | null | undefined;

/** The C library of this system, opened once; null where it cannot be loaded (not Linux/macOS). */
export function openLibc(): Libc | null {
  if (opened !== undefined) return opened;
  opened = null;
  for (const name of libcNames()) {
    try {
      const { symbols } = dlopen(name, {
        waitpid: { args: [FFIType.i32, FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
      });
      const status = new Int32Array(1);
      opened = { reapNoHang: (pid) => symbols.waitpid(pid, status, WNOHANG) };
      break;
    } catch {
      // not this name; with none found there is no reaping, and everything else still works
    }
  }
  return opened;
}

let syncfsOpened: ((fd: number) => number) | null | undefined;

/**
 * syncfs(fd) of Linux: writes back everything of the file system holding fd (data, metadata,
 * journal) in one call, 0 on success, -1 on failure. null elsewhere (macOS has no syncfs).
 * Blocks the calling thread until the disk is done: call it only off the main thread.
 */
export function openSyncfs(): ((fd: number) => number) | null {
  if (syncfsOpened !== undefined) return syncfsOpened;
  syncfsOpened = null;
  if (process.platform !== "linux") return null;
  for (const name of libcNames()) {
    try {
      const { symbols } = dlopen(name, { syncfs: { args: [FFIType.i32], returns: FFIType.i32 } });
      syncfsOpened = (fd) => symbols.syncfs(fd);
      break;
    } catch {
      // not this name
    }
  }
  return syncfsOpened;
}

