import { describe, expect, test } from "bun:test";
import type { Workspace } from "../../src/workspace/discover.ts";
import { affectedWorkspaces, withDependents } from "../../src/workspace/affected.ts";

function ws(name: string, path: string, dependsOn: string[] = []): Workspace {
  return { decl: { name, path, dependsOn }, place: { name, dir: `/real/root/${path}`, workspace: name }, config: undefined as never, ownConfig: false, dependsOn };
}

const WS = [ws("lib", "libs/lib"), ws("api", "apps/api", ["lib"]), ws("web", "apps/web", ["api"]), ws("docs", "docs"), ws("nested", "apps/api/plugins/nested")];

describe("affectedWorkspaces", () => {
  const affected = (files: string[]) => [...affectedWorkspaces(WS, files, "/real/root", "make.toml")].sort();

  test("a changed file belongs to the deepest workspace holding it; dependents are added transitively", () => {
    expect(affected(["libs/lib/src/index.ts"])).toEqual(["api", "lib", "web"]);
    expect(affected(["apps/web/page.tsx"])).toEqual(["web"]);
    expect(affected(["apps/api/plugins/nested/x.ts"])).toEqual(["nested"]);
    expect(affected(["apps/api/plugins/other.ts"])).toEqual(["api", "web"]);
  });

  test("files outside every workspace affect none; a file named like a workspace prefix does not match", () => {
    expect(affected(["README.md", "apps/apiary/x", "docs-old/y"])).toEqual([]);
    expect(affected([])).toEqual([]);
  });

  test("lifecycle's own records under .ggen/ (a run's state, cache, audit) affect none, where .ggen is not ignored", () => {
    expect(affected(["libs/lib/.ggen/state.json", "apps/web/.ggen/cache/ab/cd", ".ggen/audit.jsonl", "apps/api/plugins/nested/.ggen/state.json.bak"])).toEqual([]);
    expect(affected(["libs/lib/.ggenx/state.json", "apps/web/x.ggen/y"])).toEqual(["api", "lib", "web"]);
  });

  test("a change to the root make.toml affects every workspace", () => {
    expect(affected(["make.toml"])).toEqual(["api", "docs", "lib", "nested", "web"]);
  });

  test("withDependents follows depends_on backwards, through chains, without looping", () => {
    expect([...withDependents(WS, new Set(["lib"]))].sort()).toEqual(["api", "lib", "web"]);
    expect([...withDependents(WS, new Set(["docs"]))]).toEqual(["docs"]);
  });
});
