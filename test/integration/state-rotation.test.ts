import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openExchangeFiles } from "../../src/runtime/rename-exchange.ts";
import { loadState, recordTasks, stateFilePath } from "../../src/state/state-file.ts";
import type { RunRecord } from "../../src/state/state-types.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "lifecycle-rotation-"));
  dirs.push(dir);
  return dir;
}

const record = (phase: string): RunRecord => ({ phase, started_ms: 1_800_000_000_000, duration_ms: 1, success: true });
const opts = { historyLimit: 1000, runId: "rotation" };

describe.if(process.platform === "linux")("state files rotate through three files (renameat2 exchange)", () => {
  test("swaps two files in one step; a missing one is ENOENT", () => {
    const dir = tempDir();
    const [a, b] = [join(dir, "a"), join(dir, "b")];
    writeFileSync(a, "first");
    writeFileSync(b, "second");
    const exchange = openExchangeFiles();
    expect(exchange).not.toBeNull();
    expect(exchange!(a, b)).toBe("done");
    expect([readFileSync(a, "utf8"), readFileSync(b, "utf8")]).toEqual(["second", "first"]);
    expect(() => exchange!(a, join(dir, "missing"))).toThrow(expect.objectContaining({ code: "ENOENT" }));
  });

  test("each save leaves the new state in state.json and the one before in .bak, and from the third save on creates and deletes no file", async () => {
    const dir = tempDir();
    const file = stateFilePath(dir);
    const names = [file, `${file}.bak`, join(dir, ".ggen", ".state.json.spare")];
    const inodes = (): number[] => names.map((name) => statSync(name).ino).sort();
    let seen: number[] | undefined;
    for (let save = 1; save <= 6; save++) {
      expect((await recordTasks(dir, [record(`p${save}`)], [], opts)).ok).toBe(true);
      expect(JSON.parse(readFileSync(file, "utf8")).phase_history.map((r: RunRecord) => r.phase)).toEqual(Array.from({ length: save }, (_, i) => `p${i + 1}`));
      if (save >= 2) expect(JSON.parse(readFileSync(`${file}.bak`, "utf8")).phase_history.length).toBe(save - 1);
      if (save < 3) continue;
      seen ??= inodes();
      expect(inodes()).toEqual(seen); // the same three files, only their names move
    }
    expect((await loadState(dir)).warnings).toEqual([]);
  });

  test("a spare longer than the new content is cut to it: the saved file has no old tail", async () => {
    const dir = tempDir();
    const file = stateFilePath(dir);
    for (let save = 1; save <= 3; save++) expect((await recordTasks(dir, [record(`p${save}`)], [], opts)).ok).toBe(true);
    const spare = join(dir, ".ggen", ".state.json.spare");
    writeFileSync(spare, `${"x".repeat(100_000)}\n`); // the spare is overwritten in place, not truncated first
    expect((await recordTasks(dir, [record("p4")], [], opts)).ok).toBe(true);
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain("xxx");
    expect(JSON.parse(text).phase_history.map((r: RunRecord) => r.phase)).toEqual(["p1", "p2", "p3", "p4"]);
  });
});
