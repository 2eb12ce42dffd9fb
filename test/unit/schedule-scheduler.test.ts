// The scheduler with a fake executeTask the test controls: each task ends only when the test says so.
import { describe, expect, test } from "bun:test";
import type { TaskOutcome } from "../../src/execute/outcome.ts";
import { taskId, type Task, type TaskId } from "../../src/plan/task.ts";
import { makeTask } from "../helpers/make-task.ts";
import { schedule, type FailurePolicy } from "../../src/schedule/scheduler.ts";

function task(place: string, phase: string, deps: string[] = [], extra: Partial<Task> = {}): Task {
  return makeTask(place, phase, { place: { name: place, dir: `/tmp/${place}`, ...(place === "//" ? {} : { workspace: place }) }, cwd: "/tmp", ...extra, deps });
}

function graphOf(tasks: Task[]): Map<TaskId, Task> {
  return new Map(tasks.map((t) => [t.id, t]));
}

const ok = (): TaskOutcome => ({ kind: "success", retriesUsed: 0, startedMs: 0, durationMs: 0 });
const fail = (code = 1): TaskOutcome => ({ kind: "failed", command: "x", exitCode: code, signal: null, stderrTail: [], message: "failed", allowed: false, startedMs: 0, durationMs: 0 });

/**
 * Runs the scheduler; every started task waits until `decide` returns its outcome. Tasks end one at
 * a time, in the order they started, after the scheduler has had the chance to start more: so the
 * number running at once is what the scheduler allowed, not what the test happened to allow.
 */
async function run(tasks: Task[], options: { concurrency: number; policy?: FailurePolicy; decide?: (t: Task) => TaskOutcome }) {
  const started: string[] = [];
  const ended: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const maxByPhase = new Map<string, number>();
  const runningByPhase = new Map<string, number>();
  const busyPlaces = new Set<string>();
  let placeClash = false;
  const pending: Array<() => void> = [];
  const outcomes = schedule(graphOf(tasks), {
    concurrency: options.concurrency,
    policy: options.policy ?? "default",
    signal: new AbortController().signal,
    executeTask: (t) =>
      new Promise<TaskOutcome>((resolve) => {
        started.push(t.id);
        running++;
        maxRunning = Math.max(maxRunning, running);
        runningByPhase.set(t.phase, (runningByPhase.get(t.phase) ?? 0) + 1);
        maxByPhase.set(t.phase, Math.max(maxByPhase.get(t.phase) ?? 0, runningByPhase.get(t.phase)!));
        if (busyPlaces.has(t.place.name)) placeClash = true;
        busyPlaces.add(t.place.name);
        pending.push(() => {
          running--;
          runningByPhase.set(t.phase, runningByPhase.get(t.phase)! - 1);
          busyPlaces.delete(t.place.name);
          ended.push(t.id);
          resolve((options.decide ?? ok)(t));
        });
      }),
  });
  // Release the oldest running task whenever the scheduler has started all it will for now.
  let done = false;
  void outcomes.finally(() => (done = true));
  while (!done) {
    await new Promise<void>((r) => setImmediate(r));
    const next = pending.shift();
    if (next) next();
  }
  return { outcomes: await outcomes, started, ended, maxRunning, maxByPhase, placeClash };
}

describe("scheduler bounds", () => {
  test("never more than --concurrency tasks at once, and it reaches the bound", async () => {
    const tasks = Array.from({ length: 20 }, (_, i) => task(`ws${String(i).padStart(2, "0")}`, "build"));
    const r = await run(tasks, { concurrency: 3 });
    expect(r.maxRunning).toBe(3);
    expect(r.started).toHaveLength(20);
    expect([...r.outcomes.values()].every((o) => o.kind === "success")).toBe(true);
  });

  test("max_threads caps a parallel phase below the concurrency", async () => {
    const tasks = Array.from({ length: 10 }, (_, i) => task(`ws${i}`, "build", [], { maxThreads: 2 }));
    const r = await run(tasks, { concurrency: 8 });
    expect(r.maxByPhase.get("build")).toBe(2);
  });

  test("a sequential phase runs in one workspace at a time, in graph order; another phase may run beside it", async () => {
    const tasks = [
      ...["a", "b", "c"].map((ws) => task(ws, "lint", [], { parallel: false })),
      ...["a", "b", "c"].map((ws) => task(`${ws}2`, "build")),
    ];
    const r = await run(tasks, { concurrency: 4 });
    expect(r.maxByPhase.get("lint")).toBe(1);
    expect(r.started.filter((id) => id.endsWith("#lint"))).toEqual(["a#lint", "b#lint", "c#lint"]);
    expect(r.maxRunning).toBeGreaterThan(1);
  });

  test("tasks in one place never overlap, even in different phases", async () => {
    const tasks = [task("ws", "a"), task("ws", "b"), task("ws", "c"), task("other", "a")];
    const r = await run(tasks, { concurrency: 4 });
    expect(r.placeClash).toBe(false);
    expect(r.started).toHaveLength(4);
  });

  test("a task starts only after all its dependencies ended", async () => {
    const tasks = [task("a", "x"), task("b", "x", ["a#x"]), task("c", "x", ["a#x", "b#x"]), task("d", "x")];
    const r = await run(tasks, { concurrency: 4 });
    for (const [id, deps] of [["b#x", ["a#x"]], ["c#x", ["a#x", "b#x"]]] as const) {
      for (const dep of deps) expect(r.ended.indexOf(dep)).toBeLessThan(r.started.indexOf(id));
    }
  });

  test("10,000 ready tasks behind a phase cap of 1 all run, in graph order", async () => {
    const tasks = Array.from({ length: 10_000 }, (_, i) => task(`w${i}`, "build", [], { parallel: false }));
    const r = await run(tasks, { concurrency: 16 });
    expect(r.started).toEqual(tasks.map((t) => t.id));
    expect(r.maxRunning).toBe(1);
  });

  test("a 10,000-task dependency chain: a failure at the head skips the whole chain without deep recursion", async () => {
    const tasks = Array.from({ length: 10_000 }, (_, i) => task(`w${i}`, "build", i === 0 ? [] : [`w${i - 1}#build`]));
    const r = await run(tasks, { concurrency: 2, decide: () => fail() });
    expect(r.started).toEqual(["w0#build"]);
    expect([...r.outcomes.values()].filter((o) => o.kind === "skipped")).toHaveLength(9_999);
  });
});

describe("scheduler failure policies", () => {
  const fan = () => ["ws1", "ws2", "ws3", "ws4"].map((ws) => task(ws, "build"));
  const failWs2 = (t: Task) => (t.place.name === "ws2" ? fail(3) : ok());

  test("default, parallel fan-out: the rest of the fan-out still runs; every failure is an outcome", async () => {
    const tasks = [...fan(), task("ws1", "test", ["ws1#build"])];
    const r = await run(tasks, { concurrency: 1, decide: failWs2 });
    expect(r.started).toEqual(["ws1#build", "ws2#build", "ws3#build", "ws4#build"]);
    expect(r.outcomes.get("ws2#build" as TaskId)).toMatchObject({ kind: "failed", exitCode: 3 });
    // Another phase does not start after the failure.
    expect(r.outcomes.get("ws1#test" as TaskId)).toMatchObject({ kind: "skipped" });
  });

  test("default, sequential phase: stops at the first failure", async () => {
    const tasks = ["ws1", "ws2", "ws3"].map((ws) => task(ws, "build", [], { parallel: false }));
    const r = await run(tasks, { concurrency: 4, decide: failWs2 });
    expect(r.started).toEqual(["ws1#build", "ws2#build"]);
    expect(r.outcomes.get("ws3#build" as TaskId)).toMatchObject({ kind: "skipped", reason: "not started: an earlier task failed" });
  });

  test("dependents of a failure never start, under every policy", async () => {
    for (const policy of ["default", "continue", "fail-fast"] as const) {
      const tasks = [...fan(), task("ws9", "build", ["ws2#build"]), task("ws8", "build", ["ws9#build"])];
      const r = await run(tasks, { concurrency: 1, policy, decide: failWs2 });
      expect(r.started).not.toContain("ws9#build");
      expect(r.outcomes.get("ws8#build" as TaskId)).toMatchObject({ kind: "skipped", reason: "dependency ws9#build did not succeed" });
    }
  });

  test("--continue runs everything that does not depend on a failure", async () => {
    const tasks = [...fan(), task("ws1", "test", ["ws1#build"]), task("ws2", "test", ["ws2#build"])];
    const r = await run(tasks, { concurrency: 1, policy: "continue", decide: failWs2 });
    expect(r.started).toContain("ws1#test");
    expect(r.started).not.toContain("ws2#test");
  });

  test("--fail-fast starts nothing after the first failure", async () => {
    const r = await run(fan(), { concurrency: 1, policy: "fail-fast", decide: failWs2 });
    expect(r.started).toEqual(["ws1#build", "ws2#build"]);
    expect(r.outcomes.get("ws4#build" as TaskId)).toMatchObject({ kind: "skipped", reason: "stopped by --fail-fast" });
  });

  test("every task gets exactly one task-end, skipped ones included", async () => {
    const ends: string[] = [];
    const tasks = [task("a", "x"), task("b", "x", ["a#x"]), task("c", "x", ["b#x"])];
    await schedule(graphOf(tasks), {
      concurrency: 2,
      policy: "default",
      signal: new AbortController().signal,
      executeTask: async () => fail(),
      onTaskEnd: (t) => ends.push(t.id),
    });
    expect(ends.sort()).toEqual(["a#x", "b#x", "c#x"]);
  });

  test("a dependency missing from the graph is a bug: thrown, not silently skipped", async () => {
    const tasks = [task("a", "x", ["nowhere#x"])];
    await expect(schedule(graphOf(tasks), { concurrency: 1, policy: "default", signal: new AbortController().signal, executeTask: async () => ok() })).rejects.toThrow("not in the graph");
  });
});
