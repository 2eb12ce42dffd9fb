// Workspaces under bounds, through the binary: the tasks themselves count how many run at once.
import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { events } from "../helpers/cli.ts";
import { eventsOf, expectExit, withProject } from "./support.ts";

const names = (n: number) => Array.from({ length: n }, (_, i) => `ws${String(i + 1).padStart(2, "0")}`);

function monorepo(workspaces: string[], body: string, deps: Record<string, string[]> = {}): string {
  const tables = workspaces.map((ws) => `[workspace.${ws}]\npath = "${ws}"${deps[ws] ? `\ndepends_on = ${JSON.stringify(deps[ws])}` : ""}`);
  return [`[project]\nname = "mono"`, ...tables, body].join("\n\n");
}

/**
 * A task that registers itself as running, then waits until `bound` tasks run at once (or every
 * task has started), writing each running count it sees to .probe/seen. If the scheduler ever ran
 * more than `bound`, a count above it is seen; if it never reached the bound, the maximum is lower.
 */
function probe(bound: number, total: number): string {
  return [
    `r="$LIFECYCLE_ROOT/.probe"; w="$LIFECYCLE_WORKSPACE"`,
    `touch "$r/running/$w" "$r/started/$w"; echo "$w" >> "$r/order"`,
    `i=0; while :; do n=$(ls "$r/running" | wc -l); s=$(ls "$r/started" | wc -l); echo $n >> "$r/seen"`,
    `[ $n -ge ${bound} ] && break; [ $s -ge ${total} ] && break; i=$((i+1)); [ $i -gt 1500 ] && break; sleep 0.01; done`,
    `rm "$r/running/$w"`,
  ].join("\n");
}

function phase(name: string, command: string, extra = ""): string {
  return `[lifecycle.${name}]\ncommand = '''\n${command}\n'''\n${extra}`;
}

function setUp(dir: string, workspaces: string[]): void {
  for (const ws of workspaces) mkdirSync(join(dir, ws));
  mkdirSync(join(dir, ".probe", "running"), { recursive: true });
  mkdirSync(join(dir, ".probe", "started"), { recursive: true });
}

const seenMax = (dir: string) => Math.max(...readFileSync(join(dir, ".probe", "seen"), "utf8").trim().split("\n").map(Number));
const order = (dir: string) => readFileSync(join(dir, ".probe", "order"), "utf8").trim().split("\n");

describe("concurrency bounds, counted by the tasks", () => {
  test("--concurrency 3 over 12 parallel workspaces: at most 3 at once, and 3 are reached", async () => {
    const ws = names(12);
    await withProject(monorepo(ws, phase("work", probe(3, 12), "parallel = true")), async (p) => {
      setUp(p.dir, ws);
      const r = await p.lc("run", "work", "--concurrency", "3");
      expectExit(r, 0);
      expect(seenMax(p.dir)).toBe(3);
      expect(order(p.dir).sort()).toEqual(ws);
    });
  }, 60_000);

  test("settings.concurrency is the default bound; --concurrency overrides it", async () => {
    const ws = names(6);
    await withProject(monorepo(ws, `[settings]\nconcurrency = 2\n\n${phase("work", probe(2, 6), "parallel = true")}`), async (p) => {
      setUp(p.dir, ws);
      expectExit(await p.lc("run", "work"), 0);
      expect(seenMax(p.dir)).toBe(2);
    });
    await withProject(monorepo(ws, `[settings]\nconcurrency = 1\n\n${phase("work", probe(4, 6), "parallel = true")}`), async (p) => {
      setUp(p.dir, ws);
      expectExit(await p.lc("run", "work", "--concurrency", "4"), 0);
      expect(seenMax(p.dir)).toBe(4);
    });
  }, 60_000);

  test("max_threads caps the phase below --concurrency", async () => {
    const ws = names(8);
    await withProject(monorepo(ws, phase("work", probe(2, 8), "parallel = true\nmax_threads = 2")), async (p) => {
      setUp(p.dir, ws);
      expectExit(await p.lc("run", "work", "--concurrency", "8"), 0);
      expect(seenMax(p.dir)).toBe(2);
    });
  }, 60_000);

  test("parallel = false: one workspace at a time, in dependency-then-name order", async () => {
    const ws = ["a", "b", "c", "d"];
    await withProject(monorepo(ws, phase("work", probe(1, 4)), { b: ["d"] }), async (p) => {
      setUp(p.dir, ws);
      expectExit(await p.lc("run", "work", "--concurrency", "4"), 0);
      expect(seenMax(p.dir)).toBe(1);
      expect(order(p.dir)).toEqual(["a", "d", "b", "c"]);
    });
  }, 60_000);
});

describe("inline hooks in a workspace's own make.toml", () => {
  test("share their phase's fan-out: parallel up to max_threads, not one workspace at a time", async () => {
    const ws = names(6);
    await withProject(monorepo(ws, phase("work", "true", "parallel = true\nmax_threads = 3")), async (p) => {
      setUp(p.dir, ws);
      for (const w of ws) p.write(`${w}/make.toml`, `[project]\nname = "${w}"\n\n${phase("work", "true")}\n[hooks]\nbefore_work = '''\n${probe(3, 6)}\n'''\n`);
      const r = await p.lc("run", "work", "--concurrency", "6");
      expectExit(r, 0);
      expect(seenMax(p.dir)).toBe(3);
      expect(order(p.dir).sort()).toEqual(ws);
    });
  }, 60_000);
});

describe("one task graph across workspaces", () => {
  test("run a b: a workspace goes on to b while another is still in a (no lockstep)", async () => {
    // ws2's `a` only finishes once ws1's `b` has run: with phase-by-phase lockstep this could never happen.
    const a = `if [ "$LIFECYCLE_WORKSPACE" = ws2 ]; then i=0; until [ -f "$LIFECYCLE_ROOT/ws1.b" ]; do i=$((i+1)); [ $i -gt 1000 ] && exit 9; sleep 0.01; done; fi`;
    const b = `touch "$LIFECYCLE_ROOT/$LIFECYCLE_WORKSPACE.b"`;
    await withProject(monorepo(["ws1", "ws2"], [phase("a", a, "parallel = true"), phase("b", b, "parallel = true")].join("\n\n")), async (p) => {
      for (const ws of ["ws1", "ws2"]) mkdirSync(join(p.dir, ws));
      const r = await p.lc("--json", "run", "a", "b", "--concurrency", "4");
      expectExit(r, 0);
      // ws1#b must have started before ws2#a could end (its end and ws1#b's end may be observed in either order).
      const all = events(r.stdout).map((e) => `${e.event} ${e.task}`);
      expect(all.indexOf("task-start ws1#b")).toBeGreaterThanOrEqual(0);
      expect(all.indexOf("task-start ws1#b")).toBeLessThan(all.indexOf("task-end ws2#a"));
    });
  }, 60_000);

  test("workspace depends_on: a dependent's task starts only after its dependency's task ended (event log order)", async () => {
    const ws = ["api", "lib", "web", "zzz"];
    await withProject(monorepo(ws, phase("build", "true", "parallel = true"), { api: ["lib"], web: ["api"] }), async (p) => {
      for (const w of ws) mkdirSync(join(p.dir, w));
      const r = await p.lc("--json", "run", "build", "--concurrency", "4");
      expectExit(r, 0);
      const log = eventsOf(r.stdout, "task-start").map((e) => `start ${e.task}`);
      const all = r.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>).filter((e) => e.event === "task-start" || e.event === "task-end").map((e) => `${e.event === "task-start" ? "start" : "end"} ${e.task}`);
      expect(log).toHaveLength(4);
      expect(all.indexOf("end lib#build")).toBeLessThan(all.indexOf("start api#build"));
      expect(all.indexOf("end api#build")).toBeLessThan(all.indexOf("start web#build"));
    });
  }, 60_000);

  test("a workspace dependency cycle is reported with the chain before anything runs (exit 2)", async () => {
    const ws = ["a", "b", "c"];
    await withProject(monorepo(ws, phase("build", "touch ran"), { a: ["b"], b: ["c"], c: ["a"] }), async (p) => {
      for (const w of ws) mkdirSync(join(p.dir, w));
      const r = await p.lc("run", "build");
      expectExit(r, 2);
      expect(r.stderr).toMatch(/workspace dependency cycle: (a -> b -> c -> a|b -> c -> a -> b|c -> a -> b -> c)/);
      for (const w of ws) expect(p.exists(`${w}/ran`)).toBe(false);
    });
  });

  test("graph shows the workspaces: text grouped by place, dot clusters, json workspace list", async () => {
    await withProject(monorepo(["api", "web"], phase("build", "true"), { web: ["api"] }), async (p) => {
      for (const w of ["api", "web"]) mkdirSync(join(p.dir, w));
      const text = await p.lc("graph", "build");
      expectExit(text, 0);
      expect(text.stdout).toBe("api (api)\n  api#build\nweb (web; depends on api)\n  web#build  <- api#build\n");
      const dot = await p.lc("graph", "build", "--format", "dot");
      expect(dot.stdout).toContain('subgraph "cluster_0" {\n    label="api";\n    "api#build";\n  }');
      expect(dot.stdout).toContain('"api#build" -> "web#build";');
      const json = JSON.parse((await p.lc("graph", "build", "--format", "json")).stdout) as { workspaces: unknown };
      expect(json.workspaces).toEqual([{ name: "api", path: "api", depends_on: [] }, { name: "web", path: "web", depends_on: ["api"] }]);
    });
  });
});
