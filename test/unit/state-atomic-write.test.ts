import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "../../src/state/atomic-write.ts";
import { sweepTempFiles } from "../../src/state/temp-files.ts";

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
  test("creates missing directories and writes the content", async () => {
    const file = join(tempDir(), "a", "b", "state.json");
    expect(await writeFileAtomic(file, "hello")).toEqual({ ok: true, value: undefined });
    expect(readFileSync(file, "utf8")).toBe("hello");
    expect(existsSync(`${file}.bak`)).toBe(false);
  });

  test("keeps the replaced content as <name>.bak, as a separate file from the new one", async () => {
    const file = join(tempDir(), "state.json");
    await writeFileAtomic(file, "one");
    await writeFileAtomic(file, "two");
    expect(readFileSync(`${file}.bak`, "utf8")).toBe("one");
    await writeFileAtomic(file, "three");
    expect(readFileSync(`${file}.bak`, "utf8")).toBe("two");
    expect(readFileSync(file, "utf8")).toBe("three");
    expect(statSync(file).ino).not.toBe(statSync(`${file}.bak`).ino);
  });

  test("keepBackup: false leaves any old backup alone", async () => {
    const file = join(tempDir(), "state.json");
    await writeFileAtomic(file, "one");
    await writeFileAtomic(file, "two");
    await writeFileAtomic(file, "three", { keepBackup: false });
    expect(readFileSync(`${file}.bak`, "utf8")).toBe("one");
  });

  test("sweeps temp files of dead writers and stale ones, keeps a live writer's fresh temp", async () => {
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
    expect((await writeFileAtomic(file, "x")).ok).toBe(true);
    expect(readdirSync(dir).sort()).toEqual([".other.json.1.abc.tmp", `.state.json.${process.ppid}.def456.tmp`, "state.json"]);
  });

  test("sweeps a directory once per process: a leftover that appears later waits for the next process", async () => {
    const dir = tempDir();
    const file = join(dir, "state.json");
    expect((await writeFileAtomic(file, "one")).ok).toBe(true);
    const late = join(dir, `.state.json.${DEAD_PID}.beef01.tmp`);
    writeFileSync(late, "partial");
    expect((await writeFileAtomic(file, "two")).ok).toBe(true);
    expect(existsSync(late)).toBe(true);
    await sweepTempFiles(dir, ["state.json"]);
    expect(existsSync(late)).toBe(false);
  });

  test("leaves no temp file behind on success", async () => {
    const dir = tempDir();
    for (let i = 0; i < 5; i++) await writeFileAtomic(join(dir, "s.json"), `v${i}`);
    expect(readdirSync(dir).sort()).toEqual(["s.json", "s.json.bak"]);
  });

  test("a parent that is a file gives a message naming the path (ENOTDIR), not an exception", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, ".ggen"), "I am a file");
    const r = await writeFileAtomic(join(dir, ".ggen", "state.json"), "{}", { shownPath: ".ggen/state.json" });
    expect(r).toEqual({ ok: false, error: "cannot write .ggen/state.json: a parent path is not a directory" });
  });

  test("a directory in the way gives a message naming the path (EISDIR), and the directory is untouched", async () => {
    const dir = tempDir();
    const file = join(dir, "state.json");
    mkdirSync(file);
    writeFileSync(join(file, "inside"), "precious");
    const r = await writeFileAtomic(file, "{}", { shownPath: "state.json" });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/^cannot write state\.json: /);
    expect(readFileSync(join(file, "inside"), "utf8")).toBe("precious");
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});
