// Real ENOSPC and EROFS from a small tmpfs. Needs root and mount(8); where that is not
// available the tests are reported as skipped with the reason in their name (never silently).
import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "../../src/state/atomic-write.ts";
import { appendAudit } from "../../src/state/audit.ts";
import { loadState, recordTasks, stateFilePath } from "../../src/state/state-file.ts";
import type { RunRecord } from "../../src/state/state-types.ts";

const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) {
    spawnSync("umount", ["-l", m]);
    rmdirSync(m);
  }
});

function mountTmpfs(sizeKb: number): string | null {
  const dir = mkdtempSync(join(tmpdir(), "state-tmpfs-"));
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${sizeKb}k`, "tmpfs", dir]);
  if (r.status !== 0) {
    rmdirSync(dir);
    return null;
  }
  mounts.push(dir);
  return dir;
}

const probe = mountTmpfs(64);
const why = probe === null ? " (SKIPPED: mount -t tmpfs is not permitted here)" : "";
if (probe === null) console.warn("state-disk-errors: mount -t tmpfs not permitted; ENOSPC/EROFS tests skipped");

/** Fills the file system with 4 KiB files until ENOSPC; returns them, so the caller can free pages. */
function fill(dir: string): string[] {
  const fillers: string[] = [];
  const page = Buffer.alloc(4096, 120);
  for (let i = 0; ; i++) {
    const f = join(dir, `filler-${i}`);
    try {
      writeFileSync(f, page);
      fillers.push(f);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOSPC") throw e;
      if (existsSync(f)) unlinkSync(f);
      return fillers;
    }
  }
}

const records = (n: number, tag: string): RunRecord[] =>
  Array.from({ length: n }, (_, i) => ({ phase: `phase-${tag}-${i}`, started_ms: 1_800_000_000_000 + i, duration_ms: i, success: true, error: "x".repeat(100) }));
const opts = { historyLimit: 100_000, runId: "disk" };

describe("disk full (ENOSPC)", () => {
  test.skipIf(probe === null)(`a save that does not fit fails with a clear message and keeps the previous state${why}`, async () => {
    const dir = mountTmpfs(256)!;
    expect((await recordTasks(dir, records(5, "a"), [], opts)).ok).toBe(true);
    expect((await recordTasks(dir, records(5, "b"), [], opts)).ok).toBe(true);
    const before = readFileSync(stateFilePath(dir), "utf8");
    const backupBefore = readFileSync(`${stateFilePath(dir)}.bak`, "utf8");
    const fillers = fill(dir);
    for (const f of fillers.splice(0, 2)) unlinkSync(f); // room for the lock file, not for the state

    const r = await recordTasks(dir, records(300, "c"), [], opts);
    expect(r).toEqual({ ok: false, error: "cannot write .ggen/state.json: no space left on device" });
    expect(readFileSync(stateFilePath(dir), "utf8")).toBe(before);
    expect(readFileSync(`${stateFilePath(dir)}.bak`, "utf8")).toBe(backupBefore);
    // Nothing half-written is left beside them, apart from the spare file saves rotate through (on Bun/Linux).
    expect(readdirSync(join(dir, ".ggen")).filter((name) => name !== ".state.json.spare").sort()).toEqual(["state.json", "state.json.bak"]);
    expect((await loadState(dir)).warnings).toEqual([]);

    for (const f of fillers) unlinkSync(f);
    expect((await recordTasks(dir, records(300, "c"), [], opts)).ok).toBe(true);
    expect((await loadState(dir)).state.phase_history.length).toBe(310);
  });

  test.skipIf(probe === null)(`writeFileAtomic and appendAudit report ENOSPC by path${why}`, async () => {
    const dir = mountTmpfs(64)!;
    const file = join(dir, "s.json");
    expect((await writeFileAtomic(file, "old")).ok).toBe(true);
    fill(dir);
    expect(await writeFileAtomic(file, "x".repeat(8192), { shownPath: "s.json" })).toEqual({ ok: false, error: "cannot write s.json: no space left on device" });
    expect(readFileSync(file, "utf8")).toBe("old");
    const audit = await appendAudit(dir, { argv: [], run_id: "r", phases: [], tasks: [{ task: "//#a", commands: ["y".repeat(8192)], status: "success", exit_code: 0 }], status: "success" });
    expect(audit).toEqual({ ok: false, error: "cannot write .ggen/audit.jsonl: no space left on device" });
  });
});

describe("read-only file system (EROFS)", () => {
  test.skipIf(probe === null)(`saves fail with a clear message; loading still works and moves nothing${why}`, async () => {
    const dir = mountTmpfs(256)!;
    expect((await recordTasks(dir, records(3, "a"), [], opts)).ok).toBe(true);
    const before = readFileSync(stateFilePath(dir), "utf8");
    mkdirSync(join(dir, "ws", ".ggen"), { recursive: true });
    writeFileSync(stateFilePath(join(dir, "ws")), "{ corrupt");
    expect(spawnSync("mount", ["-o", "remount,ro", dir]).status).toBe(0);

    const r = await recordTasks(dir, records(1, "b"), [], opts);
    expect(r).toEqual({ ok: false, error: "cannot write .ggen/state.lock: read-only file system" });
    expect(await writeFileAtomic(stateFilePath(dir), "{}", { shownPath: ".ggen/state.json" })).toEqual({
      ok: false,
      error: "cannot write .ggen/state.json: read-only file system",
    });
    expect(readFileSync(stateFilePath(dir), "utf8")).toBe(before);
    expect((await loadState(dir)).state.phase_history.length).toBe(3);
    const ws = await loadState(join(dir, "ws"));
    expect(ws.warnings[0]).toMatch(/^\.ggen\/state\.json is corrupt \(invalid JSON.*\); left in place$/);
    expect(ws.state.phase_history).toEqual([]);
  });
});
