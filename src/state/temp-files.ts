import { randomBytes } from "node:crypto";
import { mkdir, readdir, stat, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { errnoCode } from "./fs-error.ts";
import { isProcessAlive } from "./process-identity.ts";

/** A temp file untouched this long belongs to nobody, whatever its pid says. */
const ORPHAN_TEMP_AGE_MS = 60 * 60 * 1000;

/** `<pid>.<hex>`: temp files are `.<name>.<tag>.tmp`, so a sweep can tell whose they are. */
export function tempTag(): string {
  return `${process.pid}.${randomBytes(6).toString("hex")}`;
}

/**
 * Writes a new file (exclusive create, mode 0644) in one I/O round trip (open, write, close, and
 * fsync when `durable`). Its directory is made only when the open says it is missing: no mkdir
 * on every write. On failure a partly written file may be left: the caller removes it.
 */
export async function writeNewFile(file: string, data: string | Uint8Array, durable: boolean): Promise<void> {
  const options = { flag: "wx", mode: 0o644, flush: durable } as const;
  try {
    await writeFile(file, data, options);
  } catch (e) {
    if (errnoCode(e) !== "ENOENT") throw e;
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, data, options);
  }
}

/** `<dir>\0<name>` of every sweep done or under way in this process. */
const swept = new Map<string, Promise<void>>();

/**
 * Removes leftover `.<name>.<pid>.<hex>[b].tmp` files for each name in `dir`, at most once per
 * directory and name per process: temp files are only left by writers that crashed (those of
 * a writer that crashes later are the next process's to sweep), so sweeping on every write
 * would only cost a directory scan per save. One scan covers all the names given. Never fails:
 * a file that cannot be removed is left for the next process.
 */
export async function sweepTempFilesOnce(dir: string, names: readonly string[]): Promise<void> {
  const key = (name: string) => `${dir}\0${name}`;
  const todo = names.filter((name) => !swept.has(key(name)));
  if (todo.length > 0) {
    const sweep = sweepTempFiles(dir, todo);
    for (const name of todo) swept.set(key(name), sweep);
  }
  await Promise.all(names.map((name) => swept.get(key(name))));
}

/** Removes `.<name>.<pid>.<hex>[b].tmp` files whose writer is gone (or that are over an hour old), every time it is called. */
export async function sweepTempFiles(dir: string, names: readonly string[]): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return; // no directory: nothing left over in it
  }
  const now = Date.now();
  const removals: Promise<void>[] = [];
  for (const entry of entries) {
    const pid = leftoverPid(entry, names);
    if (pid === null || pid === process.pid) continue; // ours: another write in this process may be in flight
    const file = join(dir, entry);
    removals.push(
      (async () => {
        if (isProcessAlive(pid) && !(await olderThan(file, now - ORPHAN_TEMP_AGE_MS))) return;
        await unlink(file).catch(() => {}); // already gone, or refused: the next process tries again
      })(),
    );
  }
  await Promise.all(removals);
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

async function olderThan(file: string, cutoffMs: number): Promise<boolean> {
  try {
    return (await stat(file)).mtimeMs < cutoffMs;
  } catch {
    return false;
  }
}
