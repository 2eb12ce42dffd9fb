import { describe, expect, test } from "bun:test";
import { createLineSplitter } from "../../src/execute/line-splitter.ts";

function splitAll(chunks: readonly Uint8Array[], maxLineChars?: number): string[] {
  const lines: string[] = [];
  const splitter = createLineSplitter((line) => lines.push(line), maxLineChars);
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return lines;
}

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

describe("createLineSplitter", () => {
  test("gives the same lines whatever the chunk boundaries, UTF-8 included", () => {
    const bytes = encode("héllo wörld\n\nsecond line ✓\r\n日本語\nlast without newline");
    const expected = ["héllo wörld", "", "second line ✓\r", "日本語", "last without newline"];
    expect(splitAll([bytes])).toEqual(expected);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(splitAll([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(expected);
    }
    expect(splitAll([...bytes].map((byte) => Uint8Array.of(byte)))).toEqual(expected);
  });

  test("a final line without newline is delivered once, at end()", () => {
    const lines: string[] = [];
    const splitter = createLineSplitter((line) => lines.push(line));
    splitter.push(encode("one\ntw"));
    expect(lines).toEqual(["one"]);
    splitter.push(encode("o"));
    expect(lines).toEqual(["one"]);
    splitter.end();
    expect(lines).toEqual(["one", "two"]);
  });

  test("no output gives no lines; a lone newline gives one empty line", () => {
    expect(splitAll([])).toEqual([]);
    expect(splitAll([encode("\n")])).toEqual([""]);
  });

  test("a line longer than the cap arrives in capped pieces instead of growing without bound", () => {
    expect(splitAll([encode("abcdefg"), encode("hij\nxy\n")], 4)).toEqual(["abcd", "efgh", "ij", "xy"]);
  });

  test("invalid UTF-8 is replaced, not fatal", () => {
    expect(splitAll([Uint8Array.of(0x61, 0xff, 0x62, 0x0a)])).toEqual(["a\uFFFDb"]);
  });
});
