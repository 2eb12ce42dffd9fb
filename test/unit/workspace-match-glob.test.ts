import { describe, expect, test } from "bun:test";
import { globReachesBelow, globToRegExp } from "../../src/workspace/match-glob.ts";

describe("globToRegExp", () => {
  test("* and ? stay inside one segment; ** spans segments", () => {
    expect(globToRegExp("apps/*").test("apps/web")).toBe(true);
    expect(globToRegExp("apps/*").test("apps/web/x")).toBe(false);
    expect(globToRegExp("pkg-?").test("pkg-a")).toBe(true);
    expect(globToRegExp("libs/**").test("libs/a/b")).toBe(true);
    expect(globToRegExp("**/svc").test("a/b/svc")).toBe(true);
    expect(globToRegExp("a.b/*").test("axb/c")).toBe(false);
  });
});

describe("globReachesBelow", () => {
  test("a directory walk descends only where a pattern can still match", () => {
    expect(globReachesBelow("pkgs/*", "")).toBe(true);
    expect(globReachesBelow("pkgs/*", "pkgs")).toBe(true);
    expect(globReachesBelow("pkgs/*", "pkgs/a")).toBe(false);
    expect(globReachesBelow("pkgs/*", "apps")).toBe(false);
    expect(globReachesBelow("apps/*/svc", "apps/x")).toBe(true);
    expect(globReachesBelow("libs/**", "libs/a/b/c")).toBe(true);
    expect(globReachesBelow("**/svc", "deep/er")).toBe(true);
    expect(globReachesBelow("p*", "")).toBe(true);
    expect(globReachesBelow("p*", "pa")).toBe(false);
  });
});
