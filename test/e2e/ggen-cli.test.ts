// Port of ggen's cli/tests/lifecycle_e2e_test.rs (REFERENCE.md 4.4): `ggen lifecycle <cmd> --root T` is `lifecycle --root T <cmd>`.
import { describe, expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { ggenFixture, readState, runCli } from "../helpers/cli.ts";
import { expectExit, runningOrder, withProject } from "./support.ts";

const PROJECT = ggenFixture("cli_e2e__create_test_project__1.toml");

describe("ggen CLI e2e (4.4): list and show", () => {
  test("test_lifecycle_list_shows_all_phases", async () => {
    await withProject(PROJECT, async (p) => {
      const r = await p.lc("list");
      expectExit(r, 0);
      expect(r.stdout).toContain("Available lifecycle phases");
      for (const phase of ["init", "setup", "dev", "build", "test", "deploy"]) expect(r.stdout).toContain(`• ${phase} - `);
      expect(r.stdout).toContain("• init - Initialize project structure");
    });
  });

  test("test_lifecycle_list_without_make_toml: \"No make.toml found\" and exit 0", async () => {
    await withProject(undefined, async (p) => {
      const r = await p.lc("list");
      expectExit(r, 0);
      expect(r.stdout + r.stderr).toContain(`No make.toml found in ${p.dir}`);
    });
  });

  test("test_lifecycle_show_displays_phase_details", async () => {
    await withProject(PROJECT, async (p) => {
      const r = await p.lc("show", "init");
      expectExit(r, 0);
      expect(r.stdout).toContain("Phase: init");
      expect(r.stdout).toContain("Description: Initialize project structure");
      expect(r.stdout).toContain("Commands:");
      expect(r.stdout).toContain("$ mkdir -p src tests docs");
    });
  });

  test("test_lifecycle_show_with_metadata: watch/port for dev; caching and hooks for build", async () => {
    await withProject(PROJECT, async (p) => {
      const dev = await p.lc("show", "dev");
      expectExit(dev, 0);
      expect(dev.stdout).toContain("Watch mode: true");
      expect(dev.stdout).toContain("Port: 3000");
      const build = await p.lc("show", "build");
      expectExit(build, 0);
      expect(build.stdout).toContain("Caching: true");
      const before = build.stdout.indexOf("Before hooks:");
      const after = build.stdout.indexOf("After hooks:");
      expect(before).toBeGreaterThan(-1);
      expect(after).toBeGreaterThan(before);
      expect(build.stdout.slice(before, after)).toContain("→ lint");
      expect(build.stdout.slice(after)).toContain("→ test");
    });
  });

  test("test_lifecycle_show_missing_phase: exit 2 (product.md; ggen 1) and \"Phase 'nonexistent' not found\" on stderr", async () => {
    await withProject(PROJECT, async (p) => {
      const r = await p.lc("show", "nonexistent");
      expectExit(r, 2);
      expect(r.stderr).toContain("Phase 'nonexistent' not found");
    });
  });

  test("test_empty_phase_list: a make.toml without phases lists \"(no phases defined)\"", async () => {
    await withProject(ggenFixture("cli_e2e__test_empty_phase_list__1.toml"), async (p) => {
      const r = await p.lc("list");
      expectExit(r, 0);
      expect(r.stdout).toContain("(no phases defined)");
    });
  });

  test("test_lifecycle_list_shows_last_executed_phase: after run build, \"Last executed: test\" (after_build hook)", async () => {
    await withProject(PROJECT, async (p) => {
      expectExit(await p.lc("run", "build"), 0);
      const r = await p.lc("list");
      expectExit(r, 0);
      expect(r.stdout).toContain("Last executed: test");
    });
  });
});

describe("ggen CLI e2e (4.4): run", () => {
  test("test_lifecycle_run_executes_phase: run init creates src/, tests/, docs/ and .initialized", async () => {
    await withProject(PROJECT, async (p) => {
      const r = await p.lc("run", "init");
      expectExit(r, 0);
      expect(r.stdout).toContain("Running phase: init");
      for (const dir of ["src", "tests", "docs"]) expect(statSync(join(p.dir, dir)).isDirectory()).toBe(true);
      expect(p.read(".initialized")).toBe("Project initialized\n");
    });
  });

  test("test_lifecycle_run_creates_state_file: valid JSON, last_phase init, history contains init", async () => {
    await withProject(PROJECT, async (p) => {
      expectExit(await p.lc("run", "init"), 0);
      expect(() => JSON.parse(p.read(".ggen/state.json"))).not.toThrow();
      const state = readState(p.dir);
      expect(state.last_phase).toBe("init");
      expect(state.phase_history.map((h) => h.phase)).toContain("init");
    });
  });

  test("test_lifecycle_run_with_environment: run setup --env production succeeds and writes state", async () => {
    await withProject(PROJECT, async (p) => {
      const r = await p.lc("run", "setup", "--env", "production");
      expectExit(r, 0);
      expect(r.stdout).toContain("Running phase: setup");
      expect(p.exists(".ggen/state.json")).toBe(true);
      expect(p.read(".setup")).toBe("Setup complete\n");
    });
  });

  test("--env PROFILE sets GGEN_ENV for the commands (ggen's only context variable)", async () => {
    await withProject(`[project]\nname = "env"\n\n[lifecycle.show-env]\ncommand = "echo \\"$GGEN_ENV\\" > env.txt"\n`, async (p) => {
      expectExit(await p.lc("run", "show-env", "--env", "production"), 0);
      expect(p.read("env.txt")).toBe("production\n");
      expectExit(await p.lc("-e", "staging", "run", "show-env"), 0);
      expect(p.read("env.txt")).toBe("staging\n");
    });
  });

  test("test_lifecycle_run_missing_phase: exit 2 (product.md; ggen 1) and \"Phase 'invalid-phase' not found\"", async () => {
    await withProject(PROJECT, async (p) => {
      const r = await p.lc("run", "invalid-phase");
      expectExit(r, 2);
      expect(r.stderr).toContain("Phase 'invalid-phase' not found");
    });
  });

  test("test_hooks_execution_order: Running phase lint < build < test", async () => {
    await withProject(PROJECT, async (p) => {
      const r = await p.lc("run", "build");
      expectExit(r, 0);
      expect(runningOrder(r.stdout)).toEqual(["lint", "build", "test"]);
      const lint = r.stdout.indexOf("Running phase: lint");
      const build = r.stdout.indexOf("Running phase: build");
      const tests = r.stdout.indexOf("Running phase: test");
      expect(lint).toBeLessThan(build);
      expect(build).toBeLessThan(tests);
    });
  });

  test("test_multiple_commands_in_phase: run build prints \"Building project...\" and writes dist/output.txt", async () => {
    await withProject(PROJECT, async (p) => {
      const r = await p.lc("run", "build");
      expectExit(r, 0);
      expect(r.stdout).toContain("Building project...");
      expect(p.read("dist/output.txt")).toBe("Build complete\n");
    });
  });

  test("test_state_directory_creation: .ggen is absent before and holds a valid state after run init", async () => {
    await withProject(PROJECT, async (p) => {
      expect(existsSync(join(p.dir, ".ggen"))).toBe(false);
      expectExit(await p.lc("run", "init"), 0);
      expect(statSync(join(p.dir, ".ggen")).isDirectory()).toBe(true);
      expect(readState(p.dir).last_phase).toBe("init");
    });
  });

  test("test_concurrent_safe_state_updates: run init, setup, test give a history of 3", async () => {
    await withProject(PROJECT, async (p) => {
      for (const phase of ["init", "setup", "test"]) expectExit(await p.lc("run", phase), 0);
      expect(p.history()).toEqual(["init", "setup", "test"]);
    });
  });

  test("concurrent lifecycle processes on one root never lose a record (product.md 4; ggen had no lock)", async () => {
    await withProject(PROJECT, async (p) => {
      const phases = ["init", "setup", "test", "deploy", "cleanup", "validate"];
      const results = await Promise.all(phases.map((phase) => p.lc("run", phase)));
      for (const r of results) expectExit(r, 0);
      expect([...p.history()].sort()).toEqual([...phases].sort());
    });
  });

  test("test_phase_without_hooks: run init runs neither lint nor test", async () => {
    await withProject(PROJECT, async (p) => {
      const r = await p.lc("run", "init");
      expectExit(r, 0);
      expect(runningOrder(r.stdout)).toEqual(["init"]);
      expect(r.stdout).not.toContain("Running phase: lint");
      expect(r.stdout).not.toContain("Running phase: test");
    });
  });

  test("test_state_persistence_across_runs: run init, run setup: last_phase setup, history of 2", async () => {
    await withProject(PROJECT, async (p) => {
      expectExit(await p.lc("run", "init"), 0);
      expectExit(await p.lc("run", "setup"), 0);
      expect(readState(p.dir).last_phase).toBe("setup");
      expect(p.history()).toEqual(["init", "setup"]);
    });
  });
});

describe("ggen CLI e2e (4.4): pipeline", () => {
  test("test_lifecycle_pipeline_sequential_execution: init setup build, with build's lint/test hooks", async () => {
    await withProject(PROJECT, async (p) => {
      const r = await p.lc("pipeline", "init", "setup", "build");
      expectExit(r, 0);
      for (const phase of ["init", "setup", "build"]) expect(r.stdout).toContain(`Running phase: ${phase}`);
      expect(runningOrder(r.stdout)).toEqual(["init", "setup", "lint", "build", "test"]);
      expect(r.stdout.trimEnd().split("\n").at(-1)).toContain("Pipeline completed: init → setup → build");
      expect(p.exists(".initialized")).toBe(true);
      expect(p.exists(".setup")).toBe(true);
      expect(p.exists("dist/output.txt")).toBe(true);
      const state = readState(p.dir);
      expect(state.last_phase).toBe("test");
      for (const phase of ["init", "setup", "build"]) expect(state.phase_history.map((h) => h.phase)).toContain(phase);
    });
  });

  test("test_lifecycle_pipeline_with_environment: pipeline init setup --env staging succeeds and writes state", async () => {
    await withProject(PROJECT, async (p) => {
      const r = await p.lc("pipeline", "init", "setup", "--env", "staging");
      expectExit(r, 0);
      expect(p.exists(".ggen/state.json")).toBe(true);
      expect(p.history()).toEqual(["init", "setup"]);
    });
  });

  test("test_lifecycle_pipeline_stops_on_missing_phase: exit 2 and nothing runs, not even init (product.md; ggen ran init first)", async () => {
    await withProject(PROJECT, async (p) => {
      const r = await p.lc("pipeline", "init", "nonexistent", "setup");
      expectExit(r, 2);
      expect(r.stderr).toContain("Phase 'nonexistent' not found");
      expect(r.stdout).not.toContain("Running phase");
      expect(p.exists(".initialized")).toBe(false);
      expect(p.exists(".ggen/state.json")).toBe(false);
    });
  });

  test("test_performance_fast_execution (no timing): pipeline init setup build test succeeds; test runs once", async () => {
    await withProject(PROJECT, async (p) => {
      const r = await p.lc("pipeline", "init", "setup", "build", "test");
      expectExit(r, 0);
      expect(p.history()).toEqual(["init", "setup", "lint", "build", "test"]);
      expect(r.stdout).toContain("Pipeline completed: init → setup → build → test");
    });
  });
});

describe("ggen CLI e2e (4.4): help", () => {
  test("test_lifecycle_help_output: lifecycle --help lists the commands and global options", async () => {
    const r = await runCli(["--help"]);
    expectExit(r, 0);
    for (const word of ["list", "show", "run", "pipeline", "validate", "--root", "--env"]) expect(r.stdout).toContain(word);
  });

  const perCommand: Array<[string, string[]]> = [
    ["list", ["list", "--root"]],
    ["show", ["show", "<phase>", "--root"]],
    ["run", ["run", "--root", "--env"]],
    ["pipeline", ["pipeline", "--root", "--env"]],
  ];
  for (const [command, words] of perCommand) {
    test(`test_lifecycle_${command}_help: lifecycle ${command} --help exits 0 and names ${words.join(", ")}`, async () => {
      const r = await runCli([command, "--help"]);
      expectExit(r, 0);
      for (const word of words) expect(r.stdout).toContain(word);
    });
  }

  test("run --help and pipeline --help show the phases argument and the run options", async () => {
    for (const command of ["run", "pipeline"]) {
      const r = await runCli([command, "--help"]);
      expectExit(r, 0);
      expect(r.stdout).toMatch(/phases/i);
      for (const option of ["--dry-run", "--force", "--concurrency"]) expect(r.stdout).toContain(option);
    }
  });
});
