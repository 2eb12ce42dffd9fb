// The CI report files: JUnit XML (well-formed, escaped, one testcase per task) and the JSON run summary.
import { describe, expect, test } from "bun:test";
import { makeTask } from "../helpers/make-task.ts";
import type { TaskOutcome } from "../../src/execute/outcome.ts";
import { taskId, type Task, type TaskId } from "../../src/plan/task.ts";
import { formatJUnit } from "../../src/report/junit.ts";
import { summarize } from "../../src/report/summarize.ts";
import { summaryDocument } from "../../src/report/summary-file.ts";
import { taskReports } from "../../src/report/task-reports.ts";
import { findAll, parseXml } from "../e2e/workspace-xml.ts";

function task(place: string, phase: string, extra: Partial<Task> = {}): Task {
  return makeTask(place, phase, { place: { name: place, dir: `/r/${place}`, ...(place === "//" ? {} : { workspace: place }) }, cwd: "/r", ...extra });
}

const NASTY = `<b>&"quoted" 'single' ]]> \x1b[31mred\x1b[0m bell\x07 tab\tend`;

function fixture() {
  const tasks = [task("//", "prep"), task("api", "build", { cache: true }), task("web", "build"), task("web", "test"), task("docs", "build"), task("cli", "build", { cache: true })];
  const outcomes = new Map<TaskId, TaskOutcome>([
    [tasks[0]!.id, { kind: "success", retriesUsed: 0, startedMs: 1000, durationMs: 1500 }],
    [tasks[1]!.id, { kind: "failed", command: "make", exitCode: 2, signal: null, stderrTail: ["first", NASTY], message: `phase 'build' failed: ${NASTY}`, allowed: false, startedMs: 2000, durationMs: 250 }],
    [tasks[2]!.id, { kind: "timed-out", command: "sleep", afterMs: 5000, signal: "SIGTERM", stderrTail: [], message: "timed out", startedMs: 2000, durationMs: 5000 }],
    [tasks[3]!.id, { kind: "skipped", reason: "dependency web#build did not succeed" }],
    [tasks[4]!.id, { kind: "cancelled", reason: "run interrupted", startedMs: 2000, durationMs: 10 }],
    [tasks[5]!.id, { kind: "cached", startedMs: 2000, durationMs: 1 }],
  ]);
  const graph = new Map(tasks.map((t) => [t.id, t]));
  const summary = summarize(graph, outcomes, { runId: "run-1", durationMs: 7000, phases: ["build", "test"], pipeline: false });
  return { summary, reports: taskReports(graph, outcomes) };
}

describe("JUnit XML", () => {
  test("well-formed, one testsuite per place, one testcase per task, counts add up", () => {
    const { summary, reports } = fixture();
    const root = parseXml(formatJUnit(summary, reports, { secrets: [], timestamp: "2025-01-01T00:00:00.000Z" }));
    expect(root.name).toBe("testsuites");
    expect(root.attrs).toMatchObject({ tests: "6", failures: "2", errors: "1", skipped: "1", time: "7.000" });
    expect(findAll(root, "testsuite").map((s) => s.attrs.name)).toEqual(["//", "api", "web", "docs", "cli"]);
    const cases = findAll(root, "testcase");
    expect(cases.map((c) => `${c.attrs.classname}#${c.attrs.name}`)).toEqual(reports.map((r) => r.task));
    const web = findAll(root, "testsuite").find((s) => s.attrs.name === "web")!;
    expect(web.attrs).toMatchObject({ tests: "2", failures: "1", skipped: "1" });
  });

  test("failures carry the message, the exit code and the stderr tail, escaped; colour codes and control characters are dropped", () => {
    const { summary, reports } = fixture();
    const root = parseXml(formatJUnit(summary, reports, { secrets: [], timestamp: "t" }));
    const failure = findAll(root, "failure")[0]!;
    expect(failure.attrs.type).toBe("exit 2");
    expect(failure.attrs.message).toBe(`phase 'build' failed: <b>&"quoted" 'single' ]]> red bell tab\tend`);
    expect(failure.text).toBe(`first\n<b>&"quoted" 'single' ]]> red bell tab\tend`);
    expect(findAll(root, "failure")[1]!.attrs.type).toBe("timeout");
    expect(findAll(root, "error")[0]!.attrs).toMatchObject({ type: "cancelled", message: "cancelled: run interrupted" });
    expect(findAll(root, "skipped")[0]!.attrs.message).toContain("dependency web#build did not succeed");
  });

  test("secrets are masked", () => {
    const { summary, reports } = fixture();
    const xml = formatJUnit(summary, reports, { secrets: ["quoted"], timestamp: "t" });
    expect(xml).not.toContain("quoted");
    expect(xml).toContain("***");
  });
});

describe("run summary document", () => {
  test("every task with status, timings, exit code and cache status; masked errors", () => {
    const { summary, reports } = fixture();
    const doc = summaryDocument(summary, reports, { startedMs: 0, selection: { workspaces: ["api", "web"] }, secrets: ["quoted"] });
    expect(doc).toMatchObject({ version: 1, run_id: "run-1", status: "failed", started_at: "1970-01-01T00:00:00.000Z", counts: { success: 1, failed: 1, "timed-out": 1, skipped: 1, cancelled: 1, cached: 1 } });
    const byId = Object.fromEntries(doc.tasks.map((t) => [t.task, t]));
    expect(byId["//#prep"]).toMatchObject({ place: "//", workspace: null, status: "success", exit_code: 0, started_ms: 1000, duration_ms: 1500, cache: "off" });
    expect(byId["api#build"]).toMatchObject({ workspace: "api", status: "failed", exit_code: 2, cache: "miss", stderr_tail: ["first", expect.stringContaining("***")] });
    expect(byId["web#test"]).toMatchObject({ status: "skipped", started_ms: null, duration_ms: 0, exit_code: null });
    expect(byId["cli#build"]).toMatchObject({ status: "cached", cache: "hit", exit_code: 0 });
    expect(JSON.stringify(doc)).not.toContain("quoted");
  });
});

describe("the XML checker used above", () => {
  test.each([
    ["raw &", "<a>x & y</a>"],
    ["raw < in an attribute", '<a b="<"/>'],
    ["unclosed", "<a><b></a>"],
    ["unquoted attribute", "<a b=1/>"],
    ["duplicate attribute", '<a b="1" b="2"/>'],
    ["control character", "<a>\x1b</a>"],
    ["unknown entity", "<a>&nbsp;</a>"],
    ["two roots", "<a/><b/>"],
  ])("rejects %s", (_, xml) => {
    expect(() => parseXml(xml)).toThrow();
  });
});
