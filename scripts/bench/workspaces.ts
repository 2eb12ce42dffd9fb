// N workspaces x `true`, at concurrency 2 and 16: dist/lifecycle against GNU make -j and xargs -P on the
// same work (one `sh -c` per workspace, in its directory), measured in the same run; the ratios are the result.
// "vs make" is taken within each round (lifecycle's run over the mean of the make runs just before and after it),
// then the median over the rounds is printed with the range of the single rounds.
// lifecycle also records each task in the workspace's state file (.ggen/state.json: lock, read, write, swap, made
// durable in batches), which make and xargs do not. A place's state files reach their steady form (state.json, its
// .bak and a spare, rotated by renameat2) at its third save; each of the first three saves creates a file, which
// costs ~0.35 ms of CPU per place on the build VM. So the tree is first run three times, and the "lifecycle" column
// is a run like any after those; the "first run" column is what a fresh clone sees (CI): a second tree whose .ggen
// directories are removed before each of its runs (outside the timing). The "no state" column runs the same plan
// through the scheduler and executeTask in a separate `bun` process (its start-up not counted) without recording
// state, to separate orchestration cost from durability cost.
// Usage: bun scripts/bench/workspaces.ts [runs=3] [counts=1,50,500,1000] [concurrency=2,16]   (build first: npm run build)
// LIFECYCLE_BASELINE=<another lifecycle binary> adds it to every round (e.g. the build before a change): the VM's speed
// drifts by 10-30% within minutes, so two binaries are only comparable when measured alternately in the same rounds.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { snapshotEnv } from "../../src/execute/command-env.ts";
import { executeTask } from "../../src/execute/execute-task.ts";
import { planRun } from "../../src/plan/plan-run.ts";
import { schedule } from "../../src/schedule/scheduler.ts";
import { median } from "./measure.ts";
import { generateWorkspaces } from "./workspace-tree.ts";

// `--in-process <dir> <concurrency>`: the "no state" measurement, run in a child so that its engine's leftover work
// (JIT compiling, GC) dies with it instead of overlapping the next round's lifecycle run in this process.
if (process.argv[2] === "--in-process") {
  process.stdout.write(`${await inProcess(process.argv[3]!, Number(process.argv[4]))}\n`);
  process.exit(0);
}

const runs = Number(process.argv[2] ?? 3);
const counts = (process.argv[3] ?? "1,50,500,1000").split(",").map(Number);
const levels = (process.argv[4] ?? "2,16").split(",").map(Number);
const binary = resolve(process.env.LIFECYCLE_BINARY ?? "dist/lifecycle");
const baseline = process.env.LIFECYCLE_BASELINE ? resolve(process.env.LIFECYCLE_BASELINE) : undefined;

function time(command: string, args: string[], cwd: string): number {
  const start = performance.now();
  const r = spawnSync(command, args, { cwd, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/** The "no state" column: planRun and the scheduler with real processes in a fresh `bun` process, without state files or output. */
function inChild(dir: string, concurrency: number): number {
  const r = spawnSync(process.execPath, [import.meta.path, "--in-process", dir, String(concurrency)], { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  if (r.status !== 0) throw new Error(`in-process run exited ${r.status}: ${r.stderr}`);
  return Number(r.stdout.trim());
}

/** The plan and the scheduler with real processes, in this process, without state files or output. */
async function inProcess(dir: string, concurrency: number): Promise<number> {
  const start = performance.now();
  const global = { root: dir, json: false, logLevel: "info", logFormat: "human", color: false, quiet: true, verbose: false, strict: false } as const;
  const planned = planRun(global, { phases: ["noop"], workspaceFilters: [], parentEnv: process.env });
  if (!planned.ok) throw new Error("planning failed");
  const parentEnv = snapshotEnv(process.env); // as a run session does: the parent's share is worked out once
  const outcomes = await schedule(planned.value.graph.tasks, {
    concurrency,
    policy: "default",
    signal: new AbortController().signal,
    executeTask: (task, signal) => executeTask(task, { signal, shell: "sh", killGraceMs: 1000, parentEnv, onOutput: () => {} }),
  });
  if ([...outcomes.values()].some((o) => o.kind !== "success")) throw new Error("a task failed");
  return performance.now() - start;
}

/** The first run on a fresh tree: every place's .ggen directory removed first, and the removal synced so its journal work is not timed. */
function timeFirstRun(dir: string, names: readonly string[], level: number): number {
  rmSync(join(dir, ".ggen"), { recursive: true, force: true });
  for (const name of names) rmSync(join(dir, name, ".ggen"), { recursive: true, force: true });
  spawnSync("sync", ["-f", dir]);
  return time(binary, ["--root", dir, "-q", "run", "noop", "--concurrency", String(level)], dir);
}

process.stdout.write(`workspaces x true: median of ${runs} rounds (ms); "vs make" = median over the rounds of lifecycle / make of the same round (range in brackets); "vs xargs" = median / median\n`);
if (baseline) process.stdout.write(`baseline: ${baseline}\n`);
const baselineHeader = baseline ? ` ${"baseline".padStart(9)} ${"vs make".padStart(8)}` : "";
process.stdout.write(`${"N".padStart(5)} ${"-j".padStart(3)} ${"lifecycle".padStart(10)} ${"make -j".padStart(9)} ${"xargs -P".padStart(9)} ${"vs make".padStart(20)} ${"vs xargs".padStart(9)} ${"ms/task over xargs".padStart(19)} ${"no state".padStart(9)} ${"vs xargs".padStart(9)} ${"first run".padStart(10)} ${"vs make".padStart(20)}${baselineHeader}\n`);

/** The median of per-round ratios, and their range: each lifecycle run is divided by the make runs around it, so drift between rounds cancels. */
function pairedRatio(ratios: readonly number[]): string {
  return `${median(ratios).toFixed(2)}x [${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}]`;
}

for (const count of counts) {
  const dir = mkdtempSync(join(tmpdir(), "lifecycle-ws-bench-"));
  const freshDir = mkdtempSync(join(tmpdir(), "lifecycle-ws-bench-fresh-"));
  try {
    const names = generateWorkspaces(dir, count);
    generateWorkspaces(freshDir, count);
    for (let i = 0; i < 3; i++) time(binary, ["--root", dir, "-q", "run", "noop"], dir); // state files in their steady form (above)
    // make: one target per workspace; the recipe has a shell operator, so make runs it as `sh -c` (one process each).
    writeFileSync(join(dir, "Makefile"), `.PHONY: all ${names.join(" ")}\nall: ${names.join(" ")}\n${names.map((n) => `${n}:\n\t@cd ${n} && true\n`).join("")}`);
    writeFileSync(join(dir, "list.txt"), names.join("\n") + "\n");
    for (const level of levels) {
      const samples = { lifecycle: [] as number[], make: [] as number[], xargs: [] as number[], bare: [] as number[], baseline: [] as number[], first: [] as number[] };
      const ratios = { lifecycle: [] as number[], first: [] as number[], baseline: [] as number[] };
      for (let i = 0; i < runs + 1; i++) {
        // The first round warms the page cache and is not counted. make runs right before and right after
        // the lifecycle runs of its round: the VM's speed drifts by 10-30% within minutes, and a ratio
        // against the make runs around it is what that drift cannot move.
        const mkBefore = time("make", ["-s", "-j", String(level), "all"], dir);
        const lc = time(binary, ["--root", dir, "-q", "run", "noop", "--concurrency", String(level)], dir);
        const base = baseline ? time(baseline, ["--root", dir, "-q", "run", "noop", "--concurrency", String(level)], dir) : 0;
        const first = timeFirstRun(freshDir, names, level);
        const mkAfter = time("make", ["-s", "-j", String(level), "all"], dir);
        const xa = time("sh", ["-c", `xargs -P ${level} -I{} sh -c 'cd {} && true' < list.txt`], dir);
        const bare = inChild(dir, level);
        if (i === 0) continue;
        const mk = (mkBefore + mkAfter) / 2;
        samples.first.push(first);
        samples.baseline.push(base);
        samples.bare.push(bare);
        samples.lifecycle.push(lc);
        samples.make.push(mk);
        samples.xargs.push(xa);
        ratios.lifecycle.push(lc / mk);
        ratios.first.push(first / mk);
        ratios.baseline.push(base / mk);
      }
      const lc = median(samples.lifecycle);
      const mk = median(samples.make);
      const xa = median(samples.xargs);
      const bare = median(samples.bare);
      const first = median(samples.first);
      const cells = [String(count).padStart(5), String(level).padStart(3), lc.toFixed(0).padStart(10), mk.toFixed(0).padStart(9), xa.toFixed(0).padStart(9), pairedRatio(ratios.lifecycle).padStart(20), `${(lc / xa).toFixed(2)}x`.padStart(9), ((lc - xa) / count).toFixed(2).padStart(19), bare.toFixed(0).padStart(9), `${(bare / xa).toFixed(2)}x`.padStart(9), first.toFixed(0).padStart(10), pairedRatio(ratios.first).padStart(20)];
      if (baseline) cells.push(median(samples.baseline).toFixed(0).padStart(9), `${median(ratios.baseline).toFixed(2)}x`.padStart(8));
      process.stdout.write(cells.join(" ") + "\n");
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(freshDir, { recursive: true, force: true });
  }
}
