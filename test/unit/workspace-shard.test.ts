import { describe, expect, test } from "bun:test";
import { assignShards, parseShard } from "../../src/workspace/shard.ts";

describe("parseShard", () => {
  test("accepts i/n with 1 <= i <= n", () => {
    expect(parseShard("1/1")).toEqual({ ok: true, value: { index: 1, count: 1 } });
    expect(parseShard("3/4")).toEqual({ ok: true, value: { index: 3, count: 4 } });
  });

  test.each(["0/3", "4/3", "1/0", "1", "a/b", "1/2/3", "-1/2", "1.5/2", "", "2 / 3x"])("rejects %p with a usage message", (text) => {
    const parsed = parseShard(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain("--shard");
  });
});

const names = (n: number) => Array.from({ length: n }, (_, i) => `pkg-${i}`);

describe("assignShards", () => {
  test("every workspace is in exactly one shard, for many sizes", () => {
    for (const count of [1, 2, 3, 7, 16]) {
      for (const n of [0, 1, 5, 16, 101]) {
        const shards = assignShards(names(n).map((name) => ({ name })), count);
        expect(shards).toHaveLength(count);
        const all = shards.flat();
        expect(all.sort()).toEqual(names(n).sort());
      }
    }
  });

  test("without durations, shards differ in size by at most one", () => {
    const sizes = assignShards(names(103).map((name) => ({ name })), 4).map((s) => s.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  test("deterministic: the same input gives the same shards, whatever the input order", () => {
    const items = names(50).map((name, i) => ({ name, durationMs: (i * 37) % 11 }));
    const a = assignShards(items, 3);
    const b = assignShards([...items].reverse(), 3);
    expect(a).toEqual(b);
  });

  test("balanced by recorded durations: longest first, each to the least-loaded shard", () => {
    const items = [
      { name: "a", durationMs: 9 },
      { name: "b", durationMs: 7 },
      { name: "c", durationMs: 5 },
      { name: "d", durationMs: 4 },
      { name: "e", durationMs: 3 },
    ];
    // a(9) -> 1; b(7) -> 2; c(5) -> 2 (7 < 9, now 12); d(4) -> 1 (9 < 12, now 13); e(3) -> 2 (12 < 13).
    expect(assignShards(items, 2)).toEqual([["a", "d"], ["b", "c", "e"]]);
  });

  test("a workspace without a recorded duration weighs the mean of the recorded ones", () => {
    const items = [
      { name: "slow", durationMs: 100 },
      { name: "fast", durationMs: 10 },
      { name: "new" },
    ];
    // new weighs 55: slow(100) -> 1, new(55) -> 2, fast(10) -> 2.
    expect(assignShards(items, 2)).toEqual([["slow"], ["fast", "new"]]);
  });
});

describe("assignShards with dependencies", () => {
  const chain = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}`, dependsOn: i === 0 ? [] : [`${prefix}${i - 1}`] }));

  test("a chain stays in one shard: splitting it would not finish sooner, and every other shard would run its head again", () => {
    const shards = assignShards(chain("c", 6), 3);
    expect(shards.filter((s) => s.length > 0)).toEqual([["c0", "c1", "c2", "c3", "c4", "c5"]]);
  });

  test("two chains of three over two shards: one chain each", () => {
    const shards = assignShards([...chain("a", 3), ...chain("b", 3)], 2);
    expect(shards.map((s) => s.join(" ")).sort()).toEqual(["a0 a1 a2", "b0 b1 b2"]);
  });

  test("a group larger than a fair share and its critical path is split: a shared core does not pull every leaf into one shard", () => {
    const star = [{ name: "core" }, ...Array.from({ length: 12 }, (_, i) => ({ name: `leaf${i}`, dependsOn: ["core"] }))];
    const sizes = assignShards(star, 4).map((s) => s.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(13);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  test("every workspace in exactly one shard, deterministic whatever the input order, with dependencies outside the items ignored", () => {
    const items = Array.from({ length: 60 }, (_, i) => ({ name: `w${i}`, durationMs: (i * 13) % 7, dependsOn: [`w${(i * 7) % 60}`, "elsewhere"].filter((d) => d < `w${i}` || d === "elsewhere") }));
    for (const count of [1, 2, 5, 9]) {
      const shards = assignShards(items, count);
      expect(shards.flat().sort()).toEqual(items.map((i) => i.name).sort());
      expect(assignShards([...items].reverse(), count)).toEqual(shards);
    }
  });

  test("a 10,000-long chain is placed (iteratively, in one piece)", () => {
    const shards = assignShards(chain("n", 10_000), 4);
    expect(shards.map((s) => s.length).sort((a, b) => a - b)).toEqual([0, 0, 0, 10_000]);
  });
});
