// buildGraph with workspaces: per-workspace pipelines (no lockstep), workspace depends_on, root hooks once.
import { describe, expect, test } from "bun:test";
import type { Config } from "../../src/config/config.ts";
import { parseConfig } from "../../src/config/parse-config.ts";
import { resolveConfig } from "../../src/config/resolve-config.ts";
import { buildGraph, type PlaceConfig } from "../../src/plan/build-graph.ts";
import type { TaskGraph, TaskId } from "../../src/plan/task.ts";

function configOf(toml: string, file = "/repo/make.toml"): Config {
  const parsed = parseConfig(`[project]\nname = "t"\n${toml}`, "make.toml");
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return resolveConfig(parsed.value.config, file);
}

function ws(name: string, config: Config, dependsOn: string[] = [], own?: Config): PlaceConfig {
  return { place: { name, dir: `/repo/${name}`, workspace: name }, config: own ?? config, ownConfig: own !== undefined, dependsOn };
}

function graphOf(root: Config, workspaces: PlaceConfig[], phases: string[]): TaskGraph {
  const result = buildGraph({ phases, root: { place: { name: "//", dir: "/repo" }, config: root, ownConfig: true }, workspaces, rootDir: "/repo", parentEnv: {} });
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
}

const depsOf = (g: TaskGraph, id: string): string[] => [...(g.tasks.get(id as TaskId)?.deps ?? [])].map(String).sort();
const ids = (g: TaskGraph): string[] => [...g.tasks.keys()].map(String);

/** Every task comes after its dependencies in the map's order (the graph's promise). */
function expectTopological(g: TaskGraph): void {
  const seen = new Set<string>();
  for (const t of g.tasks.values()) {
    for (const dep of t.deps) expect(seen.has(dep)).toBe(true);
    seen.add(t.id);
  }
}

const AB = `[lifecycle.a]\ncommand = "echo a"\nparallel = true\n[lifecycle.b]\ncommand = "echo b"\nparallel = true`;

describe("workspace pipelines", () => {
  test("run a b: each workspace's b waits only for its own a (no lockstep across workspaces)", () => {
    const root = configOf(AB);
    const g = graphOf(root, [ws("w1", root), ws("w2", root), ws("w3", root)], ["a", "b"]);
    for (const name of ["w1", "w2", "w3"]) expect(depsOf(g, `${name}#b`)).toEqual([`${name}#a`]);
    expect(depsOf(g, "w1#a")).toEqual([]);
    expectTopological(g);
  });

  test("workspace depends_on: the dependent's task for a phase waits for the upstream's task for the same phase", () => {
    const root = configOf(AB);
    const g = graphOf(root, [ws("api", root, ["lib"]), ws("lib", root), ws("web", root, ["api"])], ["a", "b"]);
    expect(depsOf(g, "api#a")).toEqual(["lib#a"]);
    expect(depsOf(g, "web#a")).toEqual(["api#a"]);
    expect(depsOf(g, "api#b")).toEqual(["api#a", "lib#b"]);
    // Graph order: dependency first, then name.
    expect(ids(g).filter((id) => id.endsWith("#a"))).toEqual(["lib#a", "api#a", "web#a"]);
    expectTopological(g);
  });

  test("depends_on passes through a workspace that does not run the phase", () => {
    const root = configOf(`[lifecycle.a]\ncommand = "echo a"\nparallel = true\nworkspaces = ["core", "app"]`);
    const g = graphOf(root, [ws("app", root, ["mid"]), ws("core", root), ws("mid", root, ["core"])], ["a"]);
    expect(g.tasks.has("mid#a" as TaskId)).toBe(false);
    expect(depsOf(g, "app#a")).toEqual(["core#a"]);
  });

  test("root before/after hooks run once at the root around the fan-out; after waits for every workspace", () => {
    const root = configOf(`${AB}\n[lifecycle.prep]\ncommand = "echo p"\n[lifecycle.post]\ncommand = "echo q"\n[hooks]\nbefore_a = ["prep"]\nafter_a = ["post"]`);
    const g = graphOf(root, [ws("w1", root), ws("w2", root)], ["a"]);
    expect(depsOf(g, "w1#a")).toEqual(["//#prep"]);
    expect(depsOf(g, "//#post")).toEqual(["w1#a", "w2#a"]);
    expect(ids(g).filter((id) => id.startsWith("//"))).toEqual(["//#prep", "//#post"]);
  });

  test("a root before_b hook runs after every workspace's a, and every b waits for it", () => {
    const root = configOf(`${AB}\n[lifecycle.prep]\ncommand = "echo p"\n[hooks]\nbefore_b = ["prep"]`);
    const g = graphOf(root, [ws("w1", root), ws("w2", root)], ["a", "b"]);
    expect(depsOf(g, "//#prep")).toEqual(["w1#a", "w2#a"]);
    expect(depsOf(g, "w1#b")).toEqual(["//#prep", "w1#a"]);
    expectTopological(g);
  });

  test("a root after_a hook is the barrier before b: every b waits for it", () => {
    const root = configOf(`${AB}\n[lifecycle.post]\ncommand = "echo q"\n[hooks]\nafter_a = ["post"]`);
    const g = graphOf(root, [ws("w1", root), ws("w2", root)], ["a", "b"]);
    expect(depsOf(g, "w1#b")).toEqual(["//#post", "w1#a"]);
  });

  test("before_all once before everything, after_all once after everything", () => {
    const root = configOf(`${AB}\n[lifecycle.first]\ncommand = "echo f"\n[lifecycle.last]\ncommand = "echo l"\n[hooks]\nbefore_all = ["first"]\nafter_all = ["last"]`);
    const g = graphOf(root, [ws("w1", root), ws("w2", root)], ["a", "b"]);
    expect(depsOf(g, "w1#a")).toEqual(["//#first"]);
    expect(depsOf(g, "//#last")).toEqual(["w1#b", "w2#b"]);
  });

  test("a workspace with its own make.toml: its own hooks run inside it, and its next phase waits for its after-hook", () => {
    const root = configOf(AB);
    const own = configOf(`${AB}\n[lifecycle.check]\ncommand = "echo c"\n[hooks]\nafter_a = ["check"]`, "/repo/w2/make.toml");
    const g = graphOf(root, [ws("w1", root), ws("w2", root, [], own)], ["a", "b"]);
    expect(depsOf(g, "w2#check")).toEqual(["w2#a"]);
    expect(depsOf(g, "w2#b")).toEqual(["w2#check"]);
    expect(depsOf(g, "w1#b")).toEqual(["w1#a"]);
  });

  test("the root's definition decides the fan-out's parallel and max_threads, also in a workspace with its own make.toml", () => {
    const root = configOf(`[lifecycle.a]\ncommand = "echo a"\nparallel = true\nmax_threads = 3`);
    const own = configOf(`[lifecycle.a]\ncommand = "echo own"`, "/repo/w1/make.toml");
    const g = graphOf(root, [ws("w1", root, [], own)], ["a"]);
    expect(g.tasks.get("w1#a" as TaskId)).toMatchObject({ parallel: true, maxThreads: 3, commands: [{ kind: "shell", script: "echo own" }] });
  });
});

describe("scale", () => {
  test("a 100,000-deep depends_on chain is ordered dependency first, without recursion", () => {
    const root = configOf(`[lifecycle.a]\ncommand = "echo a"\nparallel = true`);
    const chain = Array.from({ length: 100_000 }, (_, i) => ws(`w${i}`, root, i === 0 ? [] : [`w${i - 1}`])).reverse();
    const g = graphOf(root, chain, ["a"]);
    expect(ids(g).slice(0, 3)).toEqual(["w0#a", "w1#a", "w2#a"]);
    expect(depsOf(g, "w99999#a")).toEqual(["w99998#a"]);
  }, 60_000);

  test("10,000 workspaces x 3 phases: one task each, each depending only on its own previous phase", () => {
    const root = configOf(`${AB}\n[lifecycle.c]\ncommand = "echo c"`);
    const names = Array.from({ length: 10_000 }, (_, i) => `w${String(i).padStart(5, "0")}`);
    const g = graphOf(root, names.map((n) => ws(n, root)), ["a", "b", "c"]);
    expect(g.tasks.size).toBe(30_000);
    expect(depsOf(g, "w09999#c")).toEqual(["w09999#b"]);
    expect(depsOf(g, "w00000#a")).toEqual([]);
  });
});
