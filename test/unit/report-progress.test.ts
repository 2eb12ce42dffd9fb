import { describe, expect, test } from "bun:test";
import type { Reporter } from "../../src/report/reporter.ts";
import { formatProgress, wantsProgress, withProgress } from "../../src/report/progress.ts";
import type { Task } from "../../src/plan/task.ts";
import type { RunSummary } from "../../src/report/summarize.ts";

describe("formatProgress", () => {
  test("done/total, elapsed seconds, and up to three running tasks", () => {
    expect(formatProgress({ running: [], done: 0, total: 4, elapsedMs: 0 })).toBe("[0/4] 0.0s");
    expect(formatProgress({ running: ["a#build", "b#build"], done: 1, total: 4, elapsedMs: 12_345 })).toBe("[1/4] 12.3s  running: a#build, b#build");
    expect(formatProgress({ running: ["a", "b", "c", "d", "e"], done: 0, total: 9, elapsedMs: 100 })).toBe("[0/9] 0.1s  running: a, b, c +2");
  });

  test("the total never shows less than what has run (final hooks join late)", () => {
    expect(formatProgress({ running: ["x"], done: 3, total: 3, elapsedMs: 0 })).toBe("[3/4] 0.0s  running: x");
  });
});

describe("wantsProgress", () => {
  test("only on a terminal that can erase lines, and neither --json nor -q", () => {
    const base = { isTTY: true, json: false, quiet: false, term: "xterm" };
    expect(wantsProgress(base)).toBe(true);
    expect(wantsProgress({ ...base, isTTY: false })).toBe(false);
    expect(wantsProgress({ ...base, json: true })).toBe(false);
    expect(wantsProgress({ ...base, quiet: true })).toBe(false);
    expect(wantsProgress({ ...base, term: "dumb" })).toBe(false);
  });
});

describe("withProgress", () => {
  const task = (id: string) => ({ id }) as unknown as Task;
  const silent: Reporter = { runStart() {}, taskStart() {}, taskOutput() {}, taskEnd() {}, runEnd() {} };

  test("draws the running tasks on the status line and removes it before the run's closing output", async () => {
    const drawn: Array<string | null> = [];
    let nextDraw: (() => void) | undefined;
    const calls: string[] = [];
    const inner: Reporter = { ...silent, runEnd: () => void calls.push(`runEnd after ${JSON.stringify(drawn.at(-1))}`) };
    const reporter = withProgress(inner, {
      display: { status: (line) => (drawn.push(line), nextDraw?.()), needsStatus: () => false },
      total: 2,
      intervalMs: 1,
      now: () => 0,
    });
    reporter.taskStart(task("//#a"));
    await new Promise<void>((resolve) => (nextDraw = resolve));
    expect(drawn.at(-1)).toBe("[0/2] 0.0s  running: //#a");
    reporter.taskEnd(task("//#a"), { kind: "success", retriesUsed: 0, startedMs: 0, durationMs: 1 });
    reporter.taskStart(task("//#b"));
    await new Promise<void>((resolve) => (nextDraw = resolve));
    expect(drawn.at(-1)).toBe("[1/2] 0.0s  running: //#b");
    reporter.runEnd({} as RunSummary);
    expect(calls).toEqual(["runEnd after null"]);
  });

  test("removes the line when the last task ends, and draws nothing more before runEnd", () => {
    const drawn: Array<string | null> = [];
    const reporter = withProgress(silent, { display: { status: (line) => void drawn.push(line), needsStatus: () => true }, total: 1, intervalMs: 60_000, now: () => 0 });
    reporter.taskStart(task("//#a"));
    reporter.taskEnd(task("//#a"), { kind: "success", retriesUsed: 0, startedMs: 0, durationMs: 1 });
    expect(drawn).toEqual([null]);
    reporter.runEnd({} as RunSummary);
    expect(drawn).toEqual([null]);
  });
});
