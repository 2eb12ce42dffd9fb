import { afterEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { sha256Bytes } from "../../src/cache/file-digest.ts";
import { hashInputs } from "../../src/cache/hash-inputs.ts";
import { forEachMatchingFile, listMatchingFiles } from "../../src/cache/list-files.ts";
import { PACK_MIN_INPUTS, StatMemo, type MemoEntry } from "../../src/cache/stat-memo.ts";
import type { DirReader } from "../../src/runtime/dir-reader.ts";
import { openLibcDirReader } from "../../src/runtime/libc-dir-reader.ts";
import { nodeDirReader } from "../../src/runtime/node-dir-reader.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Files older than the racy window (so a memo may trust them without waiting a second). */
const PAST = new Date(Date.now() - 3_600_000);

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "lifecycle-hash-inputs-"));
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) write(dir, rel, text);
  return dir;
}

function write(dir: string, rel: string, text: string): void {
  mkdirSync(dirname(join(dir, rel)), { recursive: true });
  writeFileSync(join(dir, rel), text);
  utimesSync(join(dir, rel), PAST, PAST);
}

/**
 * write(), then touches the file's metadata again until its ctime differs from before: with coarse
 * timestamps (kernels before 6.13 use the clock tick) a rewrite right after the first write can keep
 * the same ctime, and then nothing in a stat tells the versions apart (the memo's documented limit).
 */
function rewriteMovingCtime(dir: string, rel: string, text: string): void {
  const before = statSync(join(dir, rel)).ctimeMs;
  write(dir, rel, text);
  while (statSync(join(dir, rel)).ctimeMs === before) utimesSync(join(dir, rel), PAST, PAST);
}

function manyFiles(count: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) files[`src/d${i % 7}/f${i}.txt`] = `file ${i}`;
  return files;
}

interface Check {
  readonly inputs: Readonly<Record<string, string>>;
  readonly memo: StatMemo;
  /** What the next check starts from, through JSON as a task record would store it. */
  readonly record: { memo: Record<string, MemoEntry>; inputs: Record<string, string> };
}

function check(dir: string, patterns: readonly string[], previous?: Check["record"], reader?: DirReader): Check {
  const memo = new StatMemo(previous?.memo, previous?.inputs);
  const inputs = hashInputs(dir, patterns, ["dist/**"], memo, reader);
  return { inputs, memo, record: JSON.parse(JSON.stringify({ memo: memo.entries(inputs), inputs })) };
}

/** The digests a check with no memo at all gives: the truth every memoised check must agree with. */
function fresh(dir: string, patterns: readonly string[]): Record<string, string> {
  return { ...hashInputs(dir, patterns, ["dist/**"], new StatMemo(), nodeDirReader) };
}

const libc = openLibcDirReader();
const readers: [string, DirReader | null][] = [
  ["node", nodeDirReader],
  ["libc", libc],
];

describe.each(readers)("with the %s reader", (_name, maybeReader) => {
  const reader = maybeReader!;
  test.skipIf(maybeReader === null)("lists what node:fs lists: symlinks unfollowed, skipped directories, excludes, overlapping patterns, ../ bases", () => {
    const root = tree({
      "app/src/a.ts": "a",
      "app/src/x/b.ts": "b",
      "app/src/x/b.test.ts": "t",
      "app/src/é ü.ts": "utf-8",
      "app/src/node_modules/m/i.js": "m",
      "app/src/.git/HEAD": "g",
      "app/src/.ggen/state": "s",
      "app/dist/out.js": "o",
      "app/README.md": "r",
      "shared/lib/c.ts": "c",
    });
    const app = join(root, "app");
    symlinkSync("a.ts", join(app, "src", "link.ts"));
    symlinkSync("x", join(app, "src", "dirlink"));
    symlinkSync("missing", join(app, "src", "dangling"));
    spawnSync("mkfifo", [join(app, "src", "fifo")]);
    const patterns = ["src/**", "src/*.ts", "!**/*.test.ts", "README.md", "../shared/**", "{src,lib}/x/*.ts", "missing/**"];
    const expected = ["../shared/lib/c.ts", "README.md", "src/a.ts", "src/dangling", "src/dirlink", "src/link.ts", "src/x/b.ts", "src/é ü.ts"];
    expect(listMatchingFiles(app, patterns, { reader })).toEqual(expected);
    expect(listMatchingFiles(app, patterns, { reader: nodeDirReader })).toEqual(expected);
    expect(listMatchingFiles(app, ["**"], { reader, exclude: ["dist/**"] })).toEqual(listMatchingFiles(app, ["**"], { reader: nodeDirReader, exclude: ["dist/**"] }));
    expect(listMatchingFiles(app, ["src/node_modules/**"], { reader })).toEqual(["src/node_modules/m/i.js"]);
    const digests = hashInputs(app, patterns, ["dist/**"], new StatMemo(), reader);
    expect(digests).toEqual(fresh(app, patterns));
    expect(digests["src/link.ts"]).toBe(sha256Bytes("symlink:a.ts"));
    expect(digests["src/a.ts"]).toBe(sha256Bytes("a"));
  });

  test.skipIf(maybeReader === null)("each file is handed over once, with its lstat", () => {
    const root = tree({ "src/a": "12345", "src/b/c": "" });
    const seen: [string, string | undefined, number | undefined][] = [];
    forEachMatchingFile(root, ["src/**", "src/*", "src/b/c"], { reader }, (path, stat) => seen.push([path, stat?.kind, stat?.size]), true);
    expect(seen.sort()).toEqual([["src/a", "file", 5], ["src/b/c", "file", 0]]);
  });

  for (const size of [12, PACK_MIN_INPUTS + 44]) {
    const mode = size >= PACK_MIN_INPUTS ? "packed" : "per-path";
    describe(`a memo of ${size} inputs (${mode})`, () => {
      test.skipIf(maybeReader === null)("nothing changed: the previous inputs object itself comes back, nothing is re-read", () => {
        const root = tree(manyFiles(size));
        const first = check(root, ["src/**"], undefined, reader);
        expect(first.memo.changed).toBe(true);
        if (mode === "packed") expect(Object.keys(first.record.memo)).toEqual([""]);
        else expect(Object.keys(first.record.memo)).toHaveLength(size);
        const second = check(root, ["src/**"], first.record, reader);
        expect(second.inputs).toBe(first.record.inputs);
        expect(second.memo.changed).toBe(false);
        expect(second.inputs).toEqual(fresh(root, ["src/**"]));
      });

      test.skipIf(maybeReader === null)("every kind of change is seen, and the check after it trusts the memo again", () => {
        const root = tree(manyFiles(size));
        const changes: [string, () => void][] = [
          ["content rewritten, size and mtime put back (ctime moves)", () => rewriteMovingCtime(root, "src/d1/f1.txt", "FILE 1")],
          ["replaced by rename, size and mtime the same (inode moves)", () => {
            writeFileSync(join(root, "src/d2/tmp"), "FILE 2");
            utimesSync(join(root, "src/d2/tmp"), PAST, PAST);
            renameSync(join(root, "src/d2/tmp"), join(root, "src/d2/f2.txt"));
          }],
          ["a file added", () => write(root, "src/d0/new.txt", "new")],
          ["a file deleted", () => unlinkSync(join(root, "src/d0/f0.txt"))],
          ["a file renamed", () => renameSync(join(root, "src/d1/f8.txt"), join(root, "src/d1/renamed.txt"))],
          ["a file replaced by a directory", () => {
            unlinkSync(join(root, "src/d2/f9.txt"));
            write(root, "src/d2/f9.txt/inside", "file 9");
          }],
          ["a file replaced by an empty directory", () => {
            unlinkSync(join(root, "src/d0/f7.txt"));
            mkdirSync(join(root, "src/d0/f7.txt"));
          }],
          ["a directory removed", () => rmSync(join(root, "src/d2"), { recursive: true })],
        ];
        let previous = check(root, ["src/**"], undefined, reader);
        for (const [what, change] of changes) {
          change();
          const next = check(root, ["src/**"], previous.record, reader);
          expect({ what, same: next.inputs === previous.record.inputs }).toEqual({ what, same: false });
          expect({ what, inputs: next.inputs }).toEqual({ what, inputs: fresh(root, ["src/**"]) });
          expect(next.memo.changed).toBe(true);
          const settled = check(root, ["src/**"], next.record, reader);
          expect({ what, same: settled.inputs === next.record.inputs, changed: settled.memo.changed }).toEqual({ what, same: true, changed: false });
          previous = settled;
        }
      });

      test.skipIf(maybeReader === null)("a file hashed within a second of its last write is re-read next time (racy timestamps)", () => {
        const root = tree(manyFiles(size));
        writeFileSync(join(root, "src/d1/f1.txt"), "just now");
        const first = check(root, ["src/**"], undefined, reader);
        // A rewrite in the same timestamp tick keeps size, mtime, ctime and inode: only the racy rule catches it.
        const stat = statSync(join(root, "src/d1/f1.txt"));
        writeFileSync(join(root, "src/d1/f1.txt"), "JUST NOW");
        utimesSync(join(root, "src/d1/f1.txt"), stat.atime, stat.mtime);
        const second = check(root, ["src/**"], first.record, reader);
        expect(second.inputs["src/d1/f1.txt"]).toBe(sha256Bytes("JUST NOW"));
      });
    });
  }
});

test("a packed memo still matches when the walk comes in another order (it looks paths up instead)", () => {
  const root = tree(manyFiles(PACK_MIN_INPUTS + 10));
  const first = check(root, ["src/**"]);
  const memo = new StatMemo(first.record.memo, first.record.inputs);
  expect(hashInputs(root, ["src/**"], [], memo)).toBe(first.record.inputs);
  // The same entries recorded against the inputs in reverse order: the walk no longer follows them.
  const reversed = Object.fromEntries(Object.entries(first.record.inputs).reverse());
  expect(Object.keys(reversed)).not.toEqual(Object.keys(first.record.inputs));
  const record = JSON.parse(JSON.stringify({ memo: memo.entries(reversed), inputs: reversed })) as Check["record"];
  const again = new StatMemo(record.memo, record.inputs);
  expect(hashInputs(root, ["src/**"], [], again)).toBe(record.inputs);
  expect(again.changed).toBe(false);
});

test("a packed block that does not line up with the inputs, or is damaged, is ignored: files are re-read", () => {
  const root = tree(manyFiles(PACK_MIN_INPUTS + 1));
  const first = check(root, ["src/**"]);
  const fewer = { ...first.record.inputs };
  delete fewer["src/d0/f0.txt"];
  const misaligned = new StatMemo(first.record.memo, fewer);
  expect(hashInputs(root, ["src/**"], [], misaligned)).toEqual(fresh(root, ["src/**"]));
  expect(misaligned.changed).toBe(true);
  const block = first.record.memo[""]!;
  const damaged = new StatMemo({ "": [block[0], -1, -1, -1, -1, `${block[5]!.slice(0, -8)}`] }, first.record.inputs);
  expect(hashInputs(root, ["src/**"], [], damaged)).toEqual(fresh(root, ["src/**"]));
  expect(damaged.changed).toBe(true);
});

test("the packed block never matches a file for a reader that does not know it (it is an entry with times of -1)", () => {
  const root = tree(manyFiles(PACK_MIN_INPUTS));
  const block = check(root, ["src/**"]).record.memo[""]!;
  expect(block.slice(1, 5)).toEqual([-1, -1, -1, -1]);
  expect(block[1] < block[4] - 1000).toBe(false); // the racy rule alone refuses it
});

test("entries keep outputs (remembered digests) beside the packed inputs", () => {
  const root = tree({ ...manyFiles(PACK_MIN_INPUTS), "dist/out.js": "out" });
  const first = check(root, ["src/**"]);
  const memo = new StatMemo(first.record.memo, first.record.inputs);
  expect(hashInputs(root, ["src/**"], ["dist/**"], memo)).toBe(first.record.inputs);
  memo.remember("dist/out.js", statSync(join(root, "dist/out.js")), sha256Bytes("out"));
  expect(memo.changed).toBe(true);
  const entries = JSON.parse(JSON.stringify(memo.entries(first.record.inputs))) as Record<string, MemoEntry>;
  expect(Object.keys(entries).sort()).toEqual(["", "dist/out.js"]);
  expect(entries["dist/out.js"]![5]).toBe(sha256Bytes("out"));
  const next = new StatMemo(entries, first.record.inputs);
  expect(hashInputs(root, ["src/**"], ["dist/**"], next)).toBe(first.record.inputs);
  expect(next.digest("dist/out.js", join(root, "dist/out.js"))).toBe(sha256Bytes("out"));
  expect(next.changed).toBe(false);
});
