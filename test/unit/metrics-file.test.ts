// --metrics-file: the run as Prometheus text format 0.0.4, read back with a strict parser.
import { describe, expect, test } from "bun:test";
import type { TaskOutcome } from "../../src/execute/outcome.ts";
import type { Task, TaskId } from "../../src/plan/task.ts";
import { escapeLabelValue, formatMetrics } from "../../src/report/metrics-file.ts";
import { summarize } from "../../src/report/summarize.ts";
import { taskReports } from "../../src/report/task-reports.ts";
import { parsePrometheusText, samplesOf } from "../e2e/prometheus-text.ts";
import { makeTask } from "../helpers/make-task.ts";

function fixture(extra: { phases?: string[]; runId?: string } = {}) {
  const tasks: Task[] = [
    makeTask("//", "prep"),
    makeTask("api", "build", { cache: true }),
    makeTask("web", "build", { cache: true }),
    makeTask("web", "test"),
    makeTask("docs", "build"),
    makeTask("cli", "build"),
  ];
  const [prep, api, web, webTest, docs, cli] = tasks.map((t) => t.id) as [TaskId, TaskId, TaskId, TaskId, TaskId, TaskId];
  const outcomes = new Map<TaskId, TaskOutcome>([
    [prep, { kind: "success", retriesUsed: 2, startedMs: 1_000, durationMs: 1_500 }],
    [api, { kind: "cached", startedMs: 2_000, durationMs: 4 }],
    [web, { kind: "failed", command: "make", exitCode: 2, signal: null, stderrTail: [], message: "boom", allowed: false, startedMs: 2_000, durationMs: 250 }],
    [webTest, { kind: "skipped", reason: "dependency web#build did not succeed" }],
    [docs, { kind: "timed-out", command: "sleep", afterMs: 5_000, signal: "SIGTERM", stderrTail: [], message: "timed out", startedMs: 2_000, durationMs: 5_000 }],
    [cli, { kind: "success", retriesUsed: 0, startedMs: 2_100, durationMs: 0 }],
  ]);
  const graph = new Map(tasks.map((t) => [t.id, t]));
  const summary = summarize(graph, outcomes, { runId: extra.runId ?? "run-1", durationMs: 7_250, phases: extra.phases ?? ["build", "test"], pipeline: false });
  return { summary, reports: taskReports(graph, outcomes) };
}

function metrics(extra: Parameters<typeof fixture>[0] = {}) {
  const { summary, reports } = fixture(extra);
  const text = formatMetrics(summary, reports, { startedMs: 1_700_000_000_000, version: "1.2.3" });
  return { text, families: parsePrometheusText(text) };
}

const value = (families: ReturnType<typeof parsePrometheusText>, name: string, match: Record<string, string> = {}) => {
  const found = samplesOf(families, name, match);
  expect(found).toHaveLength(1);
  return found[0]!.value;
};

describe("formatMetrics", () => {
  test("every family is a gauge with HELP and TYPE, lifecycle_ prefixed, no timestamps, no _total suffix", () => {
    const { families } = metrics();
    expect([...families.keys()]).toEqual([
      "lifecycle_run_info",
      "lifecycle_run_success",
      "lifecycle_run_duration_seconds",
      "lifecycle_run_timestamp_seconds",
      "lifecycle_run_tasks",
      "lifecycle_tasks",
      "lifecycle_task_duration_seconds",
      "lifecycle_cache_hits",
      "lifecycle_cache_misses",
      "lifecycle_task_retries",
    ]);
    for (const [name, family] of families) {
      expect(family.type).toBe("gauge");
      expect(family.help?.length).toBeGreaterThan(10);
      expect(name.endsWith("_total")).toBe(false);
      expect(family.samples.length).toBeGreaterThan(0);
      for (const s of family.samples) expect(s.timestamp).toBeUndefined();
    }
  });

  test("run level: info with the run id, success flag, duration and end time in seconds, counts for every status", () => {
    const { families } = metrics();
    expect(samplesOf(families, "lifecycle_run_info")[0]!.labels).toEqual({ run_id: "run-1", phases: "build test", status: "failed", version: "1.2.3" });
    expect(value(families, "lifecycle_run_info")).toBe(1);
    expect(value(families, "lifecycle_run_success")).toBe(0);
    expect(value(families, "lifecycle_run_duration_seconds")).toBe(7.25);
    expect(value(families, "lifecycle_run_timestamp_seconds")).toBe(1_700_000_007.25);
    const counts = Object.fromEntries(samplesOf(families, "lifecycle_run_tasks").map((s) => [s.labels.status, s.value]));
    expect(counts).toEqual({ success: 2, cached: 1, failed: 1, "timed-out": 1, cancelled: 0, skipped: 1 });
    // Only the info metric carries the run id.
    for (const [name, family] of families) if (name !== "lifecycle_run_info") for (const s of family.samples) expect(s.labels.run_id).toBeUndefined();
  });

  test("per task: status count, duration (started tasks only), cache hit/miss (cacheable only), retries", () => {
    const { families } = metrics();
    expect(samplesOf(families, "lifecycle_tasks")).toHaveLength(6);
    expect(value(families, "lifecycle_tasks", { phase: "build", place: "web", status: "failed" })).toBe(1);
    expect(value(families, "lifecycle_tasks", { phase: "test", place: "web", status: "skipped" })).toBe(1);
    expect(value(families, "lifecycle_task_duration_seconds", { phase: "prep", place: "//", status: "success" })).toBe(1.5);
    expect(value(families, "lifecycle_task_duration_seconds", { phase: "build", place: "docs", status: "timed-out" })).toBe(5);
    expect(value(families, "lifecycle_task_duration_seconds", { phase: "build", place: "cli" })).toBe(0);
    expect(samplesOf(families, "lifecycle_task_duration_seconds", { place: "web", phase: "test" })).toEqual([]);
    expect(samplesOf(families, "lifecycle_cache_hits").map((s) => [s.labels.place, s.value])).toEqual([["api", 1], ["web", 0]]);
    expect(samplesOf(families, "lifecycle_cache_misses").map((s) => [s.labels.place, s.value])).toEqual([["api", 0], ["web", 1]]);
    expect(value(families, "lifecycle_task_retries", { phase: "prep", place: "//" })).toBe(2);
    expect(value(families, "lifecycle_task_retries", { phase: "build", place: "cli" })).toBe(0);
    expect(samplesOf(families, "lifecycle_task_retries")).toHaveLength(5);
  });

  test("label values with backslash, double quote and line feed are escaped and read back unchanged", () => {
    const nasty = 'a\\b"c\nd';
    expect(escapeLabelValue(nasty)).toBe('a\\\\b\\"c\\nd');
    const { text, families } = metrics({ phases: [nasty], runId: 'id"\\' });
    expect(text.split("\n").filter((l) => l.startsWith("lifecycle_run_info"))).toHaveLength(1);
    expect(samplesOf(families, "lifecycle_run_info")[0]!.labels).toMatchObject({ phases: nasty, run_id: 'id"\\' });
  });

  test("a run without cacheable tasks has no cache families; a successful run reports 1", () => {
    const tasks = [makeTask("//", "build")];
    const outcomes = new Map<TaskId, TaskOutcome>([[tasks[0]!.id, { kind: "success", retriesUsed: 0, startedMs: 5, durationMs: 10 }]]);
    const graph = new Map(tasks.map((t) => [t.id, t]));
    const summary = summarize(graph, outcomes, { runId: "r", durationMs: 12, phases: ["build"], pipeline: false });
    const families = parsePrometheusText(formatMetrics(summary, taskReports(graph, outcomes), { startedMs: 0, version: "v" }));
    expect(families.has("lifecycle_cache_hits")).toBe(false);
    expect(families.has("lifecycle_cache_misses")).toBe(false);
    expect(value(families, "lifecycle_run_success")).toBe(1);
    expect(value(families, "lifecycle_task_duration_seconds", { place: "//", phase: "build", status: "success" })).toBe(0.01);
  });
});

describe("the text-format reader used above", () => {
  test("rejects what the format does not allow", () => {
    const bad = [
      "lifecycle_x 1", // no final line feed
      "lifecycle_x{a=\"b} 1\n", // unterminated value
      "lifecycle_x{a=\"\\t\"} 1\n", // bad escape
      "lifecycle_x one\n", // bad value
      "lifecycle_x 1\n# TYPE lifecycle_x gauge\n", // TYPE after samples
      "lifecycle_x 1\nlifecycle_y 1\nlifecycle_x 2\n", // family not grouped
      "# TYPE lifecycle_x gauge\n# TYPE lifecycle_x gauge\n", // TYPE twice
      "lifecycle_x{1a=\"b\"} 1\n", // bad label name
    ];
    for (const text of bad) expect(() => parsePrometheusText(text)).toThrow();
    const good = parsePrometheusText('# HELP x a \\\\ b\n# TYPE x gauge\nx{a="1",b="q\\"",} +Inf\nx NaN 123\n');
    expect(good.get("x")).toMatchObject({ help: "a \\ b", type: "gauge" });
    expect(good.get("x")!.samples.map((s) => s.value)).toEqual([Infinity, NaN]);
  });
});
