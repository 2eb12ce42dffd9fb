import { openLibcDirReader } from "./libc-dir-reader.ts";
import { nodeDirReader } from "./node-dir-reader.ts";
import { runtimeName } from "./runtime-name.ts";

/** What a directory entry is; symlinks are never followed. */
export type EntryKind = "file" | "dir" | "symlink" | "other";

/**
 * What the cache compares to decide that a file is unchanged, as node's `lstatSync` gives it
 * (`mtimeMs` = seconds * 1000 + nanoseconds / 1e6, the same double on every reader).
 * Readers fill one caller-owned object instead of allocating one per file.
 */
export interface FileStat {
  kind: EntryKind;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/** A FileStat to be filled by a reader. */
export function emptyFileStat(): FileStat {
  return { kind: "other", size: 0, mtimeMs: 0, ctimeMs: 0, ino: 0 };
}

/**
 * Lists directories and lstat's their entries, the hot loop of a cache check (10,000 files:
 * one listing per directory and one lstat per file). Not reentrant: call `read` again only after
 * it returned (collect subdirectories, then descend).
 */
export interface DirReader {
  /** "libc" (bun:ffi getdents64 + statx relative to the open directory) or "node" (node:fs). */
  readonly name: "libc" | "node";
  /**
   * Calls `visit(name, kind)` for every entry of `dirAbs` except `.` and `..`, in no particular order;
   * `kind` is undefined when the file system does not say (then `statEntry` tells). Returns false
   * when the directory cannot be listed (vanished, not a directory, a symlink, no permission).
   */
  read(dirAbs: string, visit: (name: string, kind: EntryKind | undefined) => void): boolean;
  /**
   * Inside `visit`: lstat of the entry being visited into `out`. False when it no longer exists
   * (ENOENT, ENOTDIR); other errors are thrown as node:fs would throw them.
   */
  statEntry(out: FileStat): boolean;
  /** lstat of any path into `out`; false when it does not exist (ENOENT, ENOTDIR), other errors thrown. */
  lstat(path: string, out: FileStat): boolean;
}

let chosen: DirReader | undefined;

/** The fastest reader this process can use: libc through bun:ffi on Bun/Linux, node:fs elsewhere. */
export function dirReader(): DirReader {
  chosen ??= (runtimeName === "bun" ? openLibcDirReader() : null) ?? nodeDirReader;
  return chosen;
}
