// `validate` and load-time checks (product.md 2): every problem at once with make.toml:LINE:COL, exit 2;
// invalid UTF-8 and NUL bytes; --strict turns unknown-key warnings into errors.
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expectExit, withProject } from "./support.ts";

/** stderr lines that carry a `make.toml:LINE:COL:` location. */
function located(stderr: string): string[] {
  return stderr.split("\n").filter((l) => /make\.toml:\d+:\d+: /.test(l));
}

describe("validate", () => {
  test("several type problems are all listed, each with make.toml:LINE:COL and its key path; exit 2", async () => {
    const toml = `[project]
name = "v"

[lifecycle.build]
command = 42
timeout = "soon"

[lifecycle.test]
retries = "many"
`;
    await withProject(toml, async (p) => {
      const r = await p.lc("validate");
      expectExit(r, 2);
      const lines = located(r.stderr);
      expect(lines.some((l) => l.includes("make.toml:5:") && l.includes("lifecycle.build.command"))).toBe(true);
      expect(lines.some((l) => l.includes("make.toml:6:") && l.includes("lifecycle.build.timeout"))).toBe(true);
      expect(lines.some((l) => l.includes("make.toml:9:") && l.includes("lifecycle.test.retries"))).toBe(true);
      expect(r.stderr).toContain("3 problems found");
      expect(r.stdout).toBe("");
    });
  });

  test("several reference problems are all listed with line:column and a did-you-mean where one fits", async () => {
    const toml = `[project]
name = "v"

[lifecycle.build]
command = "true"
depends_on = ["nope"]

[lifecycle.test]
command = "true"

[hooks]
before_build = ["missing"]
after_test = ["tset"]
`;
    await withProject(toml, async (p) => {
      const r = await p.lc("validate");
      expectExit(r, 2);
      const lines = located(r.stderr);
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(/make\.toml:6:\d+: lifecycle\.build\.depends_on\[0\]: unknown phase "nope"/);
      expect(lines[1]).toMatch(/make\.toml:12:\d+: hooks\.before_build\[0\]: unknown phase "missing"/);
      expect(lines[2]).toMatch(/make\.toml:13:\d+: hooks\.after_test\[0\]: unknown phase "tset" \(did you mean "test"\?\)/);
    });
  });

  test("a type problem and a reference problem in one file are both listed (every problem at once)", async () => {
    const toml = `[project]
name = "v"

[lifecycle.build]
command = "true"
timeout = "soon"
depends_on = ["nope"]
`;
    await withProject(toml, async (p) => {
      const r = await p.lc("validate");
      expectExit(r, 2);
      const lines = located(r.stderr);
      expect(lines.some((l) => l.includes("lifecycle.build.timeout"))).toBe(true);
      expect(lines.some((l) => l.includes('unknown phase "nope"'))).toBe(true);
    });
  });

  test("a valid file: exit 0 and a one-line summary on stdout", async () => {
    await withProject(`[project]\nname = "v"\n\n[lifecycle.build]\ncommand = "true"\n\n[lifecycle.test]\ncommand = "true"\n`, async (p) => {
      const r = await p.lc("validate");
      expectExit(r, 0);
      expect(r.stdout).toBe("make.toml is valid: 2 phases\n");
    });
  });

  test("invalid UTF-8 bytes: exit 2 naming make.toml and the position; run refuses too", async () => {
    await withProject(undefined, async (p) => {
      writeFileSync(join(p.dir, "make.toml"), Buffer.concat([Buffer.from('[project]\nname = "a'), Buffer.from([0xff, 0xfe]), Buffer.from('"\n\n[lifecycle.build]\ncommand = "touch built.marker"\n')]));
      const r = await p.lc("validate");
      expectExit(r, 2);
      expect(r.stderr).toMatch(/make\.toml:2:\d+: .*UTF-8/);
      const run = await p.lc("run", "build");
      expectExit(run, 2);
      expect(p.exists("built.marker")).toBe(false);
    });
  });

  test("a NUL byte: exit 2 naming make.toml", async () => {
    await withProject(undefined, async (p) => {
      writeFileSync(join(p.dir, "make.toml"), '[project]\nname = "a\0b"\n\n[lifecycle.build]\ncommand = "touch built.marker"\n');
      const r = await p.lc("validate");
      expectExit(r, 2);
      expect(r.stderr).toMatch(/make\.toml:2:\d+: .*NUL/);
      expectExit(await p.lc("run", "build"), 2);
      expect(p.exists("built.marker")).toBe(false);
    });
  });

  test("a workspace's make.toml with a problem is reported with its own path", async () => {
    await withProject(`[project]\nname = "v"\n\n[workspace.api]\npath = "apps/api"\n\n[lifecycle.build]\ncommand = "true"\n`, async (p) => {
      p.write("apps/api/make.toml", `[project]\nname = "api"\n\n[lifecycle.build]\ntimeout = "soon"\n`);
      const r = await p.lc("validate");
      expectExit(r, 2);
      expect(r.stderr).toMatch(/apps\/api\/make\.toml:5:\d+: lifecycle\.build\.timeout/);
    });
  });
});

describe("--strict", () => {
  const TYPO = `[project]\nname = "v"\n\n[lifecycle.build]\ncomand = "touch built.marker"\ncommand = "true"\n`;

  test("an unknown key is a warning (exit 0) with a did-you-mean and its location", async () => {
    await withProject(TYPO, async (p) => {
      const r = await p.lc("validate");
      expectExit(r, 0);
      expect(r.stderr).toMatch(/warning: make\.toml:5:\d+: lifecycle\.build\.comand: unknown key \(did you mean "command"\?\)/);
      expect(r.stdout).toContain("1 warning");
    });
  });

  test("validate --strict and --strict validate turn it into exit 2", async () => {
    await withProject(TYPO, async (p) => {
      for (const args of [["validate", "--strict"], ["--strict", "validate"]]) {
        const r = await p.lc(...args);
        expectExit(r, 2);
        expect(r.stderr).toMatch(/error: make\.toml:5:\d+: lifecycle\.build\.comand: unknown key/);
      }
    });
  });

  test("run --strict refuses to run a file with an unknown key (exit 2, nothing run)", async () => {
    await withProject(`[project]\nname = "v"\n\n[lifecycle.build]\ncommand = "touch built.marker"\ncomand = "x"\n`, async (p) => {
      const r = await p.lc("--strict", "run", "build");
      expectExit(r, 2);
      expect(p.exists("built.marker")).toBe(false);
      expectExit(await p.lc("run", "build"), 0);
      expect(p.exists("built.marker")).toBe(true);
    });
  });

  test("validate also refuses what planning would: a cwd or a cache pattern that leaves the root (file named relative to the root)", async () => {
    const toml = `[project]\nname = "v"\n\n[lifecycle.build]\ncommand = "true"\ncwd = "../elsewhere"\n\n[lifecycle.pack]\ncommand = "true"\ncache = true\ninputs = ["../**"]\n`;
    await withProject(toml, async (p) => {
      const r = await p.lc("validate");
      expectExit(r, 2);
      expect(r.stderr).toMatch(/error: make\.toml: lifecycle\.build\.cwd: cwd "\.\.\/elsewhere" resolves to .*, outside the project root/);
      expect(r.stderr).toContain('inputs pattern "../**" leaves the project root');
      expect(r.stderr).toContain("2 problems found");
    });
  });
});
