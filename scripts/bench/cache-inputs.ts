// The cache check of a large unchanged input set (product.md 7: 10,000 files under 50 ms), in process,
// against two floors measured in the same run: listing the same files and lstat-ing each one with
// node:fs (readdirSync + lstatSync), and the same with the reader the check uses (on Bun/Linux:
// getdents64 + statx relative to the directory, through bun:ffi), with nothing else done.
// Usage: bun scripts/bench/cache-inputs.ts [files=10000] [runs=15]
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Fingerprinter } from "../../src/cache/fingerprinter.ts";
import { readTaskRecord, writeTaskRecord } from "../../src/cache/task-record.ts";
import { dirReader, emptyFileStat, type DirReader } from "../../src/runtime/dir-reader.ts";
import { taskId, type Task } from "../../src/plan/task.ts";
import { median, printTable } from "./measure.ts";

const files = Number(process.argv[2] ?? 10_000);
const runs = Number(process.argv[3] ?? 15);
const root = mkdtempSync(join(tmpdir(), "lifecycle-bench-inputs-"));
try {
  const perDir = 100;
  for (let i = 0; i < files; i++) {
    const dir = join(root, "src", `d${Math.floor(i / perDir)}`);
    if (i % perDir === 0) mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `f${i}.ts`), `export const v${i} = ${i};\n`.repeat(30));
  }
  const task: Task = {
    id: taskId("//", "build"),
    place: { name: "//", dir: root },
    phase: "build",
    kind: "phase",
    commands: [{ kind: "shell", script: "tsc" }],
    cwd: root,
    env: { LIFECYCLE_PHASE: "build", LIFECYCLE_WORKSPACE: "", LIFECYCLE_ROOT: root },
    timeoutMs: null,
    retries: 0,
    retryDelayMs: 0,
    continueOnError: false,
    parallel: false,
    cache: true,
    inputs: ["src/**"],
    outputs: ["dist/**"],
    ggenCacheKey: "",
    deps: [],
  };
  const cacheDir = join(root, ".ggen", "cache");
  const fingerprinter = () => new Fingerprinter({ rootDirs: [root], shell: "sh", cacheDir });
  // Files written less than a second before they are hashed are re-hashed next time (racy timestamps).
  await Bun.sleep(1100);
  let start = performance.now();
  const cold = fingerprinter().compute(task);
  const coldMs = performance.now() - start;
  const written = writeTaskRecord(cacheDir, { version: 2, task: task.id, fingerprint: cold.fingerprint, input: cold.input, status: "success", memo: cold.memo.entries(cold.input.inputs) });
  if (!written.ok) throw new Error(written.error);

  const warm: number[] = [];
  const floor: number[] = [];
  const readerFloor: number[] = [];
  const recordRead: number[] = [];
  const reader = dirReader();
  for (let i = 0; i < runs; i++) {
    start = performance.now();
    const again = fingerprinter().compute(task);
    warm.push(performance.now() - start);
    if (again.fingerprint !== cold.fingerprint || again.memo.changed) throw new Error("inputs looked changed");
    start = performance.now();
    walkAndStat(join(root, "src"));
    floor.push(performance.now() - start);
    start = performance.now();
    if (readerWalkAndStat(reader, join(root, "src")) !== files) throw new Error("reader walk missed files");
    readerFloor.push(performance.now() - start);
    start = performance.now();
    if (readTaskRecord(cacheDir, task.id) === undefined) throw new Error("record unreadable");
    recordRead.push(performance.now() - start);
  }
  const floorMs = median(floor);
  const readerFloorMs = median(readerFloor);
  const warmMs = median(warm);
  process.stdout.write(`\nfastest of ${runs}: floor ${Math.min(...floor).toFixed(2)} ms, ${reader.name} floor ${Math.min(...readerFloor).toFixed(2)} ms, cache check ${Math.min(...warm).toFixed(2)} ms\n`);
  printTable(`${files} input files, nothing changed, median of ${runs} (ms)`, [
    ["floor: list the tree and lstat each file (readdirSync + lstatSync)", floorMs, 1],
    [`floor: the same through the check's reader (${reader.name === "libc" ? "getdents64 + statx" : "node:fs"})`, readerFloorMs, readerFloorMs / floorMs],
    [`cache check (record read, walk, lstat, fingerprint; ${reader.name} reader)`, warmMs, warmMs / floorMs],
    ["of which: reading the task record alone", median(recordRead), median(recordRead) / floorMs],
    ["first check (every file read and hashed)", coldMs, coldMs / floorMs],
  ], "ratio vs the floor");
} finally {
  rmSync(root, { recursive: true, force: true });
}

/** The listing and lstat the check cannot avoid, with nothing else: returns the number of files. */
function readerWalkAndStat(reader: DirReader, dir: string): number {
  const stat = emptyFileStat();
  const subdirs: string[] = [];
  let count = 0;
  reader.read(dir, (name, kind) => {
    if (kind === "dir") subdirs.push(name);
    else if (reader.statEntry(stat)) count++;
  });
  for (const name of subdirs) count += readerWalkAndStat(reader, `${dir}/${name}`);
  return count;
}

function walkAndStat(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walkAndStat(path);
    else lstatSync(path);
  }
}
