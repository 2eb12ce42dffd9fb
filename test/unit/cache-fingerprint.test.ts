import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canonicalJson } from "../../src/cache/canonical-json.ts";
import { CACHE_FORMAT_VERSION, fingerprintInput, fingerprintOf, type FingerprintInput } from "../../src/cache/fingerprint.ts";
import { explainChange } from "../../src/cache/explain.ts";
import { Fingerprinter } from "../../src/cache/fingerprinter.ts";
import { taskId, type Task } from "../../src/plan/task.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), "lifecycle-cache-fp-"));
  dirs.push(dir);
  return dir;
}

function makeTask(root: string, overrides: Partial<Task> = {}): Task {
  const place = overrides.place ?? { name: "//", dir: root };
  const phase = overrides.phase ?? "build";
  return {
    id: taskId(place.name, phase),
    place,
    phase,
    kind: "phase",
    commands: [{ kind: "shell", script: "echo hi" }],
    cwd: place.dir,
    env: { A: "1", LIFECYCLE_PHASE: phase, LIFECYCLE_WORKSPACE: "", LIFECYCLE_ROOT: root },
    timeoutMs: 300_000,
    retries: 0,
    retryDelayMs: 1000,
    continueOnError: false,
    parallel: false,
    cache: true,
    inputs: ["src/**"],
    outputs: ["dist/**"],
    ggenCacheKey: "x".repeat(64),
    deps: [],
    ...overrides,
  };
}

function fingerprintIn(root: string, task: Task): string {
  return new Fingerprinter({ rootDirs: [root], shell: "sh", cacheDir: join(root, ".ggen", "cache") }).compute(task).fingerprint;
}

describe("canonicalJson", () => {
  test("sorts keys at every depth, keeps array order, drops undefined", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: "x" }, u: undefined })).toBe('{"a":{"c":"x","d":[3,1]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });
  test("rejects values that have no canonical form", () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow();
    expect(() => canonicalJson({ a: () => 1 })).toThrow();
  });
});

describe("fingerprint: any change to any part misses, nothing else does", () => {
  test("is 64 hex chars, stable across calls and key order", () => {
    const root = tempRoot();
    writeFileSync(join(root, "x"), "");
    const task = makeTask(root);
    const a = fingerprintIn(root, task);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintIn(root, { ...task, env: Object.fromEntries(Object.entries(task.env).reverse()) })).toBe(a);
  });

  test("each part changes it: commands, env, input content, new input, deleted input, outputs, place, cwd, deps", () => {
    const root = tempRoot();
    mkdirSync(join(root, "src"));
    writeFileSync(join(root, "src", "a.txt"), "one");
    const task = makeTask(root);
    const base = fingerprintIn(root, task);
    const seen = new Set([base]);
    const differs = (fp: string) => {
      expect(seen.has(fp)).toBe(false);
      seen.add(fp);
    };
    differs(fingerprintIn(root, { ...task, commands: [{ kind: "shell", script: "echo bye" }] }));
    differs(fingerprintIn(root, { ...task, commands: [{ kind: "argv", argv: ["echo", "hi"] }] }));
    differs(fingerprintIn(root, { ...task, env: { ...task.env, A: "2" } }));
    differs(fingerprintIn(root, { ...task, env: { ...task.env, B: "1" } }));
    differs(fingerprintIn(root, { ...task, outputs: ["build/**"] }));
    differs(fingerprintIn(root, { ...task, place: { name: "api", dir: root, workspace: "api" }, id: taskId("api", "build") }));
    mkdirSync(join(root, "sub"));
    differs(fingerprintIn(root, { ...task, cwd: join(root, "sub") }));
    differs(fingerprintIn(root, { ...task, deps: [taskId("//", "gen")] }));
    writeFileSync(join(root, "src", "a.txt"), "two");
    differs(fingerprintIn(root, task));
    writeFileSync(join(root, "src", "b.txt"), "");
    differs(fingerprintIn(root, task));
    unlinkSync(join(root, "src", "b.txt"));
    unlinkSync(join(root, "src", "a.txt"));
    differs(fingerprintIn(root, task));
  });

  test("the format version is part of it", () => {
    const input: FingerprintInput = { version: CACHE_FORMAT_VERSION, commands: [], env: {}, inputs: {}, outputs: [], place: { name: "//", dir: ".", cwd: "." }, deps: {} };
    expect(fingerprintOf({ ...input, version: CACHE_FORMAT_VERSION + 1 })).not.toBe(fingerprintOf(input));
  });

  test("unchanged by what does not affect the result: description, timeout, retries, the root's absolute path, files outside inputs, outputs' content", () => {
    const root = tempRoot();
    mkdirSync(join(root, "src"));
    writeFileSync(join(root, "src", "a.txt"), "one");
    const task = makeTask(root);
    const base = fingerprintIn(root, task);
    expect(fingerprintIn(root, { ...task, description: "other", timeoutMs: 1, retries: 3, retryDelayMs: 5, parallel: true, ggenCacheKey: "y" })).toBe(base);
    expect(fingerprintIn(root, { ...task, env: { ...task.env, LIFECYCLE_ROOT: "/elsewhere" } })).toBe(base);
    writeFileSync(join(root, "README.md"), "not an input");
    mkdirSync(join(root, "dist"));
    writeFileSync(join(root, "dist", "out.js"), "an output");
    expect(fingerprintIn(root, task)).toBe(base);
  });

  test("the same project in another directory has the same fingerprint (paths are relative)", () => {
    const a = tempRoot();
    const b = tempRoot();
    for (const root of [a, b]) {
      mkdirSync(join(root, "src"));
      writeFileSync(join(root, "src", "a.txt"), "same");
    }
    expect(fingerprintIn(a, makeTask(a))).toBe(fingerprintIn(b, makeTask(b)));
  });

  test("secret env values are stored only as digests", () => {
    const root = tempRoot();
    const input = fingerprintInput(makeTask(root, { env: { API_TOKEN: "hunter2-secret" } }), { rootDirs: [root], shell: "sh", inputs: {}, deps: {} });
    expect(JSON.stringify(input)).not.toContain("hunter2-secret");
    expect(input.env.API_TOKEN).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  test("a value equal to or containing a secret of the parent environment is stored only as a digest, and still changes the fingerprint", () => {
    const root = tempRoot();
    const inputOf = (secret: string) =>
      fingerprintInput(makeTask(root, { env: { DEPLOY: secret, URL: `https://x:${secret}@host`, A: "1" } }), { rootDirs: [root], shell: "sh", inputs: {}, deps: {}, secrets: [secret] });
    const input = inputOf("par3ntval");
    expect(JSON.stringify(input)).not.toContain("par3ntval");
    expect(input.env.DEPLOY).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(input.env.URL).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(input.env.A).toBe("1");
    expect(fingerprintOf(inputOf("par3ntval-2"))).not.toBe(fingerprintOf(input));
  });

  test("the Fingerprinter passes its secrets on to the fingerprint input", () => {
    const root = tempRoot();
    const task = makeTask(root, { cache: false, env: { DEPLOY: "par3ntval" } });
    const computed = new Fingerprinter({ rootDirs: [root], shell: "sh", cacheDir: join(root, ".ggen", "cache"), secrets: ["par3ntval"] }).compute(task);
    expect(JSON.stringify(computed.input)).not.toContain("par3ntval");
  });
});

describe("explainChange", () => {
  const base: FingerprintInput = { version: 1, commands: ["sh -c a"], env: { A: "1" }, inputs: { "src/a": "1", "src/b": "2" }, outputs: ["dist/**"], place: { name: "//", dir: ".", cwd: "." }, deps: { "//#gen": "f1" } };
  test("nothing changed: no reasons", () => {
    expect(explainChange(base, base)).toEqual([]);
  });
  test("names each changed part, env by name only", () => {
    const changed: FingerprintInput = { ...base, commands: ["sh -c b"], env: { A: "secret-2" }, inputs: { "src/a": "9", "src/c": "3" }, deps: { "//#gen": "f2" } };
    const reasons = explainChange(base, changed);
    expect(reasons).toEqual([
      'command 1 changed: "sh -c a" → "sh -c b"',
      "env changed: A (changed)",
      "inputs changed: src/a (changed), src/b (removed), src/c (added)",
      "dependencies changed: //#gen (changed)",
    ]);
    expect(reasons.join(" ")).not.toContain("secret-2");
  });
});
