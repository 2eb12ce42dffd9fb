// The cache on a warm monorepo, against `make -j` on up-to-date stamp files measured in the same run
// (commands interleaved round by round, so load on a shared machine hits them alike):
//  - N workspaces, every build cached (nothing to restore): `lifecycle run build` vs `make -j16`;
//  - the same with every workspace's outputs deleted first, so each hit restores its files;
//  - `lifecycle run` of a phase with no commands and no cache: the scheduler + state files floor;
//  - the cache check alone, in process (fingerprint, lookup, output check): the cache's own cost.
// Usage: bun scripts/bench/cache-hits.ts [workspaces=500] [runs=7]   (build first: npm run build)
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { executeWithCache } from "../../src/cache/cached-execute.ts";
import { RunCache } from "../../src/cache/run-cache.ts";
import type { GlobalOptions } from "../../src/invocation.ts";
import { planRun } from "../../src/plan/plan-run.ts";
import { median, printTable } from "./measure.ts";

const workspaces = Number(process.argv[2] ?? 500);
const runs = Number(process.argv[3] ?? 7);
const binary = resolve(process.env.LIFECYCLE_BINARY ?? "dist/lifecycle");
const work = mkdtempSync(join(tmpdir(), "lifecycle-bench-cache-"));
const names = Array.from({ length: workspaces }, (_, i) => `pkg${String(i).padStart(4, "0")}`);

try {
  writeFileSync(
    join(work, "make.toml"),
    `[project]\nname = "bench"\n\n[workspace]\nmembers = ["pkgs/*"]\n\n[lifecycle.build]\ncommands = ["mkdir -p out", "cat src/a.txt src/b.txt src/c.txt > out/bundle.txt"]\ncache = true\nparallel = true\ninputs = ["src/**"]\noutputs = ["out/**"]\n\n[lifecycle.empty]\nparallel = true\n`,
  );
  const rules: string[] = [`all: ${names.map((n) => `pkgs/${n}/out/stamp`).join(" ")}`];
  for (const name of names) {
    const dir = join(work, "pkgs", name);
    mkdirSync(join(dir, "src"), { recursive: true });
    for (const f of ["a", "b", "c"]) writeFileSync(join(dir, "src", `${f}.txt`), `${name} ${f}\n`.repeat(20));
    rules.push(`pkgs/${name}/out/stamp: pkgs/${name}/src/a.txt pkgs/${name}/src/b.txt pkgs/${name}/src/c.txt\n\tmkdir -p pkgs/${name}/out && cat $^ > pkgs/${name}/out/bundle.txt && touch $@`);
  }
  writeFileSync(join(work, "Makefile"), rules.join("\n") + "\n");

  const run = (cmd: string, args: readonly string[]) => {
    const start = performance.now();
    const r = spawnSync(cmd, args, { cwd: work, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
    return performance.now() - start;
  };
  const deleteOutputs = () => {
    for (const name of names) rmSync(join(work, "pkgs", name, "out"), { recursive: true, force: true });
  };
  const lifecycle = (phase: string) => [binary, ["--root", work, "-q", "run", phase, "--concurrency", "16"]] as const;
  run("make", ["-j16"]);
  run(...lifecycle("build"));
  /**
   * Outputs written (or restored) less than a second before they were hashed are hashed again by the
   * next check (the racy-timestamp rule): one untimed run a second later settles their memo entries,
   * so the "all cached" rows measure the steady state a repeated run sees, not the run after a restore.
   */
  const settle = (): void => {
    Bun.sleepSync(1100);
    run(...lifecycle("build"));
  };
  settle();

  const samples = { make: [] as number[], cached: [] as number[], restoring: [] as number[], empty: [] as number[], inProcess: [] as number[] };
  const global = { root: work, json: false, logLevel: "error", logFormat: "human", color: false, quiet: true, verbose: false, strict: false } as GlobalOptions;
  const planned = planRun(global, { phases: ["build"], workspaceFilters: [], parentEnv: {} } as Parameters<typeof planRun>[1]);
  if (!planned.ok) throw new Error(JSON.stringify(planned.error));
  for (let i = 0; i < runs; i++) {
    samples.make.push(run("make", ["-j16"]));
    samples.cached.push(run(...lifecycle("build")));
    samples.empty.push(run(...lifecycle("empty")));
    const start = performance.now();
    const cache = new RunCache({ rootDir: work, settings: {}, shell: "sh", env: {}, force: false, remoteMode: "off", explain: false, warn: (m) => process.stderr.write(`${m}\n`), info: () => {} });
    for (const task of planned.value.graph.tasks.values()) {
      const outcome = await executeWithCache(task, cache, () => {}, () => Promise.reject(new Error(`${task.id} missed the cache`)));
      if (outcome.kind !== "cached") throw new Error(`${task.id}: ${outcome.kind}`);
    }
    await cache.finish("bench");
    samples.inProcess.push(performance.now() - start);
    deleteOutputs();
    samples.restoring.push(run(...lifecycle("build")));
    settle();
  }
  const [make, cached, restoring, empty, inProcess] = [samples.make, samples.cached, samples.restoring, samples.empty, samples.inProcess].map(median) as [number, number, number, number, number];
  printTable(`${workspaces} workspaces, warm cache, median of ${runs} interleaved runs (ms)`, [
    ["make -j16, all stamps up to date", make, 1],
    ["lifecycle run build, all cached", cached, cached / make],
    ["lifecycle, all cached, outputs restored", restoring, restoring / make],
    ["lifecycle run of an empty phase (floor: scheduler + state files)", empty, empty / make],
    ["cache check alone, in process (all hits)", inProcess, inProcess / make],
  ], "ratio vs make -j16 with everything up to date");
  process.stdout.write(`  per task: all cached ${(cached / workspaces).toFixed(3)} ms, restoring ${(restoring / workspaces).toFixed(3)} ms, cache check alone ${(inProcess / workspaces).toFixed(3)} ms\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
