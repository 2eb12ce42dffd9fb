import { constants } from "node:fs";
import { copyFile, link, open, rename, unlink, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { err, ok, type Result } from "../shared/result.ts";
import { describeFsError, errnoCode } from "./fs-error.ts";
import { sweepTempFilesOnce, tempTag, writeNewFile } from "./temp-files.ts";

/** Directory fsync is not done on Windows, where O_DIRECTORY does not exist. */
const DIRECTORY_FLAGS = process.platform === "win32" ? 0 : constants.O_RDONLY | constants.O_DIRECTORY;

export interface AtomicWriteOptions {
  /** How the path is named in error messages (e.g. ".ggen/state.json"); default: the path. */
  readonly shownPath?: string;
  /** Keep the file being replaced as `<name>.bak` (default true). */
  readonly keepBackup?: boolean;
}

/**
 * Replaces `path` with `data` so that a reader, a crash or a power cut sees either the old or
 * the new content, never a mix: temp file, fsync, rename, fsync of the directory. The replaced
 * file survives as `<name>.bak` (a hard link, or a synced copy where links are not supported).
 * Temp files left by crashed writers are swept (once per directory per process). A system error
 * (ENOSPC, EROFS, EACCES, EDQUOT, ...) is returned as "cannot write <path>: <reason>" and leaves
 * the old file and its backup intact. Every step runs on the I/O threads (node:fs/promises):
 * writes to different files overlap, and the calling thread is never blocked by an fsync.
 * Does not serialise concurrent writers: callers that read-modify-write hold a lock.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<Result<void, string>> {
  const shown = options.shownPath ?? path;
  const dir = dirname(path);
  const name = basename(path);
  const tag = tempTag();
  const temp = join(dir, `.${name}.${tag}.tmp`);
  const backupTemp = join(dir, `.${name}.${tag}b.tmp`);
  let backup: Promise<Result<boolean, unknown>> | undefined;
  let dirHandle: Promise<Result<FileHandle, unknown>> | undefined;
  let backupPlaced = false;
  let renamed = false;
  try {
    await sweepTempFilesOnce(dir, [name]);
    // Started alongside the write so their I/O overlaps it; neither changes what `path` or its .bak hold.
    if (options.keepBackup !== false) backup = settle(linkBackup(path, backupTemp));
    if (process.platform !== "win32") dirHandle = settle(open(dir, DIRECTORY_FLAGS));
    await writeNewFile(temp, data, true); // synced: the content must be on disk before the rename can make it the file
    if (backup !== undefined && unwrap(await backup)) {
      await rename(backupTemp, `${path}.bak`); // rename: a .bak exists at every moment
      backupPlaced = true;
    }
    await rename(temp, path);
    renamed = true;
    if (dirHandle !== undefined) await syncDirectory(await dirHandle, dir); // the renames are only durable once the directory is
    return ok(undefined);
  } catch (e) {
    // These names are this call's alone, so removing them never touches another writer's file.
    if (!renamed) await unlink(temp).catch(() => {});
    return err(describeFsError(e, "write", shown));
  } finally {
    if (backup !== undefined && !backupPlaced) {
      const linked = await backup; // the write failed: the backup link is not used
      if (linked.ok && linked.value) await unlink(backupTemp).catch(() => {});
    }
    // Closed in the background: the fsync is what makes the write durable, not the close.
    void dirHandle?.then((h) => (h.ok ? h.value.close() : undefined)).catch(() => {});
  }
}

/**
 * Gives the current content of `path` a second name, `backupTemp`, for the caller to rename to
 * `.bak`: a hard link (no data copied), or a synced copy where links are not supported.
 * false: there is nothing to back up yet.
 */
async function linkBackup(path: string, backupTemp: string): Promise<boolean> {
  try {
    await link(path, backupTemp);
    return true;
  } catch (e) {
    const code = errnoCode(e);
    if (code === "ENOENT") return false;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "EMLINK" && code !== "EXDEV") throw e;
    return await copyDurably(path, backupTemp);
  }
}

/** Where hard links are not supported: a synced copy, so the backup is as durable as a link would be. */
async function copyDurably(from: string, to: string): Promise<boolean> {
  try {
    await copyFile(from, to, constants.COPYFILE_EXCL);
    const handle = await open(to, "r+");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    return true;
  } catch (e) {
    await unlink(to).catch(() => {});
    if (errnoCode(e) !== "ENOENT") throw e;
    return false;
  }
}

/**
 * Makes renames in `dir` durable, with the handle opened before the write, or opened now when the
 * directory did not exist then (the write made it). Unsupported on Windows and some file systems.
 */
async function syncDirectory(opened: Result<FileHandle, unknown>, dir: string): Promise<void> {
  let handle = opened.ok ? opened.value : undefined;
  try {
    handle ??= await open(dir, DIRECTORY_FLAGS);
    await handle.sync();
  } catch (e) {
    const code = errnoCode(e);
    if (code !== "EINVAL" && code !== "ENOTSUP" && code !== "EOPNOTSUPP") throw e;
  } finally {
    if (!opened.ok) await handle?.close();
  }
}

/** The outcome of a promise as a value, so work can start early without an unhandled rejection. */
function settle<T>(promise: Promise<T>): Promise<Result<T, unknown>> {
  return promise.then(
    (value) => ok(value),
    (error: unknown) => err(error),
  );
}

function unwrap<T>(settled: Result<T, unknown>): T {
  if (!settled.ok) throw settled.error;
  return settled.value;
}
