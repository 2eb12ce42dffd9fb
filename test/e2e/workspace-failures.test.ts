// Failures across workspaces, through the binary: every failure reported together; CI report files.
import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { eventsOf, expectExit, withProject } from "./support.ts";
import { findAll, parseXml } from "./workspace-xml.ts";

const WS = ["api", "cli", "docs", "lib", "web"];

/** lib and docs fail (exit 3 and 4, each with its own stderr); web depends on lib. */
const TOML = [
  `[project]\nname = "mono"`,
  ...WS.map((ws) => `[workspace.${ws}]\npath = "${ws}"${ws === "web" ? `\ndepends_on = ["lib"]` : ""}`),
  `[lifecycle.build]\nparallel = true\ncommand = '''\ntouch ran\ncase "$LIFECYCLE_WORKSPACE" in\n  lib) echo "lib broke: <missing> & \\"quoted\\"" >&2; exit 3;;\n  docs) echo "docs broke" >&2; exit 4;;\nesac\n'''`,
  `[lifecycle.test]\nparallel = true\ncommand = "touch tested"`,
].join("\n\n");

function setUp(dir: string): void {
  for (const ws of WS) mkdirSync(join(dir, ws));
}

describe("a parallel fan-out with failures", () => {
  test("the rest of the fan-out finishes; one summary names every failure with its exit code and stderr; dependents never start", async () => {
    await withProject(TOML, async (p) => {
      setUp(p.dir);
      const r = await p.lc("run", "build", "test", "--concurrency", "2");
      expectExit(r, 1);
      for (const ws of ["api", "cli", "docs", "lib"]) expect(p.exists(`${ws}/ran`)).toBe(true);
      expect(p.exists("web/ran")).toBe(false);
      // The later phase does not start after a failure (default policy).
      for (const ws of WS) expect(p.exists(`${ws}/tested`)).toBe(false);
      const summary = r.stderr.slice(r.stderr.lastIndexOf("Run failed"));
      expect(summary).toMatch(/^Run failed after \S+: 2 succeeded, 2 failed, 6 skipped/);
      expect(summary).toContain("✗ docs#build (exit 4)\n      │ docs broke");
      expect(summary).toContain('✗ lib#build (exit 3)\n      │ lib broke: <missing> & "quoted"');
    });
  }, 60_000);

  test("--continue: everything that does not depend on a failure runs, including the next phase", async () => {
    await withProject(TOML, async (p) => {
      setUp(p.dir);
      const r = await p.lc("--json", "run", "build", "test", "--continue", "--concurrency", "2");
      expectExit(r, 1);
      for (const ws of ["api", "cli"]) expect(p.exists(`${ws}/tested`)).toBe(true);
      for (const ws of ["docs", "lib", "web"]) expect(p.exists(`${ws}/tested`)).toBe(false);
      const ends = Object.fromEntries(eventsOf(r.stdout, "task-end").map((e) => [e.task, e.status]));
      expect(ends).toMatchObject({ "web#build": "skipped", "web#test": "skipped", "lib#test": "skipped", "api#test": "success" });
    });
  }, 60_000);

  test("--fail-fast: nothing new starts after the first failure", async () => {
    await withProject(TOML, async (p) => {
      setUp(p.dir);
      const r = await p.lc("--json", "run", "build", "--fail-fast", "--concurrency", "1");
      expectExit(r, 1);
      // Graph order is dependency-then-name: api, cli, docs (fails) ... lib and web never start.
      expect(eventsOf(r.stdout, "task-start").map((e) => e.task)).toEqual(["api#build", "cli#build", "docs#build"]);
    });
  }, 60_000);

  test("a successful multi-task run ends with counts and the slowest tasks on stderr; stdout keeps ggen's lines", async () => {
    const ok = [`[project]\nname = "mono"`, ...WS.map((ws) => `[workspace.${ws}]\npath = "${ws}"`), `[lifecycle.build]\nparallel = true\ncommand = "true"`].join("\n\n");
    await withProject(ok, async (p) => {
      setUp(p.dir);
      const r = await p.lc("pipeline", "build", "--concurrency", "2");
      expectExit(r, 0);
      expect(r.stdout.trim().split("\n").at(-1)).toBe("Pipeline completed: build");
      expect(r.stderr).toMatch(/Run succeeded after \S+: 5 succeeded, 0 failed\n {2}slowest: \S+#build /);
      const quiet = await p.lc("-q", "run", "build");
      expect(quiet.stderr).toBe("");
    });
  }, 60_000);
});

describe("CI report files", () => {
  test("--summary: JSON with every task's status, timings, exit code and cache status, and the selection", async () => {
    await withProject(TOML, async (p) => {
      setUp(p.dir);
      // A report that cannot be written is an error naming the flag; the run's own exit code stands.
      p.write("blocker", "a file, not a directory");
      const blocked = await p.lc("run", "build", "--summary", join(p.dir, "blocker", "summary.json"), "--concurrency", "2");
      expectExit(blocked, 1);
      expect(blocked.stderr).toContain("--summary: cannot write");
      const again = await p.lc("run", "build", "--summary", join(p.dir, "out", "summary.json"), "--concurrency", "2");
      expectExit(again, 1);
      const doc = JSON.parse(readFileSync(join(p.dir, "out", "summary.json"), "utf8"));
      expect(doc).toMatchObject({ version: 1, status: "failed", phases: ["build"], counts: { success: 2, failed: 2, skipped: 1 }, selection: { workspaces: WS } });
      expect(doc.tasks.map((t: { task: string }) => t.task).sort()).toEqual(WS.map((w) => `${w}#build`).sort());
      const lib = doc.tasks.find((t: { task: string }) => t.task === "lib#build");
      expect(lib).toMatchObject({ workspace: "lib", phase: "build", status: "failed", exit_code: 3, cache: "off", stderr_tail: ['lib broke: <missing> & "quoted"'] });
      expect(lib.duration_ms).toBeGreaterThanOrEqual(0);
      expect(lib.started_ms).toBeGreaterThan(0);
      expect(doc.tasks.find((t: { task: string }) => t.task === "web#build")).toMatchObject({ status: "skipped", started_ms: null, exit_code: null });
    });
  }, 60_000);

  test("--junit: well-formed XML, one testcase per task, failures with escaped stderr", async () => {
    await withProject(TOML, async (p) => {
      setUp(p.dir);
      const xmlPath = join(p.dir, "report.xml");
      const r2 = await p.lc("run", "build", "--junit", xmlPath, "--concurrency", "2");
      expectExit(r2, 1);
      const root = parseXml(readFileSync(xmlPath, "utf8"));
      expect(root.attrs).toMatchObject({ tests: "5", failures: "2", skipped: "1", errors: "0" });
      const cases = findAll(root, "testcase").map((c) => `${c.attrs.classname}#${c.attrs.name}`);
      expect(cases.sort()).toEqual(WS.map((w) => `${w}#build`).sort());
      const failures = findAll(root, "failure");
      expect(failures.map((f) => f.attrs.type).sort()).toEqual(["exit 3", "exit 4"]);
      expect(failures.map((f) => f.text)).toContain('lib broke: <missing> & "quoted"');
    });
  }, 60_000);
});
