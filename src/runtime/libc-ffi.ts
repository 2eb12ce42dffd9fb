/// <reference types="bun-types" />
import type { ConvertFns, FFIFunction } from "bun:ffi";
import { libcNames } from "./libc-names.ts";

export type Ffi = typeof import("bun:ffi");

/** bun:ffi, or null where the runtime is not Bun. */
export function loadFfi(): Ffi | null {
  try {
    // A static import of bun:ffi would stop the module loading under Deno; this line only runs on Bun.
    return import.meta.require("bun:ffi") as Ffi;
  } catch {
    return null;
  }
}

/** The symbols from the first of this platform's C library names that has them all; null when none has. */
export function openLibcSymbols<Fns extends Record<string, FFIFunction>>(ffi: Ffi, signatures: Fns): ConvertFns<Fns> | null {
  for (const name of libcNames()) {
    try {
      return ffi.dlopen(name, signatures).symbols;
    } catch {
      // not this name, or a symbol it lacks
    }
  }
  return null;
}

/** The calling thread's errno (read right after the failed call, before anything else runs on this thread); null without libc. */
export function openErrno(ffi: Ffi): (() => number) | null {
  const libc = openLibcSymbols(ffi, { __errno_location: { args: [], returns: ffi.FFIType.ptr } });
  if (libc === null) return null;
  return () => {
    const at = libc.__errno_location();
    return at === null ? 0 : ffi.read.i32(at, 0);
  };
}
