import { closeSync, constants, fstatSync, openSync, statSync } from "node:fs";
import { openSyncfs } from "../runtime/libc.ts";
import { fsyncEach, type Durability } from "./atomic-write.ts";

/**
 * Durability for a group of replacements through syncfs: one call per file system makes every temp
 * file's content durable, one more every rename, however many files the group has (an fsync per file
 * and per directory costs a journal commit each). Blocks the calling thread: for the state writer
 * thread, and the main thread once it has nothing else to do (the end-of-run hand-over). A file
 * system where syncfs fails falls back to fsyncEach for its items, which reports their own errors.
 */
export function syncfsDurability(syncfs: (fd: number) => number): Durability {
  const deviceOfDir = new Map<string, number>();
  return {
    contents: (fds) => syncByDevice(fds, (fd) => fstatSync(fd).dev, syncfs, fsyncEach.contents),
    renames: (dirs) =>
      syncByDevice(
        dirs,
        (dir) => {
          let dev = deviceOfDir.get(dir);
          if (dev === undefined) deviceOfDir.set(dir, (dev = deviceOf(dir)));
          return dev;
        },
        (dir) => syncfsOfDirectory(dir, syncfs),
        fsyncEach.renames,
      ),
  };
}

/** How a thread that saves batches makes them durable: syncfs where the system has it (Linux, Bun), else fsyncEach. */
export function batchDurability(): Durability {
  const syncfs = openSyncfs();
  return syncfs === null ? fsyncEach : syncfsDurability(syncfs);
}

/** One syncfs per device among `items`; the items of a device where it fails go through `fallback`. Results in the order of `items`. */
async function syncByDevice<T>(items: readonly T[], deviceOfItem: (item: T) => number, syncfsOf: (item: T) => number, fallback: (items: readonly T[]) => Promise<readonly unknown[]>): Promise<readonly unknown[]> {
  const results: unknown[] = items.map(() => undefined);
  for (const members of groupBy(items, deviceOfItem).values()) {
    if (syncfsOf(items[members[0]!]!) === 0) continue;
    const failures = await fallback(members.map((i) => items[i]!));
    members.forEach((i, k) => (results[i] = failures[k]));
  }
  return results;
}

/** Indexes of `items` grouped by key, in order. */
function groupBy<T>(items: readonly T[], keyOf: (item: T) => number): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  items.forEach((item, i) => {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  });
  return groups;
}

/** syncfs of the file system holding `dir`; -1 when the directory cannot be opened (fsyncEach then reports why). */
function syncfsOfDirectory(dir: string, syncfs: (fd: number) => number): number {
  let fd: number;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch {
    return -1;
  }
  try {
    return syncfs(fd);
  } finally {
    closeSync(fd);
  }
}

/** -1 for a directory that cannot be stat-ed: its own fsync then reports why. */
function deviceOf(dir: string): number {
  try {
    return statSync(dir).dev;
  } catch {
    return -1;
  }
}
