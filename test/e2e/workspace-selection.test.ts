// Choosing workspaces, through the binary: -w globs, --since <git-ref>, --shard i/n.
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expectExit, withProject, type Project } from "./support.ts";

interface GraphJson {
  tasks: Array<{ id: string; place: string }>;
}

function monorepo(workspaces: Record<string, string[]>, body = `[lifecycle.build]\nparallel = true\ncommand = "touch built"`): string {
  const tables = Object.entries(workspaces).map(([ws, deps]) => `[workspace.${ws}]\npath = "pkgs/${ws}"${deps.length > 0 ? `\ndepends_on = ${JSON.stringify(deps)}` : ""}`);
  return [`[project]\nname = "mono"`, ...tables, body].join("\n\n");
}

function setUp(p: Project, workspaces: Record<string, string[]>): void {
  for (const ws of Object.keys(workspaces)) mkdirSync(join(p.dir, "pkgs", ws), { recursive: true });
}

async function placesOf(p: Project, ...args: string[]): Promise<string[]> {
  const r = await p.lc("graph", "build", "--format", "json", ...args);
  expectExit(r, 0);
  return [...new Set((JSON.parse(r.stdout) as GraphJson).tasks.map((t) => t.place))].sort();
}

function git(dir: string, ...args: string[]): void {
  const r = spawnSync("git", args, { cwd: dir, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t", GIT_CONFIG_GLOBAL: "/dev/null" } });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
}

const DEPS = { app: ["lib"], cli: [], core: [], lib: ["core"], web: ["app"] };

describe("-w / --workspace", () => {
  test("repeatable, with globs; a filter that matches nothing is exit 2 naming it", async () => {
    await withProject(monorepo(DEPS), async (p) => {
      setUp(p, DEPS);
      expect(await placesOf(p, "-w", "c*")).toEqual(["cli", "core"]);
      expect(await placesOf(p, "-w", "web", "--workspace", "l?b")).toEqual(["lib", "web"]);
      expect(await placesOf(p, "-w", "{app,web}")).toEqual(["app", "web"]);
      expect(await placesOf(p, "-w", "[!c]*")).toEqual(["app", "lib", "web"]);
      const r = await p.lc("run", "build", "-w", "nope*");
      expectExit(r, 2);
      expect(r.stderr).toContain("--workspace nope*: no workspace matches");
    });
  });

  test("selected workspaces that a phase's workspaces list leaves out: 'nothing to run' on stderr, exit 0, nothing runs", async () => {
    await withProject(monorepo(DEPS, `[lifecycle.build]\nparallel = true\ncommand = "touch built"\nworkspaces = ["app"]`), async (p) => {
      setUp(p, DEPS);
      const r = await p.lc("run", "build", "-w", "web");
      expectExit(r, 0);
      expect(r.stderr).toContain("nothing to run: no selected workspace runs build");
      expect(p.exists("pkgs/web/built") || p.exists("pkgs/app/built")).toBe(false);
    });
  });
});

describe("--since <git-ref>", () => {
  test("changed workspaces (committed, staged, unstaged, untracked) plus their dependents", async () => {
    await withProject(monorepo(DEPS), async (p) => {
      setUp(p, DEPS);
      for (const ws of Object.keys(DEPS)) writeFileSync(join(p.dir, "pkgs", ws, "src.txt"), "v1\n");
      writeFileSync(join(p.dir, ".gitignore"), ".ggen/\nignored.txt\n");
      git(p.dir, "init", "-q", "-b", "main");
      git(p.dir, "add", "-A");
      git(p.dir, "commit", "-q", "-m", "base");
      expect(await placesOf(p, "--since", "main")).toEqual([]);

      writeFileSync(join(p.dir, "pkgs", "lib", "ignored.txt"), "ignored files do not count\n");
      expect(await placesOf(p, "--since", "main")).toEqual([]);

      git(p.dir, "checkout", "-q", "-b", "feature");
      writeFileSync(join(p.dir, "pkgs", "lib", "src.txt"), "v2\n");
      git(p.dir, "commit", "-q", "-am", "change lib");
      // lib changed; app depends on lib, web on app.
      expect(await placesOf(p, "--since", "main")).toEqual(["app", "lib", "web"]);

      writeFileSync(join(p.dir, "pkgs", "cli", "new-file.txt"), "untracked\n");
      expect(await placesOf(p, "--since", "main")).toEqual(["app", "cli", "lib", "web"]);

      // Combined with -w: only the affected among the named ones.
      expect(await placesOf(p, "--since", "main", "-w", "web", "-w", "core")).toEqual(["web"]);

      const r = await p.lc("run", "build", "--since", "main");
      expectExit(r, 0);
      expect(r.stderr).toContain("--since main: 2 changed files; 4 workspaces affected: app, cli, lib, web");
      expect(p.exists("pkgs/core/built")).toBe(false);
      expect(p.exists("pkgs/web/built")).toBe(true);
    });
  }, 60_000);

  test("nothing changed: nothing runs, exit 0, and it says so", async () => {
    await withProject(monorepo(DEPS, `[lifecycle.build]\ncommand = "touch built"\n\n[lifecycle.prep]\ncommand = "touch prepped"\n\n[hooks]\nbefore_build = ["prep"]`), async (p) => {
      setUp(p, DEPS);
      git(p.dir, "init", "-q");
      git(p.dir, "add", "-A");
      git(p.dir, "commit", "-q", "-m", "base");
      const r = await p.lc("run", "build", "--since", "HEAD");
      expectExit(r, 0);
      expect(r.stderr).toContain("nothing to run");
      expect(p.exists("prepped")).toBe(false);
    });
  }, 60_000);

  test("outside a git repository, or with an unknown ref: exit 2 with a clear message, nothing runs", async () => {
    await withProject(monorepo(DEPS), async (p) => {
      setUp(p, DEPS);
      const outside = await p.lc("run", "build", "--since", "main");
      expectExit(outside, 2);
      expect(outside.stderr).toContain("--since needs a git repository");
      git(p.dir, "init", "-q");
      git(p.dir, "add", "-A");
      git(p.dir, "commit", "-q", "-m", "base");
      const unknown = await p.lc("run", "build", "--since", "no-such-branch");
      expectExit(unknown, 2);
      expect(unknown.stderr).toContain('--since: unknown git ref "no-such-branch"');
      const option = await p.lc("run", "build", "--since=--output=x");
      expectExit(option, 2);
      expect(option.stderr).toContain('--since: "--output=x" is not a git ref');
      expect(p.exists("pkgs/lib/built")).toBe(false);
    });
  }, 60_000);
});

describe("--shard i/n", () => {
  const MANY = Object.fromEntries(Array.from({ length: 23 }, (_, i) => [`p${String(i).padStart(2, "0")}`, [] as string[]]));

  test("every workspace in exactly one shard, the same on every call", async () => {
    await withProject(monorepo(MANY), async (p) => {
      setUp(p, MANY);
      for (const n of [1, 2, 3, 5]) {
        const shards: string[][] = [];
        for (let i = 1; i <= n; i++) shards.push(await placesOf(p, "--shard", `${i}/${n}`));
        expect(shards.flat().sort()).toEqual(Object.keys(MANY).sort());
        const sizes = shards.map((s) => s.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        if (n === 3) expect(await placesOf(p, "--shard", "2/3")).toEqual(shards[1]!);
      }
    });
  }, 60_000);

  test("balanced by the durations recorded in each workspace's state file", async () => {
    const ws = { a: [], b: [], c: [], d: [] };
    await withProject(monorepo(ws), async (p) => {
      setUp(p, ws);
      const durations = { a: 9000, b: 1000, c: 1000, d: 1000 };
      for (const [name, ms] of Object.entries(durations)) {
        p.write(`pkgs/${name}/.ggen/state.json`, JSON.stringify({ last_phase: "build", phase_history: [{ phase: "build", started_ms: 1, duration_ms: ms, success: true }], generated: [], cache_keys: [] }));
      }
      // The 9 s workspace gets a shard of its own; the three short ones share the other.
      const first = await placesOf(p, "--shard", "1/2");
      const second = await placesOf(p, "--shard", "2/2");
      expect([first, second].sort((x, y) => x.length - y.length)).toEqual([["a"], ["b", "c", "d"]]);
    });
  }, 60_000);

  /** Runs every shard of `n` from the same (empty) state, as CI jobs would; returns each shard's summary selection and places. */
  async function runShards(p: Project, graph: Record<string, string[]>, n: number) {
    const shards: Array<{ own: string[]; dependencies: string[]; places: string[] }> = [];
    for (let i = 1; i <= n; i++) {
      // Each CI job starts from the same state: the first run's recorded durations must not steer the second.
      for (const ws of Object.keys(graph)) rmSync(join(p.dir, "pkgs", ws, ".ggen"), { recursive: true, force: true });
      const places = await placesOf(p, "--shard", `${i}/${n}`);
      const file = join(p.dir, `summary-${i}.json`);
      expectExit(await p.lc("run", "build", "--shard", `${i}/${n}`, "--summary", file), 0);
      const shard = JSON.parse(readFileSync(file, "utf8")).selection.shard as { own: string[]; dependencies: string[] };
      expect(places).toEqual([...shard.own, ...shard.dependencies].sort());
      // Closed under dependencies: every workspace a member depends on is in the run.
      for (const name of places) for (const dep of graph[name]!) expect(places).toContain(dep);
      shards.push({ ...shard, places });
    }
    expect(shards.flatMap((s) => s.own).sort()).toEqual(Object.keys(graph).sort());
    return shards;
  }

  test("a chain is kept in one shard: the matrix runs each workspace once", async () => {
    const chain = { a: [], b: ["a"], c: ["b"], d: [] };
    await withProject(monorepo(chain), async (p) => {
      setUp(p, chain);
      const shards = await runShards(p, chain, 2);
      expect(shards.flatMap((s) => s.places).sort()).toEqual(["a", "b", "c", "d"]);
      expect(shards.map((s) => s.places.join(" ")).sort()).toEqual(["a b c", "d"]);
    });
  }, 60_000);

  test("a group too big for one shard is split, and a shard also runs what its share depends on (--summary says which are which)", async () => {
    const star = { core: [], l1: ["core"], l2: ["core"], l3: ["core"], l4: ["core"], l5: ["core"], l6: ["core"] };
    await withProject(monorepo(star), async (p) => {
      setUp(p, star);
      const shards = await runShards(p, star, 2);
      expect(shards.map((s) => s.own.length).sort()).toEqual([3, 4]);
      const without = shards.find((s) => !s.own.includes("core"))!;
      expect(without.dependencies).toEqual(["core"]);
    });
  }, 60_000);

  test("a malformed --shard is exit 2 before anything runs; --shard without workspaces too", async () => {
    await withProject(monorepo(MANY), async (p) => {
      setUp(p, MANY);
      for (const bad of ["0/3", "4/3", "x", "1/0", "1/2/3"]) {
        const r = await p.lc("run", "build", "--shard", bad);
        expectExit(r, 2);
        expect(r.stderr).toContain("--shard: expected i/n");
      }
      expect(p.exists("pkgs/p00/built")).toBe(false);
    });
    await withProject(`[project]\nname = "solo"\n\n[lifecycle.build]\ncommand = "touch built"`, async (p) => {
      const r = await p.lc("run", "build", "--shard", "1/2");
      expectExit(r, 2);
      expect(r.stderr).toContain("--shard selects workspaces, and this project has none");
      expect(p.exists("built")).toBe(false);
    });
  }, 60_000);
});
