// Port of ggen's ggen-core/src/lifecycle/integration_test.rs (REFERENCE.md 4.1) to the compiled `lifecycle` binary.
// ggen's run_phase(x) is `lifecycle --root DIR run x`; run_pipeline([..]) is `lifecycle --root DIR pipeline ..`.
import { describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ggenFixture, readState } from "../helpers/cli.ts";
import { eventsOf, expectExit, fillTemplate, HEX64, portableDate, runningOrder, taskEnd, withProject } from "./support.ts";

const FIXTURE = ggenFixture("core_integration__LifecycleTestFixture_new__1.toml");
const WORKSPACES_FIXTURE = ggenFixture("core_integration__LifecycleTestFixture_new_with_workspaces__1.toml");

describe("ggen core integration (4.1)", () => {
  test("test_load_make_toml: the fixture validates and list/show expose its phases, cache flag and hooks", async () => {
    await withProject(FIXTURE, async (p) => {
      expectExit(await p.lc("validate"), 0);
      const list = await p.lc("list");
      expectExit(list, 0);
      expect(list.stdout).toContain("Available lifecycle phases");
      for (const [name, description] of [
        ["init", "Initialize project"],
        ["build", "Build project"],
        ["test", "Run tests"],
        ["lint", "Lint code"],
        ["clean", "Clean artifacts"],
      ]) {
        expect(list.stdout).toContain(`• ${name} - ${description}`);
      }
      const show = await p.lc("show", "build");
      expectExit(show, 0);
      expect(show.stdout).toContain("Phase: build");
      expect(show.stdout).toContain("Description: Build project");
      expect(show.stdout).toContain("Caching: true");
      expect(show.stdout).toContain("Before hooks:");
      const before = show.stdout.slice(show.stdout.indexOf("Before hooks:"));
      expect(before.indexOf("→ test")).toBeGreaterThan(-1);
      expect(before.indexOf("→ lint")).toBeGreaterThan(before.indexOf("→ test"));
    });
  });

  test("test_run_single_phase: run init records one successful run and writes src/test.txt", async () => {
    await withProject(FIXTURE, async (p) => {
      const r = await p.lc("run", "init");
      expectExit(r, 0);
      const state = readState(p.dir);
      expect(state.last_phase).toBe("init");
      expect(state.phase_history).toHaveLength(1);
      const record = state.phase_history[0]!;
      expect(record.phase).toBe("init");
      expect(record.success).toBe(true);
      expect(Number.isInteger(record.duration_ms)).toBe(true);
      expect(record.duration_ms).toBeGreaterThanOrEqual(0);
      expect(record.started_ms).toBeGreaterThan(1_600_000_000_000);
      expect(p.read("src/test.txt")).toBe("test\n");
    });
  });

  test("test_state_persistence: run init then run build gives history [init, test, lint, build]", async () => {
    await withProject(FIXTURE, async (p) => {
      expectExit(await p.lc("run", "init"), 0);
      expectExit(await p.lc("run", "build"), 0);
      const state = readState(p.dir);
      expect(state.phase_history.map((r) => r.phase)).toEqual(["init", "test", "lint", "build"]);
      expect(state.phase_history.every((r) => r.success)).toBe(true);
      expect(state.last_phase).toBe("build");
    });
  });

  test("test_cache_key_generation: build gets a 64-hex cache key, identical on the next run", async () => {
    await withProject(FIXTURE, async (p) => {
      expectExit(await p.lc("run", "build"), 0);
      const first = readState(p.dir).cache_keys.filter((k) => k.phase === "build");
      expect(first.length).toBeGreaterThanOrEqual(1);
      expect(first[0]!.key).toMatch(HEX64);
      expectExit(await p.lc("run", "build", "--force"), 0);
      const keys = readState(p.dir).cache_keys.filter((k) => k.phase === "build");
      expect(keys.length).toBeGreaterThanOrEqual(2);
      expect(new Set(keys.map((k) => k.key)).size).toBe(1);
    });
  });

  test("test_cache_key_changes_with_inputs: the key differs with the phase name, the commands and the env", async () => {
    const base = `[project]\nname = "keys"\n\n[lifecycle.one]\ncommand = "echo same"\n\n[lifecycle.two]\ncommand = "echo same"\n`;
    await withProject(base, async (p) => {
      expectExit(await p.lc("run", "one", "two"), 0);
      const keyOf = (phase: string) => readState(p.dir).cache_keys.filter((k) => k.phase === phase).at(-1)?.key;
      const one = keyOf("one");
      const two = keyOf("two");
      expect(one).toMatch(HEX64);
      expect(two).toMatch(HEX64);
      expect(one).not.toBe(two);

      p.write("make.toml", base.replace('[lifecycle.one]\ncommand = "echo same"', '[lifecycle.one]\ncommand = "echo different"'));
      expectExit(await p.lc("run", "one"), 0);
      const changedCommand = keyOf("one");
      expect(changedCommand).toMatch(HEX64);
      expect(changedCommand).not.toBe(one);

      // ggen hashed its context env (GGEN_ENV): a different --env profile gives a different key.
      expectExit(await p.lc("run", "one", "--env", "value"), 0);
      const withEnv = keyOf("one");
      expect(withEnv).toMatch(HEX64);
      expect(withEnv).not.toBe(changedCommand);
    });
  });

  test("test_hooks_execution_order: run build gives exactly [test, lint, build], also in task-start order", async () => {
    await withProject(FIXTURE, async (p) => {
      const r = await p.lc("run", "build", "--json");
      expectExit(r, 0);
      expect(eventsOf(r.stdout, "task-start").map((e) => e.phase)).toEqual(["test", "lint", "build"]);
      expect(p.history()).toEqual(["test", "lint", "build"]);
      expect(readState(p.dir).last_phase).toBe("build");
    });
  });

  test("test_phase_not_found: run nonexistent exits 2 with \"Phase 'nonexistent' not found\" on stderr", async () => {
    await withProject(FIXTURE, async (p) => {
      const r = await p.lc("run", "nonexistent");
      expectExit(r, 2);
      expect(r.stderr).toContain("Phase 'nonexistent' not found");
      expect(p.exists(".ggen/state.json")).toBe(false);
    });
  });

  test("test_get_last_run: init, build, init: the last init record is the second one", async () => {
    await withProject(FIXTURE, async (p) => {
      for (const phase of ["init", "build", "init"]) expectExit(await p.lc("run", phase), 0);
      const history = readState(p.dir).phase_history;
      expect(history.map((r) => r.phase)).toEqual(["init", "test", "lint", "build", "init"]);
      const inits = history.filter((r) => r.phase === "init");
      expect(inits).toHaveLength(2);
      expect(history.at(-1)).toEqual(inits[1]!);
      expect(inits[1]!.started_ms).toBeGreaterThanOrEqual(history[3]!.started_ms);
      expect(history[3]!.started_ms).toBeGreaterThanOrEqual(inits[0]!.started_ms);
    });
  });

  test("test_get_cache_key: build has a 64-hex key, an unknown phase has none", async () => {
    await withProject(FIXTURE, async (p) => {
      expectExit(await p.lc("run", "build"), 0);
      const keys = readState(p.dir).cache_keys;
      expect(keys.find((k) => k.phase === "build")?.key).toMatch(HEX64);
      expect(keys.find((k) => k.phase === "nonexistent")).toBeUndefined();
    });
  });

  test("test_pipeline_execution: pipeline init build test runs test once, as build's before-hook (product.md: a task that appears twice runs once), so last_phase is build, not test (V1 ran test twice)", async () => {
    await withProject(FIXTURE, async (p) => {
      const r = await p.lc("pipeline", "init", "build", "test");
      expectExit(r, 0);
      const state = readState(p.dir);
      expect(state.phase_history[0]!.phase).toBe("init");
      expect(state.phase_history.map((h) => h.phase)).toEqual(["init", "test", "lint", "build"]);
      expect(state.last_phase).toBe("build");
      expect(r.stdout).toContain("Pipeline completed: init → build → test");
    });
  });

  test("test_workspace_support: both workspaces of the fixture are valid and run the root's phase", async () => {
    await withProject(WORKSPACES_FIXTURE, async (p) => {
      mkdirSync(join(p.dir, "frontend"));
      mkdirSync(join(p.dir, "backend"));
      expectExit(await p.lc("validate"), 0);
      const r = await p.lc("pipeline", "install");
      expectExit(r, 0);
      for (const ws of ["frontend", "backend"]) {
        expect(readState(join(p.dir, ws)).last_phase).toBe("install");
        expect(p.history(ws)).toEqual(["install"]);
      }
    });
  });

  test("test_phase_commands_extraction: show lists build's single command and init's two commands in order", async () => {
    await withProject(FIXTURE, async (p) => {
      const build = await p.lc("show", "build");
      expectExit(build, 0);
      expect(build.stdout).toContain("Commands:");
      expect(build.stdout).toContain("$ echo 'Building project...'");
      const init = await p.lc("show", "init");
      expectExit(init, 0);
      const first = init.stdout.indexOf("$ mkdir -p src");
      const second = init.stdout.indexOf("$ echo 'test' > src/test.txt");
      expect(first).toBeGreaterThan(-1);
      expect(second).toBeGreaterThan(first);
      const unknown = await p.lc("show", "unknown");
      expectExit(unknown, 2);
      expect(unknown.stderr).toContain("Phase 'unknown' not found");
    });
  });

  test("test_phase_names_listing: list shows exactly the 5 phases, alphabetically", async () => {
    await withProject(FIXTURE, async (p) => {
      const r = await p.lc("list");
      expectExit(r, 0);
      const names = [...r.stdout.matchAll(/• (\S+) - /g)].map((m) => m[1]);
      expect(names).toEqual(["build", "clean", "init", "lint", "test"]);
    });
  });

  test("test_multiple_phase_runs_state_history: three runs of test give three successful test records", async () => {
    await withProject(FIXTURE, async (p) => {
      for (let i = 0; i < 3; i++) expectExit(await p.lc("run", "test"), 0);
      const history = readState(p.dir).phase_history;
      expect(history).toHaveLength(3);
      expect(history.every((r) => r.phase === "test" && r.success)).toBe(true);
    });
  });

  test("test_empty_phase_commands: an empty phase is a valid no-op group (V1, product.md) not a load error (V2)", async () => {
    await withProject(ggenFixture("core_integration__test_empty_phase_commands__1.toml"), async (p) => {
      expectExit(await p.lc("validate"), 0);
      const r = await p.lc("run", "empty");
      expectExit(r, 0);
      expect(r.stderr).not.toContain("no commands");
    });
  });

  test("empty phase as a group runs its before/after hooks and depends_on (product.md 2)", async () => {
    const make = [
      `[project]\nname = "group"`,
      `[lifecycle.bundle]\ndescription = "group"\ndepends_on = ["dep"]`,
      `[lifecycle.dep]\ncommand = "echo dep >> log.txt"`,
      `[lifecycle.pre]\ncommand = "echo pre >> log.txt"`,
      `[lifecycle.post]\ncommand = "echo post >> log.txt"`,
      `[hooks]\nbefore_bundle = ["pre"]\nafter_bundle = ["post"]`,
    ].join("\n\n");
    await withProject(make, async (p) => {
      const r = await p.lc("run", "bundle");
      expectExit(r, 0);
      const log = p.read("log.txt").trim().split("\n");
      expect(log.sort()).toEqual(["dep", "post", "pre"]);
      expect(p.read("log.txt").trim().split("\n").at(-1)).toBe("post");
    });
  });

  test("test_load_make_or_default: without make.toml, list prints \"No make.toml found\" and exits 0", async () => {
    await withProject(undefined, async (p) => {
      const r = await p.lc("list");
      expectExit(r, 0);
      expect(r.stdout + r.stderr).toContain("No make.toml found");
    });
  });

  test("test_concurrent_phase_execution_state: init, test, lint, clean run one after another give 4 records", async () => {
    await withProject(FIXTURE, async (p) => {
      for (const phase of ["init", "test", "lint", "clean"]) expectExit(await p.lc("run", phase), 0);
      const history = readState(p.dir).phase_history;
      expect(history.map((r) => r.phase)).toEqual(["init", "test", "lint", "clean"]);
      expect(history.every((r) => r.success)).toBe(true);
    });
  });

  test("test_parallel_workspace_execution: pipeline timestamp runs in all 3 workspaces, each with its own state (GNU date %N replaced)", async () => {
    await withProject(portableDate(ggenFixture("core_integration__test_parallel_workspace_execution__2.toml")), async (p) => {
      for (const n of ["1", "2", "3"]) {
        p.write(`workspace${n}/make.toml`, portableDate(fillTemplate("core_integration__test_parallel_workspace_execution__1.toml", n)));
      }
      const r = await p.lc("pipeline", "timestamp");
      expectExit(r, 0);
      expect(r.stdout).toContain("Pipeline completed: timestamp");
      for (const n of ["1", "2", "3"]) {
        expect(p.read(`workspace${n}/timestamp.txt`)).toMatch(/^\d+\n$/);
        expect(readState(join(p.dir, `workspace${n}`)).last_phase).toBe("timestamp");
      }
      expect(runningOrder(r.stdout).filter((name) => name === "timestamp")).toHaveLength(3);
    });
  });

  test("test_parallel_workspace_error_handling: one failing workspace fails the run (exit 1); the root's parallel = true lets the others finish (ggen: the root's definition decides, workspaces have their own make.toml) and the failure is recorded", async () => {
    await withProject(ggenFixture("core_integration__test_parallel_workspace_error_handling__2.toml"), async (p) => {
      const commands: Record<string, string> = { "1": "echo 'test'", "2": "exit 1", "3": "echo 'test'" };
      for (const n of ["1", "2", "3"]) {
        p.write(`workspace${n}/make.toml`, fillTemplate("core_integration__test_parallel_workspace_error_handling__1.toml", n, commands[n]!));
      }
      const r = await p.lc("pipeline", "process");
      expectExit(r, 1);
      expect(r.stdout).not.toContain("Pipeline completed");
      expect(r.stderr).toContain("Command failed in phase 'process'");
      expect(r.stderr).toContain("Exit code: 1");
      expect(r.stderr).not.toContain("'unknown'");
      for (const n of ["1", "3"]) expect(readState(join(p.dir, `workspace${n}`)).phase_history).toMatchObject([{ phase: "process", success: true }]);
      expect(readState(join(p.dir, "workspace2")).phase_history).toMatchObject([{ phase: "process", success: false }]);
    });
  });

  test("test_parallel_workspace_isolation (V0-only; V1 passes): each workspace's own make.toml command wins", async () => {
    await withProject(ggenFixture("core_integration_oct11__test_parallel_workspace_isolation__2.toml"), async (p) => {
      for (const n of ["1", "2", "3"]) p.write(`workspace${n}/make.toml`, fillTemplate("core_integration_oct11__test_parallel_workspace_isolation__1.toml", n, n));
      const r = await p.lc("pipeline", "write");
      expectExit(r, 0);
      for (const n of ["1", "2", "3"]) expect(p.read(`workspace${n}/output.txt`)).toBe(`workspace${n}\n`);
      expect(p.exists("output.txt")).toBe(false);
    });
  });

  test("test_parallel_vs_sequential_performance (no timing): parallel = false runs one workspace at a time in name order", async () => {
    await withProject(ggenFixture("core_integration_oct11__test_parallel_vs_sequential_performance__3.toml"), async (p) => {
      for (const n of ["1", "2", "3", "4"]) p.write(`workspace${n}/make.toml`, fillTemplate("core_integration_oct11__test_parallel_vs_sequential_performance__1.toml", n));
      const r = await p.lc("pipeline", "work", "--json", "--concurrency", "4");
      expectExit(r, 0);
      const lifecycleEvents = r.stdout
        .split("\n")
        .filter((line) => line.includes('"task-start"') || line.includes('"task-end"'))
        .map((line) => JSON.parse(line) as { event: string; task: string });
      expect(lifecycleEvents.map((e) => `${e.event}:${e.task}`)).toEqual(
        ["1", "2", "3", "4"].flatMap((n) => [`task-start:workspace${n}#work`, `task-end:workspace${n}#work`]),
      );
      for (const n of ["1", "2", "3", "4"]) expect(p.read(`workspace${n}/result.txt`)).toBe("done\n");
    });
  });

  test("test_parallel_vs_sequential_performance (no timing): the root's parallel = true runs workspaces at the same time even when they have their own make.toml (ggen: the root's definition decides)", async () => {
    const root = ggenFixture("core_integration_oct11__test_parallel_vs_sequential_performance__2.toml").replace(/\[workspace\.workspace3\][\s\S]*?(?=\[lifecycle)/, "");
    // Each workspace waits for both gate files: run one at a time, the first could never finish.
    const gate = 'touch ../$LIFECYCLE_WORKSPACE.started; while [ ! -f ../workspace1.started ] || [ ! -f ../workspace2.started ]; do sleep 0.01; done';
    await withProject(root, async (p) => {
      for (const n of ["1", "2"]) p.write(`workspace${n}/make.toml`, `[project]\nname = "workspace${n}"\n\n[lifecycle.work]\ncommand = "${gate}"\n`);
      const r = await p.lc("pipeline", "work", "--concurrency", "4", "--timeout", "5s");
      expectExit(r, 0);
      expect(p.exists("workspace1.started") && p.exists("workspace2.started")).toBe(true);
    });
  }, 20_000);

  test("test_parallel_state_persistence (V0-only): three parallel pipelines leave each workspace with its own history", async () => {
    await withProject(ggenFixture("core_integration_oct11__test_parallel_state_persistence__2.toml"), async (p) => {
      for (const n of ["1", "2", "3"]) p.write(`workspace${n}/make.toml`, fillTemplate("core_integration_oct11__test_parallel_state_persistence__1.toml", n));
      for (const phase of ["init", "build", "test"]) expectExit(await p.lc("pipeline", phase), 0);
      for (const n of ["1", "2", "3"]) {
        const ws = `workspace${n}`;
        expect(p.history(ws)).toEqual(["init", "build", "test"]);
        expect(readState(join(p.dir, ws)).last_phase).toBe("test");
        for (const phase of ["init", "build", "test"]) expect(p.read(`${ws}/${phase}.txt`)).toBe(`${phase}\n`);
      }
    });
  });
});
