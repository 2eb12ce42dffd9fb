import { closeSync, constants, fstatSync, fsyncSync, openSync, statSync } from "node:fs";
import type { Durability } from "./atomic-write.ts";

/**
 * Durability for a group of replacements through syncfs: one call per file system makes every temp
 * file's content durable, one more every rename, however many files the group has (an fsync per file
 * and per directory costs a journal commit each). Blocks the calling thread: for the state writer
 * thread only. A file system where syncfs fails falls back to an fsync per item, which reports
 * its own errors.
 */
export function syncfsDurability(syncfs: (fd: number) => number): Durability {
  const deviceOfDir = new Map<string, number>();
  return {
    contents: async (fds) => {
      const byDevice = groupBy(fds, (fd) => fstatSync(fd).dev);
      const results: unknown[] = fds.map(() => undefined);
      for (const members of byDevice.values()) {
        if (syncfs(fds[members[0]!]!) === 0) continue;
        for (const i of members) results[i] = fsyncQuietly(fds[i]!);
      }
      return results;
    },
    renames: async (dirs) => {
      const results: unknown[] = dirs.map(() => undefined);
      const byDevice = groupBy(dirs, (dir) => {
        let dev = deviceOfDir.get(dir);
        if (dev === undefined) deviceOfDir.set(dir, (dev = deviceOf(dir)));
        return dev;
      });
      for (const members of byDevice.values()) {
        if (withDirectory(dirs[members[0]!]!, (fd) => syncfs(fd)) === 0) continue;
        for (const i of members) results[i] = withDirectory(dirs[i]!, fsyncQuietly);
      }
      return results;
    },
  };
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

function fsyncQuietly(fd: number): unknown {
  try {
    fsyncSync(fd);
    return undefined;
  } catch (e) {
    return e;
  }
}

function withDirectory<T>(dir: string, use: (fd: number) => T): T | unknown {
  let fd: number;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (e) {
    return e;
  }
  try {
    return use(fd);
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
