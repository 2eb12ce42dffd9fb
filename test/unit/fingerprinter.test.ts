import { afterEach, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fingerprintOf } from "../../src/cache/fingerprint.ts";
import { Fingerprinter, type TaskFingerprint } from "../../src/cache/fingerprinter.ts";
import { taskRecordPath, writeTaskRecord } from "../../src/cache/task-record.ts";
import { taskId, type Task } from "../../src/plan/task.ts";
import { makeTask } from "../helpers/make-task.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const PAST = new Date(Date.now() - 3_600_000);

function project(files: number): { root: string; task: Task } {
  const root = mkdtempSync(join(tmpdir(), "lifecycle-fingerprinter-"));
  dirs.push(root);
  mkdirSync(join(root, "src"));
  for (let i = 0; i < files; i++) {
    writeFileSync(join(root, "src", `f${i}.ts`), `export const v = ${i};`);
    utimesSync(join(root, "src", `f${i}.ts`), PAST, PAST);
  }
  const task = makeTask("//", "build", { place: { name: "//", dir: root }, cwd: root, cache: true, inputs: ["src/**"], outputs: ["dist/**"], commands: [{ kind: "shell", script: "tsc" }], env: { A: "1" } });
  return { root, task };
}

function compute(root: string, task: Task): TaskFingerprint {
  return new Fingerprinter({ rootDirs: [root], shell: "sh", cacheDir: join(root, ".ggen", "cache") }).compute(task);
}

function save(root: string, task: Task, result: TaskFingerprint, fingerprint = result.fingerprint): void {
  const written = writeTaskRecord(join(root, ".ggen", "cache"), { version: 2, task: task.id, fingerprint, input: result.input, status: "success", memo: result.memo.entries(result.input.inputs) });
  expect(written.ok).toBe(true);
}

for (const files of [5, 300]) {
  test(`${files} unchanged inputs: the recorded fingerprint is reused, and it is what hashing everything gives`, () => {
    const { root, task } = project(files);
    const first = compute(root, task);
    expect(first.fingerprint).toBe(fingerprintOf(first.input));
    save(root, task, first);
    const second = compute(root, task);
    expect(second.fingerprint).toBe(first.fingerprint);
    expect(second.fingerprint).toBe(fingerprintOf(second.input));
    expect(second.input.inputs).toBe(second.previous!.input.inputs);
    expect(second.memo.changed).toBe(false);
  });
}

test("the reuse is of the record's fingerprint as written, and only while nothing else changed", () => {
  const { root, task } = project(5);
  const first = compute(root, task);
  // A record whose fingerprint is not the hash of its input shows when it is taken as is.
  save(root, task, first, "f".repeat(64));
  expect(compute(root, task).fingerprint).toBe("f".repeat(64));
  const others: [string, Task][] = [
    ["env", { ...task, env: { A: "2" } }],
    ["command", { ...task, commands: [{ kind: "shell", script: "tsc -b" }] }],
    ["outputs", { ...task, outputs: ["build/**"] }],
    ["deps", { ...task, deps: [taskId("//", "gen")] }],
    ["inputs pattern", { ...task, inputs: ["src/f1.ts"] }],
  ];
  for (const [what, changed] of others) {
    const result = compute(root, changed);
    expect({ what, fingerprint: result.fingerprint }).toEqual({ what, fingerprint: fingerprintOf(result.input) });
  }
  writeFileSync(join(root, "src", "f1.ts"), "changed");
  const afterEdit = compute(root, task);
  expect(afterEdit.fingerprint).toBe(fingerprintOf(afterEdit.input));
  expect(afterEdit.fingerprint).not.toBe(first.fingerprint);
});

test("a record with a damaged input or memo is no previous run to trust: the fingerprint is computed", () => {
  const { root, task } = project(3);
  const first = compute(root, task);
  save(root, task, first, "f".repeat(64));
  const path = taskRecordPath(join(root, ".ggen", "cache"), task.id);
  const good = JSON.parse(readFileSync(path, "utf8"));
  const damages = [{ input: { ...good.input, inputs: null }, memo: null }, { input: null, memo: [] }, { inputPaths: null }, { inputDigests: `${good.inputDigests}0` }, { memo: { "": ["x"] } }];
  for (const damaged of damages) {
    writeFileSync(path, JSON.stringify({ ...good, ...damaged }));
    const result = compute(root, task);
    expect(result.fingerprint).toBe(first.fingerprint);
  }
});
