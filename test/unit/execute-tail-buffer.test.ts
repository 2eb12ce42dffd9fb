import { describe, expect, test } from "bun:test";
import { MAX_TAIL_LINE_CHARS, TailBuffer } from "../../src/execute/tail-buffer.ts";

describe("TailBuffer", () => {
  test("keeps the last lines, oldest first", () => {
    const tail = new TailBuffer(3);
    expect(tail.lines()).toEqual([]);
    tail.push("a");
    tail.push("b");
    expect(tail.lines()).toEqual(["a", "b"]);
    for (const line of ["c", "d", "e", "f", "g"]) tail.push(line);
    expect(tail.lines()).toEqual(["e", "f", "g"]);
  });

  test("cuts very long lines and marks the cut", () => {
    const tail = new TailBuffer(2);
    tail.push("x".repeat(MAX_TAIL_LINE_CHARS + 10));
    const [line] = tail.lines();
    expect(line).toBe(`${"x".repeat(MAX_TAIL_LINE_CHARS)}…`);
  });

  test("capacity 0 keeps nothing", () => {
    const tail = new TailBuffer(0);
    tail.push("a");
    expect(tail.lines()).toEqual([]);
  });
});
