import { isAbsolute, relative } from "node:path";

/** A Node-style system error (has a string `code` such as "ENOSPC"). */
export function isErrnoError(e: unknown): e is NodeJS.ErrnoException & { code: string } {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === "string";
}

/** The errno code of a system error, or undefined for anything else. */
export function errnoCode(e: unknown): string | undefined {
  return isErrnoError(e) ? e.code : undefined;
}

const REASONS: Readonly<Record<string, string>> = {
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOTDIR: "a parent path is not a directory",
  EISDIR: "it is a directory",
  ENOENT: "no such file or directory",
  EIO: "input/output error",
  EMFILE: "too many open files",
  ENFILE: "too many open files in the system",
  ENAMETOOLONG: "file name too long",
  ELOOP: "too many symbolic links",
  EBUSY: "resource busy",
  EXDEV: "cross-device link",
};

/** "no space left on device" for ENOSPC; the code and the system's text for codes we do not name. */
export function fsReason(e: NodeJS.ErrnoException & { code: string }): string {
  if (e.code === "EEXIST" && e.syscall === "mkdir") return REASONS["ENOTDIR"]!; // a file where a directory should be
  return REASONS[e.code] ?? `${e.code}${e.syscall ? ` (${e.syscall})` : ""}`;
}

/**
 * Turns a system error into "cannot <verb> <path>: <reason>". Anything that is not a system
 * error is a bug and is rethrown, so callers never swallow it.
 */
export function describeFsError(e: unknown, verb: string, shownPath: string): string {
  if (!isErrnoError(e)) throw e;
  return `cannot ${verb} ${shownPath}: ${fsReason(e)}`;
}

/** A path as messages show it: relative to rootDir when inside it, else absolute. */
export function shownPath(file: string, rootDir: string | undefined): string {
  if (rootDir === undefined) return file;
  const rel = relative(rootDir, file);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? file : rel;
}
