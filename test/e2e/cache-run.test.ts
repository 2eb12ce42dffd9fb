// The local cache through the binary (product.md 2 and 3 "Cache"; README "Cache"): a phase whose
// fingerprint has a stored result does not run, its outputs come back, its output is replayed.
import { describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readState, runCli } from "../helpers/cli.ts";
import { eventsOf, expectExit, HEX64, show, taskEnd, withProject, type Project } from "./support.ts";

const BUILD = `[project]
name = "cache"

[lifecycle.build]
commands = ["echo run >> runs.log", "mkdir -p dist", "cat src/a.txt > dist/out.txt", "cp tool.sh dist/tool.sh", "echo built it"]
cache = true
inputs = ["src/**", "tool.sh"]
outputs = ["dist/**"]
`;

/** How many times the build's commands really ran (each run appends a line to runs.log). */
const runs = (p: Project) => (p.exists("runs.log") ? p.read("runs.log").split("\n").filter(Boolean).length : 0);
const statusOf = async (p: Project, ...args: string[]) => {
  const r = await p.lc("run", ...args, "--json");
  if (r.code !== 0 && r.code !== 1) throw new Error(show(r));
  return taskEnd(r.stdout, "//#build")?.status;
};

function setUp(p: Project): void {
  p.write("src/a.txt", "one\n");
  p.write("tool.sh", "#!/bin/sh\necho tool\n");
  chmodSync(join(p.dir, "tool.sh"), 0o755);
}

describe("cache = true really skips work", () => {
  test("test_cache_storage_and_validation: cache = true really skips the second run (product.md 3; ggen's marker files never skipped), --force runs again", async () => {
    const toml = `[project]\nname = "cache"\n\n[lifecycle.build]\ncommand = "echo ran >> count.txt"\ncache = true\n`;
    await withProject(toml, async (p) => {
      const first = await p.lc("run", "build", "--json");
      expectExit(first, 0);
      expect(taskEnd(first.stdout, "//#build")?.status).toBe("success");
      const second = await p.lc("run", "build", "--json");
      expectExit(second, 0);
      expect(taskEnd(second.stdout, "//#build")?.status).toBe("cached");
      expect(p.read("count.txt")).toBe("ran\n");
      const forced = await p.lc("run", "build", "--force", "--json");
      expectExit(forced, 0);
      expect(taskEnd(forced.stdout, "//#build")?.status).toBe("success");
      expect(p.read("count.txt")).toBe("ran\nran\n");
    });
  });

  test("test_cache_key_with_file_inputs: changing an input file's content makes a cached phase run again", async () => {
    const toml = `[project]\nname = "inputs"\n\n[lifecycle.build]\ncommand = "cat src/a.txt >> out.log"\ncache = true\ninputs = ["src/**"]\n`;
    await withProject(toml, async (p) => {
      p.write("src/a.txt", "one\n");
      expect(taskEnd((await p.lc("run", "build", "--json")).stdout, "//#build")?.status).toBe("success");
      expect(taskEnd((await p.lc("run", "build", "--json")).stdout, "//#build")?.status).toBe("cached");
      p.write("src/a.txt", "two\n");
      const changed = await p.lc("run", "build", "--json");
      expectExit(changed, 0);
      expect(taskEnd(changed.stdout, "//#build")?.status).toBe("success");
      expect(p.read("out.log")).toBe("one\ntwo\n");
    });
  });

  test("a hit replays the recorded output and is `cached` in events, summary counts and state", async () => {
    await withProject(BUILD, async (p) => {
      setUp(p);
      expectExit(await p.lc("run", "build"), 0);
      const hit = await p.lc("run", "build", "--json");
      expectExit(hit, 0);
      expect(eventsOf(hit.stdout, "task-output").map((e) => e.line)).toEqual(["built it"]);
      expect(eventsOf(hit.stdout, "run-end")[0]).toMatchObject({ status: "success", counts: { cached: 1, success: 0 } });
      expect(readState(p.dir).phase_history.map((r) => r.status)).toEqual(["success", "cached"]);
      const human = await p.lc("run", "build");
      expect(human.stdout).toContain("built it");
      expect(human.stdout).toContain("Cached: build");
      expect(runs(p)).toBe(1);
    });
  });

  test("outputs deleted or tampered with are restored byte-identical, modes kept, without running", async () => {
    await withProject(BUILD, async (p) => {
      setUp(p);
      expectExit(await p.lc("run", "build"), 0);
      rmSync(join(p.dir, "dist"), { recursive: true });
      expect(await statusOf(p, "build")).toBe("cached");
      expect(p.read("dist/out.txt")).toBe("one\n");
      expect(p.read("dist/tool.sh")).toBe("#!/bin/sh\necho tool\n");
      expect(statSync(join(p.dir, "dist/tool.sh")).mode & 0o777).toBe(0o755);
      writeFileSync(join(p.dir, "dist/out.txt"), "tampered\n");
      expect(await statusOf(p, "build")).toBe("cached");
      expect(p.read("dist/out.txt")).toBe("one\n");
      expect(runs(p)).toBe(1);
    });
  });

  test("failures are never cached: a failing cached phase runs (and fails) every time", async () => {
    const toml = `[project]\nname = "fail"\n\n[lifecycle.build]\ncommand = "echo x >> tries.log; exit 3"\ncache = true\n`;
    await withProject(toml, async (p) => {
      for (let i = 0; i < 2; i++) {
        const r = await p.lc("run", "build", "--json");
        expectExit(r, 1);
        expect(taskEnd(r.stdout, "//#build")).toMatchObject({ status: "failed", exit_code: 3 });
      }
      expect(p.read("tries.log")).toBe("x\nx\n");
      const explained = await p.lc("run", "build", "--explain");
      expect(explained.stderr).toContain("failures are not cached");
    });
  });

  test("each part of the fingerprint misses when it changes: command, phase env, -e profile, new and deleted inputs", async () => {
    await withProject(BUILD, async (p) => {
      setUp(p);
      expect(await statusOf(p, "build")).toBe("success");
      expect(await statusOf(p, "build")).toBe("cached");
      p.write("make.toml", BUILD.replace('"echo built it"', '"echo built it again"'));
      expect(await statusOf(p, "build")).toBe("success");
      expect(await statusOf(p, "build")).toBe("cached");
      p.write("make.toml", BUILD.replace('outputs = ["dist/**"]', 'outputs = ["dist/**"]\nenv = { MODE = "fast" }').replace('"echo built it"', '"echo built it again"'));
      expect(await statusOf(p, "build")).toBe("success");
      expect(await statusOf(p, "build")).toBe("cached");
      expect(await statusOf(p, "build", "-e", "production")).toBe("success");
      expect(await statusOf(p, "build", "-e", "production")).toBe("cached");
      p.write("src/new.txt", "new");
      expect(await statusOf(p, "build")).toBe("success");
      rmSync(join(p.dir, "src/new.txt"));
      // Back to a set of inputs seen before: that result is still in the store.
      expect(await statusOf(p, "build")).toBe("cached");
      p.write("README.md", "not an input");
      expect(await statusOf(p, "build")).toBe("cached");
      expect(runs(p)).toBe(5);
    });
  });

  test("--explain says hit or miss and which part changed; --dry-run predicts it without running", async () => {
    await withProject(BUILD, async (p) => {
      setUp(p);
      const first = await p.lc("run", "build", "--explain");
      expect(first.stderr).toMatch(/\/\/#build: cache miss [0-9a-f]{12}: no previous run recorded/);
      const hit = await p.lc("run", "build", "--explain");
      expect(hit.stderr).toMatch(/\/\/#build: cache hit \(local\) [0-9a-f]{12}/);
      p.write("src/a.txt", "two\n");
      p.write("src/b.txt", "new\n");
      const dry = await p.lc("run", "build", "--dry-run");
      expectExit(dry, 0);
      expect(dry.stdout).toMatch(/Cache:\n {2}\/\/#build: miss [0-9a-f]{12}: inputs changed: src\/a\.txt \(changed\), src\/b\.txt \(added\)/);
      expect(runs(p)).toBe(1);
      const miss = await p.lc("run", "build", "--explain", "--json");
      expect(miss.stderr).toContain("inputs changed: src/a.txt (changed), src/b.txt (added)");
      p.write("make.toml", BUILD.replace('"echo built it"', '"echo other"'));
      const cmd = await p.lc("run", "build", "--explain");
      expect(cmd.stderr).toContain('command 5 changed: "sh -c echo built it" → "sh -c echo other"');
      expect((await p.lc("run", "build", "--dry-run")).stdout).toMatch(/\/\/#build: hit [0-9a-f]{12}/);
    });
  });

  test("--explain names why a stored result was not used (an output that cannot be restored), not 'not in the store'", async () => {
    await withProject(BUILD, async (p) => {
      setUp(p);
      expectExit(await p.lc("run", "build"), 0);
      rmSync(join(p.dir, "dist"), { recursive: true });
      mkdirSync(join(p.dir, "dist", "out.txt"), { recursive: true }); // a directory where an output file goes
      const r = await p.lc("run", "build", "--explain");
      expect(r.stderr).toMatch(/\/\/#build: cache miss [0-9a-f]{12}: a stored result was found but not used: its outputs could not be restored: cannot restore "dist\/out\.txt": a directory is in the way/);
      expect(r.stderr).not.toContain("not in the store");
    });
  });

  test("a dependency's change invalidates its dependents (depends_on and workspace dependencies)", async () => {
    const toml = `[project]
name = "deps"

[workspace.shared]
path = "libs/shared"

[workspace.api]
path = "apps/api"
depends_on = ["shared"]

[lifecycle.gen]
command = "echo gen-v1"

[lifecycle.build]
depends_on = ["gen"]
command = "echo built >> $LIFECYCLE_ROOT/builds-$LIFECYCLE_WORKSPACE.log"
cache = true
inputs = ["src/**"]
`;
    await withProject(toml, async (p) => {
      p.write("libs/shared/src/lib.txt", "v1");
      p.write("apps/api/src/main.txt", "v1");
      const count = (ws: string) => p.read(`builds-${ws}.log`).split("\n").filter(Boolean).length;
      const statuses = async () => {
        const r = await p.lc("run", "build", "--json");
        expectExit(r, 0);
        return [taskEnd(r.stdout, "shared#build")?.status, taskEnd(r.stdout, "api#build")?.status];
      };
      expect(await statuses()).toEqual(["success", "success"]);
      expect(await statuses()).toEqual(["cached", "cached"]);
      p.write("libs/shared/src/lib.txt", "v2");
      expect(await statuses()).toEqual(["success", "success"]);
      p.write("apps/api/src/main.txt", "v2");
      expect(await statuses()).toEqual(["cached", "success"]);
      p.write("make.toml", toml.replace("gen-v1", "gen-v2"));
      expect(await statuses()).toEqual(["success", "success"]);
      expect([count("shared"), count("api")]).toEqual([3, 4]);
      const explained = await p.lc("run", "build", "--force", "--explain");
      expect(explained.stderr).toContain("api#build: cache miss");
      p.write("libs/shared/src/lib.txt", "v3");
      const why = await p.lc("run", "build", "--explain");
      expect(why.stderr).toMatch(/api#build: cache miss [0-9a-f]{12}: dependencies changed: .*shared#build \(changed\)/);
    });
  });

  test("state records the fingerprint in cache_keys for cached phases (ggen's key for the others)", async () => {
    const toml = BUILD + `\n[lifecycle.plain]\ncommand = "true"\n`;
    await withProject(toml, async (p) => {
      setUp(p);
      expectExit(await p.lc("run", "build", "plain"), 0);
      expectExit(await p.lc("run", "build", "plain"), 0);
      const keys = readState(p.dir).cache_keys;
      const build = keys.filter((k) => k.phase === "build").map((k) => k.key);
      expect(build).toHaveLength(2);
      expect(build[0]).toMatch(HEX64);
      expect(build[1]).toBe(build[0]!);
      expect(readdirSync(join(p.dir, ".ggen/cache/entries"))).toEqual([build[0]!]);
      const plain = keys.filter((k) => k.phase === "plain").map((k) => k.key);
      expect(plain[0]).toMatch(HEX64);
      expect(plain[0]).not.toBe(build[0]!);
    });
  });

  test("a secret of the parent environment expanded into a task's env is never written under .ggen; a new secret value still misses", async () => {
    const toml = `[project]\nname = "x"\n\n[lifecycle.build]\ncommand = "echo ran >> count.txt"\ncache = true\nenv = { DEPLOY = "\${SOME_TOKEN}" }\n`;
    await withProject(toml, async (p) => {
      const run = (secret: string, ...args: string[]) => runCli(["--root", p.dir, "run", "build", ...args], { env: { SOME_TOKEN: secret } });
      expect(taskEnd((await run("par3ntval", "--json")).stdout, "//#build")?.status).toBe("success");
      expect(taskEnd((await run("par3ntval", "--json")).stdout, "//#build")?.status).toBe("cached");
      expect((await run("par3ntval", "--dry-run")).stdout).toMatch(/\/\/#build: hit [0-9a-f]{12}/);
      const leaks = readdirSync(join(p.dir, ".ggen"), { recursive: true, encoding: "utf8" }).filter((rel) => {
        const file = join(p.dir, ".ggen", rel);
        return statSync(file).isFile() && readFileSync(file).includes("par3ntval");
      });
      expect(leaks).toEqual([]);
      expect(taskEnd((await run("other-s3cret", "--json")).stdout, "//#build")?.status).toBe("success");
    });
  });

  test("inputs or outputs outside the root are rejected before anything runs (exit 2)", async () => {
    await withProject(`[project]\nname = "x"\n\n[lifecycle.build]\ncommand = "touch ran"\ncache = true\ninputs = ["../**"]\n`, async (p) => {
      const r = await p.lc("run", "build");
      expectExit(r, 2);
      expect(r.stderr).toContain('inputs pattern "../**" leaves the project root');
      expect(p.exists("ran")).toBe(false);
    });
  });
});

describe("cache status | clean | prune, and max_size", () => {
  test("status counts entries, size and the hit rate of recent runs; clean empties the store", async () => {
    await withProject(BUILD, async (p) => {
      setUp(p);
      const empty = await p.lc("cache", "status");
      expectExit(empty, 0);
      expect(empty.stdout).toContain("entries: 0");
      expectExit(await p.lc("run", "build"), 0);
      expectExit(await p.lc("run", "build"), 0);
      expectExit(await p.lc("run", "build"), 0);
      const status = await p.lc("cache", "status");
      expect(status.stdout).toContain("entries: 1,");
      expect(status.stdout).toContain("hit rate: 67% over the last 3 runs (2 hits, 1 miss)");
      const json = JSON.parse((await p.lc("--json", "cache", "status")).stdout) as Record<string, unknown>;
      expect(json).toMatchObject({ entries: 1, hits: 2, misses: 1, runs: 3, remotes: [] });
      const cleaned = await p.lc("cache", "clean");
      expectExit(cleaned, 0);
      expect(cleaned.stdout).toContain("Removed 1 cache entry");
      expect(await statusOf(p, "build")).toBe("success");
    });
  });

  test("status and prune with a make.toml that does not load: exit 2 with the problem, not the defaults; clean still works", async () => {
    await withProject(BUILD, async (p) => {
      setUp(p);
      expectExit(await p.lc("run", "build"), 0);
      p.write("make.toml", `${BUILD}\n[cache]\nmax_size = "abc"\n`);
      for (const action of ["status", "prune"]) {
        const r = await p.lc("cache", action);
        expectExit(r, 2);
        expect(r.stderr).toMatch(/make\.toml:\d+:\d+: cache\.max_size: expected a size/);
        expect(r.stdout).toBe("");
      }
      expect(p.exists(".ggen/cache/entries")).toBe(true);
      const cleaned = await p.lc("cache", "clean");
      expectExit(cleaned, 0);
      expect(cleaned.stdout).toContain("Removed 1 cache entry");
    });
  });

  test("the store stays within [cache] max_size: least recently used entries go first (at the end of a run and on prune)", async () => {
    const toml = `[project]\nname = "lru"\n\n[cache]\nmax_size = "5KB"\n\n[lifecycle.build]\ncommand = "mkdir -p out && head -c 3000 /dev/zero > out/blob && echo $V"\ncache = true\noutputs = ["out/**"]\nenv = { V = "\${V}" }\n`;
    await withProject(toml, async (p) => {
      const entries = () => (p.exists(".ggen/cache/entries") ? readdirSync(join(p.dir, ".ggen/cache/entries")).length : 0);
      expectExit(await p.lc("run", "build"), 0);
      expect(entries()).toBe(1);
      const run = (v: string) => runCli(["--root", p.dir, "run", "build", "--json"], { env: { V: v } });
      expectExit(await run("a"), 0);
      expect(entries()).toBe(1); // two entries of ~3 KB do not fit in 5 KB: the older one went
      expect(taskEnd((await run("a")).stdout, "//#build")?.status).toBe("cached");
      expect(taskEnd((await run("b")).stdout, "//#build")?.status).toBe("success");
      expect(taskEnd((await run("a")).stdout, "//#build")?.status).toBe("success");
      const pruned = await p.lc("cache", "prune");
      expectExit(pruned, 0);
      expect(pruned.stdout).toContain("Removed 0 least recently used entries");
    });
  });

  test("eviction is least recently used, not first stored: a hit in the previous run keeps an entry over a newer one not used since", async () => {
    const toml = `[project]\nname = "lru"\n\n[cache]\nmax_size = "7KB"\n\n[lifecycle.build]\ncommand = "mkdir -p out && head -c 3000 /dev/zero > out/blob && echo $V >> runs.log"\ncache = true\noutputs = ["out/**"]\nenv = { V = "\${V}" }\n`;
    await withProject(toml, async (p) => {
      const statusWith = async (v: string) => taskEnd((await runCli(["--root", p.dir, "run", "build", "--json"], { env: { V: v } })).stdout, "//#build")?.status;
      expect(await statusWith("a")).toBe("success");
      expect(await statusWith("b")).toBe("success"); // two entries fit in 7 KB, three do not
      expect(await statusWith("a")).toBe("cached"); // a is now the most recently used
      expect(await statusWith("c")).toBe("success"); // evicts b, stored after a but not used since
      expect(await statusWith("a")).toBe("cached");
      expect(await statusWith("b")).toBe("success");
      expect(p.read("runs.log")).toBe("a\nb\nc\nb\n");
    });
  });
});
