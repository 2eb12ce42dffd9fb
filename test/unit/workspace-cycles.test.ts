import { describe, expect, test } from "bun:test";
import { findWorkspaceCycles } from "../../src/workspace/workspace-cycles.ts";

function ws(name: string, dependsOn: string[] = []) {
  return { name, dependsOn };
}

describe("findWorkspaceCycles", () => {
  test("each cycle once, as the full chain", () => {
    expect(findWorkspaceCycles([ws("a", ["b"]), ws("b", ["c"]), ws("c", ["a"]), ws("d", ["a"])])).toEqual([["a", "b", "c", "a"]]);
    expect(findWorkspaceCycles([ws("a", ["a"])])).toEqual([["a", "a"]]);
    expect(findWorkspaceCycles([ws("a", ["b"]), ws("b", ["a"]), ws("c", ["d"]), ws("d", ["c"])])).toEqual([["a", "b", "a"], ["c", "d", "c"]]);
  });

  test("no cycle: diamonds and unknown names are fine", () => {
    expect(findWorkspaceCycles([ws("a", ["b", "c"]), ws("b", ["d"]), ws("c", ["d"]), ws("d", ["nowhere"])])).toEqual([]);
  });

  test("a 100,000-long dependency chain does not exhaust the stack", () => {
    const chain = Array.from({ length: 100_000 }, (_, i) => ws(`w${i}`, i === 0 ? [] : [`w${i - 1}`])).reverse();
    expect(findWorkspaceCycles(chain)).toEqual([]);
    chain[chain.length - 1] = ws("w0", ["w99999"]);
    expect(findWorkspaceCycles(chain)[0]).toHaveLength(100_001);
  });
});
