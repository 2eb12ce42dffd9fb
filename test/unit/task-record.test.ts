import { afterEach, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { missReason } from "../../src/cache/cached-execute.ts";
import { fingerprintOf } from "../../src/cache/fingerprint.ts";
import { Fingerprinter, type TaskFingerprint } from "../../src/cache/fingerprinter.ts";
import { RecordedInputs } from "../../src/cache/recorded-inputs.ts";
import { readTaskRecord, taskRecordPath, writeTaskRecord } from "../../src/cache/task-record.ts";
import type { Task } from "../../src/plan/task.ts";
import { makeTask } from "../helpers/make-task.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const PAST = new Date(Date.now() - 3_600_000);

function project(files: number): { root: string; cacheDir: string; task: Task } {
  const root = mkdtempSync(join(tmpdir(), "lifecycle-task-record-"));
  dirs.push(root);
  for (let i = 0; i < files; i++) writeSource(root, `src/d${i % 3}/f${i}.ts`, `export const v = ${i};`);
  const task = makeTask("//", "build", { place: { name: "//", dir: root }, cwd: root, cache: true, inputs: ["src/**"], outputs: ["dist/**"], commands: [{ kind: "shell", script: "tsc" }] });
  return { root, cacheDir: join(root, ".ggen", "cache"), task };
}

function writeSource(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
  utimesSync(join(root, path), PAST, PAST);
}

function compute(cacheDir: string, root: string, task: Task): TaskFingerprint {
  return new Fingerprinter({ rootDirs: [root], shell: "sh", cacheDir }).compute(task);
}

function save(cacheDir: string, task: Task, result: TaskFingerprint): void {
  const written = writeTaskRecord(cacheDir, { version: 2, task: task.id, fingerprint: result.fingerprint, input: result.input, status: "success", memo: result.memo.entries(result.input.inputs) });
  expect(written.ok).toBe(true);
}

for (const files of [4, 300]) {
  test(`${files} inputs: the compact record reads back as the same input digests and fingerprint`, () => {
    const { root, cacheDir, task } = project(files);
    const first = compute(cacheDir, root, task);
    save(cacheDir, task, first);
    const onDisk = JSON.parse(readFileSync(taskRecordPath(cacheDir, task.id), "utf8"));
    expect(onDisk.version).toBe(2);
    expect(onDisk.input.inputs).toBeUndefined();
    expect(typeof onDisk.inputPaths).toBe("string");
    expect(onDisk.inputDigests).toHaveLength(Math.ceil((32 * files) / 3) * 4);
    const record = readTaskRecord(cacheDir, task.id)!;
    expect(record.fingerprint).toBe(first.fingerprint);
    expect(Object.keys(record.input.inputs)).toEqual(Object.keys(first.input.inputs));
    expect({ ...record.input.inputs }).toEqual({ ...first.input.inputs });
    expect(fingerprintOf(record.input)).toBe(first.fingerprint);
    // The next check reuses the fingerprint, and it is still what hashing everything gives.
    const second = compute(cacheDir, root, task);
    expect(second.fingerprint).toBe(first.fingerprint);
    expect(fingerprintOf(second.input)).toBe(first.fingerprint);
    expect(missReason(second, false)).toStartWith("nothing changed since the last run");
  });
}

test("paths holding a newline are stored as a list and read back", () => {
  const digest = (c: string) => c.repeat(64);
  const inputs = { "a\nb.ts": digest("a"), "c.ts": digest("b") };
  const compact = RecordedInputs.compact(inputs);
  expect(compact.inputPaths).toEqual(["a\nb.ts", "c.ts"]);
  expect(RecordedInputs.fromCompact(JSON.parse(JSON.stringify(compact)))!.toRecord()).toEqual(inputs);
  expect(RecordedInputs.fromCompact(RecordedInputs.compact({}))!.count).toBe(0);
});

test("a version 1 record (inputs as an object) reads as no record: a miss with no previous run", () => {
  const { root, cacheDir, task } = project(4);
  const first = compute(cacheDir, root, task);
  const path = taskRecordPath(cacheDir, task.id);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify({ version: 1, task: task.id, fingerprint: first.fingerprint, input: first.input, status: "success", memo: first.memo.entries(first.input.inputs) }));
  expect(readTaskRecord(cacheDir, task.id)).toBeUndefined();
  const again = compute(cacheDir, root, task);
  expect(again.previous).toBeUndefined();
  expect(again.fingerprint).toBe(first.fingerprint);
  expect(missReason(again, false)).toBe("no previous run recorded");
});

test("a record whose compact strings disagree or are damaged reads as no record", () => {
  const { root, cacheDir, task } = project(300);
  const first = compute(cacheDir, root, task);
  save(cacheDir, task, first);
  const path = taskRecordPath(cacheDir, task.id);
  const good = JSON.parse(readFileSync(path, "utf8"));
  const damages = [
    { inputDigests: good.inputDigests.slice(44) },
    { inputDigests: `${good.inputDigests}${"A".repeat(44)}` },
    { inputDigests: `${good.inputDigests.slice(0, -1)}` },
    { inputDigests: `${good.inputDigests.slice(0, -1)}!` },
    { inputPaths: good.inputPaths.split("\n").slice(1).join("\n") },
    { inputPaths: `${good.inputPaths}\nextra.ts` },
    { inputPaths: 7 },
    { inputDigests: undefined },
  ];
  for (const damaged of damages) {
    writeFileSync(path, JSON.stringify({ ...good, ...damaged }));
    expect(readTaskRecord(cacheDir, task.id) === undefined).toBe(true);
    const result = compute(cacheDir, root, task);
    expect(result.fingerprint).toBe(first.fingerprint);
    expect(missReason(result, false)).toBe("no previous run recorded");
  }
});

test("after a change, the miss reason still names the changed, added and removed files", () => {
  const { root, cacheDir, task } = project(300);
  const first = compute(cacheDir, root, task);
  save(cacheDir, task, first);
  writeSource(root, "src/d1/f1.ts", "changed");
  writeSource(root, "src/d2/new.ts", "added");
  unlinkSync(join(root, "src/d0/f0.ts"));
  const second = compute(cacheDir, root, task);
  expect(second.fingerprint).not.toBe(first.fingerprint);
  expect(second.fingerprint).toBe(fingerprintOf(second.input));
  expect(missReason(second, false)).toBe("inputs changed: src/d0/f0.ts (removed), src/d1/f1.ts (changed), src/d2/new.ts (added)");
  // Written back and read again, the new record holds the new set.
  save(cacheDir, task, second);
  expect({ ...readTaskRecord(cacheDir, task.id)!.input.inputs }).toEqual({ ...second.input.inputs });
  expect(compute(cacheDir, root, task).fingerprint).toBe(second.fingerprint);
});
