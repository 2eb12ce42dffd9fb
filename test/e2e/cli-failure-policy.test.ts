// Failure policy (product.md 3): default, --continue and --fail-fast, at the root and across workspaces.
// Order is proven with gate files and --json events, never with sleeps.
import { describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { readState } from "../helpers/cli.ts";
import { eventsOf, expectExit, show, taskEnd, withProject } from "./support.ts";

function monorepo(names: readonly string[], phases: string): string {
  return [`[project]\nname = "mono"`, ...names.map((ws) => `[workspace.${ws}]\npath = "${ws}"`), phases].join("\n\n");
}

describe("failure policy at the root", () => {
  const ROOT = `[project]
name = "root"

[lifecycle.a]
command = "echo a >> log.txt; exit 1"

[lifecycle.b]
command = "echo b >> log.txt"

[lifecycle.all]
depends_on = ["a", "b"]
command = "echo all >> log.txt"
`;

  test("--continue runs the independent phase after a failure; the dependent is skipped; exit 1", async () => {
    await withProject(ROOT, async (p) => {
      const r = await p.lc("--json", "run", "all", "--continue");
      expectExit(r, 1);
      const log = p.read("log.txt").trim().split("\n").sort();
      expect(log).toEqual(["a", "b"]);
      expect(taskEnd(r.stdout, "//#a")).toMatchObject({ status: "failed" });
      expect(taskEnd(r.stdout, "//#b")).toMatchObject({ status: "success" });
      expect(taskEnd(r.stdout, "//#all")).toMatchObject({ status: "skipped" });
      expect(eventsOf(r.stdout, "task-start").map((e) => e.task)).not.toContain("//#all");
      expect(eventsOf(r.stdout, "run-end")[0]).toMatchObject({ status: "failed", counts: { failed: 1, success: 1, skipped: 1 } });
    });
  });

  test("--continue in a pipeline: a later phase depends on the earlier one and is not started", async () => {
    await withProject(ROOT, async (p) => {
      const r = await p.lc("--json", "pipeline", "a", "b", "--continue");
      expectExit(r, 1);
      expect(p.read("log.txt")).toBe("a\n");
      expect(r.stdout).not.toContain("Pipeline completed");
    });
  });
});

describe("failure policy across workspaces", () => {
  test("--continue with a sequential phase: the workspaces after the failing one still run", async () => {
    const toml = monorepo(["ws1", "ws2", "ws3"], `[lifecycle.process]\ncommand = "echo ok > done.txt; [ \\"$LIFECYCLE_WORKSPACE\\" != ws1 ]"`);
    await withProject(toml, async (p) => {
      for (const ws of ["ws1", "ws2", "ws3"]) mkdirSync(join(p.dir, ws));
      const r = await p.lc("--json", "run", "process", "--continue");
      expectExit(r, 1);
      for (const ws of ["ws1", "ws2", "ws3"]) expect(p.exists(`${ws}/done.txt`)).toBe(true);
      expect(taskEnd(r.stdout, "ws1#process")).toMatchObject({ status: "failed" });
      expect(taskEnd(r.stdout, "ws2#process")).toMatchObject({ status: "success" });
      expect(taskEnd(r.stdout, "ws3#process")).toMatchObject({ status: "success" });
    });
  });

  test("--continue: a workspace that depends on a failed one does not start its phase", async () => {
    const toml = [
      `[project]\nname = "mono"`,
      `[workspace.lib]\npath = "lib"`,
      `[workspace.app]\npath = "app"\ndepends_on = ["lib"]`,
      `[workspace.other]\npath = "other"`,
      `[lifecycle.build]\ncommand = "echo ok > done.txt; [ \\"$LIFECYCLE_WORKSPACE\\" != lib ]"`,
    ].join("\n\n");
    await withProject(toml, async (p) => {
      for (const ws of ["lib", "app", "other"]) mkdirSync(join(p.dir, ws));
      const r = await p.lc("--json", "run", "build", "--continue");
      expectExit(r, 1);
      expect(p.exists("app/done.txt")).toBe(false);
      expect(p.exists("other/done.txt")).toBe(true);
      expect(taskEnd(r.stdout, "app#build")).toMatchObject({ status: "skipped" });
    });
  });

  test("--fail-fast: one parallel workspace fails while the other never ends; the other is cancelled and the run exits 1", async () => {
    // ws2 announces it started, then waits for a file that never appears; ws1 fails once ws2 is running.
    const command =
      'if [ \\"$LIFECYCLE_WORKSPACE\\" = ws1 ]; then while [ ! -f ../ws2.started ]; do sleep 0.01; done; exit 1; fi; touch ../ws2.started; while [ ! -f ../never.appears ]; do sleep 0.01; done';
    const toml = monorepo(["ws1", "ws2"], `[settings]\nkill_grace = "200ms"\n\n[lifecycle.work]\nparallel = true\ncommand = "${command}"`);
    await withProject(toml, async (p) => {
      mkdirSync(join(p.dir, "ws1"));
      mkdirSync(join(p.dir, "ws2"));
      // --timeout only bounds the test if cancellation were broken: then ws2 would end "timed-out", not "cancelled".
      const r = await p.lc("--json", "run", "work", "--fail-fast", "--concurrency", "4", "--timeout", "20s");
      expectExit(r, 1);
      expect(taskEnd(r.stdout, "ws1#work"), show(r)).toMatchObject({ status: "failed", exit_code: 1 });
      expect(taskEnd(r.stdout, "ws2#work"), show(r)).toMatchObject({ status: "cancelled" });
      expect(eventsOf(r.stdout, "run-end")[0]).toMatchObject({ status: "failed", counts: { failed: 1, cancelled: 1 } });
      expect(readState(join(p.dir, "ws2")).phase_history).toMatchObject([{ phase: "work", success: false, status: "cancelled" }]);
    });
  }, 30_000);

  test("--fail-fast: queued workspaces of a failing parallel phase never start", async () => {
    const toml = monorepo(["ws1", "ws2", "ws3"], `[lifecycle.work]\nparallel = true\ncommand = "echo ran > done.txt; [ \\"$LIFECYCLE_WORKSPACE\\" != ws1 ]"`);
    await withProject(toml, async (p) => {
      for (const ws of ["ws1", "ws2", "ws3"]) mkdirSync(join(p.dir, ws));
      // One task at a time, in name order: ws1 fails first, ws2 and ws3 are still queued.
      const r = await p.lc("--json", "run", "work", "--fail-fast", "--concurrency", "1");
      expectExit(r, 1);
      expect(p.exists("ws2/done.txt")).toBe(false);
      expect(p.exists("ws3/done.txt")).toBe(false);
      expect(eventsOf(r.stdout, "task-start").map((e) => e.task)).toEqual(["ws1#work"]);
    });
  });

  test("default policy: a parallel fan-out lets the others finish and the stderr summary lists every failed workspace", async () => {
    const toml = monorepo(
      ["ws1", "ws2", "ws3"],
      `[lifecycle.work]\nparallel = true\ncommand = "echo ran > done.txt; [ \\"$LIFECYCLE_WORKSPACE\\" = ws2 ] || exit 5"`,
    );
    await withProject(toml, async (p) => {
      for (const ws of ["ws1", "ws2", "ws3"]) mkdirSync(join(p.dir, ws));
      const r = await p.lc("run", "work", "--concurrency", "1");
      expectExit(r, 1);
      for (const ws of ["ws1", "ws2", "ws3"]) expect(p.exists(`${ws}/done.txt`)).toBe(true);
      expect(r.stderr).toContain("Run failed");
      expect(r.stderr).toContain("1 succeeded, 2 failed");
      expect(r.stderr).toContain("✗ ws1#work (exit 5)");
      expect(r.stderr).toContain("✗ ws3#work (exit 5)");
      expect(r.stderr).not.toContain("✗ ws2#work");
    });
  });
});
