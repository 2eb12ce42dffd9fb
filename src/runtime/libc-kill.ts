/// <reference types="bun-types" />
import { constants } from "node:os";
import { libcNames } from "./libc-names.ts";

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
  type Ffi = typeof import("bun:ffi");
  let ffi: Ffi;
  try {
    // A static import of bun:ffi would stop the module loading under Deno; this line only runs on Bun.
    ffi = import.meta.require("bun:ffi") as Ffi;
  } catch {
    return null;
  }
  for (const name of libcNames()) {
    try {
      const { kill } = ffi.dlopen(name, { kill: { args: [ffi.FFIType.i32, ffi.FFIType.i32], returns: ffi.FFIType.i32 } }).symbols;
      const numbers = constants.signals as Readonly<Record<string, number>>;
      opened = (pid, signal) => {
        const signo = numbers[signal];
        if (signo === undefined) throw new Error(`unknown signal ${signal}`);
        return kill(pid, signo) === 0;
      };
      break;
    } catch {
      // not this name
    }
  }
  return opened;
}
