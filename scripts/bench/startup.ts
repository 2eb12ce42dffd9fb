// Startup and one-phase run of dist/lifecycle against references measured in the same run:
// a compiled Bun hello-world (the floor for any Bun binary) and `sh -c true` (the floor for any process).
// Usage: bun scripts/bench/startup.ts [runs=40]   (build first: npm run build)
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { median, printTable } from "./measure.ts";

const runs = Number(process.argv[2] ?? 40);
const binary = resolve("dist/lifecycle");
const work = mkdtempSync(join(tmpdir(), "lifecycle-bench-"));
try {
  writeFileSync(join(work, "hello.ts"), 'process.stdout.write("hello\\n");\n');
  const built = spawnSync(process.execPath, ["build", "--compile", "--minify", "--bytecode", "--format=esm", "--no-compile-autoload-dotenv", "--no-compile-autoload-bunfig", join(work, "hello.ts"), "--outfile", join(work, "hello")], { stdio: "ignore" });
  if (built.status !== 0) throw new Error("could not compile the hello-world reference");
  writeFileSync(join(work, "make.toml"), '[project]\nname = "bench"\n\n[lifecycle.noop]\ncommand = "true"\n');

  const time = (cmd: string, args: string[]) => {
    const samples: number[] = [];
    for (let i = 0; i < runs + 3; i++) {
      const start = performance.now();
      const r = spawnSync(cmd, args, { stdio: "ignore", cwd: work });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}`);
      if (i >= 3) samples.push(performance.now() - start);
    }
    return median(samples);
  };
  const sh = time("sh", ["-c", "true"]);
  const hello = time(join(work, "hello"), []);
  const version = time(binary, ["--version"]);
  const run = time(binary, ["--root", work, "run", "noop"]);
  const validate = time(binary, ["--root", work, "validate"]);
  printTable(`startup, median of ${runs} runs (ms)`, [
    ["sh -c true", sh, 1],
    ["compiled bun hello-world", hello, hello / sh],
    ["lifecycle --version", version, version / hello],
    ["lifecycle validate", validate, validate / hello],
    ["lifecycle run noop (1 phase: true)", run, run / hello],
  ], "ratio (vs row above's reference: sh for hello, hello for lifecycle)");
} finally {
  rmSync(work, { recursive: true, force: true });
}
