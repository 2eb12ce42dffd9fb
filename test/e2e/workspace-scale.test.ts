// Scale, through the binary, on a generated tree: 10,000 workspaces plan (graph) and run a phase with no
// commands (the scheduler and 10,000 state files) within the memory target; 1,000 run `true` (10,000
// runs of a process take about a minute on a 2-core VM: see scripts/bench/plan-10k.ts --run).
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { BINARY } from "../helpers/cli.ts";
import { expectExit, withProject } from "./support.ts";

const TOML = `[project]\nname = "big"\n\n[workspace]\nmembers = ["pkgs/*"]\n\n[lifecycle.noop]\nparallel = true\ncommand = "true"\n\n[lifecycle.after]\nparallel = true\ncommand = ["true"]\n\n[lifecycle.group]\nparallel = true\n`;

function generate(dir: string, count: number): string[] {
  const names = Array.from({ length: count }, (_, i) => `pkgs/p${String(i).padStart(5, "0")}`);
  for (const name of names) mkdirSync(join(dir, name), { recursive: true });
  return names;
}

/** GNU time forks the binary itself, so its %M is the binary's own peak RSS. */
const GNU_TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

/**
 * Runs the binary; returns its exit code, stdout and peak resident memory in bytes. Without GNU time,
 * Bun's rusage is used: an upper bound, since a child spawned with vfork also counts the pages the
 * test runner had before the child's exec.
 */
async function measured(args: string[]): Promise<{ code: number; stdout: string; maxRssBytes: number }> {
  const argv = GNU_TIME ? [GNU_TIME, "-f", "%M", BINARY, ...args] : [BINARY, ...args];
  const proc = Bun.spawn(argv, { stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  const code = await proc.exited;
  const maxRssBytes = GNU_TIME ? Number(stderr.trim().split("\n").at(-1)) * 1024 : (proc.resourceUsage()?.maxRSS ?? Number.NaN);
  return { code, stdout, maxRssBytes };
}

describe("scale", () => {
  test("10,000 workspaces: the two-phase graph plans with every workspace's pipeline, under 200 MB", async () => {
    await withProject(TOML, async (p) => {
      const names = generate(p.dir, 10_000);
      const r = await measured(["--root", p.dir, "graph", "noop", "after", "--format", "json"]);
      expect(r.code).toBe(0);
      const graph = JSON.parse(r.stdout) as { workspaces: unknown[]; tasks: Array<{ id: string; deps: string[] }> };
      expect(graph.workspaces).toHaveLength(10_000);
      expect(graph.tasks).toHaveLength(20_000);
      const byId = new Map(graph.tasks.map((t) => [t.id, t]));
      for (const name of names) {
        expect(byId.get(`${name}#noop`)?.deps).toEqual([]);
        expect(byId.get(`${name}#after`)?.deps).toEqual([`${name}#noop`]);
      }
      // About 90 MB here.
      expect(r.maxRssBytes).toBeGreaterThan(1024 * 1024);
      expect(r.maxRssBytes).toBeLessThan(200 * 1024 * 1024);
    });
  }, 120_000);

  test("10,000 workspaces run a phase (no commands: no process per task): every one recorded in its own state file, under 200 MB", async () => {
    await withProject(TOML, async (p) => {
      const names = generate(p.dir, 10_000);
      const r = await measured(["--root", p.dir, "--json", "run", "group", "--concurrency", "16"]);
      expect(r.code).toBe(0);
      const end = r.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>).find((e) => e.event === "run-end");
      expect(end).toMatchObject({ status: "success", counts: { success: 10_000, failed: 0, skipped: 0 } });
      for (const name of names) expect(readdirSync(join(p.dir, name, ".ggen"))).toContain("state.json");
      expect(r.maxRssBytes).toBeGreaterThan(1024 * 1024);
      expect(r.maxRssBytes).toBeLessThan(200 * 1024 * 1024);
    });
  }, 120_000);

  test("1,000 workspaces run `true` at --concurrency 16: every one succeeds and is recorded in its own state file", async () => {
    await withProject(TOML, async (p) => {
      const names = generate(p.dir, 1_000);
      const r = await p.lc("--json", "run", "noop", "--concurrency", "16");
      expectExit(r, 0);
      const end = r.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>).find((e) => e.event === "run-end");
      expect(end).toMatchObject({ status: "success", counts: { success: 1_000, failed: 0, skipped: 0 } });
      for (const name of names) expect(readdirSync(join(p.dir, name, ".ggen"))).toContain("state.json");
    });
  }, 120_000);
});
