import { type Dirent, lstatSync, readdirSync, type Stats } from "node:fs";
import type { DirReader, EntryKind, FileStat } from "./dir-reader.ts";

let current = "";

/** The portable DirReader: node:fs readdirSync (with types) and lstatSync. Works on every runtime. */
export const nodeDirReader: DirReader = {
  name: "node",
  read(dirAbs, visit) {
    let entries: Dirent[];
    try {
      entries = readdirSync(dirAbs, { withFileTypes: true });
    } catch {
      return false; // unreadable or vanished
    }
    const prefix = dirAbs.endsWith("/") ? dirAbs : `${dirAbs}/`;
    try {
      for (const entry of entries) {
        current = prefix + entry.name;
        visit(entry.name, kindOfDirent(entry));
      }
    } finally {
      current = "";
    }
    return true;
  },
  statEntry(out) {
    return nodeLstat(current, out);
  },
  lstat(path, out) {
    return nodeLstat(path, out);
  },
};

/** lstatSync into `out`; false on ENOENT/ENOTDIR, other errors thrown. */
export function nodeLstat(path: string, out: FileStat): boolean {
  let stat: Stats;
  try {
    stat = lstatSync(path);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === "ENOENT" || code === "ENOTDIR") return false;
    throw e;
  }
  out.kind = stat.isFile() ? "file" : stat.isDirectory() ? "dir" : stat.isSymbolicLink() ? "symlink" : "other";
  out.size = stat.size;
  out.mtimeMs = stat.mtimeMs;
  out.ctimeMs = stat.ctimeMs;
  out.ino = stat.ino;
  return true;
}

function kindOfDirent(entry: Dirent): EntryKind {
  return entry.isFile() ? "file" : entry.isDirectory() ? "dir" : entry.isSymbolicLink() ? "symlink" : "other";
}
