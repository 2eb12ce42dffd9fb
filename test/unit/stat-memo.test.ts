import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256Bytes } from "../../src/cache/file-digest.ts";
import { hashInputs } from "../../src/cache/hash-inputs.ts";
import { PACKED_FIELDS, packStats, unpackStats } from "../../src/cache/packed-stats.ts";
import { PACK_MIN_INPUTS, StatMemo, type MemoEntry } from "../../src/cache/stat-memo.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const PAST = new Date(Date.now() - 3_600_000);
const TARGET = "src/f3.txt";

/** A tree of `count` old files, checked once; returns its record (through JSON) with the target's recorded digest replaced by "stale". */
function recorded(count: number): { root: string; memo: Record<string, MemoEntry>; inputs: Record<string, string> } {
  const root = mkdtempSync(join(tmpdir(), "lifecycle-stat-memo-"));
  dirs.push(root);
  mkdirSync(join(root, "src"));
  for (let i = 0; i < count; i++) {
    writeFileSync(join(root, `src/f${i}.txt`), `file ${i}`);
    utimesSync(join(root, `src/f${i}.txt`), PAST, PAST);
  }
  const memo = new StatMemo();
  const inputs = hashInputs(root, ["src/**"], [], memo);
  const record = JSON.parse(JSON.stringify({ memo: memo.entries(inputs), inputs })) as { memo: Record<string, MemoEntry>; inputs: Record<string, string> };
  // A memo hit answers with the recorded digest, a re-read with the real one: "stale" tells them apart.
  record.inputs[TARGET] = "stale";
  if (count < PACK_MIN_INPUTS) record.memo[TARGET] = record.memo[TARGET]!.slice(0, 5) as unknown as MemoEntry;
  return { root, ...record };
}

/** Changes one number (0 size, 1 mtimeMs, 2 ctimeMs, 3 ino, 4 hashedAtMs) of the target's entry, packed or not. */
function edit(record: ReturnType<typeof recorded>, field: number, change: (value: number, entry: readonly number[]) => number): void {
  const block = record.memo[""];
  if (block === undefined) {
    const entry = [...record.memo[TARGET]!] as number[];
    entry[field] = change(entry[field]!, entry);
    record.memo[TARGET] = entry as unknown as MemoEntry;
    return;
  }
  const values = unpackStats(block)!;
  const at = Object.keys(record.inputs).indexOf(TARGET) * PACKED_FIELDS;
  values[at + field] = change(values[at + field]!, [...values.subarray(at, at + PACKED_FIELDS)]);
  record.memo[""] = packStats(values, block[0]);
}

function digestOfTarget(record: ReturnType<typeof recorded>): string {
  return hashInputs(record.root, ["src/**"], [], new StatMemo(record.memo, record.inputs))[TARGET]!;
}

for (const count of [8, PACK_MIN_INPUTS + 3]) {
  describe(`${count < PACK_MIN_INPUTS ? "per-path" : "packed"} entries (${count} inputs)`, () => {
    test("an entry that matches is trusted: the recorded digest is the answer, the file is not read", () => {
      expect(digestOfTarget(recorded(count))).toBe("stale");
    });

    const fields: [string, number, (value: number, entry: readonly number[]) => number][] = [
      ["another size", 0, (v) => v + 1],
      ["another mtime", 1, (v) => v - 1],
      ["another ctime (a rewrite with its mtime put back)", 2, (v) => v - 1],
      ["another inode (replaced, size and times the same)", 3, (v) => v + 1],
      ["hashed within a second of its mtime (racy)", 4, (_v, entry) => entry[1]! + 10],
    ];
    for (const [what, field, change] of fields) {
      test(`${what}: the file is read again`, () => {
        const record = recorded(count);
        edit(record, field, change);
        expect(digestOfTarget(record)).toBe(sha256Bytes("file 3"));
      });
    }
  });
}

describe("packed blocks", () => {
  const roundTrip = (values: number[]) => {
    const block = JSON.parse(JSON.stringify(packStats(new Float64Array(values), values.length / PACKED_FIELDS))) as MemoEntry;
    return [...unpackStats(block)!];
  };

  test("every number comes back exactly: short forms, whole floats, NaN, -0, inodes and times going down", () => {
    const now = 1795491878982.2893;
    const values = [
      630, now, now, 2 ** 53 - 1, 1795491883934, // the largest safe inode
      0, -0.5, 1e300, 7, 8, // ctime of its own, inode and hashing time going down
      Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN, // no entry
      12.5, now, now, 9, 10, // a size that is not an integer: stored whole
      1, now, now, 10, Number.NaN,
      2 ** 40, -0, 0, 0, 1795491883934.75, // a hashing time with a fraction: stored whole
      3, now + 1, now + 1, 11, 1795491883935,
    ];
    expect(roundTrip(values)).toEqual(values);
    expect(Object.is(roundTrip(values)[5 * PACKED_FIELDS + 1], -0)).toBe(true);
  });

  test("a typical input set takes about 14 bytes a file (19 characters of base64)", () => {
    const values: number[] = [];
    for (let i = 0; i < 1000; i++) values.push(600 + (i % 50), 1795491878982.2893 + i, 1795491878982.2893 + i, 2216289 + i, 1795491883934 + (i >> 6));
    const block = packStats(new Float64Array(values), 1000);
    expect(block[5]!.length).toBeLessThan(1000 * 20);
    expect([...unpackStats(block)!]).toEqual(values);
  });

  test("a block cut short, with bytes left over, or not a block at all is none", () => {
    const values = new Float64Array([630, 1, 1, 5, 2000, 631, 2, 2, 6, 2000]);
    const block = packStats(values, 2);
    const text = block[5]!;
    const bytes = Buffer.from(text.slice("packed-v1:".length), "base64");
    const withBytes = (b: Buffer) => [2, -1, -1, -1, -1, `packed-v1:${b.toString("base64")}`];
    expect(unpackStats(withBytes(bytes))).toEqual(new Float64Array(values));
    expect(unpackStats(withBytes(bytes.subarray(0, bytes.length - 1)))).toBeUndefined();
    expect(unpackStats(withBytes(Buffer.concat([bytes, Buffer.from([0])])))).toBeUndefined();
    expect(unpackStats([3, -1, -1, -1, -1, text])).toBeUndefined();
    expect(unpackStats([2, 0, -1, -1, -1, text])).toBeUndefined();
    expect(unpackStats([2, -1, -1, -1, -1, text.slice(1)])).toBeUndefined();
    expect(unpackStats({ count: 2 })).toBeUndefined();
  });
});

test("a damaged record's memo or inputs (null, an array, a string) count as none: files are hashed", () => {
  const record = recorded(4);
  for (const bad of [null, [], "x", 7]) {
    const memo = new StatMemo(bad as never, bad as never);
    expect(hashInputs(record.root, ["src/**"], [], memo)[TARGET]).toBe(sha256Bytes("file 3"));
    expect(memo.changed).toBe(true);
  }
});
