import { describe, expect, test } from "bun:test";
import { IndexHeap } from "../../src/schedule/index-heap.ts";

describe("IndexHeap", () => {
  test("pops in ascending order whatever the push order, duplicates included", () => {
    const heap = new IndexHeap();
    // A fixed pseudo-random sequence (LCG), so a failure reproduces.
    let seed = 7;
    const values: number[] = [];
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      values.push(seed % 500);
      heap.push(seed % 500);
    }
    const popped: number[] = [];
    while (heap.size > 0) popped.push(heap.pop()!);
    expect(popped).toEqual([...values].sort((a, b) => a - b));
    expect(heap.pop()).toBeUndefined();
    expect(heap.peek()).toBeUndefined();
  });

  test("interleaved pushes and pops keep the minimum on top", () => {
    const heap = new IndexHeap();
    for (const v of [5, 3, 8]) heap.push(v);
    expect(heap.pop()).toBe(3);
    heap.push(1);
    heap.push(9);
    expect(heap.peek()).toBe(1);
    expect([heap.pop(), heap.pop(), heap.pop(), heap.pop()]).toEqual([1, 5, 8, 9]);
  });

  test("drain empties the heap and returns every item", () => {
    const heap = new IndexHeap();
    for (const v of [4, 2, 6]) heap.push(v);
    expect(heap.drain().sort()).toEqual([2, 4, 6]);
    expect(heap.size).toBe(0);
  });
});
