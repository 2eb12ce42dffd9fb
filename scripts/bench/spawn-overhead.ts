// Per-task cost of running commands through dist/lifecycle, against the floors measured in the same run:
// a shell loop of `sh -c true` (one at a time) and `xargs -P N -n1 sh -c true` (N at a time).
// lifecycle runs a generated monorepo of T workspaces whose parallel `noop` phase is `true` (run by
// `sh -c`, like the floors), and records every task in its workspace's .ggen/state.json.
// Usage: bun scripts/bench/spawn-overhead.ts [runs=3] [tasks=1,100,1000] [concurrency=16]   (build first: npm run build)
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { median } from "./measure.ts";
import { generateWorkspaces } from "./workspace-tree.ts";

const runs = Number(process.argv[2] ?? 3);
const taskCounts = (process.argv[3] ?? "1,100,1000").split(",").map(Number);
const parallel = Number(process.argv[4] ?? 16);
const binary = resolve(process.env.LIFECYCLE_BINARY ?? "dist/lifecycle");

function timeMs(argv: readonly string[], cwd: string): number {
  const start = performance.now();
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${argv.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

interface Row {
  readonly tasks: number;
  readonly concurrency: number;
  readonly floorName: string;
  readonly floorMs: number;
  readonly lifecycleMs: number;
}

const rows: Row[] = [];
for (const tasks of taskCounts) {
  const dir = mkdtempSync(join(tmpdir(), "lifecycle-spawn-bench-"));
  try {
    generateWorkspaces(dir, tasks);
    const loop = ["sh", "-c", `i=0; while [ $i -lt ${tasks} ]; do sh -c true; i=$((i+1)); done`];
    const xargs = ["sh", "-c", `seq ${tasks} | xargs -P ${parallel} -n1 sh -c true`];
    const lifecycle = (concurrency: number) => [binary, "--root", dir, "-q", "run", "noop", "--concurrency", String(concurrency)];
    const samples = { loop: [] as number[], xargs: [] as number[], lc1: [] as number[], lcN: [] as number[] };
    for (let i = 0; i <= runs; i++) {
      // Round 0 warms caches and is not counted; the commands alternate so machine drift hits all alike.
      const round = { loop: timeMs(loop, dir), lc1: timeMs(lifecycle(1), dir), xargs: timeMs(xargs, dir), lcN: timeMs(lifecycle(parallel), dir) };
      if (i === 0) continue;
      for (const key of Object.keys(round) as Array<keyof typeof round>) samples[key].push(round[key]);
    }
    rows.push({ tasks, concurrency: 1, floorName: "sh -c true loop", floorMs: median(samples.loop), lifecycleMs: median(samples.lc1) });
    rows.push({ tasks, concurrency: parallel, floorName: `xargs -P${parallel}`, floorMs: median(samples.xargs), lifecycleMs: median(samples.lcN) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.stdout.write(`\nspawn overhead: median of ${runs} runs; ratio = lifecycle / floor; marginal = per-task cost beyond the 1-task run\n`);
process.stdout.write(`${"tasks".padStart(6)} ${"-j".padStart(3)}  ${"floor".padEnd(16)} ${"floor ms".padStart(9)} ${"lifecycle ms".padStart(13)} ${"ratio".padStart(6)} ${"ms/task over floor".padStart(19)} ${"marginal ratio".padStart(15)}\n`);
for (const row of rows) {
  const base = rows.find((r) => r.tasks === taskCounts[0] && r.concurrency === row.concurrency);
  const marginal = base && row.tasks > base.tasks ? (row.lifecycleMs - base.lifecycleMs) / (row.floorMs - base.floorMs) : NaN;
  const cells = [
    String(row.tasks).padStart(6),
    String(row.concurrency).padStart(3),
    ` ${row.floorName.padEnd(16)}`,
    row.floorMs.toFixed(0).padStart(9),
    row.lifecycleMs.toFixed(0).padStart(13),
    `${(row.lifecycleMs / row.floorMs).toFixed(2)}x`.padStart(6),
    ((row.lifecycleMs - row.floorMs) / row.tasks).toFixed(2).padStart(19),
    (Number.isNaN(marginal) ? "-" : `${marginal.toFixed(2)}x`).padStart(15),
  ];
  process.stdout.write(cells.join(" ") + "\n");
}
const target = rows.find((r) => r.tasks === 1000 && r.concurrency === parallel);
if (target) process.stdout.write(`\ntarget (product.md 7): 1,000 tasks at -j${parallel} within 1.3x of xargs: ${(target.lifecycleMs / target.floorMs).toFixed(2)}x\n`);
