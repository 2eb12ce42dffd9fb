// --trace-file: the run as OTLP JSON spans (ExportTraceServiceRequest shape).
import { describe, expect, test } from "bun:test";
import type { TaskOutcome } from "../../src/execute/outcome.ts";
import type { Task, TaskId } from "../../src/plan/task.ts";
import { summarize } from "../../src/report/summarize.ts";
import { taskReports } from "../../src/report/task-reports.ts";
import { formatTraceFile, traceDocument, type OtlpAttribute, type OtlpSpan } from "../../src/report/trace-file.ts";
import { spanIdFor, traceIdFor } from "../../src/report/trace-ids.ts";
import { makeTask } from "../helpers/make-task.ts";

const sh = (script: string) => ({ kind: "shell" as const, script });
const RUN_ID = "0f8fad5b-d9cb-469f-a165-70867728950e";
const STARTED_MS = 1_732_406_400_123;

function fixture(options: { interruptedBy?: "SIGINT" } = {}) {
  const tasks: Task[] = [makeTask("//", "prep", { commands: [sh("a"), sh("b")] }), makeTask("api", "build", { cache: true, commands: [sh("make")] }), makeTask("web", "build", { commands: [sh("make")] }), makeTask("web", "test"), makeTask("cli", "build")];
  const ids = tasks.map((t) => t.id) as [TaskId, TaskId, TaskId, TaskId, TaskId];
  const outcomes = new Map<TaskId, TaskOutcome>([
    [ids[0], { kind: "success", retriesUsed: 1, startedMs: STARTED_MS + 5, durationMs: 100 }],
    [ids[1], { kind: "cached", startedMs: STARTED_MS + 110, durationMs: 3 }],
    [ids[2], { kind: "failed", command: "make", exitCode: 2, signal: null, stderrTail: ["no hunter2"], message: "Command failed in phase 'build': make\n  Exit code: 2 hunter2", allowed: false, startedMs: STARTED_MS + 110, durationMs: 40 }],
    [ids[3], { kind: "skipped", reason: "dependency web#build did not succeed" }],
    [ids[4], { kind: "cancelled", reason: "interrupted by SIGINT", startedMs: STARTED_MS + 120, durationMs: 7 }],
  ]);
  const graph = new Map(tasks.map((t) => [t.id, t]));
  const summary = summarize(graph, outcomes, { runId: RUN_ID, durationMs: 200, phases: ["build", "test"], pipeline: false, ...options });
  const doc = traceDocument(summary, taskReports(graph, outcomes), {
    startedMs: STARTED_MS,
    version: "1.2.3",
    secrets: ["hunter2"],
    commandCount: (task) => graph.get(task as TaskId)?.commands.length ?? 0,
  });
  return { doc, spans: doc.resourceSpans[0]!.scopeSpans[0]!.spans };
}

function attrs(list: readonly OtlpAttribute[]): Record<string, string> {
  return Object.fromEntries(list.map((a) => [a.key, "stringValue" in a.value ? a.value.stringValue : `int:${a.value.intValue}`]));
}

const byName = (spans: readonly OtlpSpan[], name: string) => spans.find((s) => s.name === name)!;

describe("traceDocument", () => {
  test("one resource (service lifecycle), one scope, a root span for the run and one child per task", () => {
    const { doc, spans } = fixture();
    expect(doc.resourceSpans).toHaveLength(1);
    expect(attrs(doc.resourceSpans[0]!.resource.attributes)).toEqual({ "service.name": "lifecycle", "service.version": "1.2.3" });
    expect(doc.resourceSpans[0]!.scopeSpans[0]!.scope).toEqual({ name: "lifecycle", version: "1.2.3" });
    expect(spans.map((s) => s.name)).toEqual(["run build test", "//#prep", "api#build", "web#build", "web#test", "cli#build"]);
    const [root, ...children] = spans;
    expect(root!.parentSpanId).toBeUndefined();
    for (const s of spans) {
      expect(s.traceId).toBe("0f8fad5bd9cb469fa16570867728950e");
      expect(s.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(s.kind).toBe(1);
    }
    for (const child of children) expect(child.parentSpanId).toBe(root!.spanId);
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(spans.length);
  });

  test("times are exact Unix nanoseconds as strings; the root covers every task; skipped tasks are zero-length at the end", () => {
    const { spans } = fixture();
    const root = spans[0]!;
    expect(root.startTimeUnixNano).toBe("1732406400123000000");
    expect(root.endTimeUnixNano).toBe("1732406400323000000");
    expect(byName(spans, "//#prep")).toMatchObject({ startTimeUnixNano: "1732406400128000000", endTimeUnixNano: "1732406400228000000" });
    for (const s of spans) {
      expect(BigInt(s.startTimeUnixNano)).toBeLessThanOrEqual(BigInt(s.endTimeUnixNano));
      expect(BigInt(s.startTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(root.startTimeUnixNano));
      expect(BigInt(s.endTimeUnixNano)).toBeLessThanOrEqual(BigInt(root.endTimeUnixNano));
    }
    expect(byName(spans, "web#test")).toMatchObject({ startTimeUnixNano: root.endTimeUnixNano, endTimeUnixNano: root.endTimeUnixNano });
  });

  test("status: OK for success and cached, ERROR with the masked message for failed and cancelled, UNSET for skipped", () => {
    const { spans } = fixture();
    expect(byName(spans, "//#prep").status).toEqual({ code: 1 });
    expect(byName(spans, "api#build").status).toEqual({ code: 1 });
    expect(byName(spans, "web#build").status).toEqual({ code: 2, message: "Command failed in phase 'build': make\n  Exit code: 2 ***" });
    expect(byName(spans, "cli#build").status).toEqual({ code: 2, message: "cancelled: interrupted by SIGINT" });
    expect(byName(spans, "web#test").status).toEqual({ code: 0 });
    expect(spans[0]!.status).toEqual({ code: 2, message: "failed: web#build, cli#build" });
    expect(fixture({ interruptedBy: "SIGINT" }).spans[0]!.status).toEqual({ code: 2, message: "interrupted by SIGINT" });
    expect(formatTraceFile(fixture().doc)).not.toContain("hunter2");
  });

  test("attributes: phase, place, status, exit code, cache, retries, command count; run counts", () => {
    const { spans } = fixture();
    expect(attrs(byName(spans, "//#prep").attributes)).toEqual({
      "lifecycle.task": "//#prep",
      "lifecycle.phase": "prep",
      "lifecycle.place": "//",
      "lifecycle.task.kind": "phase",
      "lifecycle.status": "success",
      "lifecycle.exit_code": "int:0",
      "lifecycle.cache": "off",
      "lifecycle.retries": "int:1",
      "lifecycle.command_count": "int:2",
    });
    expect(attrs(byName(spans, "api#build").attributes)).toMatchObject({ "lifecycle.workspace": "api", "lifecycle.status": "cached", "lifecycle.cache": "hit", "lifecycle.command_count": "int:1" });
    expect(attrs(byName(spans, "web#build").attributes)).toMatchObject({ "lifecycle.exit_code": "int:2", "lifecycle.status": "failed", "lifecycle.error": expect.stringContaining("***") });
    expect(attrs(byName(spans, "web#test").attributes)["lifecycle.exit_code"]).toBeUndefined();
    expect(attrs(spans[0]!.attributes)).toEqual({
      "lifecycle.run_id": RUN_ID,
      "lifecycle.phases": "build test",
      "lifecycle.status": "failed",
      "lifecycle.tasks.success": "int:1",
      "lifecycle.tasks.cached": "int:1",
      "lifecycle.tasks.failed": "int:1",
      "lifecycle.tasks.timed_out": "int:0",
      "lifecycle.tasks.cancelled": "int:1",
      "lifecycle.tasks.skipped": "int:1",
    });
  });

  test("the file is one JSON document and a line feed", () => {
    const text = formatTraceFile(fixture().doc);
    expect(text.endsWith("}\n")).toBe(true);
    expect(text.trimEnd().includes("\n")).toBe(false);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(fixture().doc)));
  });
});

describe("trace ids", () => {
  test("the trace id is the run id's hex digits; anything else is hashed to 32 hex digits", () => {
    expect(traceIdFor("0F8FAD5B-D9CB-469F-A165-70867728950E")).toBe("0f8fad5bd9cb469fa16570867728950e");
    expect(traceIdFor("run-1")).toMatch(/^[0-9a-f]{32}$/);
    expect(traceIdFor("run-1")).toBe(traceIdFor("run-1"));
    expect(traceIdFor("run-1")).not.toBe(traceIdFor("run-2"));
    expect(traceIdFor("00000000-0000-0000-0000-000000000000")).toBe("00000000000000000000000000000001");
  });

  test("span ids are stable per run and name, and differ between names and runs", () => {
    expect(spanIdFor("r", "api#build")).toMatch(/^[0-9a-f]{16}$/);
    expect(spanIdFor("r", "api#build")).toBe(spanIdFor("r", "api#build"));
    expect(spanIdFor("r", "api#build")).not.toBe(spanIdFor("r", "web#build"));
    expect(spanIdFor("r", "run")).not.toBe(spanIdFor("s", "run"));
  });
});
