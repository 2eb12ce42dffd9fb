import { closeSync, mkdirSync, openSync, readdirSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { errnoCode } from "./fs-error.ts";
import { isProcessAlive } from "./process-identity.ts";
import { randomHex } from "../runtime/hashing.ts";

/** A temp file untouched this long belongs to nobody, whatever its pid says. */
const ORPHAN_TEMP_AGE_MS = 60 * 60 * 1000;

/** `<pid>.<hex>`: temp files are `.<name>.<tag>.tmp`, so a sweep can tell whose they are. */
export function tempTag(): string {
  return `${process.pid}.${randomHex(6)}`;
}

/**
 * Writes a new file (exclusive create, mode 0644) and returns it still open, so the caller can make
 * it durable (fsync) when it needs to, and must close it. Its directory is made only when the open
 * says it is missing: no mkdir on every write. On failure a partly written file may be left: the
 * caller removes it.
 */
export function createNewFileSync(file: string, data: string | Uint8Array): number {
  const fd = withParentDirectory(file, () => openSync(file, "wx", 0o644));
  try {
    writeFileSync(fd, data);
    return fd;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** Runs create (which makes `file`); the parent directory is made only when create says it is missing: no mkdir on every write. */
export function withParentDirectory<T>(file: string, create: () => T): T {
  try {
    return create();
  } catch (e) {
    if (errnoCode(e) !== "ENOENT") throw e;
    mkdirSync(dirname(file), { recursive: true });
    return create();
  }
}

/** `<dir>\0<name>` of every sweep done in this thread. */
const swept = new Set<string>();

/**
 * Removes leftover `.<name>.<pid>.<hex>[b].tmp` files for each name in `dir`, at most once per
 * directory and name per thread: temp files are only left by writers that crashed (those of
 * a writer that crashes later are the next process's to sweep), so sweeping on every write
 * would only cost a directory scan per save. One scan covers all the names given. Never fails:
 * a file that cannot be removed is left for the next process.
 */
export function sweepTempFilesOnceSync(dir: string, names: readonly string[]): void {
  const todo = names.filter((name) => !swept.has(`${dir}\0${name}`));
  if (todo.length === 0) return;
  for (const name of todo) swept.add(`${dir}\0${name}`);
  sweepTempFiles(dir, todo);
}

/** Removes `.<name>.<pid>.<hex>[b].tmp` files whose writer is gone (or that are over an hour old), every time it is called. */
export function sweepTempFiles(dir: string, names: readonly string[]): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return; // no directory: nothing left over in it
  }
  const now = Date.now();
  for (const entry of entries) {
    const pid = leftoverPid(entry, names);
    if (pid === null || pid === process.pid) continue; // ours: another write in this process may be in flight
    const file = join(dir, entry);
    if (isProcessAlive(pid) && !olderThan(file, now - ORPHAN_TEMP_AGE_MS)) continue;
    unlinkQuietly(file); // refused: the next process tries again
  }
}

/** The writer pid of a temp file of one of `names`, or null for any other entry. */
function leftoverPid(entry: string, names: readonly string[]): number | null {
  if (!entry.startsWith(".") || !entry.endsWith(".tmp")) return null;
  for (const name of names) {
    const prefix = `.${name}.`;
    if (!entry.startsWith(prefix)) continue;
    const match = /^(\d+)\.[0-9a-f]+b?\.tmp$/.exec(entry.slice(prefix.length));
    if (match) return Number(match[1]);
  }
  return null;
}

function olderThan(file: string, cutoffMs: number): boolean {
  try {
    return statSync(file).mtimeMs < cutoffMs;
  } catch {
    return false;
  }
}

/** Removes `file`, ignoring every failure: for leftovers that are gone already, or that a later sweep removes. */
export function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // gone already, or refused: nothing this caller can do about it
  }
}
