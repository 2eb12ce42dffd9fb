// `run --dry-run` through the binary (product.md 5, README "run/pipeline options"): the plan, nothing run, programs checked, secrets masked.
import { describe, expect, test } from "bun:test";
import { runCli } from "../helpers/cli.ts";
import { expectExit, show, withProject } from "./support.ts";

const PLAN = `[project]
name = "dry"

[env]
API_TOKEN = "s3cr3t-value"

[lifecycle.lint]
command = "echo linting"

[lifecycle.gen]
command = ["echo", "generating"]

[lifecycle.build]
depends_on = ["gen"]
command = "touch built.marker"

[lifecycle.pack]
command = "echo packing"

[lifecycle.leak]
command = "echo $API_TOKEN s3cr3t-value"

[hooks]
before_build = ["lint"]
after_build = ["pack"]
`;

/** Task ids in the order their headings appear in a dry-run plan. */
function planOrder(stdout: string): string[] {
  return [...stdout.matchAll(/^(?:on (?:success|error): )?(\S+#\S+)/gm)].map((m) => m[1]!);
}

describe("--dry-run", () => {
  test("prints the plan in run order (before hook, depends_on, phase, after hook) with each resolved command; exit 0", async () => {
    await withProject(PLAN, async (p) => {
      const r = await p.lc("run", "build", "--dry-run");
      expectExit(r, 0);
      expect(planOrder(r.stdout)).toEqual(["//#lint", "//#gen", "//#build", "//#pack"]);
      expect(r.stdout).toContain("$ echo linting");
      expect(r.stdout).toContain("$ echo generating");
      expect(r.stdout).toContain("$ touch built.marker");
      expect(r.stdout).toContain("$ echo packing");
      expect(r.stdout).not.toContain("Running phase:");
    });
  });

  test("runs nothing: the marker file is not created and no .ggen/state.json or audit line is written", async () => {
    await withProject(PLAN, async (p) => {
      const r = await p.lc("pipeline", "build", "leak", "--dry-run");
      expectExit(r, 0);
      expect(p.exists("built.marker")).toBe(false);
      expect(p.exists(".ggen/state.json")).toBe(false);
      expect(p.exists(".ggen/audit.jsonl")).toBe(false);
      expect(r.stdout).not.toContain("Pipeline completed");
    });
  });

  test("an argv command naming a missing program exits 2 and names the program", async () => {
    await withProject(`[project]\nname = "dry"\n\n[lifecycle.build]\ncommand = ["no-such-program-xyz"]\n`, async (p) => {
      const r = await p.lc("run", "build", "--dry-run");
      expectExit(r, 2);
      expect(r.stdout + r.stderr).toContain("no-such-program-xyz");
      expect(r.stdout + r.stderr).toMatch(/not found/);
    });
  });

  test("a shell command whose program is missing exits 2 and names the program (not the whole command line)", async () => {
    await withProject(`[project]\nname = "dry"\n\n[lifecycle.build]\ncommand = "no-such-program-xyz --flag"\n`, async (p) => {
      const r = await p.lc("run", "build", "--dry-run");
      expectExit(r, 2);
      expect(r.stdout + r.stderr).toMatch(/not found: no-such-program-xyz\b/);
    });
  });

  test("programs that exist pass the check: sh, an argv [\"echo\"], a script in the phase's directory", async () => {
    await withProject(`[project]\nname = "dry"\n\n[lifecycle.build]\ncommands = ["sh -c true", ["echo", "x"], "./tool.sh --go"]\n`, async (p) => {
      p.write("tool.sh", "#!/bin/sh\nexit 0\n");
      await Bun.$`chmod +x ${p.dir}/tool.sh`.quiet();
      const r = await p.lc("run", "build", "--dry-run");
      expectExit(r, 0);
      expect(r.stdout).not.toContain("missing:");
    });
  });

  test("secrets from [env] are masked: the plan never contains the value and shows ***", async () => {
    await withProject(PLAN, async (p) => {
      const r = await p.lc("run", "leak", "--dry-run");
      expectExit(r, 0);
      const all = r.stdout + r.stderr;
      expect(all).not.toContain("s3cr3t-value");
      expect(r.stdout).toContain("***");
      expect(r.stdout).toContain("$ echo $API_TOKEN ***");
    });
  });

  test("a secret from the parent environment typed literally into a command is masked too", async () => {
    await withProject(`[project]\nname = "dry"\n\n[lifecycle.deploy]\ncommand = "deploy-with hunter2-parent-pw"\n`, async (p) => {
      const r = await runCli(["--root", p.dir, "run", "deploy", "--dry-run"], { env: { DEPLOY_PASSWORD: "hunter2-parent-pw" } });
      expect(r.stdout + r.stderr, show(r)).not.toContain("hunter2-parent-pw");
      expect(r.stdout).toContain("deploy-with ***");
    });
  });

  test("a secret from the parent environment expanded into a task env value is masked on the env line", async () => {
    await withProject(`[project]\nname = "x"\n\n[lifecycle.build]\ncommand = "true"\nenv = { T = "\${MY_TOKEN}" }\n`, async (p) => {
      const r = await runCli(["--root", p.dir, "run", "build", "--dry-run"], { env: { MY_TOKEN: "abc123zz" } });
      expectExit(r, 0);
      expect(r.stdout + r.stderr, show(r)).not.toContain("abc123zz");
      expect(r.stdout).toContain("env: T=***");
    });
  });

  test("an unknown phase under --dry-run is still exit 2 with \"Phase 'x' not found\"", async () => {
    await withProject(PLAN, async (p) => {
      const r = await p.lc("run", "biuld", "--dry-run");
      expectExit(r, 2);
      expect(r.stderr).toContain("Phase 'biuld' not found");
    });
  });
});
