// Builds the binary (e2e tests run dist/lifecycle), runs the whole suite with bun test, and prints
// the plain line `N passed, N failed` from bun test's own summary (which goes to stderr in its format).
// Usage: bun scripts/test.ts [bun test args...]   Writes the counts to dist/test-counts.json for .ci/run.
import { spawnSync, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";

const build = spawnSync(process.execPath, ["scripts/build.ts"], { stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

const child = spawn(process.execPath, ["test", "--timeout", "30000", ...process.argv.slice(2)], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
let tail = "";
const keep = (chunk: Buffer, sink: NodeJS.WriteStream) => {
  sink.write(chunk);
  tail = (tail + chunk.toString("utf8")).slice(-4096);
};
child.stdout.on("data", (c: Buffer) => keep(c, process.stdout));
child.stderr.on("data", (c: Buffer) => keep(c, process.stderr));
child.on("close", (code) => {
  const passed = lastCount(tail, "pass");
  const failed = lastCount(tail, "fail");
  const summaryFound = /^\s*\d+ pass$/m.test(tail);
  mkdirSync("dist", { recursive: true });
  writeFileSync("dist/test-counts.json", JSON.stringify({ passed, failed, exitCode: code }));
  if (!summaryFound) {
    process.stdout.write(`bun test printed no summary (exit ${code})\n`);
    process.exit(code === 0 ? 1 : code ?? 1);
  }
  // A non-zero exit with 0 failures (e.g. an unhandled error between tests) still counts as a failure.
  const failedShown = code !== 0 && failed === 0 ? 1 : failed;
  process.stdout.write(`${passed} passed, ${failedShown} failed\n`);
  process.exit(code ?? 1);
});

function lastCount(text: string, word: string): number {
  const matches = [...text.matchAll(new RegExp(`^\\s*(\\d+) ${word}$`, "gm"))];
  return matches.length > 0 ? Number(matches.at(-1)![1]) : 0;
}
