import { closeSync, constants, fstatSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, utimesSync, writeSync, readSync } from "node:fs";
import { join } from "node:path";
import { err, ok, type Result } from "../shared/result.ts";
import { describeFsError, errnoCode } from "../state/fs-error.ts";
import { isProcessAlive } from "../state/process-identity.ts";
import { readArtifactIndex, writeArtifact, type ArtifactHeader, type ArtifactIndex } from "./artifact.ts";
import { randomHex } from "../runtime/hashing.ts";

/** One entry in the store, its header read and checked. */
export interface StoredEntry {
  readonly fingerprint: string;
  readonly path: string;
  readonly index: ArtifactIndex;
  readonly sizeBytes: number;
  readonly lastUsedMs: number;
}

/** An entry held open: read its files through `fd`, then close it. */
export interface OpenEntry extends StoredEntry {
  readonly fd: number;
}

export interface EntryInfo {
  readonly fingerprint: string;
  readonly sizeBytes: number;
  /** Bumped on every hit: the LRU clock. */
  readonly lastUsedMs: number;
}

const FINGERPRINT = /^[0-9a-f]{64}$/;
/** A temp file untouched this long belongs to nobody, whatever its pid says. */
const ORPHAN_TEMP_AGE_MS = 60 * 60 * 1000;

/**
 * The local cache store, `<root>/.ggen/cache`: one artifact per fingerprint in `entries/<fp>`.
 * Entries are written to `tmp/` and renamed into place after an fsync, so a reader (or a crash,
 * kill -9 included) sees a whole entry or none; concurrent writers of one fingerprint each rename
 * a complete file, and the last one wins. Lookups never read `tmp/`.
 */
export class LocalStore {
  readonly entriesDir: string;
  readonly tmpDir: string;
  /** When this store was opened (a run starts): an entry used since needs no second bump. */
  private readonly openedMs = Date.now();

  constructor(readonly dir: string) {
    this.entriesDir = join(dir, "entries");
    this.tmpDir = join(dir, "tmp");
  }

  /** The checked entry, ok(undefined) when there is none, err when it exists but is unusable (then removed, unless `repair` is false). */
  lookup(fingerprint: string, repair = true): Result<StoredEntry | undefined, string> {
    const opened = this.open(fingerprint, repair);
    if (!opened.ok || opened.value === undefined) return opened;
    const { fd, ...entry } = opened.value;
    closeSync(fd);
    return ok(entry);
  }

  /**
   * Like lookup, but keeps the entry open for reading its files: the caller closes `fd`. Reading
   * through the descriptor is safe even if another process replaces or evicts the entry meanwhile.
   */
  open(fingerprint: string, repair = true): Result<OpenEntry | undefined, string> {
    const path = join(this.entriesDir, fingerprint);
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch (e) {
      if (errnoCode(e) === "ENOENT" || errnoCode(e) === "ENOTDIR") return ok(undefined);
      return err(describeFsError(e, "read", path));
    }
    try {
      const stat = fstatSync(fd);
      const index = readArtifactIndex({ size: stat.size, read: (into, position) => readExactly(fd, into, position) }, fingerprint);
      if (!index.ok) {
        closeSync(fd);
        if (repair) this.remove(fingerprint);
        return err(`local cache entry ${fingerprint.slice(0, 12)} is damaged (${index.error})${repair ? "; removed" : ""}`);
      }
      return ok({ fingerprint, path, index: index.value, sizeBytes: stat.size, lastUsedMs: stat.mtimeMs, fd });
    } catch (e) {
      closeSync(fd);
      return err(describeFsError(e, "read", path));
    }
  }

  /**
   * Marks an entry as just used (LRU): once per run that uses it, so eviction order is exact between
   * runs at one utimes per hit. Errors are ignored: an entry that vanished is simply older.
   */
  touch(entry: Pick<StoredEntry, "fingerprint" | "lastUsedMs">): void {
    if (entry.lastUsedMs >= this.openedMs) return;
    const now = Date.now();
    try {
      utimesSync(join(this.entriesDir, entry.fingerprint), now / 1000, now / 1000);
    } catch {
      // evicted meanwhile by another process: nothing to bump
    }
  }

  /** Writes the artifact for `fingerprint` from files on disk. */
  save(fingerprint: string, meta: Omit<ArtifactHeader, "files" | "format">, files: readonly { path: string; abs: string }[]): Result<ArtifactHeader, string> {
    return this.writeEntry(fingerprint, (fd) => writeArtifact(fd, meta, files));
  }

  /** Stores artifact bytes fetched from a remote (already verified by the caller). */
  saveBytes(fingerprint: string, bytes: Uint8Array): Result<void, string> {
    return this.writeEntry(fingerprint, (fd) => {
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    });
  }

  /** The raw artifact bytes of an entry (to upload), or undefined when it is gone. */
  readBytes(fingerprint: string): Uint8Array | undefined {
    try {
      return readFileSync(join(this.entriesDir, fingerprint));
    } catch {
      return undefined;
    }
  }

  /** Every entry with its size and last use; unreadable names are skipped. */
  list(): EntryInfo[] {
    let names: string[];
    try {
      names = readdirSync(this.entriesDir);
    } catch {
      return [];
    }
    const out: EntryInfo[] = [];
    for (const name of names) {
      if (!FINGERPRINT.test(name)) continue;
      try {
        const stat = statSync(join(this.entriesDir, name));
        out.push({ fingerprint: name, sizeBytes: stat.size, lastUsedMs: stat.mtimeMs });
      } catch {
        // removed meanwhile
      }
    }
    return out;
  }

  /** Removes least recently used entries until the store holds at most `maxBytes`. */
  evict(maxBytes: number): { removed: number; freedBytes: number; keptBytes: number } {
    const entries = this.list().sort((a, b) => a.lastUsedMs - b.lastUsedMs);
    let total = entries.reduce((sum, e) => sum + e.sizeBytes, 0);
    let removed = 0;
    let freedBytes = 0;
    for (const entry of entries) {
      if (total <= maxBytes) break;
      this.remove(entry.fingerprint);
      total -= entry.sizeBytes;
      freedBytes += entry.sizeBytes;
      removed++;
    }
    return { removed, freedBytes, keptBytes: total };
  }

  /** Removes every entry and temp file (task records and statistics stay). */
  clean(): { removed: number; freedBytes: number } {
    const entries = this.list();
    rmSync(this.entriesDir, { recursive: true, force: true });
    rmSync(this.tmpDir, { recursive: true, force: true });
    return { removed: entries.length, freedBytes: entries.reduce((sum, e) => sum + e.sizeBytes, 0) };
  }

  /** Deletes temp files whose writer is gone (or that are over an hour old); returns how many. */
  sweepTemps(): number {
    let names: string[];
    try {
      names = readdirSync(this.tmpDir);
    } catch {
      return 0;
    }
    let swept = 0;
    const cutoff = Date.now() - ORPHAN_TEMP_AGE_MS;
    for (const name of names) {
      const match = /^[0-9a-f]{64}\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name);
      const path = join(this.tmpDir, name);
      const pid = match ? Number(match[1]) : 0;
      if (pid === process.pid) continue;
      if (pid > 0 && isProcessAlive(pid) && !olderThan(path, cutoff)) continue;
      try {
        unlinkSync(path);
        swept++;
      } catch {
        // gone already
      }
    }
    return swept;
  }

  remove(fingerprint: string): void {
    try {
      unlinkSync(join(this.entriesDir, fingerprint));
    } catch {
      // already gone
    }
  }

  private writeEntry<T>(fingerprint: string, write: (fd: number) => T): Result<T, string> {
    if (!FINGERPRINT.test(fingerprint)) throw new Error(`LocalStore: not a fingerprint: ${fingerprint}`);
    const temp = join(this.tmpDir, `${fingerprint}.${process.pid}.${randomHex(6)}.tmp`);
    let created = false;
    try {
      mkdirSync(this.tmpDir, { recursive: true });
      mkdirSync(this.entriesDir, { recursive: true });
      const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
      created = true;
      let result: T;
      try {
        result = write(fd);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, join(this.entriesDir, fingerprint));
      created = false;
      syncDirectory(this.entriesDir);
      return ok(result);
    } catch (e) {
      if (created) {
        try {
          unlinkSync(temp);
        } catch {
          // the sweep will get it
        }
      }
      return err(describeFsError(e, "write cache entry in", this.dir));
    }
  }
}

function olderThan(path: string, cutoffMs: number): boolean {
  try {
    return statSync(path).mtimeMs < cutoffMs;
  } catch {
    return false;
  }
}

/** Makes the rename durable; some file systems refuse to fsync a directory, which is fine. */
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

function readExactly(fd: number, into: Buffer, position: number): void {
  let done = 0;
  while (done < into.length) {
    const n = readSync(fd, into, done, into.length - done, position + done);
    if (n === 0) throw Object.assign(new Error("unexpected end of file"), { code: "EIO" });
    done += n;
  }
}
