import {
  closeSync,
  constants,
  copyFileSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { err, ok, type Result } from "../shared/result.ts";
import { describeFsError, errnoCode } from "./fs-error.ts";
import { isProcessAlive } from "./process-identity.ts";

export interface AtomicWriteOptions {
  /** How the path is named in error messages (e.g. ".ggen/state.json"); default: the path. */
  readonly shownPath?: string;
  /** Keep the file being replaced as `<name>.bak` (default true). */
  readonly keepBackup?: boolean;
}

/** A temp file untouched this long belongs to nobody, whatever its pid says. */
const ORPHAN_TEMP_AGE_MS = 60 * 60 * 1000;

/**
 * Replaces `path` with `data` so that a reader, a crash or a power cut sees either the old or
 * the new content, never a mix: temp file, fsync, rename, fsync of the directory. The replaced
 * file survives as `<name>.bak` (a hard link, or a synced copy where links are not supported).
 * Temp files left by crashed writers are swept first. A system error (ENOSPC, EROFS, EACCES,
 * EDQUOT, ...) is returned as "cannot write <path>: <reason>" and leaves the old file intact.
 * Does not serialise concurrent writers: callers that read-modify-write hold a lock.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Result<void, string> {
  const shown = options.shownPath ?? path;
  const dir = dirname(path);
  const name = basename(path);
  const tag = tempTag();
  const temp = join(dir, `.${name}.${tag}.tmp`);
  let tempCreated = false;
  try {
    mkdirSync(dir, { recursive: true });
    sweepTempFiles(dir, name);
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    tempCreated = true;
    try {
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (options.keepBackup !== false) keepBackup(path, join(dir, `.${name}.${tag}b.tmp`));
    renameSync(temp, path);
    tempCreated = false;
    syncDirectory(dir);
    return ok(undefined);
  } catch (e) {
    if (tempCreated) removeQuietly(temp);
    return err(describeFsError(e, "write", shown));
  }
}

/** `<pid>.<hex>`: temp files are `.<name>.<tag>.tmp`, so sweepTempFiles can tell whose they are. */
export function tempTag(): string {
  return `${process.pid}.${randomBytes(6).toString("hex")}`;
}

/** Points `<path>.bak` at the current content of `path` (if any) with one atomic rename. */
function keepBackup(path: string, backupTemp: string): void {
  try {
    linkSync(path, backupTemp);
  } catch (e) {
    const code = errnoCode(e);
    if (code === "ENOENT") return; // nothing to back up yet
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "EMLINK" && code !== "EXDEV") throw e;
    copyDurably(path, backupTemp);
  }
  try {
    renameSync(backupTemp, `${path}.bak`);
  } catch (e) {
    removeQuietly(backupTemp);
    throw e;
  }
}

function copyDurably(from: string, to: string): void {
  try {
    copyFileSync(from, to, constants.COPYFILE_EXCL);
    const fd = openSync(to, "r+");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    removeQuietly(to);
    if (errnoCode(e) !== "ENOENT") throw e;
  }
}

/** Makes renames in `dir` durable. Directory fsync is unsupported on Windows and some file systems. */
function syncDirectory(dir: string): void {
  if (process.platform === "win32") return;
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } catch (e) {
    const code = errnoCode(e);
    if (code !== "EINVAL" && code !== "ENOTSUP" && code !== "EOPNOTSUPP") throw e;
  } finally {
    closeSync(fd);
  }
}

/** Removes `.<name>.<pid>.<hex>.tmp` files whose writer is gone (or that are over an hour old). */
export function sweepTempFiles(dir: string, name: string): void {
  const prefix = `.${name}.`;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  const now = Date.now();
  for (const entry of entries) {
    if (!entry.startsWith(prefix) || !entry.endsWith(".tmp")) continue;
    const match = /^(\d+)\.[0-9a-f]+b?\.tmp$/.exec(entry.slice(prefix.length));
    if (!match) continue;
    const pid = Number(match[1]);
    const file = join(dir, entry);
    if (pid === process.pid) continue; // ours: another write in this process may be in flight
    if (isProcessAlive(pid) && !olderThan(file, now - ORPHAN_TEMP_AGE_MS)) continue;
    removeQuietly(file);
  }
}

function olderThan(file: string, cutoffMs: number): boolean {
  try {
    return statSync(file).mtimeMs < cutoffMs;
  } catch {
    return false;
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone, or the file system refuses: the next sweep tries again
  }
}
