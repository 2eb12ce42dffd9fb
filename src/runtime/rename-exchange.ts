/// <reference types="bun-types" />
import { constants } from "node:os";
import { libcNames } from "./libc-names.ts";

/**
 * Swaps the files at two paths in one step (renameat2 with RENAME_EXCHANGE). "unsupported": this file
 * system cannot (EINVAL, ENOTSUP...); nothing changed. Any other failure throws an error with `code`
 * set, as node:fs does.
 */
export type ExchangeFiles = (a: string, b: string) => "done" | "unsupported";

const AT_FDCWD = -100;
const RENAME_EXCHANGE = 2;
/** renameat2's number where libc has no wrapper (older glibc, musl). */
const SYS_RENAMEAT2: Readonly<Record<string, number>> = { x64: 316, arm64: 276 };
const UNSUPPORTED = new Set(["EINVAL", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV"]);

let opened: ExchangeFiles | null | undefined;

/** renameat2 through bun:ffi on Linux; null elsewhere (no such call, or not Bun): callers keep to plain renames. */
export function openExchangeFiles(): ExchangeFiles | null {
  if (opened !== undefined) return opened;
  opened = null;
  if (process.platform !== "linux") return null;
  type Ffi = typeof import("bun:ffi");
  let ffi: Ffi;
  try {
    // A static import of bun:ffi would stop the module loading under Deno; this line only runs on Bun.
    ffi = import.meta.require("bun:ffi") as Ffi;
  } catch {
    return null;
  }
  const { FFIType, read } = ffi;
  const errnoSignature = { __errno_location: { args: [], returns: FFIType.ptr } } as const;
  const wrapper = { renameat2: { args: [FFIType.i32, FFIType.ptr, FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 } } as const;
  const raw = { syscall: { args: [FFIType.i64, FFIType.i64, FFIType.ptr, FFIType.i64, FFIType.ptr, FFIType.u64], returns: FFIType.i64 } } as const;
  for (const name of libcNames()) {
    let call: ((a: Buffer, b: Buffer) => number) | undefined;
    let errnoAt: ReturnType<typeof ffi.dlopen<typeof errnoSignature>>["symbols"]["__errno_location"];
    try {
      errnoAt = ffi.dlopen(name, errnoSignature).symbols.__errno_location;
      try {
        const { renameat2 } = ffi.dlopen(name, wrapper).symbols;
        call = (a, b) => renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
      } catch {
        const number = SYS_RENAMEAT2[process.arch];
        if (number === undefined) continue;
        const { syscall } = ffi.dlopen(name, raw).symbols;
        call = (a, b) => Number(syscall(number, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE));
      }
    } catch {
      continue; // not this name
    }
    const exchange = call;
    opened = (a, b) => {
      // Buffers passed straight to the call: Bun takes their address at the call itself.
      if (exchange(Buffer.from(`${a}\0`), Buffer.from(`${b}\0`)) === 0) return "done";
      const at = errnoAt();
      const errno = at === null ? 0 : read.i32(at, 0);
      const code = errnoName(errno);
      if (UNSUPPORTED.has(code)) return "unsupported";
      throw Object.assign(new Error(`${code}: rename exchange '${a}' -> '${b}'`), { code, errno: -errno, syscall: "renameat2", path: a });
    };
    break;
  }
  return opened;
}

function errnoName(errno: number): string {
  for (const [name, value] of Object.entries(constants.errno)) if (value === errno) return name;
  return `errno ${errno}`;
}
