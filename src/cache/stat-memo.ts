import { lstatSync, type Stats } from "node:fs";
import { sha256File, sha256Symlink } from "./file-digest.ts";

/**
 * What a file looked like when it was last hashed: [size, mtimeMs, ctimeMs, inode, hashedAtMs,
 * digest]. Compact, because a task with 10,000 inputs reads 10,000 of these on every check. The
 * digest is left out for an input file: the record's fingerprint input already holds it.
 */
export type MemoEntry = readonly [size: number, mtimeMs: number, ctimeMs: number, ino: number, hashedAtMs: number, digest?: string];

/**
 * Digests the files of one task, re-reading only those whose (size, mtime, ctime, inode) changed
 * since the last run. A file modified less than RACY_MS before it was hashed is re-hashed next time
 * (a write in the same timestamp tick would otherwise go unseen), as git does with its index.
 * Remembers only the paths asked about in this run, so deleted files drop out.
 */
export class StatMemo {
  private readonly used = new Map<string, MemoEntry>();
  private dirty = false;

  /** `knownDigests`: digests stored elsewhere for entries that leave theirs out (the previous inputs). */
  constructor(
    private readonly previous: Readonly<Record<string, MemoEntry>> = {},
    private readonly knownDigests: Readonly<Record<string, string>> = {},
  ) {}

  /** The digest of `abs` (remembered under `key`), or undefined when it does not exist. */
  digest(key: string, abs: string): string | undefined {
    // The hot loop of a cache check: one lstat per file, no options object, no allocation on a hit.
    let stat: Stats;
    try {
      stat = lstatSync(abs);
    } catch (e) {
      if ((e as { code?: unknown }).code === "ENOENT" || (e as { code?: unknown }).code === "ENOTDIR") return undefined;
      throw e;
    }
    if (stat.isDirectory()) return undefined;
    const known = this.previous[key];
    if (known !== undefined && known[0] === stat.size && known[1] === stat.mtimeMs && known[2] === stat.ctimeMs && known[3] === stat.ino && known[1] < known[4] - RACY_MS) {
      const digest = known[5] ?? this.knownDigests[key];
      if (digest !== undefined) {
        this.used.set(key, known);
        return digest;
      }
    }
    const digest = stat.isSymbolicLink() ? sha256Symlink(abs) : sha256File(abs);
    this.remember(key, stat, digest);
    return digest;
  }

  /** Records a digest the caller computed itself (a file it just wrote). */
  remember(key: string, stat: Stats, digest: string): void {
    this.used.set(key, [stat.size, stat.mtimeMs, stat.ctimeMs, stat.ino, Date.now(), digest]);
    this.dirty = true;
  }

  /** True when the entries differ from what was loaded (worth writing back). */
  get changed(): boolean {
    return this.dirty || this.used.size !== Object.keys(this.previous).length;
  }

  /** The entries to keep, digests left out where `inputs` (the new fingerprint's) holds the same one. */
  entries(inputs: Readonly<Record<string, string>> = {}): Record<string, MemoEntry> {
    const out: Record<string, MemoEntry> = {};
    for (const [key, entry] of this.used) {
      const digest = entry[5] ?? this.knownDigests[key];
      out[key] = digest !== undefined && inputs[key] === digest ? [entry[0], entry[1], entry[2], entry[3], entry[4]] : [entry[0], entry[1], entry[2], entry[3], entry[4], digest];
    }
    return out;
  }
}

const RACY_MS = 1000;
