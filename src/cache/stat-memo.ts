import { dirReader, emptyFileStat, type FileStat } from "../runtime/dir-reader.ts";
import { sha256File, sha256Symlink } from "./file-digest.ts";
import { PACKED_FIELDS, packStats, unpackStats } from "./packed-stats.ts";
import { RecordedInputs } from "./recorded-inputs.ts";

/**
 * What a file looked like when it was last hashed: [size, mtimeMs, ctimeMs, inode, hashedAtMs,
 * digest]. The digest is left out for an input file: the record's fingerprint input already holds
 * it. Under the key "" (never a path) is the packed block of a large input set (packed-stats.ts).
 */
export type MemoEntry = readonly [size: number, mtimeMs: number, ctimeMs: number, ino: number, hashedAtMs: number, digest?: string];

/** The part of an lstat the memo compares: a FileStat, or node's Stats. */
export type MemoStat = Pick<FileStat, "size" | "mtimeMs" | "ctimeMs" | "ino">;

/** From this many inputs on, their entries are written packed (smaller records stay readable). */
export const PACK_MIN_INPUTS = 256;
const PACKED_KEY = "";

/**
 * Digests the files of one task, re-reading only those whose (size, mtime, ctime, inode) changed
 * since the last run. A file modified less than RACY_MS before it was hashed is re-hashed next time
 * (a write in the same timestamp tick would otherwise go unseen), as git does with its index.
 * Remembers only the paths asked about in this run, so deleted files drop out.
 *
 * A packed block is matched by position: paths are asked for in the order of the last walk, which
 * is the order of the previous inputs, so the next expected path is compared first (one string
 * comparison, no hashing); any other order falls back to a map built on first need. A check that
 * finds every file in the block unchanged never builds the previous inputs' path → digest object.
 */
export class StatMemo {
  private readonly used = new Map<string, MemoEntry>();
  private dirty = false;
  private readonly stat = emptyFileStat();
  private previousCount = -1;
  private knownCount = -1;
  /** How many times `digestOf` answered with the digest the previous inputs hold for that key. */
  private knownHits = 0;
  // The packed block, if the previous record has one that lines up with the previous inputs.
  private readonly packed: Float64Array | undefined;
  private readonly hit: Uint8Array = new Uint8Array(0);
  private packedHits = 0;
  private cursor = 0;
  private positions: Map<string, number> | undefined;

  private readonly previous: Readonly<Record<string, MemoEntry>>;
  private readonly known: RecordedInputs;

  /**
   * `previous`: the entries a record kept; `knownDigests`: digests stored elsewhere for entries that
   * leave theirs out (the previous inputs, as read from a record or as an object). Anything but an
   * object (a damaged record) counts as none.
   */
  constructor(previous?: Readonly<Record<string, MemoEntry>>, knownDigests?: RecordedInputs | Readonly<Record<string, string>>) {
    this.previous = isObject(previous) ? previous : {};
    this.known = knownDigests instanceof RecordedInputs ? knownDigests : RecordedInputs.fromRecord(isObject(knownDigests) ? knownDigests : {});
    const packed = Object.hasOwn(this.previous, PACKED_KEY) ? unpackStats(this.previous[PACKED_KEY]) : undefined;
    if (packed === undefined) return;
    const count = this.known.count;
    if (count * PACKED_FIELDS !== packed.length) return; // not written with these inputs
    this.packed = packed;
    this.hit = new Uint8Array(count);
    this.knownCount = count;
  }

  /** The digest of `abs` (remembered under `key`), or undefined when it does not exist. */
  digest(key: string, abs: string): string | undefined {
    return this.digestOf(key, abs, dirReader().lstat(abs, this.stat) ? this.stat : undefined);
  }

  /**
   * The digest of `abs` given its lstat (undefined: it does not exist); a directory has none.
   * The hot loop of a cache check: a hit reads nothing and allocates nothing.
   */
  digestOf(key: string, abs: string, stat: FileStat | undefined): string | undefined {
    const found = this.lookup(key, abs, stat);
    return typeof found === "number" ? this.known.digestAt(found) : found;
  }

  /**
   * digestOf, except that a file unchanged in the packed block answers with its position there
   * (its digest is knownDigestAt(position)), so a check that finds everything unchanged never
   * decodes a digest.
   */
  lookup(key: string, abs: string, stat: FileStat | undefined): number | string | undefined {
    if (stat === undefined || stat.kind === "dir") return undefined;
    const packed = this.packed;
    if (packed !== undefined) {
      const i = this.positionOf(key);
      if (i >= 0) {
        const at = i * PACKED_FIELDS;
        if (packed[at] === stat.size && packed[at + 1] === stat.mtimeMs && packed[at + 2] === stat.ctimeMs && packed[at + 3] === stat.ino && packed[at + 1]! < packed[at + 4]! - RACY_MS && this.known.hasDigestAt(i)) {
          if (this.hit[i] === 0) {
            this.hit[i] = 1;
            this.packedHits++;
          }
          this.knownHits++;
          return i;
        }
      }
    }
    const known = this.previous[key];
    if (known !== undefined && known[0] === stat.size && known[1] === stat.mtimeMs && known[2] === stat.ctimeMs && known[3] === stat.ino && known[1] < known[4] - RACY_MS) {
      let digest = known[5];
      if (digest === undefined) {
        digest = this.known.get(key);
        if (digest !== undefined) this.knownHits++;
      }
      if (digest !== undefined) {
        this.used.set(key, known);
        return digest;
      }
    }
    const digest = stat.kind === "symlink" ? sha256Symlink(abs) : sha256File(abs);
    this.remember(key, stat, digest);
    return digest;
  }

  /** The previous inputs' digest at `position` (a number lookup answered). */
  knownDigestAt(position: number): string {
    return this.known.digestAt(position)!;
  }

  /** Records a digest the caller computed itself (a file it just wrote). */
  remember(key: string, stat: MemoStat, digest: string): void {
    this.used.set(key, [stat.size, stat.mtimeMs, stat.ctimeMs, stat.ino, Date.now(), digest]);
    this.dirty = true;
  }

  /**
   * The previous inputs, when `count` digests asked for since `hitsBefore` (a `knownHitCount()`)
   * all came from them and they hold exactly `count`: the caller's inputs are then those, unchanged.
   */
  unchangedInputs(hitsBefore: number, count: number): RecordedInputs | undefined {
    if (this.knownHits - hitsBefore !== count) return undefined;
    if (this.knownCount < 0) this.knownCount = this.known.count;
    return this.knownCount === count ? this.known : undefined;
  }

  /** A counter for unchangedInputs. */
  knownHitCount(): number {
    return this.knownHits;
  }

  /** True when the entries differ from what was loaded (worth writing back). */
  get changed(): boolean {
    if (this.previousCount < 0) {
      const keyed = Object.keys(this.previous).length;
      this.previousCount = this.packed === undefined ? keyed : keyed - 1 + this.known.count;
    }
    return this.dirty || this.used.size + this.packedHits !== this.previousCount;
  }

  /**
   * The entries to keep. `inputs` must be the inputs recorded beside them (a packed block is
   * matched to their keys by position). A digest is left out where `inputs` holds the same one;
   * from PACK_MIN_INPUTS inputs on, the inputs' entries are packed under "".
   */
  entries(inputs: Readonly<Record<string, string>> = {}): Record<string, MemoEntry> {
    const all = new Map<string, MemoEntry>(this.used);
    for (let i = 0; i < this.hit.length; i++) {
      if (this.hit[i] === 0) continue;
      const at = i * PACKED_FIELDS;
      const p = this.packed!;
      all.set(this.known.pathAt(i)!, [p[at]!, p[at + 1]!, p[at + 2]!, p[at + 3]!, p[at + 4]!, this.known.digestAt(i)!]);
    }
    const out: Record<string, MemoEntry> = {};
    const keys = Object.keys(inputs);
    const pack = keys.length >= PACK_MIN_INPUTS;
    if (pack) {
      const values = new Float64Array(keys.length * PACKED_FIELDS).fill(Number.NaN);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        const entry = all.get(key);
        if (entry === undefined || (entry[5] ?? this.known.get(key)) !== inputs[key]) continue;
        for (let f = 0; f < PACKED_FIELDS; f++) values[i * PACKED_FIELDS + f] = entry[f] as number;
        all.delete(key);
      }
      out[PACKED_KEY] = packStats(values, keys.length);
    }
    for (const [key, entry] of all) {
      const digest = entry[5] ?? this.known.get(key);
      out[key] = digest !== undefined && inputs[key] === digest ? [entry[0], entry[1], entry[2], entry[3], entry[4]] : [entry[0], entry[1], entry[2], entry[3], entry[4], digest];
    }
    return out;
  }

  /** Where `key` is in the packed block, or -1. */
  private positionOf(key: string): number {
    const next = this.cursor;
    if (next < this.known.count && this.known.pathAt(next) === key) {
      this.cursor = next + 1;
      return next;
    }
    if (this.positions === undefined) {
      this.positions = new Map();
      for (let i = 0; i < this.known.count; i++) this.positions.set(this.known.pathAt(i)!, i);
    }
    const i = this.positions.get(key);
    if (i === undefined) return -1;
    this.cursor = i + 1;
    return i;
  }
}

const RACY_MS = 1000;

function isObject<T extends object>(value: T | undefined): value is T {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
