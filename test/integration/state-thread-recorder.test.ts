import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import type { TaskOutcome } from "../../src/execute/outcome.ts";
import { openSyncfs } from "../../src/runtime/libc.ts";
import { fsyncEach } from "../../src/state/atomic-write.ts";
import { createStateRecorder, THREAD_MIN_PLACES } from "../../src/state/create-recorder.ts";
import { commitBatch } from "../../src/state/state-batch.ts";
import { loadState, stateFilePath } from "../../src/state/state-file.ts";
import { StateRecorder, type StateRecorderOptions } from "../../src/state/state-recorder.ts";
import { syncfsDurability } from "../../src/state/syncfs-durability.ts";
import { ThreadStateRecorder } from "../../src/state/thread-state-recorder.ts";
import { makeTask } from "../helpers/make-task.ts";
import { lockExists } from "../helpers/lock-file.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), "state-thread-"));
  dirs.push(dir);
  return dir;
}

/** The pid of a process that has exited. */
function deadPid(): number {
  return Number(spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" }).stdout.trim());
}

const success: TaskOutcome = { kind: "success", retriesUsed: 0, startedMs: 1000, durationMs: 5 };

function places(root: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => join(root, `ws${i}`));
}

function options(root: string, extra: Partial<StateRecorderOptions> = {}) {
  const errors: string[] = [];
  const warnings: string[] = [];
  return { errors, warnings, options: { runId: "run-t", historyLimit: 1000, rootDir: root, onError: (m: string) => errors.push(m), onWarning: (m: string) => warnings.push(m), ...extra } };
}

describe("ThreadStateRecorder (the state writer thread)", () => {
  test("at the flush the writer hands waiting places back to this thread; records made meanwhile keep every place's order", async () => {
    const root = tempRoot();
    const dirsOf = places(root, 300);
    const { errors, options: o } = options(root);
    const state = new ThreadStateRecorder(o);
    const record = (dir: string, phase: string) => state.record(makeTask("ws", phase, { place: { name: "ws", dir, workspace: "ws" } }), success);
    for (const phase of ["a", "b"]) for (const dir of dirsOf) record(dir, phase);
    const flushed = state.flush();
    for (const dir of dirsOf) record(dir, "c"); // while the hand-over is under way
    await flushed;
    expect(errors).toEqual([]);
    expect(state.placesTakenOver()).toBeGreaterThan(0);
    for (const dir of dirsOf) expect((await loadState(dir)).state.phase_history.map((r) => r.phase)).toEqual(["a", "b", "c"]);
  });

  test("records made during the hand-over that fill a whole message to the writer are still waited for", async () => {
    const root = tempRoot();
    const dirsOf = places(root, 64); // one full message: sent at once, nothing left unsent when the flush looks
    const { errors, options: o } = options(root);
    const state = new ThreadStateRecorder(o);
    const flushed = state.flush(); // nothing waits in the writer: it hands back no place, so all of these go to it
    for (const dir of dirsOf) state.record(makeTask("ws", "late", { place: { name: "ws", dir, workspace: "ws" } }), success);
    await flushed;
    expect(errors).toEqual([]);
    expect(state.placesTakenOver()).toBe(0);
    for (const dir of dirsOf) expect((await loadState(dir)).state.phase_history.map((r) => r.phase)).toEqual(["late"]);
  });

  test("saves every place's records in order; a second run keeps the first file as the backup", async () => {
    const root = tempRoot();
    const dirsOf = places(root, 40);
    for (const run of ["first", "second"]) {
      const { errors, options: o } = options(root);
      const state = new ThreadStateRecorder(o);
      for (const dir of dirsOf) for (const phase of ["a", "b"]) state.record(makeTask("ws", `${run}-${phase}`, { place: { name: "ws", dir, workspace: "ws" } }), success);
      await state.flush();
      expect(errors).toEqual([]);
    }
    for (const dir of dirsOf) {
      expect((await loadState(dir)).state.phase_history.map((r) => r.phase)).toEqual(["first-a", "first-b", "second-a", "second-b"]);
      expect(JSON.parse(readFileSync(`${stateFilePath(dir)}.bak`, "utf8")).phase_history).toHaveLength(2);
      expect(readdirSync(join(dir, ".ggen")).sort()).toEqual(["state.json", "state.json.bak"]);
    }
  });

  test("a place that cannot be written is reported back on this thread; the others are saved", async () => {
    const root = tempRoot();
    const bad = join(root, "bad");
    mkdirSync(bad);
    writeFileSync(join(bad, ".ggen"), "a file where the state directory should be");
    const { errors, options: o } = options(root);
    const state = new ThreadStateRecorder(o);
    state.record(makeTask("bad", "build", { place: { name: "bad", dir: bad, workspace: "bad" } }), success);
    const good = places(root, 3);
    for (const dir of good) state.record(makeTask("ws", "build", { place: { name: "ws", dir, workspace: "ws" } }), success);
    await state.flush();
    expect(errors).toEqual(["cannot write bad/.ggen/state.lock: a parent path is not a directory"]);
    for (const dir of good) expect((await loadState(dir)).state.last_phase).toBe("build");
  });

  test("a bug in the thread's save makes flush reject with it", async () => {
    const root = tempRoot();
    const { options: o } = options(root, { historyLimit: -1 });
    const state = new ThreadStateRecorder(o);
    state.record(makeTask("ws", "build", { place: { name: "ws", dir: join(root, "ws"), workspace: "ws" } }), success);
    await expect(state.flush()).rejects.toThrow("history limit must be a non-negative integer");
    expect(lockExists(join(root, "ws", ".ggen", "state.lock"))).toBe(false);
  });

  test("runs with many places get the thread, small runs save on the calling thread", () => {
    const root = tempRoot();
    const { options: o } = options(root);
    expect(createStateRecorder(o, THREAD_MIN_PLACES - 1)).toBeInstanceOf(StateRecorder);
    const threaded = createStateRecorder(o, THREAD_MIN_PLACES);
    expect(threaded).toBeInstanceOf(process.platform === "linux" ? ThreadStateRecorder : StateRecorder);
    return threaded.flush();
  });
});

describe("commitBatch with syncfs durability", () => {
  const syncfs = openSyncfs();

  test.skipIf(syncfs === null)("writes each place atomically with its backup, like one save per place", async () => {
    const root = tempRoot();
    const batch = places(root, 5).map((dir, i) => ({ dir, records: [{ phase: `p${i}`, started_ms: 1, duration_ms: 1, success: true }], cacheKeys: [] }));
    const durability = syncfsDurability(syncfs!);
    for (let round = 0; round < 2; round++) {
      const results = await commitBatch(batch, durability, { historyLimit: 10, runId: "r", rootDir: root });
      expect(results.map((r) => r.kind)).toEqual(["saved", "saved", "saved", "saved", "saved"]);
    }
    for (const [i, save] of batch.entries()) {
      expect((await loadState(save.dir)).state.phase_history.map((r) => r.phase)).toEqual([`p${i}`, `p${i}`]);
      expect(readdirSync(join(save.dir, ".ggen")).sort()).toEqual(["state.json", "state.json.bak"]);
    }
  });

  test("a file system where syncfs fails falls back to an fsync per file and directory", async () => {
    const root = tempRoot();
    const calls: number[] = [];
    const failing = syncfsDurability((fd) => {
      calls.push(fd);
      return -1;
    });
    const batch = places(root, 3).map((dir) => ({ dir, records: [{ phase: "build", started_ms: 1, duration_ms: 1, success: true }], cacheKeys: [] }));
    const results = await commitBatch(batch, failing, { historyLimit: 10, runId: "r", rootDir: root });
    expect(results.map((r) => r.kind)).toEqual(["saved", "saved", "saved"]);
    expect(calls).toHaveLength(2); // one for the contents, one for the renames: all on one file system
    for (const save of batch) expect((await loadState(save.dir)).state.last_phase).toBe("build");
  });

  test("a place whose writer died holding its lock: the stale lock is taken over and the temp files it left are swept", async () => {
    const root = tempRoot();
    const dir = join(root, "ws");
    const ggen = join(dir, ".ggen");
    mkdirSync(ggen, { recursive: true });
    const dead = deadPid();
    writeFileSync(join(ggen, "state.lock"), JSON.stringify({ pid: dead, host: hostname(), started: "2026-01-01T00:00:00.000Z", procStart: null, token: "gone" }));
    writeFileSync(join(ggen, `.state.json.${dead}.0a1b2c.tmp`), "half a state file");
    writeFileSync(join(ggen, `.state.json.${dead}.0a1b2cb.tmp`), "a backup link");
    const results = await commitBatch([{ dir, records: [{ phase: "build", started_ms: 1, duration_ms: 1, success: true }], cacheKeys: [] }], fsyncEach, { historyLimit: 10, runId: "r", rootDir: root });
    expect(results.map((r) => r.kind)).toEqual(["saved"]);
    expect(readdirSync(ggen).sort()).toEqual(["state.json"]);
  });

  test("the same batch with an fsync per file gives the same files", async () => {
    const root = tempRoot();
    const batch = places(root, 3).map((dir) => ({ dir, records: [{ phase: "build", started_ms: 1, duration_ms: 1, success: true }], cacheKeys: [{ phase: "build", key: "k" }] }));
    const results = await commitBatch(batch, fsyncEach, { historyLimit: 10, runId: "r", rootDir: root });
    expect(results.map((r) => r.kind)).toEqual(["saved", "saved", "saved"]);
    for (const save of batch) expect((await loadState(save.dir)).state.cache_keys).toEqual([{ phase: "build", key: "k" }]);
  });
});
