// Where workspaces may be, through the binary: inside the root or nothing runs (exit 2, "outside").
import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expectExit, withProject } from "./support.ts";

const BUILD = `[lifecycle.build]\ncommand = "touch built"`;
const project = (...tables: string[]) => [`[project]\nname = "mono"`, ...tables, BUILD].join("\n\n");

describe("workspace paths", () => {
  test.each([
    ["a .. path", "../escape"],
    ["a deeper .. path", "apps/../../escape"],
  ])("%s is outside the root: exit 2 naming the workspace, nothing runs", async (_, path) => {
    await withProject(project(`[workspace.ok]\npath = "ok"`, `[workspace.bad]\npath = "${path}"`), async (p) => {
      mkdirSync(join(p.dir, "ok"));
      const r = await p.lc("run", "build");
      expectExit(r, 2);
      expect(r.stderr).toContain(`workspace "bad": path "${path}" is outside the project root`);
      expect(p.exists("ok/built")).toBe(false);
    });
  });

  test("an absolute path outside the root is refused; an absolute path inside it is fine", async () => {
    const outside = mkdtempSync(join(tmpdir(), "lifecycle-outside-"));
    try {
      await withProject(project(`[workspace.bad]\npath = "${outside}"`), async (p) => {
        const r = await p.lc("run", "build");
        expectExit(r, 2);
        expect(r.stderr).toContain("outside the project root");
        expect(p.exists(join(outside, "built"))).toBe(false);
      });
      await withProject(undefined, async (p) => {
        mkdirSync(join(p.dir, "inside"));
        p.write("make.toml", project(`[workspace.abs]\npath = "${join(p.dir, "inside")}"`));
        expectExit(await p.lc("run", "build"), 0);
        expect(p.exists("inside/built")).toBe(true);
      });
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  test("a symlink that leads out of the root is refused, in a table and in members; one that stays inside is followed", async () => {
    const outside = mkdtempSync(join(tmpdir(), "lifecycle-outside-"));
    try {
      await withProject(project(`[workspace.link]\npath = "link"`), async (p) => {
        symlinkSync(outside, join(p.dir, "link"));
        const r = await p.lc("run", "build");
        expectExit(r, 2);
        expect(r.stderr).toContain(`workspace "link": path "link" is outside the project root`);
      });
      await withProject(project(`[workspace]\nmembers = ["pkgs/*"]`), async (p) => {
        mkdirSync(join(p.dir, "pkgs", "real"), { recursive: true });
        mkdirSync(join(p.dir, "elsewhere"));
        symlinkSync(outside, join(p.dir, "pkgs", "evil"));
        const r = await p.lc("run", "build");
        expectExit(r, 2);
        expect(r.stderr).toContain(`workspace "pkgs/evil"`);
        expect(r.stderr).toContain("outside the project root");
        expect(p.exists("pkgs/real/built")).toBe(false);
        rmSync(join(p.dir, "pkgs", "evil"));
        symlinkSync(join(p.dir, "elsewhere"), join(p.dir, "pkgs", "alias"));
        expectExit(await p.lc("run", "build"), 0);
        expect(p.exists("elsewhere/built")).toBe(true);
        expect(p.exists("pkgs/real/built")).toBe(true);
      });
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  test("a missing directory names the workspace (exit 2)", async () => {
    await withProject(project(`[workspace.ghost]\npath = "apps/ghost"`), async (p) => {
      const r = await p.lc("run", "build");
      expectExit(r, 2);
      expect(r.stderr).toContain(`workspace "ghost": directory "apps/ghost" does not exist`);
    });
    await withProject(project(`[workspace.file]\npath = "make.toml"`), async (p) => {
      const r = await p.lc("run", "build");
      expectExit(r, 2);
      expect(r.stderr).toContain(`workspace "file": path "make.toml" is not a directory`);
    });
  });

  test("a wrong path does not hide a workspace dependency cycle: both are listed (exit 2)", async () => {
    const tables = [`[workspace.a]\npath = "a"\ndepends_on = ["b"]`, `[workspace.b]\npath = "b"\ndepends_on = ["a"]`, `[workspace.ghost]\npath = "ghost"`];
    await withProject(project(...tables), async (p) => {
      for (const dir of ["a", "b"]) mkdirSync(join(p.dir, dir));
      const r = await p.lc("validate");
      expectExit(r, 2);
      expect(r.stderr).toContain(`workspace "ghost": directory "ghost" does not exist`);
      expect(r.stderr).toMatch(/workspace dependency cycle: (a -> b -> a|b -> a -> b)/);
    });
  });

  test("an absolute path written through a link to the root is inside: it is judged by where it leads", async () => {
    const links = mkdtempSync(join(tmpdir(), "lifecycle-links-"));
    try {
      await withProject(undefined, async (p) => {
        mkdirSync(join(p.dir, "apps", "a"), { recursive: true });
        symlinkSync(p.dir, join(links, "root"));
        p.write("make.toml", project(`[workspace.a]\npath = "${join(links, "root", "apps", "a")}"`));
        expectExit(await p.lc("run", "build"), 0);
        expect(p.exists("apps/a/built")).toBe(true);
      });
    } finally {
      rmSync(links, { recursive: true, force: true });
    }
  });

  test("members globs: every matching directory is a workspace named by its path; hidden and skipped directories are not", async () => {
    await withProject(project(`[workspace]\nmembers = ["apps/*", "libs/**"]`), async (p) => {
      for (const dir of ["apps/web", "apps/api", "libs/a", "libs/a/b", "apps/.hidden", "apps/node_modules", "other/x"]) mkdirSync(join(p.dir, dir), { recursive: true });
      p.write("apps/README.md", "not a directory");
      const r = await p.lc("graph", "build", "--format", "json");
      expectExit(r, 0);
      const json = JSON.parse(r.stdout) as { workspaces: Array<{ name: string }> };
      expect(json.workspaces.map((w) => w.name)).toEqual(["apps/api", "apps/web", "libs/a", "libs/a/b"]);
    });
  });

  test("a workspace's own make.toml defines its phases and hooks; without one the root's phase runs in the workspace directory", async () => {
    await withProject(project(`[workspace.own]\npath = "own"`, `[workspace.plain]\npath = "plain"`), async (p) => {
      mkdirSync(join(p.dir, "plain"));
      p.write("own/make.toml", `[project]\nname = "own"\n\n[lifecycle.build]\ncommand = "touch own-built"\n\n[lifecycle.check]\ncommand = "touch checked"\n\n[hooks]\nbefore_build = ["check"]\n`);
      expectExit(await p.lc("run", "build"), 0);
      expect(p.exists("own/own-built") && p.exists("own/checked")).toBe(true);
      expect(p.exists("own/built")).toBe(false);
      expect(p.exists("plain/built")).toBe(true);
      expect(p.exists("built")).toBe(false);
    });
  });

  test("one directory is one workspace: two tables on it are exit 2; a members match of a table's directory is that table's workspace", async () => {
    await withProject(project(`[workspace.a]\npath = "a/"`, `[workspace.b]\npath = "./a"`), async (p) => {
      mkdirSync(join(p.dir, "a"));
      const r = await p.lc("run", "build");
      expectExit(r, 2);
      expect(r.stderr).toMatch(/make\.toml:\d+:\d+: workspace\.b\.path: workspace "b": its directory is also workspace "a"/);
      expect(p.exists("a/built")).toBe(false);
    });
    await withProject(project(`[workspace]\nmembers = ["apps/*"]`, `[workspace.api]\npath = "apps/api"`), async (p) => {
      for (const dir of ["apps/api", "apps/web"]) mkdirSync(join(p.dir, dir), { recursive: true });
      const r = await p.lc("graph", "build", "--format", "json");
      expectExit(r, 0);
      expect((JSON.parse(r.stdout) as { workspaces: Array<{ name: string }> }).workspaces.map((w) => w.name)).toEqual(["api", "apps/web"]);
    });
  });

  test('a workspace at the root (path = ".", as in ggen\'s examples) shares the root\'s make.toml: its hooks run once, not again as the workspace\'s own', async () => {
    const hooks = `[lifecycle.h]\ncommand = "echo h >> hooks.log"\n\n[hooks]\nbefore_build = ["h"]`;
    await withProject(project(`[workspace.default]\npath = "."`, hooks), async (p) => {
      const r = await p.lc("run", "build");
      expectExit(r, 0);
      expect(p.read("hooks.log")).toBe("h\n");
      expect(p.exists("built")).toBe(true);
      expect(r.stdout).toContain("[default] Running phase: build");
    });
  });

  test.each([["../*"], ["/tmp/*"], ["apps/../../x"], ["{apps,..}/*"]])("members pattern %s leaves the root: exit 2 naming the pattern, nothing runs", async (pattern) => {
    await withProject(project(`[workspace]\nmembers = ["apps/*", "${pattern}"]`), async (p) => {
      mkdirSync(join(p.dir, "apps", "web"), { recursive: true });
      const r = await p.lc("run", "build");
      expectExit(r, 2);
      expect(r.stderr).toMatch(new RegExp(`make\\.toml:\\d+:\\d+: workspace\\.members\\[1\\]: pattern "${pattern.replace(/[.*{}]/g, "\\$&")}" is outside the project root`));
      expect(p.exists("apps/web/built") || p.exists("built")).toBe(false);
    });
  });

  test("a members pattern that matches no directory is a warning (an error with --strict), not a silent switch to one project", async () => {
    await withProject(project(`[workspace]\nmembers = ["apps/*", "nomatch/*"]`), async (p) => {
      mkdirSync(join(p.dir, "apps", "web"), { recursive: true });
      const r = await p.lc("run", "build");
      expectExit(r, 0);
      expect(r.stderr).toContain(`workspace.members[1]: pattern "nomatch/*" matches no directory`);
      expect(p.exists("apps/web/built")).toBe(true);
      expectExit(await p.lc("--strict", "validate"), 2);
    });
  });

  test("a phase's workspaces must name workspaces: a typo or a glob is exit 2 with the key, not a phase that runs nowhere", async () => {
    await withProject(project(`[workspace]\nmembers = ["pkgs/*"]`).replace(BUILD, `${BUILD}\nworkspaces = ["pkgs/api", "pkgs/wbe", "pkgs/*"]`), async (p) => {
      for (const dir of ["pkgs/api", "pkgs/web"]) mkdirSync(join(p.dir, dir), { recursive: true });
      const r = await p.lc("run", "build");
      expectExit(r, 2);
      expect(r.stderr).toMatch(/make\.toml:\d+:\d+: lifecycle\.build\.workspaces\[1\]: unknown workspace "pkgs\/wbe".*did you mean "pkgs\/web"\?/);
      expect(r.stderr).toContain(`lifecycle.build.workspaces[2]: unknown workspace "pkgs/*" (names, not globs: list each workspace)`);
      expect(p.exists("pkgs/api/built")).toBe(false);
    });
  });
});
