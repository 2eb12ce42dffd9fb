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

  test("classes and alternatives, as in the cache's globs: [ab], [a-c], [!a], {x,y}; an unclosed [ is literal", () => {
    const matches = (pattern: string, paths: string[]) => paths.filter((path) => globToRegExp(pattern).test(path));
    const names = ["pkgs/a", "pkgs/b", "pkgs/c", "pkgs/d", "apps/web", "pkgs/[x"];
    expect(matches("pkgs/[ab]", names)).toEqual(["pkgs/a", "pkgs/b"]);
    expect(matches("pkgs/[a-c]", names)).toEqual(["pkgs/a", "pkgs/b", "pkgs/c"]);
    expect(matches("pkgs/[!a]", names)).toEqual(["pkgs/b", "pkgs/c", "pkgs/d"]);
    expect(matches("{pkgs/d,apps/*}", names)).toEqual(["pkgs/d", "apps/web"]);
    expect(matches("pkgs/[x", names)).toEqual(["pkgs/[x"]);
    expect(globToRegExp("a/[!b]").test("a//")).toBe(false); // a negated class never matches the separator
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
    expect(globReachesBelow("{apps,libs}/*", "libs")).toBe(true);
    expect(globReachesBelow("{apps,libs}/*", "other")).toBe(false);
  });
});
