import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { firstInvalidUtf8, MAX_CONFIG_BYTES, readConfigText } from "../../src/config/read-config-text.ts";

const dir = mkdtempSync(join(tmpdir(), "lifecycle-read-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fileWith(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe("readConfigText", () => {
  test("returns the text", () => {
    expect(readConfigText(fileWith("ok.toml", '[project]\nname = "é"\n'), "make.toml")).toEqual({ ok: true, value: '[project]\nname = "é"\n' });
  });

  test("strips a UTF-8 BOM", () => {
    const path = fileWith("bom.toml", new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("a = 1")]));
    expect(readConfigText(path, "make.toml")).toEqual({ ok: true, value: "a = 1" });
  });

  test("a missing file is an error naming the file", () => {
    expect(readConfigText(join(dir, "nope.toml"), "nope.toml")).toEqual({
      ok: false,
      error: [{ severity: "error", file: "nope.toml", message: "file not found" }],
    });
  });

  test("a directory is an error", () => {
    const path = join(dir, "sub");
    mkdirSync(path);
    const result = readConfigText(path, "sub");
    expect(!result.ok && result.error[0]!.message).toBe("is a directory, not a make.toml file");
  });

  test("a file over 16 MiB is refused by its size, before reading", () => {
    const path = fileWith("big.toml", "");
    truncateSync(path, MAX_CONFIG_BYTES + 1);
    const result = readConfigText(path, "big.toml");
    expect(!result.ok && result.error).toEqual([
      { severity: "error", file: "big.toml", message: `file is ${MAX_CONFIG_BYTES + 1} bytes; make.toml may be at most 16 MiB` },
    ]);
  });

  test("exactly 16 MiB is still read (and then fails for its NUL bytes, not its size)", () => {
    const path = fileWith("edge.toml", "");
    truncateSync(path, MAX_CONFIG_BYTES);
    const result = readConfigText(path, "edge.toml");
    expect(!result.ok && result.error[0]!.message).toStartWith("contains a NUL byte");
  });

  test("a NUL byte is reported at its line and column", () => {
    const path = fileWith("nul.toml", 'a = 1\nbé = "x\0"\n');
    const result = readConfigText(path, "make.toml");
    expect(!result.ok && result.error).toEqual([
      { severity: "error", file: "make.toml", line: 2, column: 8, message: "contains a NUL byte (is this a binary file?)" },
    ]);
  });

  test("invalid UTF-8 is reported with the byte offset, line and column", () => {
    const bytes = new Uint8Array([...new TextEncoder().encode("a = 1\nb = \"é"), 0xff, 0x22, 0x0a]);
    const result = readConfigText(fileWith("latin1.toml", bytes), "make.toml");
    expect(!result.ok && result.error).toEqual([
      { severity: "error", file: "make.toml", line: 2, column: 7, message: "not valid UTF-8: bad byte 0xff at byte offset 13" },
    ]);
  });
});

test("firstInvalidUtf8: overlongs, surrogates, truncation and out-of-range code points", () => {
  const bad = (...bytes: number[]) => firstInvalidUtf8(new Uint8Array(bytes));
  expect(bad(0x41, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80)).toBe(-1);
  expect(bad(0x41, 0xc0, 0x80)).toBe(1);
  expect(bad(0xe0, 0x80, 0x80)).toBe(0);
  expect(bad(0x41, 0xed, 0xa0, 0x80)).toBe(1);
  expect(bad(0x41, 0x42, 0xe2, 0x82)).toBe(2);
  expect(bad(0xf4, 0x90, 0x80, 0x80)).toBe(0);
  expect(bad(0x80)).toBe(0);
});
