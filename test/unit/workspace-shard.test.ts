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
