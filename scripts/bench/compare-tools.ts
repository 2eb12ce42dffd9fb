// lifecycle against turbo, go-task and just on the same work, with `make -j` as the reference every ratio is
// against, measured in one run: the tools alternate round by round (the order rotates each round) so load on a
// shared machine hits them alike; the first round is a warm-up; each cell is the median of the other rounds.
// The monorepo (scripts/bench/compare-tree.ts) has N workspaces whose build is `cat input.txt dep-out.txt >
// out.txt`, with a chain of groups of ten so ordering matters; before timing, every tool builds it once from
// scratch and its outputs are checked (every dependency built before its dependents).
// Two tables per N: every build runs (turbo task `cache: false`, lifecycle without `cache`), and every build is
// a cache hit (turbo's local cache, lifecycle `cache = true`) against `make` with every target up to date.
// turbo runs each task's package.json script through the package manager (`bun run build`; `npm run build` in
// its own row, only up to `turbo-npm-max` workspaces because each npm start costs ~0.3 s); it never contacts
// the network: telemetry and update checks off, `--cache=local:rw`, no remote configured (TURBO_* cleared).
// A tool that is not installed prints "not installed" in its row.
// Usage: bun scripts/bench/compare-tools.ts [runs=5] [counts=50,500] [concurrency=16] [turbo-npm-max=50]
//        (LIFECYCLE_BINARY, TURBO_BINARY, JUST_BINARY, GO_TASK_BINARY override where each tool is found)
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { CACHED_OUTPUT, UNCACHED_OUTPUT, benchWorkspaces, wrongOutputs, writeCompareTree, type BenchWorkspace } from "./compare-tree.ts";
import { median } from "./measure.ts";

const runs = Number(process.argv[2] ?? 5);
const counts = (process.argv[3] ?? "50,500").split(",").map(Number);
const jobs = Number(process.argv[4] ?? 16);
const turboNpmMax = Number(process.argv[5] ?? 50);
if (!(runs >= 1) || !(jobs >= 1) || !counts.every((n) => Number.isInteger(n) && n > 0)) {
  throw new Error("usage: bun scripts/bench/compare-tools.ts [runs>=1] [counts=50,500] [concurrency>=1] [turbo-npm-max]");
}
const repoRoot = resolve(import.meta.dir, "../..");
const binDir = join(repoRoot, "node_modules", ".bin");

/** The environment of every tool: no TURBO_* settings from outside (no remote cache), no telemetry, no colour. */
const env: Record<string, string> = {};
for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith("TURBO_")) env[key] = value;
Object.assign(env, { TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1", TURBO_NO_UPDATE_NOTIFIER: "1", NO_COLOR: "1", PATH: `${binDir}${delimiter}${process.env.PATH ?? ""}` });

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) if (dir && executable(join(dir, name))) return join(dir, name);
  return undefined;
}

function output(argv: readonly string[], cwd = repoRoot): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return r.error ? "" : `${r.stdout}${r.stderr}`;
}

const nodeOs = ({ win32: "windows" } as Record<string, string>)[process.platform] ?? process.platform;

/** A tool's binary: the override variable, else the native binary its npm package installs, else PATH. */
function findTool(variable: string, packaged: string | undefined, names: readonly string[], accept: (path: string) => boolean = () => true): string | undefined {
  const override = process.env[variable];
  if (override) return executable(resolve(override)) ? resolve(override) : undefined;
  if (packaged && executable(join(repoRoot, "node_modules", packaged))) return join(repoRoot, "node_modules", packaged);
  for (const name of names) {
    const found = onPath(name);
    if (found && accept(found)) return found;
  }
  return undefined;
}

const versionOf = (path: string | undefined) => (path ? (/\d+\.\d+(\.\d+)?/.exec(output([path, "--version"]))?.[0] ?? "?") : undefined);

const tools = {
  make: onPath("make"),
  lifecycle: (() => {
    const path = resolve(process.env.LIFECYCLE_BINARY ?? join(repoRoot, "dist/lifecycle"));
    return existsSync(path) ? path : undefined;
  })(),
  turbo: findTool("TURBO_BINARY", `@turbo/${nodeOs}-${process.arch === "x64" ? "64" : process.arch}/bin/turbo`, ["turbo"]),
  // `task` is also Taskwarrior's name: only a binary whose help talks about Taskfiles is go-task.
  task: findTool("GO_TASK_BINARY", undefined, ["task", "go-task"], (path) => output([path, "--help"]).includes("Taskfile")),
  just: findTool("JUST_BINARY", `rust-just-${nodeOs}-${process.arch}/bin/just`, ["just"]),
  bun: executable(join(binDir, "bun")) ? join(binDir, "bun") : onPath("bun"),
  npm: onPath("npm"),
};
if (!tools.make) throw new Error("make is the reference: install GNU make");
if (!tools.lifecycle) throw new Error("no lifecycle binary: run `npm run build` or set LIFECYCLE_BINARY");
const versions = Object.fromEntries(Object.entries(tools).map(([name, path]) => [name, versionOf(path)])) as Record<keyof typeof tools, string | undefined>;

interface Row {
  readonly tool: string;
  readonly version: string | undefined;
  readonly argv: readonly string[] | undefined;
  /** "npm": the copy of the tree whose package manager is npm (turbo's npm row). */
  readonly tree: "main" | "npm";
  /** The file each workspace's build writes, checked once before timing (none: nothing to check). */
  readonly output?: string;
  readonly skipped?: string;
}

const turboFlags = ["--skip-infer", "--no-update-notifier", "--cache=local:rw", "--concurrency", String(jobs), "--ui", "stream", "--output-logs", "none"];

function uncachedRows(count: number): Row[] {
  const row = (tool: string, version: string | undefined, argv: readonly string[] | undefined, tree: Row["tree"] = "main", skipped?: string): Row => ({ tool, version, argv: version ? argv : undefined, tree, output: UNCACHED_OUTPUT, skipped });
  const t = tools;
  return [
    row(`make -j${jobs}`, versions.make, [t.make!, "-s", "-j", String(jobs), "all"]),
    row("lifecycle run build", versions.lifecycle, [t.lifecycle!, "-q", "run", "build", "--concurrency", String(jobs)]),
    row("turbo run build (bun run)", t.bun ? versions.turbo : undefined, [t.turbo!, "run", "build", ...turboFlags]),
    row("turbo run build (npm run)", t.npm ? versions.turbo : undefined, [t.turbo!, "run", "build", ...turboFlags], "npm", count > turboNpmMax ? `skipped above ${turboNpmMax} workspaces` : undefined),
    row("go-task all", versions.task, [t.task!, "--silent", "--concurrency", String(jobs), "all"]),
    row(`just --jobs ${jobs} all ([parallel])`, versions.just, [t.just!, "--jobs", String(jobs), "all"]),
    row("just --jobs 1 all (serial)", versions.just, [t.just!, "--jobs", "1", "all"]),
  ];
}

function cachedRows(summaryFile: string): Row[] {
  const t = tools;
  return [
    { tool: `make -j${jobs}, all up to date`, version: versions.make, argv: [t.make!, "-s", "-j", String(jobs), "cached"], tree: "main", output: CACHED_OUTPUT.make },
    { tool: "lifecycle run build-cached, all cached", version: versions.lifecycle, argv: [t.lifecycle!, "-q", "run", "build-cached", "--concurrency", String(jobs), "--summary", summaryFile], tree: "main", output: CACHED_OUTPUT.lifecycle },
    { tool: "turbo run build-cached, all cached", version: t.bun ? versions.turbo : undefined, argv: t.turbo && t.bun ? [t.turbo, "run", "build-cached", ...turboFlags] : undefined, tree: "main", output: CACHED_OUTPUT.turbo },
    // No commands, no cache: what lifecycle costs for N tasks without running anything (start, plan, schedule,
    // one durable state record per workspace), the floor under its cached row.
    { tool: "lifecycle run empty (a phase with no commands)", version: versions.lifecycle, argv: [t.lifecycle!, "-q", "run", "empty", "--concurrency", String(jobs)], tree: "main" },
  ];
}

/** Runs a row once; returns its wall time and output. Any failure stops the benchmark. */
function run(row: Row, dirs: Record<Row["tree"], string>): { ms: number; stdout: string; stderr: string } {
  const argv = row.argv!;
  const start = performance.now();
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: dirs[row.tree], env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${row.tool} (${argv.join(" ")}) exited ${r.status ?? r.signal}: ${r.stderr.slice(-2000)}${r.error ?? ""}`);
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

const runnable = (row: Row) => row.argv !== undefined && row.skipped === undefined;

/** Builds the tree from scratch with the row's tool and checks every output: order and content. */
function check(row: Row, dirs: Record<Row["tree"], string>, workspaces: readonly BenchWorkspace[]): void {
  const file = row.output;
  if (file === undefined) return void run(row, dirs);
  for (const ws of workspaces) rmSync(join(dirs[row.tree], "pkgs", ws.name, file), { force: true });
  const { stderr } = run(row, dirs);
  // turbo works on without a readable lockfile, only with a warning: the tree must give it one.
  if (/WARNING/.test(stderr)) throw new Error(`${row.tool} warned: ${stderr}`);
  const wrong = wrongOutputs(dirs[row.tree], workspaces, file);
  if (wrong.length > 0) throw new Error(`${row.tool}: ${wrong.length} workspaces built wrong or out of order (first: ${wrong.slice(0, 5).join(", ")})`);
}

/** Timed rounds, interleaved; round 0 is a warm-up. Returns the median per row (NaN for rows that do not run). */
function measure(rows: readonly Row[], dirs: Record<Row["tree"], string>): number[] {
  const samples = rows.map(() => [] as number[]);
  const active = rows.map((row, i) => [row, i] as const).filter(([row]) => runnable(row));
  for (let round = 0; round <= runs; round++) {
    for (let k = 0; k < active.length; k++) {
      const [row, i] = active[(k + round) % active.length]!;
      const { ms } = run(row, dirs);
      if (round > 0) samples[i]!.push(ms);
    }
  }
  return samples.map((s) => (s.length > 0 ? median(s) : Number.NaN));
}

function printTable(title: string, rows: readonly Row[], ms: readonly number[]): void {
  const reference = ms[0]!;
  process.stdout.write(`\n${title}\n\n| tool | version | ms | vs make |\n|---|---|---:|---:|\n`);
  rows.forEach((row, i) => {
    const cells = !row.version ? ["not installed", "-"] : row.skipped ? [row.skipped, "-"] : [Math.round(ms[i]!).toLocaleString("en-US"), `${(ms[i]! / reference).toFixed(2)}x`];
    process.stdout.write(`| ${row.tool} | ${row.version ?? "-"} | ${cells[0]} | ${cells[1]} |\n`);
  });
}

/** package-lock.json for the npm copy: workspace links only, so `--offline` needs no registry. */
function npmLock(dir: string): void {
  const argv = [tools.npm!, "install", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", "--silent"];
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: dir, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (r.status !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr}`);
}

process.stdout.write(`lifecycle vs turbo, go-task, just; make -j${jobs} is the reference. Median of ${runs} interleaved rounds after 1 warm-up, concurrency ${jobs}.\n`);
process.stdout.write(`lifecycle: ${tools.lifecycle}\nturbo: ${tools.turbo ?? "not installed"}\ngo-task: ${tools.task ?? "not installed"}\njust: ${tools.just ?? "not installed"}\n`);
for (const count of counts) {
  const main = mkdtempSync(join(tmpdir(), "lifecycle-compare-"));
  const npm = mkdtempSync(join(tmpdir(), "lifecycle-compare-npm-"));
  const dirs = { main, npm };
  try {
    const workspaces = benchWorkspaces(count);
    writeCompareTree(main, workspaces, `bun@${versions.bun ?? "1.0.0"}`);
    const uncached = uncachedRows(count);
    const cached = cachedRows(join(main, "summary.json"));
    if (runnable(uncached[3]!)) {
      writeCompareTree(npm, workspaces, `npm@${versions.npm}`);
      npmLock(npm);
    }
    for (const row of [...uncached, ...cached].filter(runnable)) check(row, dirs, workspaces);
    // The second lifecycle run settles the stat memo of outputs written in the first; then every task must hit.
    run(cached[1]!, dirs);
    const hits = JSON.parse(readFileSync(join(main, "summary.json"), "utf8")).counts.cached;
    if (hits !== count) throw new Error(`lifecycle: ${hits} of ${count} tasks were cache hits`);
    if (runnable(cached[2]!)) {
      const turboHits = /Cached:\s+(\d+) cached/.exec(run(cached[2]!, dirs).stdout)?.[1];
      if (Number(turboHits) !== count) throw new Error(`turbo: ${turboHits} of ${count} tasks were cache hits`);
    }
    const title = `${count} workspaces (${Math.ceil(count / 10)} groups of 10, each group after the last workspace of the one before)`;
    printTable(`${title}, every build runs:`, uncached, measure(uncached, dirs));
    printTable(`${title}, every build cached:`, cached, measure(cached, dirs));
  } finally {
    rmSync(main, { recursive: true, force: true });
    rmSync(npm, { recursive: true, force: true });
  }
}
