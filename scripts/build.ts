// Compiles src/main.ts into the single self-contained binary dist/lifecycle.
// Usage: bun scripts/build.ts [--target bun-linux-x64] [--executable-path <bun runtime>] [--outfile dist/lifecycle]
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { JIT_POLICY } from "../src/runtime/jit-policy.ts";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const version = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
const outfile = flag("--outfile") ?? "dist/lifecycle";
const command = [
  process.execPath,
  "build",
  "--compile",
  "--minify",
  "--sourcemap",
  "--bytecode",
  "--format=esm",
  // Short-lived process: keep run-once and per-task code out of the optimising JIT tiers (see jit-policy.ts).
  `--compile-jit-policy=${JIT_POLICY}`,
  // A separate chunk for everything past argv parsing keeps `--version` from loading it.
  "--splitting",
  // Without these the binary would read .env and bunfig.toml from the user's directory.
  "--no-compile-autoload-dotenv",
  "--no-compile-autoload-bunfig",
  `--define=LIFECYCLE_VERSION=${JSON.stringify(version)}`,
  `--define=process.env.NODE_ENV="production"`,
  ...(flag("--target") ? [`--target=${flag("--target")}`] : []),
  ...(flag("--executable-path") ? [`--compile-executable-path=${flag("--executable-path")}`] : []),
  "src/main.ts",
  // The state writer thread's entry: a Worker needs its own entry point in a compiled binary.
  "src/state/state-writer-worker.ts",
  "--outfile",
  outfile,
];
// Each build writes its chunks' source maps beside the binary under new hashed names: drop the previous build's.
const outDir = dirname(outfile);
if (existsSync(outDir)) for (const name of readdirSync(outDir)) if (/^[a-z0-9-]+-[a-z0-9]{8}\.js\.map$/.test(name)) rmSync(join(outDir, name));
const result = spawnSync(command[0]!, command.slice(1), { stdio: "inherit" });
if (result.status !== 0) process.exit(result.status ?? 1);

// `bun build --bytecode` can exit 0 and still produce a binary that dies at startup: always smoke-run it.
if (!flag("--target")) {
  const smoke = spawnSync(outfile, ["--version"], { encoding: "utf8" });
  if (smoke.status !== 0 || smoke.stdout.trim() !== `lifecycle ${version}`) {
    process.stderr.write(`build: smoke run of ${outfile} failed (exit ${smoke.status}): ${smoke.stdout}${smoke.stderr}\n`);
    process.exit(1);
  }
  process.stdout.write(`built ${outfile} (lifecycle ${version})\n`);
}
