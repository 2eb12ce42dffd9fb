// Environment layering (product.md 3): parent env < [env] < [env.<profile>] < phase env, then GGEN_ENV (with -e)
// and LIFECYCLE_PHASE / LIFECYCLE_WORKSPACE / LIFECYCLE_ROOT; "${NAME}" and "${NAME:-fallback}" expand from the parent env.
import { describe, expect, test } from "bun:test";
import { mkdirSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { expectExit, withProject, type Project } from "./support.ts";

const DUMP = `printf '%s|%s|%s|%s|%s\\n' "$A" "$B" "$C" "$D" "\${GGEN_ENV-unset}" > env.txt`;

const LAYERS = `[project]
name = "env"

[env]
A = "base-a"
B = "base-b"
C = "base-c"
D = "base-d"

[env.production]
B = "prod-b"
C = "prod-c"

[lifecycle.dump]
command = '''${DUMP}'''
env = { C = "phase-c" }
`;

function lc(p: Project, env: Record<string, string | undefined>, ...args: string[]) {
  return runCli(["--root", p.dir, ...args], { env });
}

describe("environment layering", () => {
  test("without a profile: [env] values, the phase env wins for its keys, GGEN_ENV unset", async () => {
    await withProject(LAYERS, async (p) => {
      expectExit(await lc(p, { GGEN_ENV: undefined }, "run", "dump"), 0);
      expect(p.read("env.txt")).toBe("base-a|base-b|phase-c|base-d|unset\n");
    });
  });

  test("-e production: [env.production] over [env], the phase env over both, GGEN_ENV=production", async () => {
    await withProject(LAYERS, async (p) => {
      expectExit(await lc(p, { GGEN_ENV: undefined }, "-e", "production", "run", "dump"), 0);
      expect(p.read("env.txt")).toBe("base-a|prod-b|phase-c|base-d|production\n");
    });
  });

  test("--env with a profile that has no [env.<name>] table still sets GGEN_ENV and keeps [env]", async () => {
    await withProject(LAYERS, async (p) => {
      expectExit(await lc(p, {}, "--env", "staging", "run", "dump"), 0);
      expect(p.read("env.txt")).toBe("base-a|base-b|phase-c|base-d|staging\n");
    });
  });

  test("[env] overrides the parent environment; parent variables not in make.toml pass through", async () => {
    await withProject(`[project]\nname = "env"\n\n[env]\nA = "toml-a"\n\n[lifecycle.dump]\ncommand = "echo \\"$A $PASS_THROUGH\\" > env.txt"\n`, async (p) => {
      expectExit(await lc(p, { A: "parent-a", PASS_THROUGH: "kept" }, "run", "dump"), 0);
      expect(p.read("env.txt")).toBe("toml-a kept\n");
    });
  });

  test("LIFECYCLE_PHASE, LIFECYCLE_WORKSPACE (empty at the root) and LIFECYCLE_ROOT at the root", async () => {
    const toml = `[project]\nname = "env"\n\n[lifecycle.where]\ncommand = "printf '%s|%s|%s\\\\n' \\"$LIFECYCLE_PHASE\\" \\"$LIFECYCLE_WORKSPACE\\" \\"$LIFECYCLE_ROOT\\" > where.txt"\n`;
    await withProject(toml, async (p) => {
      expectExit(await lc(p, { LIFECYCLE_WORKSPACE: "leaked-from-parent" }, "run", "where"), 0);
      const [phase, workspace, root] = p.read("where.txt").trimEnd().split("|");
      expect(phase).toBe("where");
      expect(workspace).toBe("");
      expect(realpathSync(root!)).toBe(realpathSync(p.dir));
    });
  });

  test("in a workspace: LIFECYCLE_WORKSPACE is its name and LIFECYCLE_ROOT the root directory, not the workspace's", async () => {
    const toml = `[project]\nname = "env"\n\n[workspace.api]\npath = "apps/api"\n\n[lifecycle.where]\ncommand = "printf '%s|%s|%s\\\\n' \\"$LIFECYCLE_PHASE\\" \\"$LIFECYCLE_WORKSPACE\\" \\"$LIFECYCLE_ROOT\\" > where.txt"\n`;
    await withProject(toml, async (p) => {
      mkdirSync(join(p.dir, "apps/api"), { recursive: true });
      expectExit(await lc(p, {}, "run", "where"), 0);
      const [phase, workspace, root] = p.read("apps/api/where.txt").trimEnd().split("|");
      expect(phase).toBe("where");
      expect(workspace).toBe("api");
      expect(realpathSync(root!)).toBe(realpathSync(p.dir));
    });
  });

  test("a hook phase sees LIFECYCLE_PHASE as its own name", async () => {
    const toml = `[project]\nname = "env"\n\n[lifecycle.prep]\ncommand = "echo $LIFECYCLE_PHASE > prep.txt"\n\n[lifecycle.build]\ncommand = "echo $LIFECYCLE_PHASE > build.txt"\n\n[hooks]\nbefore_build = ["prep"]\n`;
    await withProject(toml, async (p) => {
      expectExit(await lc(p, {}, "run", "build"), 0);
      expect(p.read("prep.txt")).toBe("prep\n");
      expect(p.read("build.txt")).toBe("build\n");
    });
  });

  test('"${HOME}" expands from the parent env; "${UNSET:-fallback}" gives the fallback; "${SET:-fallback}" the value', async () => {
    const toml = `[project]
name = "env"

[env]
MY_HOME = "\${HOME}/cache"
FALLBACK = "\${LIFECYCLE_TEST_UNSET_VAR:-fallback-value}"
PRESENT = "\${LIFECYCLE_TEST_SET_VAR:-not-used}"
MISSING = "[\${LIFECYCLE_TEST_UNSET_VAR}]"

[lifecycle.dump]
command = "printf '%s|%s|%s|%s\\\\n' \\"$MY_HOME\\" \\"$FALLBACK\\" \\"$PRESENT\\" \\"$MISSING\\" > env.txt"
`;
    await withProject(toml, async (p) => {
      expectExit(await lc(p, { HOME: "/home/someone", LIFECYCLE_TEST_UNSET_VAR: undefined, LIFECYCLE_TEST_SET_VAR: "set-value" }, "run", "dump"), 0);
      expect(p.read("env.txt")).toBe("/home/someone/cache|fallback-value|set-value|[]\n");
    });
  });

  test("expansion also applies to phase env and profile env values", async () => {
    const toml = `[project]
name = "env"

[env.ci]
WHO = "\${CI_USER:-nobody}"

[lifecycle.dump]
command = "echo \\"$WHO $WHERE\\" > env.txt"
env = { WHERE = "\${CI_PLACE}" }
`;
    await withProject(toml, async (p) => {
      expectExit(await lc(p, { CI_USER: "robot", CI_PLACE: "rack-7" }, "-e", "ci", "run", "dump"), 0);
      expect(p.read("env.txt")).toBe("robot rack-7\n");
    });
  });
});
