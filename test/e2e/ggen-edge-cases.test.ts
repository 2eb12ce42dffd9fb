// Port of ggen's ggen-core/tests/lifecycle_edge_cases.rs (REFERENCE.md 4.2) to the compiled `lifecycle` binary.
// ggen's load errors become `lifecycle validate` (and `run`) exiting 2 with the message on stderr.
import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ggenFixture, readState } from "../helpers/cli.ts";
import { expectExit, ggenFiles, HEX64, taskEnd, withProject, type Project } from "./support.ts";

const STATE_FIXTURES = {
  invalid_json: ["edge_cases__test_corrupted_state_json_invalid_json__1.toml", '{ "invalid json syntax'],
  partial_write: ["edge_cases__test_corrupted_state_json_partial_write__1.toml", '{"last_phase":"build","phase_history":[{'],
} as const;

/** The fixture's `echo` commands also leave a marker file, so a test can prove a command never ran. */
function withMarkers(toml: string): string {
  return toml.replace(/command = "echo (\w+)"/g, 'command = "echo $1 > ran-$1"');
}

function expectNothingRan(p: Project, names: readonly string[]): void {
  for (const name of names) expect(p.exists(`ran-${name}`)).toBe(false);
  expect(p.exists(".ggen/state.json")).toBe(false);
}

describe("ggen edge cases (4.2): corrupt state never stops a run (product.md 4; ggen failed after running the commands)", () => {
  for (const [variant, [fixture, content]] of Object.entries(STATE_FIXTURES)) {
    test(`test_corrupted_state_json_${variant}: the run succeeds, a warning is printed and the file is moved aside as state.json.corrupt-<ms>`, async () => {
      await withProject(ggenFixture(fixture), async (p) => {
        p.write(".ggen/state.json", content);
        const r = await p.lc("run", "build");
        expectExit(r, 0);
        expect(r.stdout).toContain("Running phase: build");
        expect(r.stderr).toContain("state.json");
        const aside = ggenFiles(p.dir, "state.json.corrupt-");
        expect(aside).toHaveLength(1);
        expect(aside[0]).toMatch(/^state\.json\.corrupt-\d+$/);
        expect(readFileSync(join(p.dir, ".ggen", aside[0]!), "utf8")).toBe(content);
        const state = readState(p.dir);
        expect(state.last_phase).toBe("build");
        expect(state.phase_history).toMatchObject([{ phase: "build", success: true }]);
      });
    });
  }

  test("test_state_json_empty_file: an empty state file reads as no history (V2), with a warning; the run succeeds", async () => {
    await withProject(ggenFixture("edge_cases__test_state_json_empty_file__1.toml"), async (p) => {
      p.write(".ggen/state.json", "");
      const r = await p.lc("run", "build");
      expectExit(r, 0);
      expect(r.stderr).toContain("state.json");
      expect(readState(p.dir).phase_history).toMatchObject([{ phase: "build", success: true }]);
    });
  });

  test("corrupt state.json with a valid state.json.bak: the backup's history is kept (product.md 4)", async () => {
    await withProject(ggenFixture("edge_cases__test_corrupted_state_json_invalid_json__1.toml"), async (p) => {
      expectExit(await p.lc("run", "build"), 0);
      expectExit(await p.lc("run", "build"), 0);
      expect(p.exists(".ggen/state.json.bak")).toBe(true);
      p.write(".ggen/state.json", STATE_FIXTURES.invalid_json[1]);
      const r = await p.lc("run", "build");
      expectExit(r, 0);
      expect(r.stderr).toContain("state.json");
      expect(ggenFiles(p.dir, "state.json.corrupt-")).toHaveLength(1);
      const history = readState(p.dir).phase_history;
      expect(history.length).toBeGreaterThanOrEqual(2);
      expect(history.every((h) => h.phase === "build" && h.success)).toBe(true);
    });
  });
});

describe("ggen edge cases (4.2): cycles are found before anything runs (exit 2, full chain; ggen found them mid-run)", () => {
  test("test_circular_hooks_a_b_a: run build exits 2 with the chain build -> test -> build and runs no command", async () => {
    await withProject(withMarkers(ggenFixture("edge_cases__test_circular_hooks_a_b_a__1.toml")), async (p) => {
      const r = await p.lc("run", "build");
      expectExit(r, 2);
      expect(r.stderr).toContain("build -> test -> build");
      expect(r.stdout).not.toContain("Running phase");
      expectNothingRan(p, ["building", "testing"]);
      const v = await p.lc("validate");
      expectExit(v, 2);
      expect(v.stderr).toMatch(/(build -> test -> build|test -> build -> test)/);
    });
  });

  test("test_circular_hooks_deep_chain (V1 FAILS: custom before_* ignored): run a exits 2 with a -> b -> c -> d -> a and runs no command", async () => {
    await withProject(withMarkers(ggenFixture("edge_cases__test_circular_hooks_deep_chain__1.toml")), async (p) => {
      const r = await p.lc("run", "a");
      expectExit(r, 2);
      expect(r.stderr).toContain("a -> b -> c -> d -> a");
      expect(r.stdout).not.toContain("Running phase");
      expectNothingRan(p, ["a", "b", "c", "d"]);
      const v = await p.lc("validate");
      expectExit(v, 2);
      expect(v.stderr).toMatch(/(a -> b -> c -> d -> a|b -> c -> d -> a -> b|c -> d -> a -> b -> c|d -> a -> b -> c -> d)/);
    });
  });

  test("test_circular_hooks_self_reference: before_build = [build] is a load error (V2, product.md) with chain build -> build, not found mid-run (V1)", async () => {
    await withProject(withMarkers(ggenFixture("edge_cases__test_circular_hooks_self_reference__1.toml")), async (p) => {
      const v = await p.lc("validate");
      expectExit(v, 2);
      expect(v.stderr).toContain("build -> build");
      const r = await p.lc("run", "build");
      expectExit(r, 2);
      expect(r.stderr).toContain("build -> build");
      expectNothingRan(p, ["building"]);
    });
  });
});

describe("ggen edge cases (4.2): make.toml load errors exit 2 and run nothing", () => {
  test("test_make_toml_missing_project_section: validate exits 2 and names project", async () => {
    await withProject(withMarkers(ggenFixture("edge_cases__test_make_toml_missing_project_section__1.toml")), async (p) => {
      const v = await p.lc("validate");
      expectExit(v, 2);
      expect(v.stderr).toContain("project");
      const r = await p.lc("run", "build");
      expectExit(r, 2);
      expectNothingRan(p, ["test"]);
    });
  });

  test("test_make_toml_invalid_toml_syntax: validate exits 2 naming make.toml with line:column", async () => {
    await withProject(ggenFixture("edge_cases__test_make_toml_invalid_toml_syntax__1.toml"), async (p) => {
      const v = await p.lc("validate");
      expectExit(v, 2);
      expect(v.stderr).toMatch(/make\.toml:\d+:\d+/);
      expectExit(await p.lc("run", "build"), 2);
    });
  });

  test("test_make_toml_conflicting_command_definitions: command wins over commands, with a warning on stderr (ggen: silently)", async () => {
    await withProject(ggenFixture("edge_cases__test_make_toml_conflicting_command_definitions__1.toml"), async (p) => {
      const r = await p.lc("run", "build");
      expectExit(r, 0);
      expect(r.stdout).toContain("single");
      expect(r.stdout).not.toContain("multi1");
      expect(r.stdout).not.toContain("multi2");
      expect(r.stderr).toContain("commands");
      const v = await p.lc("validate");
      expectExit(v, 0);
      expect(v.stderr).toContain("commands");
      const strict = await p.lc("validate", "--strict");
      expectExit(strict, 2);
    });
  });
});

describe("ggen edge cases (4.2): workspaces", () => {
  test("test_workspace_path_traversal_prevention: path ../../etc/passwd is rejected at load (exit 2, \"outside\"), not at execution (V1)", async () => {
    await withProject(ggenFixture("edge_cases__test_workspace_path_traversal_prevention__1.toml"), async (p) => {
      const v = await p.lc("validate");
      expectExit(v, 2);
      expect(v.stderr).toContain("outside");
      expect(v.stderr).toContain("malicious");
      const r = await p.lc("pipeline", "build");
      expectExit(r, 2);
      expect(r.stderr).toContain("outside");
      expect(r.stdout).not.toContain("Running phase");
    });
  });

  test("test_workspace_absolute_path_handling: an absolute path outside the root is rejected (exit 2, \"outside\")", async () => {
    const external = mkdtempSync(join(tmpdir(), "lifecycle-external-"));
    try {
      const toml = ggenFixture("edge_cases__test_workspace_absolute_path_handling__1.toml").replace("/tmp/external-workspace", external);
      await withProject(toml, async (p) => {
        const v = await p.lc("validate");
        expectExit(v, 2);
        expect(v.stderr).toContain("outside");
        const r = await p.lc("pipeline", "build");
        expectExit(r, 2);
        expect(r.stderr).toContain("outside");
      });
      expect(ggenFiles(external, "state.json")).toEqual([]);
    } finally {
      rmSync(external, { recursive: true, force: true });
    }
  });

  test("test_workspace_absolute_path_handling: an absolute path inside the root is accepted", async () => {
    await withProject(undefined, async (p) => {
      mkdirSync(join(p.dir, "inner"));
      p.write("make.toml", ggenFixture("edge_cases__test_workspace_absolute_path_handling__1.toml").replace("/tmp/external-workspace", join(p.dir, "inner")));
      expectExit(await p.lc("validate"), 0);
      expectExit(await p.lc("pipeline", "build"), 0);
      expect(readState(join(p.dir, "inner")).last_phase).toBe("build");
    });
  });

  test("workspace symlinked out of the root is rejected (exit 2, \"outside\"; product.md 2: symlinks included)", async () => {
    const external = mkdtempSync(join(tmpdir(), "lifecycle-external-"));
    try {
      await withProject(`[project]\nname = "t"\n\n[workspace.link]\npath = "link"\n\n[lifecycle.build]\ncommand = "echo test > ran-build"\n`, async (p) => {
        symlinkSync(external, join(p.dir, "link"));
        const v = await p.lc("validate");
        expectExit(v, 2);
        expect(v.stderr).toContain("outside");
        expectExit(await p.lc("pipeline", "build"), 2);
      });
      expect(ggenFiles(external, "state.json")).toEqual([]);
      expect(readFileSyncSafe(join(external, "ran-build"))).toBeUndefined();
    } finally {
      rmSync(external, { recursive: true, force: true });
    }
  });

  test("test_concurrent_workspace_state_isolation: root build (parallel) runs in ws1..ws3, each with its own state", async () => {
    await withProject(ggenFixture("edge_cases__test_concurrent_workspace_state_isolation__1.toml"), async (p) => {
      for (const ws of ["ws1", "ws2", "ws3"]) mkdirSync(join(p.dir, ws));
      const r = await p.lc("pipeline", "build");
      expectExit(r, 0);
      for (const ws of ["ws1", "ws2", "ws3"]) {
        const state = readState(join(p.dir, ws));
        expect(state.last_phase).toBe("build");
        expect(state.phase_history).toMatchObject([{ phase: "build", success: true }]);
      }
    });
  });
});

describe("ggen edge cases (4.2): state size and cache inputs", () => {
  test("test_large_phase_history_load_performance (no timing): a 1000-record history loads, the run appends and keeps history_limit (1000) records", async () => {
    await withProject(ggenFixture("edge_cases__test_large_phase_history_load_performance__1.toml"), async (p) => {
      const history = Array.from({ length: 1000 }, (_, i) => ({ phase: `phase${i}`, started_ms: 1_700_000_000_000 + i, duration_ms: i, success: true }));
      const keys = Array.from({ length: 1000 }, (_, i) => ({ phase: `phase${i}`, key: i.toString(16).padStart(64, "0") }));
      p.write(".ggen/state.json", JSON.stringify({ last_phase: "phase999", phase_history: history, generated: [], cache_keys: keys }, null, 2));
      const r = await p.lc("run", "build");
      expectExit(r, 0);
      expect(r.stderr).not.toContain("corrupt");
      const state = readState(p.dir);
      expect(state.phase_history).toHaveLength(1000);
      expect(state.phase_history[0]!.phase).toBe("phase1");
      expect(state.phase_history.at(-1)).toMatchObject({ phase: "build", success: true });
      expect(state.last_phase).toBe("build");
      expect(state.cache_keys.some((k) => k.phase === "phase999")).toBe(true);
      expect(state.cache_keys.find((k) => k.phase === "build")?.key).toMatch(HEX64);
    });
  });

  test("test_cache_key_missing_input_file: an input that does not exist is no error; a 64-hex key is recorded", async () => {
    const toml = `[project]\nname = "inputs"\n\n[lifecycle.build]\ncommand = "echo built"\ncache = true\ninputs = ["does-not-exist.txt"]\n`;
    await withProject(toml, async (p) => {
      const r = await p.lc("run", "build");
      expectExit(r, 0);
      expect(readState(p.dir).cache_keys.find((k) => k.phase === "build")?.key).toMatch(HEX64);
    });
  });
});

function readFileSyncSafe(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
