import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "../../src/state/atomic-write.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "state-atomic-"));
  dirs.push(dir);
  return dir;
}
/** A pid above Linux's maximum pid_max (2^22), so no process can have it. */
const DEAD_PID = 4_194_305;

describe("writeFileAtomic", () => {
  test("creates missing directories and writes the content", () => {
    const file = join(tempDir(), "a", "b", "state.json");
    expect(writeFileAtomic(file, "hello")).toEqual({ ok: true, value: undefined });
    expect(readFileSync(file, "utf8")).toBe("hello");
    expect(existsSync(`${file}.bak`)).toBe(false);
  });

  test("keeps the replaced content as <name>.bak, as a separate file from the new one", () => {
    const file = join(tempDir(), "state.json");
    writeFileAtomic(file, "one");
    writeFileAtomic(file, "two");
    expect(readFileSync(`${file}.bak`, "utf8")).toBe("one");
    writeFileAtomic(file, "three");
    expect(readFileSync(`${file}.bak`, "utf8")).toBe("two");
    expect(readFileSync(file, "utf8")).toBe("three");
    expect(statSync(file).ino).not.toBe(statSync(`${file}.bak`).ino);
  });

  test("keepBackup: false leaves any old backup alone", () => {
    const file = join(tempDir(), "state.json");
    writeFileAtomic(file, "one");
    writeFileAtomic(file, "two");
    writeFileAtomic(file, "three", { keepBackup: false });
    expect(readFileSync(`${file}.bak`, "utf8")).toBe("one");
  });

  test("sweeps temp files of dead writers and stale ones, keeps a live writer's fresh temp", () => {
    const dir = tempDir();
    const file = join(dir, "state.json");
    const dead = join(dir, `.state.json.${DEAD_PID}.abc123.tmp`);
    const deadBackup = join(dir, `.state.json.${DEAD_PID}.abc123b.tmp`);
    const live = join(dir, `.state.json.${process.ppid}.def456.tmp`);
    const oldLive = join(dir, `.state.json.${process.ppid}.0a0a0a.tmp`);
    const unrelated = join(dir, ".other.json.1.abc.tmp");
    for (const f of [dead, deadBackup, live, oldLive, unrelated]) writeFileSync(f, "partial");
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(oldLive, twoHoursAgo, twoHoursAgo);
    expect(writeFileAtomic(file, "x").ok).toBe(true);
    expect(readdirSync(dir).sort()).toEqual([".other.json.1.abc.tmp", `.state.json.${process.ppid}.def456.tmp`, "state.json"]);
  });

  test("leaves no temp file behind on success", () => {
    const dir = tempDir();
    for (let i = 0; i < 5; i++) writeFileAtomic(join(dir, "s.json"), `v${i}`);
    expect(readdirSync(dir).sort()).toEqual(["s.json", "s.json.bak"]);
  });

  test("a parent that is a file gives a message naming the path (ENOTDIR), not an exception", () => {
    const dir = tempDir();
    writeFileSync(join(dir, ".ggen"), "I am a file");
    const r = writeFileAtomic(join(dir, ".ggen", "state.json"), "{}", { shownPath: ".ggen/state.json" });
    expect(r).toEqual({ ok: false, error: "cannot write .ggen/state.json: a parent path is not a directory" });
  });

  test("a directory in the way gives a message naming the path (EISDIR), and the directory is untouched", () => {
    const dir = tempDir();
    const file = join(dir, "state.json");
    mkdirSync(file);
    writeFileSync(join(file, "inside"), "precious");
    const r = writeFileAtomic(file, "{}", { shownPath: "state.json" });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/^cannot write state\.json: /);
    expect(readFileSync(join(file, "inside"), "utf8")).toBe("precious");
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});
