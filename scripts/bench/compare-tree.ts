/**
 * The monorepo of scripts/bench/compare-tools.ts: N workspaces with the same tiny build, configured for every
 * tool compared (lifecycle, make, turbo, go-task, just), so each runs exactly the same commands in the same order.
 *
 * Workspace i (from the second group of ten on) depends on the last workspace of the previous group: the groups
 * form a chain (w0009 -> w0019 -> ...) and each link fans out to the next ten, so the critical path is N/10
 * builds long and a tool that ignores the order fails. Each build is `cat input.txt dep-out.txt > out.txt`, where
 * `dep-out.txt` is a symlink to the dependency's out.txt (an empty file when there is none): the build consumes
 * what its dependency produced. The cached builds do the same into one file per tool (lc-out.txt, turbo-out.txt,
 * make-out.txt), so one tool's cache restores never make another's outputs look changed.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** One workspace: its name (also its directory under pkgs/) and the workspace it depends on, if any. */
export interface BenchWorkspace {
  readonly name: string;
  readonly dependsOn: string | undefined;
}

/** The output file each cached row writes, per tool; the uncached rows all write `out.txt`. */
export const CACHED_OUTPUT = { lifecycle: "lc-out.txt", turbo: "turbo-out.txt", make: "make-out.txt" } as const;
const UNCACHED_OUTPUT = "out.txt";
const OUTPUTS = [UNCACHED_OUTPUT, ...Object.values(CACHED_OUTPUT)];

/** `count` workspaces w0000...; from index 10 on, each depends on the last workspace of the previous group of ten. */
export function benchWorkspaces(count: number): BenchWorkspace[] {
  const name = (i: number) => `w${String(i).padStart(4, "0")}`;
  return Array.from({ length: count }, (_, i) => ({ name: name(i), dependsOn: i >= 10 ? name(Math.floor(i / 10) * 10 - 1) : undefined }));
}

const build = (output: string) => `cat input.txt dep-${output} > ${output}`;

/** Writes pkgs/<name>/ and every tool's configuration into `dir`; `packageManager` is turbo's (`bun@1.4.5`, `npm@11.0.0`). */
export function writeCompareTree(dir: string, workspaces: readonly BenchWorkspace[], packageManager: string): void {
  for (const ws of workspaces) {
    const wsDir = join(dir, "pkgs", ws.name);
    mkdirSync(wsDir, { recursive: true });
    writeFileSync(join(wsDir, "input.txt"), `${ws.name}\n`);
    for (const output of OUTPUTS) {
      if (ws.dependsOn) symlinkSync(`../${ws.dependsOn}/${output}`, join(wsDir, `dep-${output}`));
      else writeFileSync(join(wsDir, `dep-${output}`), "");
    }
    const pkg = {
      name: ws.name,
      version: "0.0.0",
      private: true,
      ...(ws.dependsOn ? { dependencies: { [ws.dependsOn]: "*" } } : {}),
      scripts: { build: build(UNCACHED_OUTPUT), "build-cached": build(CACHED_OUTPUT.turbo) },
    };
    writeFileSync(join(wsDir, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
  }
  writeFileSync(join(dir, "make.toml"), lifecycleToml(workspaces));
  writeFileSync(join(dir, "Makefile"), makefile(workspaces));
  writeFileSync(join(dir, "justfile"), justfile(workspaces));
  writeFileSync(join(dir, "Taskfile.yml"), taskfile(workspaces));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "compare-bench", private: true, packageManager, workspaces: ["pkgs/*"] }, null, 2) + "\n");
  writeFileSync(join(dir, "turbo.json"), JSON.stringify(turboJson(), null, 2) + "\n");
  if (packageManager.startsWith("bun@")) writeFileSync(join(dir, "bun.lock"), bunLock(workspaces));
}

/**
 * The lockfile `bun install` writes for workspaces without registry packages (bun 1.4 text format), written
 * here so that preparing the tree needs no package manager run (bun install resolves the registry's host name).
 * turbo reads the workspace graph from it.
 */
function bunLock(workspaces: readonly BenchWorkspace[]): string {
  const members = workspaces.map((ws) => [`pkgs/${ws.name}`, { name: ws.name, version: "0.0.0", ...(ws.dependsOn ? { dependencies: { [ws.dependsOn]: "*" } } : {}) }]);
  const packages = workspaces.map((ws) => [ws.name, [`${ws.name}@workspace:pkgs/${ws.name}`]]);
  const lock = { lockfileVersion: 2, configVersion: 1, workspaces: Object.fromEntries([["", { name: "compare-bench" }], ...members]), packages: Object.fromEntries(packages) };
  return JSON.stringify(lock, null, 2) + "\n";
}

function lifecycleToml(workspaces: readonly BenchWorkspace[]): string {
  const lines = ['[project]\nname = "compare-bench"\n'];
  for (const ws of workspaces) {
    lines.push(`[workspace.${ws.name}]\npath = "pkgs/${ws.name}"${ws.dependsOn ? `\ndepends_on = ["${ws.dependsOn}"]` : ""}\n`);
  }
  lines.push(`[lifecycle.build]\nparallel = true\ncommand = "${build(UNCACHED_OUTPUT)}"\n`);
  lines.push(`[lifecycle.build-cached]\nparallel = true\ncommand = "${build(CACHED_OUTPUT.lifecycle)}"\ncache = true\ninputs = ["input.txt"]\noutputs = ["${CACHED_OUTPUT.lifecycle}"]\n`);
  lines.push("[lifecycle.empty]\nparallel = true\n");
  return lines.join("\n");
}

/** `make all`: one phony target per workspace; `make cached`: real file targets, up to date after one run. */
function makefile(workspaces: readonly BenchWorkspace[]): string {
  const names = workspaces.map((ws) => ws.name);
  const stamp = (name: string) => `pkgs/${name}/${CACHED_OUTPUT.make}`;
  const lines = [`.PHONY: all cached ${names.join(" ")}`, `all: ${names.join(" ")}`, `cached: ${names.map(stamp).join(" ")}`];
  for (const ws of workspaces) {
    lines.push(`${ws.name}:${ws.dependsOn ? ` ${ws.dependsOn}` : ""}\n\t@cd pkgs/${ws.name} && ${build(UNCACHED_OUTPUT)}`);
    lines.push(`${stamp(ws.name)}: pkgs/${ws.name}/input.txt${ws.dependsOn ? ` ${stamp(ws.dependsOn)}` : ""}\n\t@cd pkgs/${ws.name} && ${build(CACHED_OUTPUT.make)}`);
  }
  return lines.join("\n") + "\n";
}

/** `just --jobs J all`: `all` is [parallel], so its dependencies run up to J at a time; `--jobs 1` is serial. */
function justfile(workspaces: readonly BenchWorkspace[]): string {
  const lines = ['set shell := ["sh", "-c"]', "set quiet", "", "[parallel]", `all: ${workspaces.map((ws) => ws.name).join(" ")}`, ""];
  for (const ws of workspaces) lines.push(`${ws.name}:${ws.dependsOn ? ` ${ws.dependsOn}` : ""}\n    cd pkgs/${ws.name} && ${build(UNCACHED_OUTPUT)}\n`);
  return lines.join("\n");
}

/** `task --concurrency J all`: deps run concurrently; `run: once` makes a shared dependency run once. */
function taskfile(workspaces: readonly BenchWorkspace[]): string {
  const lines = ["version: '3'", "run: once", "tasks:", "  all:", `    deps: [${workspaces.map((ws) => ws.name).join(", ")}]`];
  for (const ws of workspaces) {
    lines.push(`  ${ws.name}:`, `    dir: pkgs/${ws.name}`);
    if (ws.dependsOn) lines.push(`    deps: [${ws.dependsOn}]`);
    lines.push("    cmds:", `      - ${build(UNCACHED_OUTPUT)}`);
  }
  return lines.join("\n") + "\n";
}

function turboJson(): object {
  return {
    tasks: {
      build: { dependsOn: ["^build"], cache: false },
      "build-cached": { dependsOn: ["^build-cached"], inputs: ["input.txt"], outputs: [CACHED_OUTPUT.turbo] },
    },
  };
}

/**
 * The names of the workspaces whose `output` is missing or wrong: each must hold its own input followed by its
 * dependency's output, which only holds when every dependency was built before its dependents.
 */
export function wrongOutputs(dir: string, workspaces: readonly BenchWorkspace[], output: string): string[] {
  const expected = new Map<string, string>();
  const wrong: string[] = [];
  for (const ws of workspaces) {
    const want = `${ws.name}\n${ws.dependsOn ? expected.get(ws.dependsOn)! : ""}`;
    expected.set(ws.name, want);
    let got: string | undefined;
    try {
      got = readFileSync(join(dir, "pkgs", ws.name, output), "utf8");
    } catch {
      got = undefined;
    }
    if (got !== want) wrong.push(ws.name);
  }
  return wrong;
}

/** The uncached output file every tool writes. */
export { UNCACHED_OUTPUT };
