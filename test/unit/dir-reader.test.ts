import { afterEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dirReader, emptyFileStat, type DirReader, type EntryKind, type FileStat } from "../../src/runtime/dir-reader.ts";
import { openLibcDirReader } from "../../src/runtime/libc-dir-reader.ts";
import { nodeDirReader } from "../../src/runtime/node-dir-reader.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "lifecycle-dir-reader-"));
  dirs.push(dir);
  return dir;
}

const libc = openLibcDirReader();
const onLinuxBun = process.platform === "linux" && (process.arch === "x64" || process.arch === "arm64");
const readers: [string, DirReader | null][] = [
  ["node", nodeDirReader],
  ["libc", libc],
];

/** name -> [kind as listed, lstat as the reader reports it] */
function readAll(reader: DirReader, dir: string): Map<string, [EntryKind | undefined, FileStat | undefined]> {
  const out = new Map<string, [EntryKind | undefined, FileStat | undefined]>();
  const stat = emptyFileStat();
  expect(reader.read(dir, (name, kind) => out.set(name, [kind, reader.statEntry(stat) ? { ...stat } : undefined]))).toBe(true);
  return out;
}

function asNode(path: string): FileStat {
  const s = lstatSync(path);
  const kind: EntryKind = s.isFile() ? "file" : s.isDirectory() ? "dir" : s.isSymbolicLink() ? "symlink" : "other";
  return { kind, size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino };
}

test("on Bun/Linux (x64, arm64) the check reads through libc", () => {
  if (!onLinuxBun) return;
  expect(libc).not.toBeNull();
  expect(dirReader().name).toBe("libc");
});

describe.each(readers)("%s reader", (_name, maybeReader) => {
  const reader = maybeReader!;
  test.skipIf(maybeReader === null)("lists every entry but . and .., with its kind and the lstat node:fs gives", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "a.txt"), "hello");
    writeFileSync(join(dir, "é ü 😀.txt"), "utf-8 name");
    writeFileSync(join(dir, ".hidden"), "");
    mkdirSync(join(dir, "sub"));
    symlinkSync("a.txt", join(dir, "link"));
    symlinkSync("nowhere", join(dir, "dangling"));
    symlinkSync("sub", join(dir, "dirlink"));
    spawnSync("mkfifo", [join(dir, "fifo")]);
    const listed = readAll(reader, dir);
    expect([...listed.keys()].sort()).toEqual(readdirSync(dir).sort());
    for (const [name, [kind, stat]] of listed) {
      const expected = asNode(join(dir, name));
      if (kind !== undefined) expect(kind).toBe(expected.kind);
      expect(stat).toEqual(expected);
    }
    expect(listed.get("link")![0]).toBe("symlink");
    expect(listed.get("dirlink")![1]!.kind).toBe("symlink");
    expect(listed.get("sub")![1]!.kind).toBe("dir");
  });

  test.skipIf(maybeReader === null)("lstat of a path: what node:fs says; false when missing or under a file", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "f"), "12345");
    const stat = emptyFileStat();
    expect(reader.lstat(join(dir, "f"), stat)).toBe(true);
    expect({ ...stat }).toEqual(asNode(join(dir, "f")));
    expect(reader.lstat(dir, stat)).toBe(true);
    expect(stat.kind).toBe("dir");
    expect(reader.lstat(join(dir, "missing"), stat)).toBe(false);
    expect(reader.lstat(join(dir, "f", "below-a-file"), stat)).toBe(false);
    expect(() => reader.lstat(join(dir, "nul\0byte"), stat)).toThrow();
  });

  test.skipIf(maybeReader === null)("an entry removed after it was listed stats as gone", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "a"), "");
    writeFileSync(join(dir, "b"), "");
    const gone: boolean[] = [];
    const stat = emptyFileStat();
    reader.read(dir, (name) => {
      unlinkSync(join(dir, name));
      gone.push(!reader.statEntry(stat));
    });
    expect(gone).toEqual([true, true]);
  });

  test.skipIf(maybeReader === null)("a directory that cannot be listed is false, never thrown", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "file"), "");
    expect(reader.read(join(dir, "missing"), () => {})).toBe(false);
    expect(reader.read(join(dir, "file"), () => {})).toBe(false);
    expect(reader.read(`${dir}/${"x".repeat(5000)}`, () => {})).toBe(false);
  });

  test.skipIf(maybeReader === null)("a directory larger than one read (1,500 long names, ~100 KB) is listed whole", () => {
    const dir = tempDir();
    const names = Array.from({ length: 1500 }, (_, i) => `${"n".repeat(40)}-${i}`);
    for (const name of names) writeFileSync(join(dir, name), "");
    const seen: string[] = [];
    reader.read(dir, (name) => seen.push(name));
    expect(seen.sort()).toEqual(names.sort());
  });

  test.skipIf(maybeReader === null)("a visit that throws leaves the reader usable (the directory is closed)", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "a"), "");
    expect(() => reader.read(dir, () => {
      throw new Error("boom");
    })).toThrow("boom");
    expect(readAll(reader, dir).size).toBe(1);
  });
});

test.skipIf(libc === null)("the libc reader's buffers stay put (the kernel writes where they were when it started)", () => {
  // A small typed array made on its own can be moved by the engine once the code using it is
  // optimised (after ~1,000 calls): a pointer taken to it earlier then points at stale memory and
  // lstat keeps answering for an old path. A fresh process, so the optimisation happens in this test.
  const dir = tempDir();
  writeFileSync(join(dir, "f"), "12345");
  const script = `
    const { openLibcDirReader } = await import(${JSON.stringify(join(import.meta.dir, "../../src/runtime/libc-dir-reader.ts"))});
    const reader = openLibcDirReader();
    const stat = { kind: "other", size: 0, mtimeMs: 0, ctimeMs: 0, ino: 0 };
    const dir = ${JSON.stringify(dir)}, file = dir + "/f";
    let wrong = 0;
    for (let i = 0; i < 30000; i++) {
      const path = i % 100 === 99 ? dir : file;
      reader.lstat(path, stat);
      if (stat.kind !== (path === dir ? "dir" : "file")) wrong++;
    }
    const names = [];
    reader.read(dir, (name) => { reader.statEntry(stat); names.push(name + ":" + stat.size); });
    console.log(wrong + " " + names.join(","));
  `;
  const result = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
  expect(result.stderr).toBe("");
  expect(result.stdout.trim()).toBe("0 f:5");
});

test.skipIf(libc === null)("the libc reader refuses to be re-entered from a visit", () => {
  const dir = tempDir();
  mkdirSync(join(dir, "sub"));
  expect(() => libc!.read(dir, () => libc!.read(join(dir, "sub"), () => {}))).toThrow("not reentrant");
});
