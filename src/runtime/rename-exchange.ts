/// <reference types="bun-types" />
import { constants } from "node:os";
import { loadFfi, openErrno, openLibcSymbols, type Ffi } from "./libc-ffi.ts";

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
  const ffi = loadFfi();
  if (ffi === null) return null;
  const errno = openErrno(ffi);
  const exchange = renameat2Call(ffi);
  if (errno === null || exchange === undefined) return null;
  opened = (a, b) => {
    // Buffers passed straight to the call: Bun takes their address at the call itself.
    if (exchange(Buffer.from(`${a}\0`), Buffer.from(`${b}\0`)) === 0) return "done";
    const failure = errno();
    const code = errnoName(failure);
    if (UNSUPPORTED.has(code)) return "unsupported";
    throw Object.assign(new Error(`${code}: rename exchange '${a}' -> '${b}'`), { code, errno: -failure, syscall: "renameat2", path: a });
  };
  return opened;
}

/** renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE): libc's wrapper, or the raw system call where libc has none. */
function renameat2Call(ffi: Ffi): ((a: Buffer, b: Buffer) => number) | undefined {
  const { FFIType } = ffi;
  const wrapper = openLibcSymbols(ffi, { renameat2: { args: [FFIType.i32, FFIType.ptr, FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 } });
  if (wrapper !== null) return (a, b) => wrapper.renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
  const number = SYS_RENAMEAT2[process.arch];
  const raw = number === undefined ? null : openLibcSymbols(ffi, { syscall: { args: [FFIType.i64, FFIType.i64, FFIType.ptr, FFIType.i64, FFIType.ptr, FFIType.u64], returns: FFIType.i64 } });
  if (raw === null || number === undefined) return undefined;
  return (a, b) => Number(raw.syscall(number, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE));
}

function errnoName(errno: number): string {
  for (const [name, value] of Object.entries(constants.errno)) if (value === errno) return name;
  return `errno ${errno}`;
}
