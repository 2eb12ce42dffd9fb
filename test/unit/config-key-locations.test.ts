import { describe, expect, test } from "bun:test";
import { scanKeyLocations } from "../../src/config/key-locations.ts";
import { formatKeyPath, parseKeyPath } from "../../src/config/key-path.ts";

const text = [
  "# header comment", //                                   1
  "[project]", //                                           2
  'name = "x" # trailing', //                               3
  "", //                                                    4
  '[lifecycle."generate:api"]', //                          5
  'command = "a"', //                                       6
  "  [ lifecycle . build ]", //                             7
  "commands = [", //                                        8
  '  "one", # first', //                                    9
  "  ['two', \"three\"],", //                               10
  "]", //                                                   11
  'env = { A = "1", B = { C = "2" } }', //                  12
  'script = """', //                                        13
  "[not.a.table]", //                                       14
  'fake = "no"', //                                         15
  '"""', //                                                 16
  "timeout = 30", //                                        17
  "[hooks]", //                                             18
  'before.all = "dotted"', //                               19
  "'literal key' = 1", //                                   20
  "[[items]]", //                                           21
  'x = 1', //                                               22
  "[[items]]", //                                           23
  'x = 2', //                                               24
  "[[items.sub]]", //                                       25
  'y = 3', //                                               26
].join("\n");

describe("scanKeyLocations", () => {
  const locations = scanKeyLocations(text);
  const at = (...segments: (string | number)[]) => locations.locate(segments);

  test("table headers, plain keys and quoted table names", () => {
    expect(at("project")).toEqual({ line: 2, column: 2 });
    expect(at("project", "name")).toEqual({ line: 3, column: 1 });
    expect(at("lifecycle")).toEqual({ line: 5, column: 2 });
    expect(at("lifecycle", "generate:api")).toEqual({ line: 5, column: 12 });
    expect(at("lifecycle", "generate:api", "command")).toEqual({ line: 6, column: 1 });
  });

  test("headers with spaces around dots", () => {
    expect(at("lifecycle", "build")).toEqual({ line: 7, column: 17 });
  });

  test("array elements by index across lines, and nested arrays", () => {
    expect(at("lifecycle", "build", "commands")).toEqual({ line: 8, column: 1 });
    expect(at("lifecycle", "build", "commands", 0)).toEqual({ line: 9, column: 3 });
    expect(at("lifecycle", "build", "commands", 1)).toEqual({ line: 10, column: 3 });
    expect(at("lifecycle", "build", "commands", 1, 1)).toEqual({ line: 10, column: 11 });
  });

  test("keys inside inline tables, nested too", () => {
    expect(at("lifecycle", "build", "env", "A")).toEqual({ line: 12, column: 9 });
    expect(at("lifecycle", "build", "env", "B", "C")).toEqual({ line: 12, column: 24 });
  });

  test("multi-line strings do not look like headers", () => {
    expect(at("not")).toBeUndefined();
    expect(at("lifecycle", "build", "timeout")).toEqual({ line: 17, column: 1 });
  });

  test("dotted and literal keys", () => {
    expect(at("hooks", "before")).toEqual({ line: 19, column: 1 });
    expect(at("hooks", "before", "all")).toEqual({ line: 19, column: 8 });
    expect(at("hooks", "literal key")).toEqual({ line: 20, column: 1 });
  });

  test("arrays of tables are indexed, and sub-arrays attach to the latest element", () => {
    expect(at("items", 0, "x")).toEqual({ line: 22, column: 1 });
    expect(at("items", 1, "x")).toEqual({ line: 24, column: 1 });
    expect(at("items", 1, "sub", 0, "y")).toEqual({ line: 26, column: 1 });
  });

  test("a missing key falls back to its nearest located ancestor; nothing known gives undefined", () => {
    expect(at("lifecycle", "build", "nope", 3)).toEqual({ line: 7, column: 17 });
    expect(at("absent")).toBeUndefined();
  });

  test("never throws on text it does not understand", () => {
    expect(() => scanKeyLocations("[unterminated\n= = =\n{{{").locate(["x"])).not.toThrow();
  });
});

describe("key paths", () => {
  test("format quotes non-bare keys and brackets indexes; parse inverts it", () => {
    const segments = ["lifecycle", "generate:api", "commands", 2, 'we"ird'];
    const text = formatKeyPath(segments);
    expect(text).toBe('lifecycle."generate:api".commands[2]."we\\"ird"');
    expect(parseKeyPath(text)).toEqual(segments);
    expect(parseKeyPath("lifecycle.build.timeout")).toEqual(["lifecycle", "build", "timeout"]);
    expect(parseKeyPath("bad path!")).toBeUndefined();
  });
});
