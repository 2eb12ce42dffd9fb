import { afterEach, describe, expect, test } from "bun:test";
import { chmodSync, closeSync, existsSync, readdirSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bytesSource, readArtifactIndex } from "../../src/cache/artifact.ts";
import { sha256Bytes } from "../../src/cache/file-digest.ts";
import { LocalStore } from "../../src/cache/local-store.ts";
import { openArtifact, sealArtifact } from "../../src/cache/remote-envelope.ts";
import { restoreOutputs } from "../../src/cache/restore-outputs.ts";
import { StatMemo } from "../../src/cache/stat-memo.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), "lifecycle-cache-store-"));
  dirs.push(dir);
  return dir;
}

const FP = "a".repeat(64);
const meta = (fingerprint = FP) => ({ fingerprint, task: "//#build", createdMs: 1, durationMs: 2, log: [["stdout", "built"]] as const, logDropped: 0 });

/** A project with dist/ outputs and a store holding them under FP. */
function stored(): { root: string; store: LocalStore; files: { path: string; abs: string }[] } {
  const root = temp();
  mkdirSync(join(root, "dist", "sub"), { recursive: true });
  writeFileSync(join(root, "dist", "app.js"), "console.log(1)\n");
  writeFileSync(join(root, "dist", "sub", "run.sh"), "#!/bin/sh\necho hi\n", { mode: 0o755 });
  writeFileSync(join(root, "dist", "empty"), "");
  symlinkSync("app.js", join(root, "dist", "latest.js"));
  const files = ["dist/app.js", "dist/empty", "dist/latest.js", "dist/sub/run.sh"].map((path) => ({ path, abs: join(root, path) }));
  const store = new LocalStore(join(root, ".ggen", "cache"));
  const saved = store.save(FP, meta(), files);
  if (!saved.ok) throw new Error(saved.error);
  return { root, store, files };
}

function restore(store: LocalStore, root: string, fingerprint = FP, outputs: readonly string[] = ["dist/**"], placeDir = root) {
  const found = store.lookup(fingerprint);
  if (!found.ok || !found.value) throw new Error(`no entry: ${found.ok ? "missing" : found.error}`);
  const fd = openSync(found.value.path, "r");
  try {
    return restoreOutputs(fd, found.value.index, { placeDir, rootDirs: [root], outputs }, new StatMemo());
  } finally {
    closeSync(fd);
  }
}

describe("local store", () => {
  test("an entry round-trips: header, log, files with sizes and digests", () => {
    const { store } = stored();
    const found = store.lookup(FP);
    expect(found.ok && found.value?.index.header.log).toEqual([["stdout", "built"]]);
    const files = found.ok ? found.value!.index.header.files : [];
    expect(files.map((f) => [f.path, f.kind, f.size])).toEqual([
      ["dist/app.js", "file", 15],
      ["dist/empty", "file", 0],
      ["dist/latest.js", "symlink", 0],
      ["dist/sub/run.sh", "file", 18],
    ]);
    expect(files[0]!.sha256).toBe(sha256Bytes("console.log(1)\n"));
    expect(store.lookup("b".repeat(64))).toEqual({ ok: true, value: undefined });
    expect(existsSync(join(store.dir, "tmp")) ? readdirSync(join(store.dir, "tmp")) : []).toEqual([]);
  });

  test("outputs deleted are restored byte-identical with their modes; unchanged ones are left alone", () => {
    const { root, store } = stored();
    rmSync(join(root, "dist"), { recursive: true });
    const result = restore(store, root);
    expect(result).toEqual({ ok: true, value: { restored: 4, unchanged: 0 } });
    expect(readFileSync(join(root, "dist", "app.js"), "utf8")).toBe("console.log(1)\n");
    expect(statSync(join(root, "dist", "sub", "run.sh")).mode & 0o777).toBe(0o755);
    expect(statSync(join(root, "dist", "app.js")).mode & 0o777).toBe(0o644);
    expect(readlinkSync(join(root, "dist", "latest.js"))).toBe("app.js");
    expect(readFileSync(join(root, "dist", "empty"), "utf8")).toBe("");
    expect(restore(store, root)).toEqual({ ok: true, value: { restored: 0, unchanged: 4 } });
  });

  test("an output changed on disk (same size too) is put back; a changed mode is put back", () => {
    const { root, store } = stored();
    writeFileSync(join(root, "dist", "app.js"), "console.log(2)\n");
    chmodSync(join(root, "dist", "sub", "run.sh"), 0o600);
    const result = restore(store, root);
    expect(result.ok && result.value.restored).toBe(1);
    expect(readFileSync(join(root, "dist", "app.js"), "utf8")).toBe("console.log(1)\n");
    expect(statSync(join(root, "dist", "sub", "run.sh")).mode & 0o777).toBe(0o755);
  });

  test("a tampered entry restores nothing wrong: the byte check fails before the file is put in place", () => {
    const { root, store } = stored();
    const entry = join(store.entriesDir, FP);
    const bytes = readFileSync(entry);
    bytes[0] = bytes[0]! ^ 0xff; // first byte of dist/app.js
    writeFileSync(entry, bytes);
    rmSync(join(root, "dist", "app.js"));
    const result = restore(store, root);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.error).toContain("does not match its recorded sha256");
    expect(existsSync(join(root, "dist", "app.js"))).toBe(false);
    expect(readdirSync(join(root, "dist")).filter((n: string) => n.endsWith(".tmp"))).toEqual([]);
  });

  test("a truncated or foreign entry is not used and is removed", () => {
    const { store } = stored();
    truncateSync(join(store.entriesDir, FP), 10);
    const found = store.lookup(FP);
    expect(found.ok).toBe(false);
    expect(existsSync(join(store.entriesDir, FP))).toBe(false);
  });

  test("an artifact naming a path outside the root is refused", () => {
    const root = temp();
    const project = join(root, "project");
    mkdirSync(project);
    writeFileSync(join(root, "payload"), "evil");
    const store = new LocalStore(join(project, ".ggen", "cache"));
    expect(store.save(FP, meta(), [{ path: "../escaped", abs: join(root, "payload") }]).ok).toBe(true);
    const result = restore(store, project, FP, ["../escaped"]); // even if the outputs named it
    expect(result.ok ? "" : result.error).toContain("outside the project root");
    expect(existsSync(join(root, "escaped"))).toBe(false);
  });

  test("restoring through a symlinked directory that leads outside the root is refused", () => {
    const { root, store } = stored();
    const outside = temp();
    rmSync(join(root, "dist", "sub"), { recursive: true });
    symlinkSync(outside, join(root, "dist", "sub"));
    const result = restore(store, root);
    expect(result.ok ? "" : result.error).toContain("outside the project root");
    expect(existsSync(join(outside, "run.sh"))).toBe(false);
  });

  test("LRU eviction keeps the most recently used entries within the bound", () => {
    const root = temp();
    const store = new LocalStore(join(root, ".ggen", "cache"));
    writeFileSync(join(root, "blob"), Buffer.alloc(1000, 1));
    const fps = ["1", "2", "3", "4"].map((c) => c.repeat(64));
    fps.forEach((fp, i) => {
      expect(store.save(fp, meta(fp), [{ path: "blob", abs: join(root, "blob") }]).ok).toBe(true);
      const t = new Date(Date.now() - (10 - i) * 60_000);
      utimesSync(join(store.entriesDir, fp), t, t);
    });
    store.touch({ fingerprint: fps[0]!, lastUsedMs: 0 }); // the oldest becomes the most recent
    const size = lstatSync(join(store.entriesDir, fps[0]!)).size;
    const result = store.evict(size * 2);
    expect(result.removed).toBe(2);
    expect(store.list().map((e) => e.fingerprint).sort()).toEqual([fps[0]!, fps[3]!].sort());
    expect(result.keptBytes).toBe(size * 2);
  });

  test("clean removes every entry", () => {
    const { store } = stored();
    expect(store.clean().removed).toBe(1);
    expect(store.list()).toEqual([]);
  });
});

describe("restores are confined to the task's outputs", () => {
  /** A store holding an entry for FP that lists `paths` (anyone who can write the store or a remote can make one). */
  function crafted(root: string, entries: readonly { path: string; abs?: string }[]): LocalStore {
    const payload = join(temp(), "payload");
    writeFileSync(payload, "evil\n");
    const store = new LocalStore(join(root, ".ggen", "cache"));
    const saved = store.save(FP, meta(), entries.map(({ path, abs }) => ({ path, abs: abs ?? payload })));
    if (!saved.ok) throw new Error(saved.error);
    return store;
  }

  test("an entry listing a path its outputs do not match is rejected whole: nothing is written, not even its real outputs", () => {
    const root = temp();
    writeFileSync(join(root, "make.toml"), "[project]\n");
    const store = crafted(root, [{ path: "dist/app.js" }, { path: "make.toml" }]);
    const result = restore(store, root);
    expect(result).toEqual({ ok: false, error: 'the entry lists "make.toml", which is not among the task\'s outputs [dist/**]' });
    expect(readFileSync(join(root, "make.toml"), "utf8")).toBe("[project]\n");
    expect(existsSync(join(root, "dist"))).toBe(false);
  });

  test("what `*` and `**` would match but a walk never lists is not an output: `..`, .git, .ggen, node_modules (unless named), excluded paths", () => {
    const root = temp();
    const place = join(root, "pkgs", "a");
    mkdirSync(join(root, ".git", "hooks"), { recursive: true });
    mkdirSync(place, { recursive: true });
    const rejected: [readonly string[], string][] = [
      [["*/out.txt"], "../out.txt"],
      [["**"], "../../make.toml"],
      [["dist/**"], "dist/../make.toml"],
      [["dist/**"], "/etc/passwd"],
      [["**"], ".git/hooks/pre-commit"],
      [["../../**"], "../../.git/hooks/pre-commit"],
      [["**"], "src/.GIT/config"],
      [["**"], ".ggen/state.json"],
      [["**"], "node_modules/.bin/tsc"],
      [["dist/**", "!dist/keep/**"], "dist/keep/a.txt"],
      [[], "dist/a.txt"],
    ];
    for (const [outputs, path] of rejected) {
      const store = crafted(root, [{ path }]);
      const result = restore(store, root, FP, outputs, place);
      expect(result.ok ? `restored ${path}` : result.error).toStartWith(`the entry lists "${path}"`);
      store.clean();
    }
    expect(readdirSync(join(root, ".git", "hooks"))).toEqual([]);
    expect(readdirSync(root).sort()).toEqual([".ggen", ".git", "pkgs"]);
    expect(readdirSync(place)).toEqual([]);
  });

  test("what the outputs could list is restored: a pattern's own `..` (inside the root), node_modules when named, a literal directory", () => {
    const root = temp();
    const place = join(root, "pkgs", "a");
    mkdirSync(place, { recursive: true });
    for (const [outputs, path] of [
      [["../shared/gen/**"], "../shared/gen/types.ts"],
      [["node_modules/.cache/**"], "node_modules/.cache/x"],
      [["out"], "out/deep/file.txt"],
      [["{dist,lib}/*.js"], "lib/a.js"],
    ] as const) {
      const store = crafted(root, [{ path }]);
      expect(restore(store, root, FP, outputs, place)).toEqual({ ok: true, value: { restored: 1, unchanged: 0 } });
      expect(readFileSync(join(place, path), "utf8")).toBe("evil\n");
      store.clean();
    }
  });

  test("a listed symlink cannot be the directory of another listed path; a symlinked directory leading out is refused before anything is created", () => {
    const root = temp();
    const outside = temp();
    const link = join(temp(), "link");
    symlinkSync(outside, link);
    const store = crafted(root, [{ path: "dist/link", abs: link }, { path: "dist/link/x" }]);
    expect(restore(store, root)).toEqual({ ok: false, error: 'the entry lists "dist/link/x" below "dist/link", which it also lists' });
    expect(existsSync(join(root, "dist"))).toBe(false);
    store.clean();
    mkdirSync(join(root, "dist"));
    symlinkSync(outside, join(root, "dist", "sub"));
    const deep = crafted(root, [{ path: "dist/a.txt" }, { path: "dist/sub/new/deep.txt" }]);
    expect(restore(deep, root)).toEqual({ ok: false, error: 'refusing to restore "dist/sub/new/deep.txt": its directory leads outside the project root' });
    expect(readdirSync(outside)).toEqual([]);
    expect(existsSync(join(root, "dist", "a.txt"))).toBe(false);
  });
});

describe("remote envelope", () => {
  const artifact = new Uint8Array(Buffer.from("artifact bytes ".repeat(100)));
  test("seals and opens, with and without a signing key", () => {
    expect(openArtifact(sealArtifact(artifact, FP, undefined), FP, undefined)).toEqual({ ok: true, value: Buffer.from(artifact) });
    expect(openArtifact(sealArtifact(artifact, FP, "k1"), FP, "k1").ok).toBe(true);
  });
  test("a flipped byte or a truncation is a sha256 mismatch", () => {
    const sealed = Buffer.from(sealArtifact(artifact, FP, undefined));
    sealed[sealed.length - 5] = sealed[sealed.length - 5]! ^ 1;
    expect(openArtifact(sealed, FP, undefined)).toEqual({ ok: false, error: "sha256 mismatch (truncated or tampered)" });
    expect(openArtifact(sealArtifact(artifact, FP, undefined).subarray(0, 90), FP, undefined).ok).toBe(false);
  });
  test("with a key: unsigned, wrong key, or another fingerprint's artifact are rejected", () => {
    expect(openArtifact(sealArtifact(artifact, FP, undefined), FP, "k1")).toMatchObject({ ok: false, error: expect.stringContaining("not signed") });
    expect(openArtifact(sealArtifact(artifact, FP, "k2"), FP, "k1")).toMatchObject({ ok: false, error: expect.stringContaining("signature mismatch") });
    expect(openArtifact(sealArtifact(artifact, "b".repeat(64), "k1"), FP, "k1").ok).toBe(false);
  });
  test("an artifact under another fingerprint is rejected by its header", () => {
    const { store } = stored();
    const bytes = store.readBytes(FP)!;
    expect(readArtifactIndex(bytesSource(bytes), FP).ok).toBe(true);
    expect(readArtifactIndex(bytesSource(bytes), "b".repeat(64))).toEqual({ ok: false, error: "artifact belongs to another fingerprint" });
  });
});
