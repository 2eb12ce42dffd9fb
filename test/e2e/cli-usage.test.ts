// Exit codes and usage (product.md 5, README "Exit codes"): bad usage is exit 2 and runs nothing; --version; --help per command.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { expectExit, withProject } from "./support.ts";

const TOML = `[project]\nname = "u"\n\n[lifecycle.build]\ncommand = "touch built.marker"\n`;

describe("usage errors exit 2 and run nothing", () => {
  const cases: Array<[string, string[], RegExp]> = [
    ["an unknown command", ["frobnicate"], /unknown command "frobnicate"/],
    ["an unknown option", ["run", "build", "--bogus-flag"], /bogus-flag/],
    ["an unknown global option before the command", ["--bogus-flag", "run", "build"], /bogus-flag/],
    ["--continue with --fail-fast", ["run", "build", "--continue", "--fail-fast"], /--continue and --fail-fast/],
    ["--concurrency 0", ["run", "build", "--concurrency", "0"], /--concurrency/],
    ["--concurrency abc", ["run", "build", "--concurrency", "abc"], /--concurrency/],
    ["an unknown --output mode", ["run", "build", "--output", "fancy"], /--output/],
    ["an invalid --timeout", ["run", "build", "--timeout", "soon"], /--timeout/],
    ["an unknown --log-level", ["--log-level", "loud", "run", "build"], /--log-level/],
    ["run without a phase", ["run"], /phases|missing/i],
  ];
  for (const [what, args, message] of cases) {
    test(`${what}: exit 2, a message on stderr, nothing run`, async () => {
      await withProject(TOML, async (p) => {
        const r = await p.lc(...args);
        expectExit(r, 2);
        expect(r.stderr).toMatch(message);
        expect(p.exists("built.marker")).toBe(false);
        expect(p.exists(".ggen")).toBe(false);
      });
    });
  }

  test("an unknown option starting with --no- is named as typed in the message", async () => {
    await withProject(TOML, async (p) => {
      const r = await p.lc("run", "build", "--no-such-option");
      expectExit(r, 2);
      expect(r.stderr).toContain("--no-such-option");
      expect(p.exists("built.marker")).toBe(false);
    });
  });

  test("LIFECYCLE_CONCURRENCY=0 in the environment is a usage error naming the variable", async () => {
    await withProject(TOML, async (p) => {
      const r = await runCli(["--root", p.dir, "run", "build"], { env: { LIFECYCLE_CONCURRENCY: "0" } });
      expectExit(r, 2);
      expect(r.stderr).toContain("LIFECYCLE_CONCURRENCY");
      expect(p.exists("built.marker")).toBe(false);
    });
  });

  test("no command at all: exit 2 with a pointer to --help", async () => {
    const r = await runCli([]);
    expectExit(r, 2);
    expect(r.stderr).toContain("--help");
  });
});

describe("--version and --help", () => {
  test('--version prints "lifecycle <version>" (package.json) and exits 0', async () => {
    const version = (JSON.parse(readFileSync(join(import.meta.dir, "../../package.json"), "utf8")) as { version: string }).version;
    for (const flag of ["--version", "-V"]) {
      const r = await runCli([flag]);
      expectExit(r, 0);
      expect(r.stdout).toBe(`lifecycle ${version}\n`);
    }
  });

  const perCommand: Array<[string, string[]]> = [
    ["list", ["--root", "--file", "--strict"]],
    ["show", ["<phase>", "--root"]],
    ["run", ["--workspace", "--concurrency", "--timeout", "--continue", "--fail-fast", "--dry-run", "--output", "--json"]],
    ["pipeline", ["--workspace", "--concurrency", "--timeout", "--continue", "--fail-fast", "--dry-run", "--output"]],
    ["validate", ["--strict", "--root", "--file"]],
    ["graph", ["--format", "--root"]],
    ["state", ["--keep", "--root"]],
  ];
  for (const [command, words] of perCommand) {
    test(`${command} --help exits 0 and lists ${words.join(", ")}`, async () => {
      const r = await runCli([command, "--help"]);
      expectExit(r, 0);
      expect(r.stdout).toContain(`lifecycle ${command}`);
      for (const word of words) expect(r.stdout).toContain(word);
    });
  }

  test("--help lists every command, including validate, graph and state", async () => {
    const r = await runCli(["--help"]);
    expectExit(r, 0);
    for (const word of ["list", "show", "run", "pipeline", "validate", "graph", "state"]) expect(r.stdout).toContain(word);
  });
});
