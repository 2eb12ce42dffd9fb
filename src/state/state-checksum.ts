import { fastHash64 } from "../runtime/hashing.ts";

/**
 * The last key of a state file lifecycle wrote: how many history records and cache keys it holds, and
 * a hash of every byte before the key and of those two counts. A save that finds it intact knows the
 * file is exactly what serializeState wrote, so it appends by splicing bytes (append-in-place.ts)
 * instead of parsing and re-printing the whole history. Any other file (ggen's, edited, damaged) is
 * parsed as before.
 */
const CHECKSUM_KEY = ',\n  "checksum": "';
const CHECKSUM_END = '"\n}';
const CHECKSUM_VALUE = /^records=(\d+) keys=(\d+) wyhash=([0-9a-f]{16})$/;

/** What an intact checksum says about the bytes before it. */
export interface Checksummed {
  /** Where the checksum key starts: the file's JSON object without its closing. */
  readonly bodyEnd: number;
  readonly records: number;
  readonly keys: number;
}

/** `body` (a pretty-printed state without its closing "\n}") closed with its checksum; closed plainly where no hash is to be had (off Bun). */
export function closeWithChecksum(body: string, records: number, keys: number): string {
  const hash = fastHash64(body);
  return hash === null ? `${body}\n}` : `${body}${checksumLine(withCounts(hash, records, keys), records, keys)}`;
}

/** The same for bytes; null where no hash is to be had. */
export function closeBytesWithChecksum(body: Uint8Array, records: number, keys: number): Uint8Array | null {
  const hash = fastHash64(body);
  return hash === null ? null : Buffer.concat([body, Buffer.from(checksumLine(withCounts(hash, records, keys), records, keys))]);
}

/** The checksum at the end of `bytes` if it is there and matches the bytes before it; else null. */
export function readChecksum(bytes: Buffer): Checksummed | null {
  if (bytes.length < CHECKSUM_END.length || bytes.toString("latin1", bytes.length - CHECKSUM_END.length) !== CHECKSUM_END) return null;
  const bodyEnd = bytes.lastIndexOf(CHECKSUM_KEY);
  if (bodyEnd < 0) return null;
  const value = CHECKSUM_VALUE.exec(bytes.toString("latin1", bodyEnd + CHECKSUM_KEY.length, bytes.length - CHECKSUM_END.length));
  if (value === null) return null;
  const records = Number(value[1]);
  const keys = Number(value[2]);
  const hash = fastHash64(bytes.subarray(0, bodyEnd));
  if (hash === null || withCounts(hash, records, keys) !== value[3]) return null;
  return { bodyEnd, records, keys };
}

/** The body's hash bound to the counts, so a changed count fails the check like a changed byte. */
function withCounts(bodyHash: string, records: number, keys: number): string {
  return fastHash64(`${bodyHash} records=${records} keys=${keys}`)!;
}

function checksumLine(hash: string, records: number, keys: number): string {
  return `${CHECKSUM_KEY}records=${records} keys=${keys} wyhash=${hash}${CHECKSUM_END}`;
}
