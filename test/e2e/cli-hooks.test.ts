// Hooks (product.md 2 [hooks], README): on_error / on_success in string and phase-list forms, before_all/after_all
// once per invocation, the table form { commands = [...] }.
import { describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { expectExit, withProject } from "./support.ts";

function project(body: string): string {
  return `[project]\nname = "hooks"\n\n[lifecycle.good]\ncommand = "echo good >> log.txt"\n\n[lifecycle.bad]\ncommand = "echo bad >> log.txt; exit 1"\n\n${body}`;
}

const STRING_FORM = project(`[hooks]\non_error = "echo on_error >> log.txt"\non_success = "echo on_success >> log.txt"\n`);

const LIST_FORM = project(`[lifecycle.alert]
command = "echo alert >> log.txt"

[lifecycle.notify]
command = "echo notify >> log.txt"

[hooks]
on_error = ["alert"]
on_success = ["notify"]
`);

describe("on_error / on_success", () => {
  test("string form: on_success runs after a successful run, on_error does not", async () => {
    await withProject(STRING_FORM, async (p) => {
      expectExit(await p.lc("run", "good"), 0);
      expect(p.read("log.txt")).toBe("good\non_success\n");
    });
  });

  test("string form: on_error runs after a failed run, on_success does not; the run still exits 1", async () => {
    await withProject(STRING_FORM, async (p) => {
      expectExit(await p.lc("run", "bad"), 1);
      expect(p.read("log.txt")).toBe("bad\non_error\n");
    });
  });

  test("phase-list form: on_success runs the listed phase (recorded in state) only on success", async () => {
    await withProject(LIST_FORM, async (p) => {
      expectExit(await p.lc("run", "good"), 0);
      expect(p.read("log.txt")).toBe("good\nnotify\n");
      expect(p.history()).toEqual(["good", "notify"]);
    });
  });

  test("phase-list form: on_error runs the listed phase only on failure", async () => {
    await withProject(LIST_FORM, async (p) => {
      expectExit(await p.lc("pipeline", "good", "bad"), 1);
      expect(p.read("log.txt")).toBe("good\nbad\nalert\n");
      expect(p.history()).toEqual(["good", "bad", "alert"]);
    });
  });

  test("on_error runs when a task times out", async () => {
    const toml = project(`[settings]\nkill_grace = "100ms"\n\n[lifecycle.hang]\ntimeout = "300ms"\ncommand = "sleep 30"\n\n[hooks]\non_error = "echo on_error >> log.txt"\n`);
    await withProject(toml, async (p) => {
      expectExit(await p.lc("run", "hang"), 1);
      expect(p.read("log.txt")).toBe("on_error\n");
    });
  });

  test("neither hook runs under --dry-run", async () => {
    await withProject(STRING_FORM, async (p) => {
      expectExit(await p.lc("run", "good", "--dry-run"), 0);
      expect(p.exists("log.txt")).toBe(false);
    });
  });
});

describe("before_all / after_all", () => {
  const TOML = `[project]
name = "hooks"

[workspace.api]
path = "api"

[workspace.web]
path = "web"

[lifecycle.a]
command = "echo a-$LIFECYCLE_WORKSPACE >> \\"$LIFECYCLE_ROOT/log.txt\\""

[lifecycle.b]
command = "echo b-$LIFECYCLE_WORKSPACE >> \\"$LIFECYCLE_ROOT/log.txt\\""

[hooks]
before_all = "echo before_all >> \\"$LIFECYCLE_ROOT/log.txt\\""
after_all = "echo after_all >> \\"$LIFECYCLE_ROOT/log.txt\\""
`;

  test("with workspaces, pipeline a b runs before_all once first and after_all once last, not per workspace or phase", async () => {
    await withProject(TOML, async (p) => {
      mkdirSync(join(p.dir, "api"));
      mkdirSync(join(p.dir, "web"));
      const r = await p.lc("pipeline", "a", "b");
      expectExit(r, 0);
      const log = p.read("log.txt").trim().split("\n");
      expect(log[0]).toBe("before_all");
      expect(log.at(-1)).toBe("after_all");
      expect(log.filter((l) => l === "before_all")).toHaveLength(1);
      expect(log.filter((l) => l === "after_all")).toHaveLength(1);
      expect(log.slice(1, -1).sort()).toEqual(["a-api", "a-web", "b-api", "b-web"]);
    });
  });

  test("after_all does not run when a phase failed", async () => {
    const toml = `[project]\nname = "hooks"\n\n[lifecycle.a]\ncommand = "exit 1"\n\n[hooks]\nbefore_all = "echo before_all >> log.txt"\nafter_all = "echo after_all >> log.txt"\n`;
    await withProject(toml, async (p) => {
      expectExit(await p.lc("run", "a"), 1);
      expect(p.read("log.txt")).toBe("before_all\n");
    });
  });

  test("a failing before_all stops the run before any phase", async () => {
    const toml = `[project]\nname = "hooks"\n\n[lifecycle.a]\ncommand = "echo a >> log.txt"\n\n[hooks]\nbefore_all = "exit 9"\n`;
    await withProject(toml, async (p) => {
      expectExit(await p.lc("run", "a"), 1);
      expect(p.exists("log.txt")).toBe(false);
    });
  });
});

describe("hook table form", () => {
  test("[hooks.before_build] commands = [...] runs the inline commands in order before build", async () => {
    const toml = `[project]
name = "hooks"

[lifecycle.build]
command = "echo build >> log.txt"

[hooks.before_build]
commands = ["echo one >> log.txt", ["sh", "-c", "echo two >> log.txt"]]

[hooks.after_build]
commands = ["echo after >> log.txt"]
`;
    await withProject(toml, async (p) => {
      const r = await p.lc("run", "build");
      expectExit(r, 0);
      expect(p.read("log.txt")).toBe("one\ntwo\nbuild\nafter\n");
      // Inline hook commands are not phases: only build is in the history.
      expect(p.history()).toEqual(["build"]);
    });
  });

  test("a failing inline before-hook command stops the phase (exit 1; build never runs)", async () => {
    const toml = `[project]\nname = "hooks"\n\n[lifecycle.build]\ncommand = "echo build >> log.txt"\n\n[hooks.before_build]\ncommands = ["echo one >> log.txt", "exit 2", "echo three >> log.txt"]\n`;
    await withProject(toml, async (p) => {
      expectExit(await p.lc("run", "build"), 1);
      expect(p.read("log.txt")).toBe("one\n");
    });
  });

  test("show lists the inline hook commands", async () => {
    const toml = `[project]\nname = "hooks"\n\n[lifecycle.build]\ncommand = "true"\n\n[hooks.before_build]\ncommands = ["echo one", "echo two"]\n`;
    await withProject(toml, async (p) => {
      const r = await p.lc("show", "build");
      expectExit(r, 0);
      expect(r.stdout).toContain("Before hooks:\n  $ echo one\n  $ echo two");
    });
  });
});
