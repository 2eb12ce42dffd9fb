/// <reference types="bun-types" />
import { constants } from "node:os";
import { loadFfi, openLibcSymbols } from "./libc-ffi.ts";

/** kill(2) that reports failure as false instead of throwing: sends `signal` (a name such as "SIGKILL") to `pid` (negative: a process group). */
export type KillCall = (pid: number, signal: string) => boolean;

let opened: KillCall | null | undefined;

/**
 * kill(2) through bun:ffi, or null (not Bun, or no libc): the caller uses process.kill then. Every command
 * ends with a SIGKILL to its (usually empty) process group; process.kill reports the empty group by
 * throwing an error object with a stack, which cost ~0.2 ms per command, more than the call itself.
 */
export function openLibcKill(): KillCall | null {
  if (opened !== undefined) return opened;
  opened = null;
  if (process.platform !== "linux" && process.platform !== "darwin") return null;
  const ffi = loadFfi();
  const libc = ffi === null ? null : openLibcSymbols(ffi, { kill: { args: [ffi.FFIType.i32, ffi.FFIType.i32], returns: ffi.FFIType.i32 } });
  if (libc === null) return null;
  const numbers = constants.signals as Readonly<Record<string, number>>;
  opened = (pid, signal) => {
    const signo = numbers[signal];
    if (signo === undefined) throw new Error(`unknown signal ${signal}`);
    return libc.kill(pid, signo) === 0;
  };
  return opened;
}
