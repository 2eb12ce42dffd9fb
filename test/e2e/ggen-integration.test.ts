// Port of ggen's ggen-core/tests/integration/lifecycle_tests.rs (REFERENCE.md 4.3) to the compiled `lifecycle` binary.
// The readiness ("R") tests are not ported: readiness tracking is not part of product.md.
import { describe, expect, test } from "bun:test";
import { ggenFixture, readState } from "../helpers/cli.ts";
import { eventsOf, expectExit, HEX64, runningOrder, taskEnd, withProject } from "./support.ts";

const fixture = (name: string) => ggenFixture(`integration_lifecycle__${name}__1.toml`);

describe("ggen integration (4.3): phases and pipelines", () => {
  test("test_basic_phase_execution: run init, build, test records all three, last_phase test", async () => {
    await withProject(fixture("test_basic_phase_execution"), async (p) => {
      for (const phase of ["init", "build", "test"]) {
        const r = await p.lc("run", phase);
        expectExit(r, 0);
        expect(r.stdout).toContain(`Running phase: ${phase}`);
      }
      expect(p.history()).toEqual(["init", "build", "test"]);
      expect(readState(p.dir).last_phase).toBe("test");
    });
  });

  test("test_full_lifecycle_pipeline: pipeline init..deploy gives history exactly [init, setup, build, test, deploy]", async () => {
    await withProject(fixture("test_full_lifecycle_pipeline"), async (p) => {
      const phases = ["init", "setup", "build", "test", "deploy"];
      const r = await p.lc("pipeline", ...phases);
      expectExit(r, 0);
      expect(runningOrder(r.stdout)).toEqual(phases);
      for (const phase of phases) expect(r.stdout).toContain(`Phase: ${phase}`);
      expect(r.stdout.trimEnd().split("\n").at(-1)).toContain("Pipeline completed: init → setup → build → test → deploy");
      expect(p.history()).toEqual(phases);
      expect(readState(p.dir).phase_history.every((h) => h.success)).toBe(true);
    });
  });

  test("test_phase_with_multiple_commands: the 3 setup commands run in order and setup is recorded", async () => {
    await withProject(fixture("test_phase_with_multiple_commands"), async (p) => {
      const r = await p.lc("run", "setup");
      expectExit(r, 0);
      const steps = ["Step 1: Install dependencies", "Step 2: Configure environment", "Step 3: Verify setup"].map((s) => r.stdout.indexOf(s));
      expect(steps.every((i) => i >= 0)).toBe(true);
      expect([...steps].sort((a, b) => a - b)).toEqual(steps);
      expect(readState(p.dir).phase_history).toMatchObject([{ phase: "setup", success: true }]);
    });
  });

  test("test_phase_failure_stops_pipeline: build = exit 1 fails the pipeline (exit 1); init recorded, build recorded with success:false (ggen: nothing), test never runs", async () => {
    await withProject(fixture("test_phase_failure_stops_pipeline"), async (p) => {
      const r = await p.lc("pipeline", "init", "build", "test");
      expectExit(r, 1);
      expect(r.stdout).not.toContain("This should not run");
      expect(r.stdout).not.toContain("Pipeline completed");
      expect(r.stderr).toContain("Command failed in phase 'build'");
      expect(r.stderr).toContain("Exit code: 1");
      const state = readState(p.dir);
      expect(state.phase_history).toMatchObject([
        { phase: "init", success: true },
        { phase: "build", success: false },
      ]);
      expect(state.phase_history.some((h) => h.phase === "test")).toBe(false);
    });
  });

  test("test_phase_failure_stops_pipeline (--json): build's task-end is failed with exit_code 1 and test never starts", async () => {
    await withProject(fixture("test_phase_failure_stops_pipeline"), async (p) => {
      const r = await p.lc("pipeline", "init", "build", "test", "--json");
      expectExit(r, 1);
      expect(taskEnd(r.stdout, "//#init")?.status).toBe("success");
      expect(taskEnd(r.stdout, "//#build")).toMatchObject({ status: "failed", exit_code: 1 });
      expect(eventsOf(r.stdout, "task-start").map((e) => e.task)).not.toContain("//#test");
      expect(eventsOf(r.stdout, "run-end")).toMatchObject([{ status: "failed" }]);
    });
  });

  test("test_state_recovery_after_interruption: run build then run test gives 2 records", async () => {
    await withProject(fixture("test_state_recovery_after_interruption"), async (p) => {
      expectExit(await p.lc("run", "build"), 0);
      expectExit(await p.lc("run", "test"), 0);
      expect(p.history()).toEqual(["build", "test"]);
    });
  });

  test("test_marketplace_package_installation_in_setup: setup's echo commands run, setup recorded", async () => {
    await withProject(fixture("test_marketplace_package_installation_in_setup"), async (p) => {
      const r = await p.lc("run", "setup");
      expectExit(r, 0);
      expect(r.stdout).toContain("ggen market add database-migrations");
      expect(p.history()).toEqual(["setup"]);
    });
  });

  test("test_template_generation_in_init_phase: init's echo commands run, init recorded", async () => {
    await withProject(fixture("test_template_generation_in_init_phase"), async (p) => {
      const r = await p.lc("run", "init");
      expectExit(r, 0);
      expect(r.stdout).toContain("ggen template generate rust-service:database.tmpl");
      expect(p.history()).toEqual(["init"]);
    });
  });

  test("test_end_to_end_marketplace_lifecycle_flow: a 6-phase pipeline gives a history of 6", async () => {
    await withProject(fixture("test_end_to_end_marketplace_lifecycle_flow"), async (p) => {
      const phases = ["init", "setup", "build", "test", "validate", "deploy"];
      const r = await p.lc("pipeline", ...phases);
      expectExit(r, 0);
      expect(p.history()).toEqual(phases);
      expect(r.stdout).toContain(`Pipeline completed: ${phases.join(" → ")}`);
    });
  });

  test("test_phase_execution_performance (no timing): a single echo phase succeeds", async () => {
    await withProject(fixture("test_phase_execution_performance"), async (p) => {
      const r = await p.lc("run", "fast-phase");
      expectExit(r, 0);
      expect(r.stdout).toContain("Fast operation");
      expect(p.history()).toEqual(["fast-phase"]);
    });
  });
});

describe("ggen integration (4.3): hooks", () => {
  test("test_deployment_to_staging (V1 FAILS: custom hook ignored): before_deploy-staging runs validate-staging first", async () => {
    await withProject(fixture("test_deployment_to_staging"), async (p) => {
      const r = await p.lc("run", "deploy-staging");
      expectExit(r, 0);
      expect(runningOrder(r.stdout)).toEqual(["validate-staging", "deploy-staging"]);
      expect(p.history()).toEqual(["validate-staging", "deploy-staging"]);
    });
  });

  test("test_deployment_to_production (V1 FAILS: custom hooks ignored): before_ and after_deploy-production both run", async () => {
    await withProject(fixture("test_deployment_to_production"), async (p) => {
      const r = await p.lc("run", "deploy-production");
      expectExit(r, 0);
      expect(p.history()).toEqual(["pre-deploy-checks", "deploy-production", "post-deploy-monitoring"]);
      expect(r.stdout).toContain("Running security scan");
      expect(r.stdout).toContain("Setting up monitoring and alerts");
    });
  });

  test("test_deployment_validation_failure_prevents_deploy: a failing before_deploy hook stops deploy (exit 1)", async () => {
    await withProject(fixture("test_deployment_validation_failure_prevents_deploy"), async (p) => {
      const r = await p.lc("run", "deploy");
      expectExit(r, 1);
      expect(r.stdout).not.toContain("Should not deploy");
      expect(r.stderr).toContain("Command failed in phase 'validate'");
      const history = readState(p.dir).phase_history;
      expect(history.some((h) => h.phase === "deploy" && h.success)).toBe(false);
      expect(history).toContainEqual(expect.objectContaining({ phase: "validate", success: false }));
    });
  });

  test("test_rollback_after_failed_deployment: deploy fails (recorded success:false), then rollback succeeds and is recorded", async () => {
    await withProject(fixture("test_rollback_after_failed_deployment"), async (p) => {
      expectExit(await p.lc("run", "deploy"), 1);
      const r = await p.lc("run", "rollback");
      expectExit(r, 0);
      expect(r.stdout).toContain("Verifying rollback successful");
      expect(readState(p.dir).phase_history).toMatchObject([
        { phase: "deploy", success: false },
        { phase: "rollback", success: true },
      ]);
      expect(readState(p.dir).last_phase).toBe("rollback");
    });
  });

  test("test_before_and_after_hooks: validate < build < notify, in stdout and in history", async () => {
    await withProject(fixture("test_before_and_after_hooks"), async (p) => {
      const r = await p.lc("run", "build");
      expectExit(r, 0);
      expect(runningOrder(r.stdout)).toEqual(["validate", "build", "notify"]);
      expect(p.history()).toEqual(["validate", "build", "notify"]);
    });
  });

  test("test_circular_hook_detection (V1 FAILS): before_a = [b], before_b = [a] exits 2 with a -> b -> a before anything runs", async () => {
    const toml = fixture("test_circular_hook_detection").replace(/command = "echo 'Phase (\w)'"/g, "command = \"echo 'Phase $1' > ran-$1\"");
    await withProject(toml, async (p) => {
      const r = await p.lc("run", "a");
      expectExit(r, 2);
      expect(r.stderr).toContain("a -> b -> a");
      expect(r.stdout).not.toContain("Running phase");
      expect(p.exists("ran-A")).toBe(false);
      expect(p.exists("ran-B")).toBe(false);
      expect(p.exists(".ggen/state.json")).toBe(false);
    });
  });

  test("before_all / after_all run once per invocation, around everything (ggen: HookRecursion on every run)", async () => {
    const toml = [
      `[project]\nname = "global-hooks"`,
      `[lifecycle.check]\ncommand = "echo check >> log.txt"`,
      `[lifecycle.report]\ncommand = "echo report >> log.txt"`,
      `[lifecycle.a]\ncommand = "echo a >> log.txt"`,
      `[lifecycle.b]\ncommand = "echo b >> log.txt"`,
      `[hooks]\nbefore_all = ["check"]\nafter_all = ["report"]`,
    ].join("\n\n");
    await withProject(toml, async (p) => {
      const r = await p.lc("pipeline", "a", "b");
      expectExit(r, 0);
      expect(p.read("log.txt")).toBe("check\na\nb\nreport\n");
      expect(p.history()).toEqual(["check", "a", "b", "report"]);
      expect(r.stdout).toContain("Pipeline completed: a → b");
      const single = await p.lc("run", "a");
      expectExit(single, 0);
      expect(p.read("log.txt")).toBe("check\na\nb\nreport\ncheck\na\nreport\n");
    });
  });
});

describe("ggen integration (4.3): cache keys and errors", () => {
  test("test_phase_caching_basic: cache = true records a 64-hex key for build", async () => {
    await withProject(fixture("test_phase_caching_basic"), async (p) => {
      expectExit(await p.lc("run", "build"), 0);
      expect(readState(p.dir).cache_keys.find((k) => k.phase === "build")?.key).toMatch(HEX64);
    });
  });

  test("test_cache_invalidation_on_command_change: a changed command gives a new key and the phase runs again", async () => {
    await withProject(fixture("test_cache_invalidation_on_command_change"), async (p) => {
      const first = await p.lc("run", "build");
      expectExit(first, 0);
      expect(first.stdout).toContain("Version 1");
      const keyBefore = readState(p.dir).cache_keys.filter((k) => k.phase === "build").at(-1)?.key;
      p.write("make.toml", ggenFixture("integration_lifecycle__test_cache_invalidation_on_command_change__2.toml"));
      const second = await p.lc("run", "build");
      expectExit(second, 0);
      expect(second.stdout).toContain("Version 2");
      const keyAfter = readState(p.dir).cache_keys.filter((k) => k.phase === "build").at(-1)?.key;
      expect(keyBefore).toMatch(HEX64);
      expect(keyAfter).toMatch(HEX64);
      expect(keyAfter).not.toBe(keyBefore);
    });
  });

  test("test_cache_invalidation_on_failure: a failed test leaves build's key in place and is recorded with success:false", async () => {
    await withProject(fixture("test_cache_invalidation_on_failure"), async (p) => {
      expectExit(await p.lc("run", "build"), 0);
      const buildKey = readState(p.dir).cache_keys.find((k) => k.phase === "build")?.key;
      expect(buildKey).toMatch(HEX64);
      const r = await p.lc("run", "test");
      expectExit(r, 1);
      const state = readState(p.dir);
      expect(state.cache_keys.find((k) => k.phase === "build")?.key).toBe(buildKey!);
      expect(state.phase_history).toMatchObject([
        { phase: "build", success: true },
        { phase: "test", success: false },
      ]);
      expect(state.last_phase).toBe("build");
    });
  });

  test("test_cache_invalidation_on_failure: a failed cached phase is not cached; it runs (and fails) again", async () => {
    await withProject(fixture("test_cache_invalidation_on_failure"), async (p) => {
      expectExit(await p.lc("run", "test"), 1);
      const again = await p.lc("run", "test", "--json");
      expectExit(again, 1);
      expect(taskEnd(again.stdout, "//#test")).toMatchObject({ status: "failed", exit_code: 1 });
    });
  });

  test("test_detailed_error_messages: a missing command names the phase (never 'unknown'), the command and exit code 127", async () => {
    await withProject(fixture("test_detailed_error_messages"), async (p) => {
      const r = await p.lc("run", "failing-phase");
      expectExit(r, 1);
      expect(r.stderr).toContain("Command failed in phase 'failing-phase': nonexistent-command");
      expect(r.stderr).toContain("Exit code: 127");
      expect(r.stderr).not.toContain("phase 'unknown'");
      const record = readState(p.dir).phase_history[0]!;
      expect(record).toMatchObject({ phase: "failing-phase", success: false, exit_code: 127 });
    });
  });

  test("test_state_preservation_on_error: step1 stays recorded after step2 fails; step2 is recorded with success:false", async () => {
    await withProject(fixture("test_state_preservation_on_error"), async (p) => {
      expectExit(await p.lc("run", "step1"), 0);
      const r = await p.lc("run", "step2");
      expectExit(r, 1);
      expect(r.stderr).toContain("Command failed in phase 'step2'");
      const state = readState(p.dir);
      expect(state.phase_history).toMatchObject([
        { phase: "step1", success: true },
        { phase: "step2", success: false },
      ]);
      expect(state.last_phase).toBe("step1");
      expect(p.history()).not.toContain("step3");
    });
  });
});
