import { closeSync, constants, copyFileSync, fstatSync, fsync, fsyncSync, ftruncateSync, linkSync, openSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { err, ok, type Result } from "../shared/result.ts";
import { describeFsError, errnoCode } from "./fs-error.ts";
import { openExchangeFiles, type ExchangeFiles } from "../runtime/rename-exchange.ts";
import { createNewFileSync, sweepTempFilesOnceSync, tempTag, unlinkQuietly, withParentDirectory } from "./temp-files.ts";

/** Directory fsync is not done on Windows, where O_DIRECTORY does not exist. */
const DIRECTORY_FLAGS = process.platform === "win32" ? 0 : constants.O_RDONLY | constants.O_DIRECTORY;

export interface AtomicWriteOptions {
  /** How the path is named in error messages (e.g. ".ggen/state.json"); default: the path. */
  readonly shownPath?: string;
  /** Keep the file being replaced as `<name>.bak` (default true). */
  readonly keepBackup?: boolean;
  /** Sweep temp files crashed writers left beside `path`, once per directory per thread (default true); callers that know when to sweep say false. */
  readonly sweep?: boolean;
  /**
   * Keep three files per path and rotate them (renameat2 RENAME_EXCHANGE, Bun on Linux): the new content
   * goes into a spare file, `.<name>.spare`, which is swapped with `path`, and the spare (now the old
   * content) with `.bak`; the old backup becomes the next spare. Once the three exist, no file is created
   * or deleted: each new inode costs ext4 a search past every recently deleted one, and a run saving
   * hundreds of state files spent most of its time there. A file is rewritten two saves after it left
   * `path`, so readers without the lock must read a damaged file again (state files do). Elsewhere, or
   * where the file system cannot swap: the temp-file path.
   */
  readonly reuseBackup?: boolean;
}

/** A replacement written but not in place yet: the new content in an open temp file, the current file linked as the next backup. */
export interface PendingReplace {
  readonly path: string;
  readonly shown: string;
  readonly temp: string;
  /** The temp file, open until completeReplace or abandonReplace. */
  readonly fd: number;
  /** A second name for the current content, renamed to `.bak` on completion; null when there is nothing to back up. */
  readonly backupTemp: string | null;
  /** The new content was written into the spare file (`temp` names it): completion rotates it in (reuseBackup). */
  readonly exchange: boolean;
}

/**
 * How a group of replacements becomes durable: the temp files' content before their renames, the
 * renames after. Each returns one entry per item: undefined when durable, the error otherwise.
 */
export interface Durability {
  contents(fds: readonly number[]): Promise<readonly unknown[]>;
  renames(dirs: readonly string[]): Promise<readonly unknown[]>;
}

/** fsync of every temp file and every directory, on the I/O threads: the calling thread never waits for the disk. */
export const fsyncEach: Durability = {
  contents: (fds) => Promise.all(fds.map(fsyncOnIoThread)),
  renames: (dirs) => Promise.all(dirs.map(syncDirectory)),
};

/**
 * Replaces `path` with `data` so that a reader, a crash or a power cut sees either the old or
 * the new content, never a mix: temp file, fsync, rename, fsync of the directory. The replaced
 * file survives as `<name>.bak` (a hard link, or a synced copy where links are not supported).
 * Temp files left by crashed writers are swept (once per directory per thread). A system error
 * (ENOSPC, EROFS, EACCES, EDQUOT, ...) is returned as "cannot write <path>: <reason>" and leaves
 * the old file and its backup intact. The fsyncs run on the I/O threads; the other steps are
 * quick synchronous calls. Does not serialise concurrent writers: callers that read-modify-write hold a lock.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}, durability: Durability = fsyncEach): Promise<Result<void, string>> {
  const pending = prepareReplace(path, data, options);
  if (!pending.ok) return pending;
  const [notDurable] = await durability.contents([pending.value.fd]);
  if (notDurable !== undefined) {
    abandonReplace(pending.value);
    return err(describeFsError(notDurable, "write", pending.value.shown));
  }
  const placed = completeReplace(pending.value);
  if (!placed.ok) return placed;
  const [renameNotDurable] = await durability.renames([dirname(path)]);
  return renameNotDurable === undefined ? ok(undefined) : err(describeFsError(renameNotDurable, "write", pending.value.shown));
}

/** Step one of a replacement: the new content in a temp file beside `path` (not synced yet) and the current file linked as the next backup; with reuseBackup, the new content in the spare file. */
export function prepareReplace(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Result<PendingReplace, string> {
  const shown = options.shownPath ?? path;
  if (options.reuseBackup === true && options.keepBackup !== false) {
    const exchange = openExchangeFiles();
    if (exchange !== null && !cannotExchangeIn.has(dirname(path))) return prepareInSpare(path, data, shown);
  }
  const dir = dirname(path);
  const name = basename(path);
  const tag = tempTag();
  const temp = join(dir, `.${name}.${tag}.tmp`);
  let backupTemp: string | null = null;
  let fd: number | undefined;
  try {
    if (options.sweep !== false) sweepTempFilesOnceSync(dir, [name]);
    fd = createNewFileSync(temp, data);
    if (options.keepBackup !== false) backupTemp = linkBackup(path, join(dir, `.${name}.${tag}b.tmp`));
    return ok({ path, shown, temp, fd, backupTemp, exchange: false });
  } catch (e) {
    // These names are this call's alone, so removing them never touches another writer's file.
    if (fd !== undefined) closeSync(fd);
    unlinkQuietly(temp);
    return err(describeFsError(e, "write", shown));
  }
}

/** Directories whose file system refused a swap: this process uses temp files there. */
const cannotExchangeIn = new Set<string>();

/**
 * The new content written over the spare file (made the first time), for completeReplace to rotate in.
 * Overwritten in place and cut to length, not opened with O_TRUNC: ext4 frees every block of a
 * truncated file through its journal and orphan list, 5-10x the cost of rewriting the same blocks.
 */
function prepareInSpare(path: string, data: string | Uint8Array, shown: string): Result<PendingReplace, string> {
  const spare = join(dirname(path), `.${basename(path)}.spare`);
  let fd: number | undefined;
  try {
    fd = withParentDirectory(spare, () => openSync(spare, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW, 0o644));
    writeFileSync(fd, data);
    const length = typeof data === "string" ? Buffer.byteLength(data) : data.byteLength;
    if (fstatSync(fd).size > length) ftruncateSync(fd, length); // an older, longer content's tail
    return ok({ path, shown, temp: spare, fd, backupTemp: null, exchange: true });
  } catch (e) {
    if (fd !== undefined) closeSync(fd); // the spare holds nothing anyone reads
    return err(describeFsError(e, "write", shown));
  }
}

/** Step two, once the content is durable: closes the temp file, moves the backup to `.bak` (a `.bak` exists at every moment), then the temp file to `path`. */
export function completeReplace(pending: PendingReplace): Result<void, string> {
  closeSync(pending.fd);
  if (pending.exchange) return completeExchange(pending);
  let backupPlaced = false;
  try {
    if (pending.backupTemp !== null) {
      renameSync(pending.backupTemp, `${pending.path}.bak`);
      backupPlaced = true;
    }
    renameSync(pending.temp, pending.path);
    return ok(undefined);
  } catch (e) {
    unlinkQuietly(pending.temp);
    if (pending.backupTemp !== null && !backupPlaced) unlinkQuietly(pending.backupTemp);
    return err(describeFsError(e, "write", pending.shown));
  }
}

/**
 * Rotates the written spare into `path`, and the content it replaced into `.bak`. The first saves make
 * what is missing by renaming; a file system that cannot swap gets the new content renamed into place
 * (its backup is lost once, then this process uses temp files there).
 */
function completeExchange(pending: PendingReplace): Result<void, string> {
  const swap = openExchangeFiles()!;
  try {
    if (!swapOrRename(swap, pending.temp, pending.path)) return ok(undefined);
  } catch (e) {
    return err(describeFsError(e, "write", pending.shown)); // `path` is as it was
  }
  try {
    swapOrRename(swap, pending.temp, `${pending.path}.bak`);
  } catch {
    // `path` is saved; the old content stays in the spare instead of `.bak` until the next save
  }
  return ok(undefined);
}

/** Swaps `from` with `to`, or renames `from` to `to` when `to` does not exist yet or the swap is unsupported. true: swapped. */
function swapOrRename(swap: ExchangeFiles, from: string, to: string): boolean {
  try {
    if (swap(from, to) === "done") return true;
    cannotExchangeIn.add(dirname(to));
  } catch (e) {
    if (errnoCode(e) !== "ENOENT") throw e;
  }
  renameSync(from, to);
  return false;
}

/** Gives up a prepared replacement: `path` and its backup stay as they were. */
export function abandonReplace(pending: PendingReplace): void {
  closeSync(pending.fd);
  if (pending.exchange) return; // the spare is kept for the next save
  unlinkQuietly(pending.temp);
  if (pending.backupTemp !== null) unlinkQuietly(pending.backupTemp);
}

/**
 * Gives the current content of `path` a second name, `backupTemp`, for completeReplace to rename
 * to `.bak`: a hard link (no data copied), or a synced copy where links are not supported.
 * null: there is nothing to back up yet.
 */
function linkBackup(path: string, backupTemp: string): string | null {
  try {
    linkSync(path, backupTemp);
    return backupTemp;
  } catch (e) {
    const code = errnoCode(e);
    if (code === "ENOENT") return null;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "EMLINK" && code !== "EXDEV") throw e;
    return copyDurably(path, backupTemp) ? backupTemp : null;
  }
}

/** Where hard links are not supported: a synced copy, so the backup is as durable as a link would be. */
function copyDurably(from: string, to: string): boolean {
  try {
    copyFileSync(from, to, constants.COPYFILE_EXCL);
    const fd = openSync(to, "r+");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return true;
  } catch (e) {
    unlinkQuietly(to);
    if (errnoCode(e) !== "ENOENT") throw e;
    return false;
  }
}

function fsyncOnIoThread(fd: number): Promise<unknown> {
  return new Promise((resolve) => fsync(fd, (error) => resolve(error ?? undefined)));
}

/** Makes renames in `dir` durable. Unsupported on Windows and some file systems: nothing to do there. */
async function syncDirectory(dir: string): Promise<unknown> {
  if (process.platform === "win32") return undefined;
  let fd: number;
  try {
    fd = openSync(dir, DIRECTORY_FLAGS);
  } catch (e) {
    return e;
  }
  try {
    const error = await fsyncOnIoThread(fd);
    const code = errnoCode(error);
    return code === "EINVAL" || code === "ENOTSUP" || code === "EOPNOTSUPP" ? undefined : error;
  } finally {
    closeSync(fd);
  }
}

