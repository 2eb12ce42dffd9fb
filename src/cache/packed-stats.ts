import { Buffer } from "node:buffer";
import type { MemoEntry } from "./stat-memo.ts";

/** Numbers per file in a packed block: size, mtimeMs, ctimeMs, ino, hashedAtMs (a MemoEntry without its digest). */
export const PACKED_FIELDS = 5;

const TAG = "packed-v1:";

/**
 * The stat memo of a large input set as one memo entry, in the order of the keys of the record's
 * `inputs`. Parsing 10,000 five-number arrays and 10,000 keys costs several ms on every check, and
 * on this project's VM every fresh page of a large string costs a page fault (~10 µs), so the
 * block is also small: per file a flag byte, the size as a varint, mtime as a float64, ctime only
 * when it differs from mtime, and inode and hashing time as varint differences from the file
 * before (about 14 bytes a file instead of 40; base64 in the record). NaN marks a file with no
 * entry (it never matches a stat). Numbers that do not fit the short form are stored whole.
 *
 * It is shaped as an ordinary entry that can never match a file (times of -1 are never older than
 * their hashing), so a reader that does not know the format simply finds no memo for its inputs.
 */
export function packStats(values: Float64Array, count: number): MemoEntry {
  const out = new ByteWriter(count * 16);
  let ino = 0;
  let hashedAt = 0;
  for (let i = 0; i < count; i++) {
    const at = i * PACKED_FIELDS;
    const size = values[at]!;
    const mtimeMs = values[at + 1]!;
    const ctimeMs = values[at + 2]!;
    const inoDelta = values[at + 3]! - ino;
    const hashedDelta = values[at + 4]! - hashedAt;
    if (Number.isNaN(size)) {
      out.byte(ABSENT);
    } else if (isCount(size) && isDelta(inoDelta, values[at + 3]!) && isDelta(hashedDelta, values[at + 4]!) && !Number.isNaN(mtimeMs) && !Number.isNaN(ctimeMs)) {
      out.byte((Object.is(ctimeMs, mtimeMs) ? 0 : OWN_CTIME) | (inoDelta < 0 ? INO_DOWN : 0) | (hashedDelta < 0 ? HASHED_DOWN : 0));
      out.varint(size);
      out.float(mtimeMs);
      if (!Object.is(ctimeMs, mtimeMs)) out.float(ctimeMs);
      out.varint(Math.abs(inoDelta));
      out.varint(Math.abs(hashedDelta));
      ino = values[at + 3]!;
      hashedAt = values[at + 4]!;
    } else {
      out.byte(RAW);
      for (let f = 0; f < PACKED_FIELDS; f++) out.float(values[at + f]!);
    }
  }
  return [count, -1, -1, -1, -1, TAG + out.done().toString("base64")];
}

/** The numbers of a packed block, or undefined when `entry` is not one or is damaged. */
export function unpackStats(entry: unknown): Float64Array | undefined {
  if (!Array.isArray(entry) || entry.length !== 6) return undefined;
  const [count, mtimeMs, ctimeMs, ino, hashedAtMs, text] = entry as unknown[];
  if (!isCount(count) || mtimeMs !== -1 || ctimeMs !== -1 || ino !== -1 || hashedAtMs !== -1) return undefined;
  if (typeof text !== "string" || !text.startsWith(TAG)) return undefined;
  const bytes = Buffer.from(text.slice(TAG.length), "base64");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float64Array(count * PACKED_FIELDS);
  let pos = 0;
  let lastIno = 0;
  let lastHashed = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (pos >= bytes.length || scale > 2 ** 56) throw new RangeError("damaged");
      const b = bytes[pos++]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
  };
  const float = (): number => {
    if (pos + 8 > bytes.length) throw new RangeError("damaged");
    const value = view.getFloat64(pos, true);
    pos += 8;
    return value;
  };
  try {
    for (let i = 0; i < count; i++) {
      const at = i * PACKED_FIELDS;
      if (pos >= bytes.length) return undefined;
      const flags = bytes[pos++]!;
      if (flags === ABSENT) {
        values.fill(Number.NaN, at, at + PACKED_FIELDS);
      } else if (flags === RAW) {
        for (let f = 0; f < PACKED_FIELDS; f++) values[at + f] = float();
      } else if ((flags & ~(OWN_CTIME | INO_DOWN | HASHED_DOWN)) === 0) {
        values[at] = varint();
        const mtime = float();
        values[at + 1] = mtime;
        values[at + 2] = flags & OWN_CTIME ? float() : mtime;
        lastIno += flags & INO_DOWN ? -varint() : varint();
        lastHashed += flags & HASHED_DOWN ? -varint() : varint();
        values[at + 3] = lastIno;
        values[at + 4] = lastHashed;
      } else return undefined;
    }
  } catch {
    return undefined; // ran past the end: damaged
  }
  return pos === bytes.length ? values : undefined;
}

// Flag byte of one file. RAW and ABSENT use bits no short form sets.
const OWN_CTIME = 1;
const INO_DOWN = 2;
const HASHED_DOWN = 4;
const RAW = 0x40;
const ABSENT = 0x80;

/** A non-negative integer that a varint carries exactly. */
function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** A difference that a sign bit and a varint carry exactly, and that adds back to `value` exactly. */
function isDelta(delta: number, value: number): boolean {
  return Number.isSafeInteger(delta) && Number.isSafeInteger(value);
}

/** A growing byte buffer. */
class ByteWriter {
  private bytes: Buffer;
  private view: DataView;
  private length = 0;

  constructor(capacity: number) {
    this.bytes = Buffer.alloc(Math.max(capacity, 64));
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  }

  byte(value: number): void {
    this.room(1);
    this.bytes[this.length++] = value;
  }

  varint(value: number): void {
    this.room(8);
    while (value >= 0x80) {
      this.bytes[this.length++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.bytes[this.length++] = value;
  }

  float(value: number): void {
    this.room(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
  }

  done(): Buffer {
    return this.bytes.subarray(0, this.length);
  }

  private room(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = Buffer.alloc(this.bytes.length * 2 + extra);
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
  }
}
