import { constants } from "node:fs";
import { copyFile, link, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { err, ok, type Result } from "../shared/result.ts";
import { describeFsError, errnoCode } from "./fs-error.ts";
import { openNewFile, sweepTempFilesOnce, tempTag } from "./temp-files.ts";

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
 * the old file intact. Every step runs on the I/O threads (node:fs/promises): writes to
 * different files overlap, and the calling thread is never blocked by an fsync.
 * Does not serialise concurrent writers: callers that read-modify-write hold a lock.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<Result<void, string>> {
  const shown = options.shownPath ?? path;
  const dir = dirname(path);
  const name = basename(path);
  const tag = tempTag();
  const temp = join(dir, `.${name}.${tag}.tmp`);
  let tempCreated = false;
  try {
    await sweepTempFilesOnce(dir, [name]);
    const handle = await openNewFile(temp);
    tempCreated = true;
    try {
      await handle.writeFile(data);
      await handle.sync(); // the content must be on disk before the rename can make it the file
    } finally {
      await handle.close();
    }
    if (options.keepBackup !== false) await keepBackup(path, join(dir, `.${name}.${tag}b.tmp`));
    await rename(temp, path);
    tempCreated = false;
    await syncDirectory(dir); // the rename (and the backup's link) are only durable once the directory is
    return ok(undefined);
  } catch (e) {
    if (tempCreated) await unlink(temp).catch(() => {}); // the next sweep tries again
    return err(describeFsError(e, "write", shown));
  }
}

/** Points `<path>.bak` at the current content of `path` (if any) with one atomic rename. */
async function keepBackup(path: string, backupTemp: string): Promise<void> {
  try {
    await link(path, backupTemp); // a second name for the current file: no data is copied
  } catch (e) {
    const code = errnoCode(e);
    if (code === "ENOENT") return; // nothing to back up yet
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "EMLINK" && code !== "EXDEV") throw e;
    await copyDurably(path, backupTemp);
  }
  try {
    await rename(backupTemp, `${path}.bak`); // rename, not unlink + link: a .bak exists at every moment
  } catch (e) {
    await unlink(backupTemp).catch(() => {});
    throw e;
  }
}

/** Where hard links are not supported: a synced copy, so the backup is as durable as a link would be. */
async function copyDurably(from: string, to: string): Promise<void> {
  try {
    await copyFile(from, to, constants.COPYFILE_EXCL);
    const handle = await open(to, "r+");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (e) {
    await unlink(to).catch(() => {});
    if (errnoCode(e) !== "ENOENT") throw e;
  }
}

/** Makes renames in `dir` durable. Directory fsync is unsupported on Windows and some file systems. */
async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === "win32") return;
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } catch (e) {
    const code = errnoCode(e);
    if (code !== "EINVAL" && code !== "ENOTSUP" && code !== "EOPNOTSUPP") throw e;
  } finally {
    await handle.close();
  }
}
