import { describe, expect, test } from "bun:test";
import { parseConfig } from "../../src/config/parse-config.ts";
import { resolveConfig } from "../../src/config/resolve-config.ts";
import { buildGraph } from "../../src/plan/build-graph.ts";
import { findPhaseCycles } from "../../src/plan/find-cycle.ts";
import type { TaskGraph } from "../../src/plan/task.ts";

function configOf(toml: string) {
  const parsed = parseConfig(`[project]\nname = "t"\n${toml}`, "make.toml");
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return resolveConfig(parsed.value.config, "/repo/make.toml");
}

function graphOf(toml: string, phases: string[]): TaskGraph {
  const config = configOf(toml);
  const result = buildGraph({ phases, root: { place: { name: "//", dir: "/repo" }, config, ownConfig: true }, workspaces: [], rootDir: "/repo", parentEnv: {} });
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
}

/** Task ids with their direct deps, in the graph's (topological) order. */
const shape = (g: TaskGraph) => [...g.tasks.values()].map((t) => `${t.id} <- [${t.deps.join(", ")}]`);

const PHASES = ["lint", "test", "build", "deploy", "notify", "gen"].map((p) => `[lifecycle.${p}]\ncommand = "echo ${p}"`).join("\n");

describe("buildGraph", () => {
  test("before-hooks in listed order, then the phase, then after-hooks (ggen's order)", () => {
    const g = graphOf(`${PHASES}\n[hooks]\nbefore_build = ["lint", "test"]\nafter_build = ["notify"]`, ["build"]);
    expect(shape(g)).toEqual(["//#lint <- []", "//#test <- [//#lint]", "//#build <- [//#test]", "//#notify <- [//#build]"]);
  });

  test("depends_on phases have no order among themselves", () => {
    const g = graphOf(`${PHASES.replace('[lifecycle.build]\ncommand = "echo build"', '[lifecycle.build]\ncommand = "echo build"\ndepends_on = ["gen", "lint"]')}`, ["build"]);
    expect(shape(g)).toEqual(["//#gen <- []", "//#lint <- []", "//#build <- [//#gen, //#lint]"]);
  });

  test("a task that appears twice runs once: pipeline build test with after_build = [test]", () => {
    const g = graphOf(`${PHASES}\n[hooks]\nafter_build = ["test"]`, ["build", "test"]);
    expect([...g.tasks.keys()] as string[]).toEqual(["//#build", "//#test"]);
  });

  test("a pipeline's next phase waits for everything the previous phase added", () => {
    const g = graphOf(`${PHASES}\n[hooks]\nafter_lint = ["notify"]`, ["lint", "build"]);
    expect(shape(g)).toEqual(["//#lint <- []", "//#notify <- [//#lint]", "//#build <- [//#notify]"]);
  });

  test("before_all and after_all run once per invocation, around everything", () => {
    const g = graphOf(`${PHASES}\n[hooks]\nbefore_all = ["lint"]\nafter_all = ["notify"]\nbefore_build = ["test"]`, ["build", "deploy"]);
    expect(shape(g)).toEqual(["//#lint <- []", "//#test <- [//#lint]", "//#build <- [//#test]", "//#deploy <- [//#build]", "//#notify <- [//#deploy]"]);
  });

  test("inline hook commands become their own tasks, named after the hook key", () => {
    const g = graphOf(`${PHASES}\n[hooks]\nbefore_build = "echo before"\nafter_build = { commands = ["echo a", "echo b"] }`, ["build"]);
    expect(shape(g)).toEqual(["//#before_build <- []", "//#build <- [//#before_build]", "//#after_build <- [//#build]"]);
    expect(g.tasks.get("//#after_build" as never)?.commands.length).toBe(2);
    expect(g.tasks.get("//#before_build" as never)?.kind).toBe("hook");
  });

  test("on_error and on_success are separate graphs", () => {
    const g = graphOf(`${PHASES}\n[hooks]\non_error = "echo failed"\non_success = ["notify"]`, ["build"]);
    expect([...g.tasks.keys()] as string[]).toEqual(["//#build"]);
    expect([...g.onError.keys()] as string[]).toEqual(["//#on_error"]);
    expect([...g.onSuccess.keys()] as string[]).toEqual(["//#notify"]);
  });

  test("an unknown phase is a diagnostic with a suggestion, not an exception", () => {
    const config = configOf(PHASES);
    const r = buildGraph({ phases: ["biuld"], root: { place: { name: "//", dir: "/repo" }, config, ownConfig: true }, workspaces: [], rootDir: "/repo", parentEnv: {} });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error[0]).toMatchObject({ message: "Phase 'biuld' not found", hint: 'did you mean "build"?' });
  });

  test("a cwd that leaves the root is refused before anything runs", () => {
    const config = configOf(`[lifecycle.x]\ncommand = "pwd"\ncwd = "../.."`);
    const r = buildGraph({ phases: ["x"], root: { place: { name: "//", dir: "/repo" }, config, ownConfig: true }, workspaces: [], rootDir: "/repo", parentEnv: {} });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error[0]?.message).toContain("outside the project root");
  });

  test("env layers: [env] < profile < phase env, plus GGEN_ENV and LIFECYCLE_*; ${NAME} from the parent env", () => {
    const config = configOf(`[env]\nA = "base"\nB = "\${HOME}/x"\n[env.prod]\nA = "prod"\n[lifecycle.x]\ncommand = "true"\nenv = { C = "phase" }`);
    const r = buildGraph({ phases: ["x"], root: { place: { name: "//", dir: "/repo" }, config, ownConfig: true }, workspaces: [], rootDir: "/repo", profile: "prod", parentEnv: { HOME: "/home/u" } });
    if (!r.ok) throw new Error("plan failed");
    expect(r.value.tasks.get("//#x" as never)?.env).toEqual({ A: "prod", B: "/home/u/x", C: "phase", GGEN_ENV: "prod", LIFECYCLE_PHASE: "x", LIFECYCLE_WORKSPACE: "", LIFECYCLE_ROOT: "/repo" });
  });
});

describe("findPhaseCycles", () => {
  test("the full chain through custom before-hooks", () => {
    const config = configOf(`${["a", "b", "c", "d"].map((p) => `[lifecycle.${p}]\ncommand = "true"`).join("\n")}\n[hooks]\nbefore_a = ["b"]\nbefore_b = ["c"]\nbefore_c = ["d"]\nbefore_d = ["a"]`);
    expect(findPhaseCycles(config)).toEqual([["a", "b", "c", "d", "a"]]);
  });

  test("self-reference and depends_on cycles; before_all is not an edge", () => {
    const config = configOf(`[lifecycle.build]\ncommand = "true"\n[lifecycle.x]\ncommand = "true"\ndepends_on = ["y"]\n[lifecycle.y]\ncommand = "true"\ndepends_on = ["x"]\n[hooks]\nbefore_build = ["build"]\nbefore_all = ["build"]`);
    expect(findPhaseCycles(config)).toEqual([["build", "build"], ["x", "y", "x"]]);
  });

  test("no cycle: a diamond", () => {
    const config = configOf(`[lifecycle.a]\ndepends_on = ["b", "c"]\n[lifecycle.b]\ndepends_on = ["d"]\n[lifecycle.c]\ndepends_on = ["d"]\n[lifecycle.d]\ncommand = "true"`);
    expect(findPhaseCycles(config)).toEqual([]);
  });
});
