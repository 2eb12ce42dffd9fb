// `graph` (text, dot, json, mermaid; unknown phase) and `state show|prune|reset` through the binary (product.md 5, README).
import { describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { readState } from "../helpers/cli.ts";
import { expectExit, withProject } from "./support.ts";

const GRAPH = `[project]
name = "g"

[lifecycle.lint]
command = "echo lint"

[lifecycle.gen]
command = "echo gen"

[lifecycle.build]
depends_on = ["gen"]
command = "echo build"

[lifecycle.test]
command = "echo test"

[hooks]
before_build = ["lint"]
`;

interface GraphJson {
  phases: string[];
  tasks: Array<{ id: string; place: string; phase: string; commands: string[]; deps: string[] }>;
}

describe("graph", () => {
  test("--format json parses: tasks with ids //#build, deps on the hook and depends_on tasks, listed before their dependents", async () => {
    await withProject(GRAPH, async (p) => {
      const r = await p.lc("graph", "build", "--format", "json");
      expectExit(r, 0);
      const graph = JSON.parse(r.stdout) as GraphJson;
      expect(graph.phases).toEqual(["build"]);
      const ids = graph.tasks.map((t) => t.id);
      expect([...ids].sort()).toEqual(["//#build", "//#gen", "//#lint"]);
      for (const t of graph.tasks) for (const dep of t.deps) expect(ids.indexOf(dep)).toBeLessThan(ids.indexOf(t.id));
      const build = graph.tasks.find((t) => t.id === "//#build")!;
      expect(build).toMatchObject({ place: "//", phase: "build", commands: ["echo build"] });
      expect([...build.deps].sort()).toEqual(["//#gen", "//#lint"]);
      expect(graph.tasks.some((t) => t.id === "//#test")).toBe(false);
    });
  });

  test("--format json for two phases: the second phase's task waits for the first's", async () => {
    await withProject(GRAPH, async (p) => {
      const r = await p.lc("graph", "build", "test", "--format", "json");
      expectExit(r, 0);
      const graph = JSON.parse(r.stdout) as GraphJson;
      expect(graph.phases).toEqual(["build", "test"]);
      expect(graph.tasks.find((t) => t.id === "//#test")?.deps).toContain("//#build");
    });
  });

  test("text (default): one line per task, //#build names its dependencies", async () => {
    await withProject(GRAPH, async (p) => {
      const r = await p.lc("graph", "build");
      expectExit(r, 0);
      const lines = r.stdout.trim().split("\n");
      expect(lines).toHaveLength(3);
      const build = lines.find((l) => l.startsWith("//#build"));
      expect(build).toContain("//#gen");
      expect(build).toContain("//#lint");
    });
  });

  test("dot: a digraph with a node per task and an edge per dependency", async () => {
    await withProject(GRAPH, async (p) => {
      const r = await p.lc("graph", "build", "--format", "dot");
      expectExit(r, 0);
      expect(r.stdout).toMatch(/^digraph \S+ \{/);
      expect(r.stdout.trim().endsWith("}")).toBe(true);
      expect(r.stdout).toContain(`"//#gen" -> "//#build"`);
      expect(r.stdout).toContain(`"//#lint" -> "//#build"`);
    });
  });

  test("mermaid: graph LR with labelled nodes and an edge into //#build from each dependency", async () => {
    await withProject(GRAPH, async (p) => {
      const r = await p.lc("graph", "build", "--format", "mermaid");
      expectExit(r, 0);
      const lines = r.stdout.trim().split("\n");
      expect(lines[0]).toBe("graph LR");
      const node = (id: string) => new RegExp(`^\\s*(\\w+)\\["${id}"\\]`, "m").exec(r.stdout)?.[1];
      const build = node("//#build");
      const gen = node("//#gen");
      const lint = node("//#lint");
      expect(build && gen && lint).toBeTruthy();
      expect(lines.map((l) => l.trim())).toContain(`${gen} --> ${build}`);
      expect(lines.map((l) => l.trim())).toContain(`${lint} --> ${build}`);
    });
  });

  test("workspaces: json ids are <workspace>#<phase>", async () => {
    const toml = `[project]\nname = "g"\n\n[workspace.api]\npath = "api"\n\n[workspace.web]\npath = "web"\ndepends_on = ["api"]\n\n[lifecycle.build]\ncommand = "echo b"\n`;
    await withProject(toml, async (p) => {
      mkdirSync(join(p.dir, "api"));
      mkdirSync(join(p.dir, "web"));
      const r = await p.lc("graph", "build", "--format", "json");
      expectExit(r, 0);
      const graph = JSON.parse(r.stdout) as GraphJson;
      expect(graph.tasks.map((t) => t.id).sort()).toEqual(["api#build", "web#build"]);
      expect(graph.tasks.find((t) => t.id === "web#build")?.deps).toContain("api#build");
    });
  });

  test("an unknown phase exits 2 with \"Phase 'x' not found\" and a did-you-mean; nothing on stdout", async () => {
    await withProject(GRAPH, async (p) => {
      const r = await p.lc("graph", "biuld");
      expectExit(r, 2);
      expect(r.stderr).toContain("Phase 'biuld' not found");
      expect(r.stderr).toContain('did you mean "build"?');
      expect(r.stdout).toBe("");
    });
  });

  test("an unknown --format is a usage error (exit 2)", async () => {
    await withProject(GRAPH, async (p) => {
      const r = await p.lc("graph", "build", "--format", "svg");
      expectExit(r, 2);
      expect(r.stderr).toContain("--format");
    });
  });
});

const STATEFUL = `[project]
name = "s"

[workspace.api]
path = "api"

[lifecycle.build]
command = "echo b"
`;

describe("state", () => {
  test("state show lists the root and each workspace with their last phase and run counts", async () => {
    await withProject(STATEFUL, async (p) => {
      mkdirSync(join(p.dir, "api"));
      p.write("api/make.toml", `[project]\nname = "api"\n\n[lifecycle.build]\ncommand = "echo api"\n\n[lifecycle.test]\ncommand = "false"\n`);
      expectExit(await p.lc("run", "build"), 0);
      expectExit(await p.lc("run", "build"), 0);
      const r = await p.lc("state", "show");
      expectExit(r, 0);
      expect(r.stdout).toContain("//: last phase (none), 0 runs recorded");
      expect(r.stdout).toContain("api: last phase build, 2 runs recorded");
      expect(r.stdout.match(/✓ \S+\s+build/g)?.length).toBe(2);

      const bare = await p.lc("state");
      expectExit(bare, 0);
      expect(bare.stdout).toBe(r.stdout);
    });
  });

  test("state show at a root without workspaces shows failed runs with ✗ and their status", async () => {
    await withProject(`[project]\nname = "s"\n\n[lifecycle.ok]\ncommand = "true"\n\n[lifecycle.bad]\ncommand = "exit 5"\n`, async (p) => {
      expectExit(await p.lc("run", "ok"), 0);
      expectExit(await p.lc("run", "bad"), 1);
      const r = await p.lc("state", "show");
      expectExit(r, 0);
      expect(r.stdout).toContain("//: last phase ok, 2 runs recorded");
      expect(r.stdout).toMatch(/✓ \S+\s+ok/);
      expect(r.stdout).toMatch(/✗ \S+\s+bad.*exit 5/);
    });
  });

  test("state prune --keep N shrinks the root's and a workspace's history to N (newest kept)", async () => {
    await withProject(`[project]\nname = "s"\n\n[workspace.api]\npath = "api"\n\n[lifecycle.a]\ncommand = "true"\n\n[lifecycle.b]\ncommand = "true"\n\n[lifecycle.c]\ncommand = "true"\n`, async (p) => {
      mkdirSync(join(p.dir, "api"));
      expectExit(await p.lc("pipeline", "a", "b", "c"), 0);
      // Root history comes from a root-only run: a workspace-less copy of the config via -f.
      p.write("root-only.toml", `[project]\nname = "s"\n\n[lifecycle.a]\ncommand = "true"\n\n[lifecycle.b]\ncommand = "true"\n\n[lifecycle.c]\ncommand = "true"\n`);
      expectExit(await p.lc("-f", "root-only.toml", "pipeline", "a", "b", "c"), 0);
      expect(p.history("api")).toEqual(["a", "b", "c"]);
      expect(p.history()).toEqual(["a", "b", "c"]);

      const r = await p.lc("state", "prune", "--keep", "1");
      expectExit(r, 0);
      expect(r.stdout).toContain("//: removed 2 history entries (keeping 1)");
      expect(r.stdout).toContain("api: removed 2 history entries (keeping 1)");
      expect(p.history()).toEqual(["c"]);
      expect(p.history("api")).toEqual(["c"]);
    });
  });

  test("state prune --keep 0 is a usage error (exit 2) and changes nothing", async () => {
    await withProject(`[project]\nname = "s"\n\n[lifecycle.a]\ncommand = "true"\n`, async (p) => {
      expectExit(await p.lc("run", "a"), 0);
      const r = await p.lc("state", "prune", "--keep", "0");
      expectExit(r, 2);
      expect(p.history()).toEqual(["a"]);
    });
  });

  test("state reset removes state.json in the root and each workspace and keeps state.json.bak with the old history", async () => {
    await withProject(STATEFUL, async (p) => {
      mkdirSync(join(p.dir, "api"));
      p.write("root-only.toml", `[project]\nname = "s"\n\n[lifecycle.build]\ncommand = "echo root"\n`);
      expectExit(await p.lc("-f", "root-only.toml", "run", "build"), 0);
      expectExit(await p.lc("run", "build"), 0);
      expect(p.exists(".ggen/state.json")).toBe(true);
      expect(p.exists("api/.ggen/state.json")).toBe(true);

      const r = await p.lc("state", "reset");
      expectExit(r, 0);
      for (const dir of [".", "api"]) {
        expect(p.exists(`${dir}/.ggen/state.json`)).toBe(false);
        expect(p.exists(`${dir}/.ggen/state.json.bak`)).toBe(true);
        const bak = JSON.parse(p.read(`${dir}/.ggen/state.json.bak`)) as { phase_history: Array<{ phase: string }> };
        expect(bak.phase_history.map((h) => h.phase)).toEqual(["build"]);
      }
      const after = await p.lc("state", "show");
      expectExit(after, 0);
      expect(after.stdout).toContain("//: last phase (none), 0 runs recorded");
      expect(after.stdout).toContain("api: last phase (none), 0 runs recorded");
      // A later run starts a fresh history.
      expectExit(await p.lc("run", "build"), 0);
      expect(readState(join(p.dir, "api")).phase_history).toHaveLength(1);
    });
  });

  test("an unknown state action is a usage error (exit 2)", async () => {
    await withProject(STATEFUL, async (p) => {
      const r = await p.lc("state", "wipe");
      expectExit(r, 2);
      expect(r.stderr).toContain("state action");
    });
  });
});
