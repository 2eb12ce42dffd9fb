// Planning 10,000 workspaces: wall time and peak RSS of the compiled binary (`graph --format json`, `validate`,
// `run --dry-run`), and the in-process planning time (load + select + build graph). Reference in the same run:
// `lifecycle --version` (process start) and `find pkgs -maxdepth 1` (listing the same directories).
// With --run it also runs `true` in all of them (minutes on a small VM) and reports wall time and peak RSS.
// Usage: bun scripts/bench/plan-10k.ts [count=10000] [runs=5] [--run]   (build first: npm run build)
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { planRun } from "../../src/plan/plan-run.ts";
import { median } from "./measure.ts";
import { generateWorkspaces } from "./workspace-tree.ts";

const positional = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const count = Number(positional[0] ?? 10_000);
const runs = Number(positional[1] ?? 5);
const withRun = process.argv.includes("--run");
const binary = resolve(process.env.LIFECYCLE_BINARY ?? "dist/lifecycle");

/** Peak RSS of the measured process: GNU time forks it, so the number is its own; Bun's rusage would include this script's memory. */
const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

async function measure(args: string[], cwd: string): Promise<{ ms: number; rssMb: number }> {
  const start = performance.now();
  const proc = Bun.spawn(TIME ? [TIME, "-f", "%M", ...args] : args, { cwd, stdout: "ignore", stderr: "pipe" });
  const stderr = await new Response(proc.stderr).text();
  const code = await proc.exited;
  const ms = performance.now() - start;
  if (code !== 0) throw new Error(`${args.join(" ")} exited ${code}: ${stderr}`);
  const kb = TIME ? Number(stderr.trim().split("\n").at(-1)) : (proc.resourceUsage()?.maxRSS ?? 0) / 1024;
  return { ms, rssMb: kb / 1024 };
}

async function row(label: string, args: string[], cwd: string, times = runs): Promise<void> {
  const samples: Array<{ ms: number; rssMb: number }> = [];
  for (let i = 0; i < times; i++) samples.push(await measure(args, cwd));
  const ms = median(samples.map((s) => s.ms));
  const rss = Math.max(...samples.map((s) => s.rssMb));
  process.stdout.write(`  ${label.padEnd(44)} ${ms.toFixed(0).padStart(7)} ms  ${rss.toFixed(0).padStart(5)} MB peak RSS${TIME ? "" : " (upper bound)"}\n`);
}

const dir = mkdtempSync(join(tmpdir(), "lifecycle-plan-bench-"));
try {
  generateWorkspaces(dir, count);
  process.stdout.write(`${count} workspaces, median of ${runs} runs\n`);
  await row("lifecycle --version (process start)", [binary, "--version"], dir);
  await row("find pkgs -maxdepth 1 (list the directories)", ["find", "pkgs", "-maxdepth", "1"], dir);
  await row("lifecycle validate", [binary, "--root", dir, "validate"], dir);
  await row("lifecycle graph noop --format json", [binary, "--root", dir, "graph", "noop", "--format", "json"], dir);
  await row("lifecycle run noop --dry-run", [binary, "--root", dir, "run", "noop", "--dry-run"], dir);
  const inProcess: number[] = [];
  const global = { root: dir, json: false, logLevel: "info", logFormat: "human", color: false, quiet: true, verbose: false, strict: false } as const;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const planned = planRun(global, { phases: ["noop"], workspaceFilters: [], parentEnv: {} });
    inProcess.push(performance.now() - start);
    if (!planned.ok || planned.value.graph.tasks.size !== count) throw new Error("planning failed");
  }
  process.stdout.write(`  ${"in-process planRun (load, select, graph)".padEnd(44)} ${median(inProcess).toFixed(0).padStart(7)} ms\n`);
  if (withRun) await row("lifecycle run noop --concurrency 16 (true x N)", [binary, "--root", dir, "-q", "run", "noop", "--concurrency", "16"], dir, 1);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
