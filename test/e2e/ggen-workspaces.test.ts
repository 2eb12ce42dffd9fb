// ggen's workspace behaviour (REFERENCE.md 2.5, 4.1, 4.2) as product.md section 3 defines it, through the binary.
import { describe, expect, test } from "bun:test";
import { mkdirSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { readState, runCli } from "../helpers/cli.ts";
import { eventsOf, expectExit, withProject } from "./support.ts";

const THREE = ["ws1", "ws2", "ws3"];

function monorepo(phases: string, extra = ""): string {
  return [`[project]\nname = "mono"\ntype = "monorepo"`, ...THREE.map((ws) => `[workspace.${ws}]\npath = "${ws}"`), phases, extra].join("\n\n");
}

describe("workspaces: ggen pipeline semantics, kept", () => {
  test("a root phase without a workspace make.toml runs in each workspace directory, with LIFECYCLE_WORKSPACE set", async () => {
    await withProject(monorepo(`[lifecycle.where]\ncommand = "pwd > where.txt; echo \\"$LIFECYCLE_WORKSPACE\\" > name.txt"`), async (p) => {
      for (const ws of THREE) mkdirSync(join(p.dir, ws));
      const r = await p.lc("pipeline", "where");
      expectExit(r, 0);
      for (const ws of THREE) {
        expect(realpathSync(p.read(`${ws}/where.txt`).trim())).toBe(realpathSync(join(p.dir, ws)));
        expect(p.read(`${ws}/name.txt`)).toBe(`${ws}\n`);
        expect(readState(join(p.dir, ws)).phase_history).toMatchObject([{ phase: "where", success: true }]);
      }
      expect(p.exists("where.txt")).toBe(false);
    });
  });

  test("each workspace's Running phase line names its workspace", async () => {
    await withProject(monorepo(`[lifecycle.build]\ncommand = "echo built"`), async (p) => {
      for (const ws of THREE) mkdirSync(join(p.dir, ws));
      const r = await p.lc("pipeline", "build");
      expectExit(r, 0);
      const lines = r.stdout.split("\n").filter((line) => line.includes("Running phase: build"));
      expect(lines).toHaveLength(3);
      for (const ws of THREE) expect(lines.some((line) => line.includes(ws))).toBe(true);
    });
  });

  test("a workspace with its own make.toml uses its own phase definition; the others use the root's", async () => {
    await withProject(monorepo(`[lifecycle.write]\ncommand = "echo root > out.txt"`), async (p) => {
      for (const ws of THREE) mkdirSync(join(p.dir, ws));
      p.write("ws2/make.toml", `[project]\nname = "ws2"\n\n[lifecycle.write]\ncommand = "echo own > out.txt"\n`);
      expectExit(await p.lc("pipeline", "write"), 0);
      expect(p.read("ws1/out.txt")).toBe("root\n");
      expect(p.read("ws2/out.txt")).toBe("own\n");
      expect(p.read("ws3/out.txt")).toBe("root\n");
    });
  });

  test("what a workspace's make.toml holds but never runs there (before_all, on_error, nested workspaces) is a warning with its line; --strict makes it exit 2", async () => {
    await withProject(monorepo(`[lifecycle.write]\ncommand = "echo root > out.txt"`), async (p) => {
      for (const ws of THREE) mkdirSync(join(p.dir, ws));
      p.write("ws2/make.toml", `[project]\nname = "ws2"\n\n[lifecycle.write]\ncommand = "echo own > out.txt"\n\n[hooks]\nbefore_all = "echo once"\non_error = "echo failed"\n\n[workspace.inner]\npath = "inner"\n`);
      const r = await p.lc("run", "write");
      expectExit(r, 0);
      expect(r.stderr).toMatch(/ws2\/make\.toml:8:1: hooks\.before_all: before_all in a workspace's make\.toml is not run/);
      expect(r.stderr).toMatch(/ws2\/make\.toml:9:1: hooks\.on_error: on_error in a workspace's make\.toml is not run/);
      expect(r.stderr).toMatch(/ws2\/make\.toml:11:2: workspace: workspaces in a workspace's make\.toml are not searched/);
      expect(p.read("ws2/out.txt")).toBe("own\n");
      const strict = await p.lc("validate", "--strict");
      expectExit(strict, 2);
      expect(strict.stderr).toContain("before_all in a workspace's make.toml is not run");
    });
  });

  test("root before_<phase>/after_<phase> hooks run once at the root around the workspace fan-out (product.md 3)", async () => {
    const phases = [
      `[lifecycle.prep]\ncommand = "echo prep >> \\"$LIFECYCLE_ROOT/log.txt\\""`,
      `[lifecycle.build]\ncommand = "echo build-$LIFECYCLE_WORKSPACE >> \\"$LIFECYCLE_ROOT/log.txt\\""`,
      `[lifecycle.post]\ncommand = "echo post >> \\"$LIFECYCLE_ROOT/log.txt\\""`,
      `[hooks]\nbefore_build = ["prep"]\nafter_build = ["post"]`,
    ].join("\n\n");
    await withProject(monorepo(phases), async (p) => {
      for (const ws of THREE) mkdirSync(join(p.dir, ws));
      const r = await p.lc("pipeline", "build");
      expectExit(r, 0);
      expect(p.read("log.txt")).toBe("prep\nbuild-ws1\nbuild-ws2\nbuild-ws3\npost\n");
    });
  });

  test("pipeline a b in workspaces: every workspace runs a before its own b; each has its own history", async () => {
    await withProject(monorepo(`[lifecycle.a]\ncommand = "echo a >> seq.txt"\n\n[lifecycle.b]\ncommand = "echo b >> seq.txt"`), async (p) => {
      for (const ws of THREE) mkdirSync(join(p.dir, ws));
      const r = await p.lc("pipeline", "a", "b", "--json");
      expectExit(r, 0);
      for (const ws of THREE) {
        expect(p.read(`${ws}/seq.txt`)).toBe("a\nb\n");
        expect(readState(join(p.dir, ws)).phase_history.map((h) => h.phase)).toEqual(["a", "b"]);
      }
      expect(eventsOf(r.stdout, "task-end").filter((e) => e.status === "success")).toHaveLength(6);
    });
  });

  test("phase.workspaces filters which workspaces run the phase (ggen ignored it)", async () => {
    await withProject(monorepo(`[lifecycle.build]\ncommand = "echo x > built.txt"\nworkspaces = ["ws1", "ws3"]`), async (p) => {
      for (const ws of THREE) mkdirSync(join(p.dir, ws));
      expectExit(await p.lc("pipeline", "build"), 0);
      expect(p.exists("ws1/built.txt")).toBe(true);
      expect(p.exists("ws2/built.txt")).toBe(false);
      expect(p.exists("ws3/built.txt")).toBe(true);
    });
  });
});

describe("workspaces: parallel fan-out (root definitions)", () => {
  test("parallel = true runs the workspaces at the same time (each waits for the other's gate file)", async () => {
    const gate = "touch ../$LIFECYCLE_WORKSPACE.started; while [ ! -f ../ws1.started ] || [ ! -f ../ws2.started ]; do sleep 0.01; done";
    const toml = [`[project]\nname = "mono"`, `[workspace.ws1]\npath = "ws1"`, `[workspace.ws2]\npath = "ws2"`, `[lifecycle.work]\nparallel = true\ncommand = "${gate}"`].join("\n\n");
    await withProject(toml, async (p) => {
      mkdirSync(join(p.dir, "ws1"));
      mkdirSync(join(p.dir, "ws2"));
      const r = await p.lc("pipeline", "work", "--concurrency", "4", "--timeout", "5s");
      expectExit(r, 0);
      expect(p.exists("ws1.started") && p.exists("ws2.started")).toBe(true);
    });
  }, 20_000);

  test("a failing workspace in a parallel fan-out lets the others finish; the run exits 1 and records each outcome", async () => {
    const toml = monorepo(`[lifecycle.process]\nparallel = true\ncommand = "echo ok > done.txt; [ \\"$LIFECYCLE_WORKSPACE\\" != ws2 ]"`);
    await withProject(toml, async (p) => {
      for (const ws of THREE) mkdirSync(join(p.dir, ws));
      const r = await p.lc("pipeline", "process", "--json");
      expectExit(r, 1);
      const ends = Object.fromEntries(eventsOf(r.stdout, "task-end").map((e) => [e.task, e]));
      expect(ends["ws1#process"]).toMatchObject({ status: "success" });
      expect(ends["ws2#process"]).toMatchObject({ status: "failed", exit_code: 1 });
      expect(ends["ws3#process"]).toMatchObject({ status: "success" });
      expect(String(ends["ws2#process"]?.error)).toContain("phase 'process'");
      expect(readState(join(p.dir, "ws2")).phase_history).toMatchObject([{ phase: "process", success: false }]);
      for (const ws of ["ws1", "ws3"]) expect(readState(join(p.dir, ws)).phase_history).toMatchObject([{ phase: "process", success: true }]);
    });
  });

  test("parallel = false (default) stops at the first failing workspace, in name order", async () => {
    const toml = monorepo(`[lifecycle.process]\ncommand = "echo ok > done.txt; [ \\"$LIFECYCLE_WORKSPACE\\" != ws2 ]"`);
    await withProject(toml, async (p) => {
      for (const ws of THREE) mkdirSync(join(p.dir, ws));
      const r = await p.lc("pipeline", "process");
      expectExit(r, 1);
      expect(p.exists("ws1/done.txt")).toBe(true);
      expect(p.exists("ws2/done.txt")).toBe(true);
      expect(p.exists("ws3/done.txt")).toBe(false);
    });
  });
});

describe("workspaces: paths are checked before anything runs", () => {
  test("a workspace outside the root (an existing directory) stops the whole run with exit 2 and \"outside\"; no workspace ran", async () => {
    await withProject(undefined, async (p) => {
      // The project root is <tmp>/root, so "../evil" is an existing directory outside it.
      p.write("root/make.toml", [
        `[project]\nname = "mono"`,
        `[workspace.good]\npath = "good"`,
        `[workspace.evil]\npath = "../evil"`,
        `[lifecycle.build]\ncommand = "echo ran > ran.txt"`,
      ].join("\n\n"));
      mkdirSync(join(p.dir, "root", "good"));
      mkdirSync(join(p.dir, "evil"));
      const r = await runCli(["--root", join(p.dir, "root"), "pipeline", "build"]);
      expectExit(r, 2);
      expect(r.stderr).toContain("outside");
      expect(r.stderr).toContain("evil");
      expect(p.exists("root/good/ran.txt")).toBe(false);
      expect(p.exists("evil/ran.txt")).toBe(false);
      expect(p.exists("root/good/.ggen/state.json")).toBe(false);
    });
  });

  test("a workspace whose directory is missing is a load error (exit 2, names the workspace)", async () => {
    await withProject(monorepo(`[lifecycle.build]\ncommand = "echo ran > ran.txt"`), async (p) => {
      mkdirSync(join(p.dir, "ws1"));
      mkdirSync(join(p.dir, "ws3"));
      const v = await p.lc("validate");
      expectExit(v, 2);
      expect(v.stderr).toContain("ws2");
      const r = await p.lc("pipeline", "build");
      expectExit(r, 2);
      expect(p.exists("ws1/ran.txt")).toBe(false);
    });
  });
});
