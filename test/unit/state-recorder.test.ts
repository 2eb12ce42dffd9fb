import { afterEach, describe, expect, test } from "bun:test";
import { makeTask } from "../helpers/make-task.ts";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import type { TaskOutcome } from "../../src/execute/outcome.ts";
import { taskId, type Task } from "../../src/plan/task.ts";
import { fsyncEach, type Durability } from "../../src/state/atomic-write.ts";
import { withLock } from "../../src/state/lock.ts";
import { loadState, stateFilePath } from "../../src/state/state-file.ts";
import { StateRecorder, type StateRecorderOptions } from "../../src/state/state-recorder.ts";
import { lockExists } from "../helpers/lock-file.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), "state-recorder-"));
  dirs.push(dir);
  return dir;
}

function task(dir: string, place: string, phase: string, kind: Task["kind"] = "phase"): Task {
  return makeTask(place, phase, { place: { name: place, dir, ...(place === "//" ? {} : { workspace: place }) }, cwd: dir, kind, ggenCacheKey: `ggen-${phase}` });
}

const success: TaskOutcome = { kind: "success", retriesUsed: 0, startedMs: 1000, durationMs: 5 };
const cached: TaskOutcome = { kind: "cached", startedMs: 2000, durationMs: 1 };
const failed: TaskOutcome = { kind: "failed", command: "false", exitCode: 1, signal: null, stderrTail: [], message: "exit 1", allowed: false, startedMs: 3000, durationMs: 2 };

function recorder(root: string, extra: Partial<StateRecorderOptions> = {}) {
  const errors: string[] = [];
  const warnings: string[] = [];
  const state = new StateRecorder({ runId: "run-1", historyLimit: 1000, rootDir: root, onError: (m) => errors.push(m), onWarning: (m) => warnings.push(m), ...extra });
  return { state, errors, warnings };
}

describe("StateRecorder", () => {
  test("record returns before anything is written; flush resolves once every place's records are on disk, in order", async () => {
    const root = tempRoot();
    const places = ["a", "b", "c", "d"].map((name) => ({ name, dir: join(root, name) }));
    const { state, errors } = recorder(root);
    for (let i = 0; i < 6; i++) for (const p of places) state.record(task(p.dir, p.name, `p${i}`), success);
    expect(places.some((p) => existsSync(stateFilePath(p.dir)))).toBe(false);
    await state.flush();
    expect(errors).toEqual([]);
    for (const p of places) {
      const { state: saved } = await loadState(p.dir);
      expect(saved.phase_history.map((r) => r.phase)).toEqual(["p0", "p1", "p2", "p3", "p4", "p5"]);
      expect(saved.phase_history.every((r) => r.place === p.name && r.run_id === "run-1")).toBe(true);
    }
  });

  test("what a record holds: cached gets exit_code 0, the cache key passed in wins over ggen's, failures keep no key", async () => {
    const dir = tempRoot();
    const { state } = recorder(dir);
    state.record(task(dir, "//", "build"), cached, "fingerprint-1");
    state.record(task(dir, "//", "lint"), success);
    state.record(task(dir, "//", "test"), failed, "fingerprint-2");
    state.record(task(dir, "//", "before_test", "hook"), success);
    state.record(task(dir, "//", "deploy"), { kind: "skipped", reason: "dependency failed" });
    await state.flush();
    const { state: saved } = await loadState(dir);
    expect(saved.phase_history.map(({ phase, status, exit_code, success: ok }) => ({ phase, status, exit_code, ok }))).toEqual([
      { phase: "build", status: "cached", exit_code: 0, ok: true },
      { phase: "lint", status: "success", exit_code: 0, ok: true },
      { phase: "test", status: "failed", exit_code: 1, ok: false },
    ]);
    expect(saved.cache_keys).toEqual([
      { phase: "build", key: "fingerprint-1" },
      { phase: "lint", key: "ggen-lint" },
    ]);
    expect(saved.last_phase).toBe("lint");
  });

  test("records made together go into one save (no backup written yet)", async () => {
    const dir = tempRoot();
    const { state } = recorder(dir);
    for (let i = 0; i < 20; i++) state.record(task(dir, "//", `p${i}`), success);
    await state.flush();
    expect((await loadState(dir)).state.phase_history.length).toBe(20);
    expect(readdirSync(join(dir, ".ggen")).sort()).toEqual(["state.json"]);
  });

  test("records arriving while a save of their place is under way follow it in the next save, in order", async () => {
    const dir = tempRoot();
    let saving!: () => void;
    const started = new Promise<void>((resolve) => (saving = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // The first save stops before its temp file is made durable, until the test has recorded more.
    const durability: Durability = {
      contents: async (fds) => {
        saving();
        await gate;
        return fsyncEach.contents(fds);
      },
      renames: fsyncEach.renames,
    };
    const { state, errors } = recorder(dir, { durability });
    state.record(task(dir, "//", "first"), success);
    await started;
    for (const phase of ["second", "third"]) state.record(task(dir, "//", phase), success);
    release();
    await state.flush();
    expect(errors).toEqual([]);
    expect((await loadState(dir)).state.phase_history.map((r) => r.phase)).toEqual(["first", "second", "third"]);
    // Two saves: the backup is the file after the first one.
    expect(JSON.parse(readFileSync(`${stateFilePath(dir)}.bak`, "utf8")).phase_history.map((r: { phase: string }) => r.phase)).toEqual(["first"]);
  });

  test("a place whose lock is held elsewhere is retried until the holder lets go, then saved with what arrived meanwhile, in order", async () => {
    const dir = tempRoot();
    const { state, errors } = recorder(dir);
    const held = withLock(dir, async () => {
      state.record(task(dir, "//", "first"), success);
      // The recorder's first attempt runs on a 0 ms timer, so it has found the lock busy before this 5 ms one fires.
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(existsSync(stateFilePath(dir))).toBe(false);
      state.record(task(dir, "//", "second"), success);
    });
    await held;
    await state.flush();
    expect(errors).toEqual([]);
    expect((await loadState(dir)).state.phase_history.map((r) => r.phase)).toEqual(["first", "second"]);
  });

  test("a lock held by a live process past the lock timeout is reported, naming the holder, and the other places are saved", async () => {
    const root = tempRoot();
    const busy = join(root, "busy");
    mkdirSync(join(busy, ".ggen"), { recursive: true });
    writeFileSync(join(busy, ".ggen", "state.lock"), JSON.stringify({ pid: process.pid, host: hostname(), started: "2026-01-01T00:00:00.000Z", procStart: null, token: "someone-else" }));
    const { state, errors } = recorder(root, { lockTimeoutMs: 20 });
    state.record(task(busy, "busy", "build"), success);
    state.record(task(join(root, "free"), "free", "build"), success);
    await state.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toStartWith(`busy/.ggen/state.lock is held by pid ${process.pid} on ${hostname()} since 2026-01-01T00:00:00.000Z`);
    expect(existsSync(stateFilePath(busy))).toBe(false);
    expect(lockExists(join(busy, ".ggen", "state.lock"))).toBe(true);
    expect((await loadState(join(root, "free"))).state.last_phase).toBe("build");
  });

  test("a place that cannot be written is reported through onError; the others are saved", async () => {
    const root = tempRoot();
    const bad = join(root, "bad");
    mkdirSync(bad);
    writeFileSync(join(bad, ".ggen"), "a file where the state directory should be");
    const { state, errors } = recorder(root, { maxBatchPlaces: 1 });
    state.record(task(bad, "bad", "build"), success);
    for (const name of ["x", "y", "z"]) state.record(task(join(root, name), name, "build"), success);
    await state.flush();
    expect(errors).toEqual(["cannot write bad/.ggen/state.lock: a parent path is not a directory"]);
    for (const name of ["x", "y", "z"]) expect((await loadState(join(root, name))).state.last_phase).toBe("build");
  });

  test("a bug in a save makes flush reject, and the place's lock is released", async () => {
    const dir = tempRoot();
    const { state } = recorder(dir, { historyLimit: -1 });
    state.record(task(dir, "//", "build"), success);
    await expect(state.flush()).rejects.toThrow("history limit must be a non-negative integer");
    expect(lockExists(join(dir, ".ggen", "state.lock"))).toBe(false);
  });
});
