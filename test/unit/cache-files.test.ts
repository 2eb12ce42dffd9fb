import { afterEach, describe, expect, test } from "bun:test";
import { lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkCachePatterns } from "../../src/cache/cache-paths.ts";
import { sha256Bytes } from "../../src/cache/file-digest.ts";
import { compileGlob, expandBraces } from "../../src/cache/glob-pattern.ts";
import { hashInputs } from "../../src/cache/hash-inputs.ts";
import { listMatchingFiles } from "../../src/cache/list-files.ts";
import { StatMemo } from "../../src/cache/stat-memo.ts";
import { taskId, type Task } from "../../src/plan/task.ts";
import { makeTask } from "../helpers/make-task.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "lifecycle-cache-files-"));
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, ".."), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

const matches = (pattern: string, path: string) => compileGlob(pattern).some((p) => p.regex.test(path));

describe("glob patterns", () => {
  test("*, ?, **, classes, braces, trailing slash", () => {
    expect(matches("src/*.ts", "src/a.ts")).toBe(true);
    expect(matches("src/*.ts", "src/x/a.ts")).toBe(false);
    expect(matches("src/**", "src/x/y/a.ts")).toBe(true);
    expect(matches("src/**/*.ts", "src/a.ts")).toBe(true);
    expect(matches("src/**/*.ts", "src/x/y/a.ts")).toBe(true);
    expect(matches("src/**/*.ts", "src/x/y/a.js")).toBe(false);
    expect(matches("**/*.md", "README.md")).toBe(true);
    expect(matches("**/*.md", "docs/a/b.md")).toBe(true);
    expect(matches("file?.txt", "file1.txt")).toBe(true);
    expect(matches("file[0-2].txt", "file3.txt")).toBe(false);
    expect(matches("file[!0-2].txt", "file3.txt")).toBe(true);
    expect(matches("{src,lib}/**", "lib/a")).toBe(true);
    expect(matches("dist/", "dist/a/b")).toBe(true);
    expect(matches("./src/a.ts", "src/a.ts")).toBe(true);
    expect(matches("src/a.ts", "src/a_ts")).toBe(false);
    expect(expandBraces("a{b,c{d,e}}f")).toEqual(["abf", "acdf", "acef"]);
  });

  test("the fixed part of a pattern is its base directory", () => {
    expect(compileGlob("src/lib/**/*.ts")[0]!.base).toBe("src/lib");
    expect(compileGlob("**/*.ts")[0]!.base).toBe(".");
    expect(compileGlob("../shared/src/**")[0]!.base).toBe("../shared/src");
    expect(compileGlob("Cargo.toml")[0]!.literal).toBe(true);
  });
});

describe("listMatchingFiles", () => {
  test("sorted, relative, with exclusions; .git, .ggen and node_modules are not walked unless named", () => {
    const dir = tree({ "src/b.ts": "", "src/a.ts": "", "src/x/c.ts": "", "src/skip.test.ts": "", ".ggen/state.json": "", ".git/HEAD": "", "node_modules/m/i.js": "", "top.txt": "" });
    expect(listMatchingFiles(dir, ["src/**", "!**/*.test.ts"])).toEqual(["src/a.ts", "src/b.ts", "src/x/c.ts"]);
    expect(listMatchingFiles(dir, ["**"])).toEqual(["src/a.ts", "src/b.ts", "src/skip.test.ts", "src/x/c.ts", "top.txt"]);
    expect(listMatchingFiles(dir, ["node_modules/**"])).toEqual(["node_modules/m/i.js"]);
    expect(listMatchingFiles(dir, ["src"], { exclude: ["src/x/**"] })).toEqual(["src/a.ts", "src/b.ts", "src/skip.test.ts"]);
    expect(listMatchingFiles(dir, ["top.txt", "missing.txt"])).toEqual(["top.txt"]);
  });

  test("symlinks are listed, never followed", () => {
    const dir = tree({ "real/a.txt": "a" });
    symlinkSync(join(dir, "real"), join(dir, "linkdir"));
    symlinkSync("real/a.txt", join(dir, "link.txt"));
    expect(listMatchingFiles(dir, ["**"])).toEqual(["link.txt", "linkdir", "real/a.txt"]);
  });
});

describe("hashInputs and the stat memo", () => {
  test("digests by relative path; outputs are never inputs", () => {
    const dir = tree({ "src/a": "A", "dist/o": "O" });
    const digests = hashInputs(dir, ["**"], ["dist/**"], new StatMemo());
    expect(digests).toEqual({ "src/a": sha256Bytes("A") });
  });

  test("an unchanged file (same size, mtime, ctime, inode, hashed long enough ago) is not read again", () => {
    const dir = tree({ "a.txt": "real content" });
    const stat = lstatSync(join(dir, "a.txt"));
    const remembered = [stat.size, stat.mtimeMs, stat.ctimeMs, stat.ino, stat.mtimeMs + 5000, "remembered-digest"] as const;
    expect(new StatMemo({ "a.txt": remembered }).digest("a.txt", join(dir, "a.txt"))).toBe("remembered-digest");
  });

  test("a file hashed within a second of its last write is re-read (racy timestamps)", () => {
    const dir = tree({ "a.txt": "real content" });
    const stat = lstatSync(join(dir, "a.txt"));
    const racy = [stat.size, stat.mtimeMs, stat.ctimeMs, stat.ino, stat.mtimeMs + 10, "stale"] as const;
    expect(new StatMemo({ "a.txt": racy }).digest("a.txt", join(dir, "a.txt"))).toBe(sha256Bytes("real content"));
  });

  test("an input's digest is kept once: the memo entry leaves it out and takes it from the previous inputs", () => {
    const dir = tree({ "a.txt": "content" });
    const stat = lstatSync(join(dir, "a.txt"));
    const memo = new StatMemo({ "a.txt": [stat.size, stat.mtimeMs, stat.ctimeMs, stat.ino, stat.mtimeMs + 5000] }, { "a.txt": "from-inputs" });
    expect(memo.digest("a.txt", join(dir, "a.txt"))).toBe("from-inputs");
    expect(memo.changed).toBe(false);
    expect(memo.entries({ "a.txt": "from-inputs" })["a.txt"]).toHaveLength(5);
    expect(memo.entries({})["a.txt"]![5]).toBe("from-inputs");
  });

  test("a file whose ctime moved (a rewrite with its old mtime put back) is re-read", () => {
    const dir = tree({ "a.txt": "bbbb" });
    const stat = lstatSync(join(dir, "a.txt"));
    const before = [stat.size, stat.mtimeMs, stat.ctimeMs - 1, stat.ino, stat.mtimeMs + 5000, sha256Bytes("aaaa")] as const;
    expect(new StatMemo({ "a.txt": before }).digest("a.txt", join(dir, "a.txt"))).toBe(sha256Bytes("bbbb"));
  });
});

describe("checkCachePatterns", () => {
  const task = (dir: string, inputs: string[], outputs: string[] = []): Task =>
    makeTask("//", "build", { place: { name: "//", dir }, cwd: dir, parallel: false, cache: true, inputs, outputs });


  test("patterns inside the root pass; absolute ones, ones that climb out, and symlinks out are rejected", () => {
    const dir = tree({ "apps/api/src/a": "", "shared/x": "" });
    const outside = tree({ "secret.txt": "" });
    symlinkSync(outside, join(dir, "escape"));
    const api = join(dir, "apps/api");
    expect(checkCachePatterns({ ...task(dir, []), place: { name: "api", dir: api }, inputs: ["src/**", "../../shared/**"] }, dir)).toEqual([]);
    expect(checkCachePatterns(task(dir, ["/etc/passwd"]), dir)[0]).toContain("absolute");
    expect(checkCachePatterns(task(dir, [], ["../**"]), dir)[0]).toContain("leaves the project root");
    expect(checkCachePatterns(task(dir, ["escape/**"]), dir)[0]).toContain("symlink");
  });
});
