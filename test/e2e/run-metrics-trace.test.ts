// --metrics-file (Prometheus text) and --trace-file (OTLP JSON) through the binary: a success, a
// failure under --continue, cached tasks, a retry; an interrupted run; files that cannot be written.
import { describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parsePrometheusText, samplesOf, type PromFamily } from "./prometheus-text.ts";
import { startLifecycle } from "./supervision-support.ts";
import { expectExit, withProject } from "./support.ts";

const TOML = `[project]
name = "mono"

[settings]
retry_delay = "0s"

[workspace.ok]
path = "ok"
[workspace.bad]
path = "bad"
[workspace.kept]
path = "kept"

[lifecycle.build]
parallel = true
cache = true
inputs = ["src/**"]
outputs = ["out.txt"]
command = '''
case "$LIFECYCLE_WORKSPACE" in
  bad) echo "bad broke" >&2; exit 3;;
esac
echo built > out.txt
'''

# In ok, the first attempt of every run fails and the retry succeeds.
[lifecycle.test]
parallel = true
retries = 1
command = '''
if [ "$LIFECYCLE_WORKSPACE" = ok ]; then
  n=$(cat .attempts 2>/dev/null || echo 0); echo $((n + 1)) > .attempts
  [ $((n % 2)) = 1 ]
fi
'''
`;

interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Array<{ key: string; value: { stringValue?: string; intValue?: string } }>;
  status: { code: number; message?: string };
}

/** The trace file's spans, after checking the OTLP JSON envelope. */
function readTrace(path: string): Span[] {
  const doc = JSON.parse(readFileSync(path, "utf8"));
  expect(doc.resourceSpans).toHaveLength(1);
  const resource = doc.resourceSpans[0];
  expect(resource.resource.attributes).toContainEqual({ key: "service.name", value: { stringValue: "lifecycle" } });
  expect(resource.scopeSpans).toHaveLength(1);
  return resource.scopeSpans[0].spans as Span[];
}

/** Structure every trace must have: hex ids of the right length, one root, every task a child of it, ordered times. */
function checkTraceShape(spans: Span[]): { root: Span; tasks: Map<string, Span> } {
  const roots = spans.filter((s) => s.parentSpanId === undefined || s.parentSpanId === "");
  expect(roots).toHaveLength(1);
  const root = roots[0]!;
  expect(root.traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(root.traceId).not.toMatch(/^0+$/);
  const start = (s: Span) => BigInt(s.startTimeUnixNano);
  const end = (s: Span) => BigInt(s.endTimeUnixNano);
  for (const s of spans) {
    expect(s.traceId).toBe(root.traceId);
    expect(s.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(s.startTimeUnixNano).toMatch(/^\d{19}$/);
    expect(s.endTimeUnixNano).toMatch(/^\d{19}$/);
    expect(start(s)).toBeLessThanOrEqual(end(s));
    expect([0, 1, 2]).toContain(s.status.code);
    if (s === root) continue;
    expect(s.parentSpanId).toBe(root.spanId);
    expect(start(s)).toBeGreaterThanOrEqual(start(root));
    expect(end(s)).toBeLessThanOrEqual(end(root));
  }
  expect(new Set(spans.map((s) => s.spanId)).size).toBe(spans.length);
  return { root, tasks: new Map(spans.filter((s) => s !== root).map((s) => [s.name, s])) };
}

function attr(span: Span, key: string): string | undefined {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return value?.stringValue ?? value?.intValue;
}

function one(families: Map<string, PromFamily>, name: string, match: Record<string, string> = {}): number {
  const found = samplesOf(families, name, match);
  if (found.length !== 1) throw new Error(`${name} ${JSON.stringify(match)}: ${found.length} samples`);
  return found[0]!.value;
}

function setUp(write: (rel: string, text: string) => void): void {
  for (const ws of ["ok", "bad", "kept"]) write(`${ws}/src/a.txt`, ws);
}

describe("--metrics-file and --trace-file", () => {
  test("a run with a success, a failure under --continue, cache hits and a retry: both files parse and hold every task", async () => {
    await withProject(TOML, async (p) => {
      setUp(p.write);
      const warm = await p.lc("run", "build", "test", "--continue");
      expectExit(warm, 1);
      const metricsPath = join(p.dir, "metrics", "lifecycle.prom");
      const tracePath = join(p.dir, "traces", "run.json");
      const beforeS = Date.now() / 1000;
      const r = await p.lc("pipeline", "build", "test", "--continue", "--metrics-file", metricsPath, "--trace-file", tracePath);
      const afterS = Date.now() / 1000;
      expectExit(r, 1);
      // Written through a temp file and a rename: nothing else is left in the directory.
      expect(readdirSync(join(p.dir, "metrics"))).toEqual(["lifecycle.prom"]);
      expect(readdirSync(join(p.dir, "traces"))).toEqual(["run.json"]);

      const m = parsePrometheusText(readFileSync(metricsPath, "utf8"));
      for (const [name, family] of m) {
        expect(name).toMatch(/^lifecycle_/);
        expect(family.type).toBe("gauge");
        expect(family.help).toBeDefined();
      }
      const info = samplesOf(m, "lifecycle_run_info")[0]!;
      expect(info.labels).toMatchObject({ status: "failed", phases: "build test" });
      expect(one(m, "lifecycle_run_success")).toBe(0);
      expect(one(m, "lifecycle_run_duration_seconds")).toBeGreaterThan(0);
      const endedS = one(m, "lifecycle_run_timestamp_seconds");
      expect(endedS).toBeGreaterThanOrEqual(Math.floor(beforeS));
      expect(endedS).toBeLessThanOrEqual(afterS);
      const counts = Object.fromEntries(samplesOf(m, "lifecycle_run_tasks").map((s) => [s.labels.status, s.value]));
      expect(counts).toEqual({ success: 2, cached: 2, failed: 1, "timed-out": 0, cancelled: 0, skipped: 1 });
      expect(one(m, "lifecycle_tasks", { phase: "build", place: "bad", status: "failed" })).toBe(1);
      expect(one(m, "lifecycle_tasks", { phase: "test", place: "bad", status: "skipped" })).toBe(1);
      expect(one(m, "lifecycle_cache_hits", { phase: "build", place: "ok" })).toBe(1);
      expect(one(m, "lifecycle_cache_hits", { phase: "build", place: "kept" })).toBe(1);
      expect(one(m, "lifecycle_cache_hits", { phase: "build", place: "bad" })).toBe(0);
      expect(one(m, "lifecycle_cache_misses", { phase: "build", place: "bad" })).toBe(1);
      expect(samplesOf(m, "lifecycle_cache_hits", { phase: "test" })).toEqual([]);
      expect(one(m, "lifecycle_task_retries", { phase: "test", place: "ok" })).toBe(1);
      expect(one(m, "lifecycle_task_retries", { phase: "test", place: "kept" })).toBe(0);
      expect(one(m, "lifecycle_task_duration_seconds", { phase: "build", place: "bad", status: "failed" })).toBeGreaterThanOrEqual(0);
      expect(samplesOf(m, "lifecycle_task_duration_seconds", { phase: "test", place: "bad" })).toEqual([]);

      const { root, tasks } = checkTraceShape(readTrace(tracePath));
      expect(root.traceId).toBe(info.labels.run_id!.replaceAll("-", ""));
      expect(root.name).toBe("run build test");
      expect(root.status).toEqual({ code: 2, message: "failed: bad#build" });
      expect([...tasks.keys()].sort()).toEqual(["bad#build", "bad#test", "kept#build", "kept#test", "ok#build", "ok#test"]);
      const bad = tasks.get("bad#build")!;
      expect(bad.status.code).toBe(2);
      expect(bad.status.message).toContain("Exit code: 3");
      expect(bad.status.message).toContain("bad broke");
      expect(attr(bad, "lifecycle.exit_code")).toBe("3");
      expect(attr(bad, "lifecycle.cache")).toBe("miss");
      expect(tasks.get("ok#build")!.status).toEqual({ code: 1 });
      expect(attr(tasks.get("ok#build")!, "lifecycle.status")).toBe("cached");
      expect(attr(tasks.get("ok#build")!, "lifecycle.cache")).toBe("hit");
      const okTest = tasks.get("ok#test")!;
      expect({ phase: attr(okTest, "lifecycle.phase"), place: attr(okTest, "lifecycle.place"), retries: attr(okTest, "lifecycle.retries"), commands: attr(okTest, "lifecycle.command_count") }).toEqual({
        phase: "test",
        place: "ok",
        retries: "1",
        commands: "1",
      });
      expect(tasks.get("bad#test")!.status.code).toBe(0);
      expect(attr(tasks.get("bad#test")!, "lifecycle.status")).toBe("skipped");
    });
  }, 60_000);

  test("an interrupted run still writes both files, recording the cancelled task", async () => {
    const toml = `[project]\nname = "one"\n\n[settings]\nkill_grace = "1s"\n\n[lifecycle.hang]\ncommand = "echo ready; sleep 30"\n`;
    await withProject(toml, async (p) => {
      const metricsPath = join(p.dir, "m.prom");
      const tracePath = join(p.dir, "t.json");
      const live = startLifecycle(p.dir, "run", "hang", "--metrics-file", metricsPath, "--trace-file", tracePath);
      await live.waitFor(/^ready$/, "stdout");
      live.kill("SIGINT");
      const done = await live.done;
      expect(done.code).toBe(130);
      const m = parsePrometheusText(readFileSync(metricsPath, "utf8"));
      expect(samplesOf(m, "lifecycle_run_info")[0]!.labels.status).toBe("interrupted");
      expect(one(m, "lifecycle_run_success")).toBe(0);
      expect(one(m, "lifecycle_run_tasks", { status: "cancelled" })).toBe(1);
      expect(one(m, "lifecycle_tasks", { phase: "hang", place: "//", status: "cancelled" })).toBe(1);
      const { root, tasks } = checkTraceShape(readTrace(tracePath));
      expect(root.status).toEqual({ code: 2, message: "interrupted by SIGINT" });
      expect(tasks.get("//#hang")!.status.code).toBe(2);
      expect(tasks.get("//#hang")!.status.message).toContain("cancelled");
    });
  }, 60_000);

  test("a file that cannot be written is an error naming the flag and the path; the run's exit code stands", async () => {
    await withProject(`[project]\nname = "one"\n\n[lifecycle.build]\ncommand = "true"\n`, async (p) => {
      p.write("blocker", "a file, not a directory");
      const metricsPath = join(p.dir, "blocker", "m.prom");
      const tracePath = join(p.dir, "blocker", "t.json");
      const r = await p.lc("run", "build", "--metrics-file", metricsPath, "--trace-file", tracePath);
      expectExit(r, 0);
      expect(r.stderr).toContain(`--metrics-file: cannot write ${metricsPath}`);
      expect(r.stderr).toContain(`--trace-file: cannot write ${tracePath}`);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      // A flag without a value is a usage error (exit 2), before anything runs.
      const missing = await p.lc("run", "build", "--metrics-file");
      expectExit(missing, 2);
      expect(missing.stderr).toContain("--metrics-file");
      const empty = await p.lc("run", "build", "--trace-file=");
      expectExit(empty, 2);
      expect(empty.stderr).toContain("--trace-file");
      expect(p.history()).toEqual(["build"]);
      mkdirSync(join(p.dir, "ok"));
      expectExit(await p.lc("run", "build", "--metrics-file", join(p.dir, "ok", "m.prom")), 0);
      const m = parsePrometheusText(p.read("ok/m.prom"));
      expect(one(m, "lifecycle_run_success")).toBe(1);
    });
  }, 60_000);
});
