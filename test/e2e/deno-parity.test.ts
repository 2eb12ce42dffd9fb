// `deno run -A src/main.ts ...` behaves like the compiled binary: the same stdout and exit code on the
// bundled shop fixture (success, failure, invalid make.toml, read-only commands, --json events).
import { describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { BINARY, FIXTURES } from "../helpers/cli.ts";

const ROOT = resolve(import.meta.dir, "../..");
const DENO = join(ROOT, "node_modules/.bin/deno");

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function execute(argv: readonly string[]): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, env: { ...process.env, NO_COLOR: "1", TZ: "UTC", LIFECYCLE_LOG_FORMAT: undefined }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

/** Runs `args` with the binary and with Deno, each in its own fresh copy of the shop fixture (`setup` edits it). */
async function both(args: readonly string[], setup: (dir: string) => void = () => {}): Promise<{ bin: Ran; deno: Ran }> {
  const dirs = [0, 1].map(() => {
    const dir = mkdtempSync(join(tmpdir(), "lifecycle-deno-parity-"));
    cpSync(join(FIXTURES, "repos", "shop"), dir, { recursive: true });
    setup(dir);
    return dir;
  });
  try {
    // One after the other: the two runs must not share a CPU-bound race that changes output order.
    const bin = await execute([BINARY, "--root", dirs[0]!, ...args]);
    const deno = await execute([DENO, "run", "-A", "--config", join(ROOT, "deno.json"), join(ROOT, "src/main.ts"), "--root", dirs[1]!, ...args]);
    return { bin, deno: { ...deno, stdout: deno.stdout.replaceAll(dirs[1]!, dirs[0]!), stderr: deno.stderr.replaceAll(dirs[1]!, dirs[0]!) } };
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** --json events without the fields that differ between any two runs. */
function stableEvents(stdout: string): unknown[] {
  return stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line, (key, value) => (key === "run_id" || key === "duration_ms" ? "<varies>" : value)));
}

describe("deno run -A src/main.ts matches the binary", () => {
  test("pipeline lint build test: same stdout, exit 0", async () => {
    const { bin, deno } = await both(["pipeline", "lint", "build", "test", "--concurrency", "1"]);
    expect(bin.code).toBe(0);
    expect(bin.stdout).toContain("Pipeline completed: lint → build → test");
    expect(deno.stdout).toBe(bin.stdout);
    expect(deno.code).toBe(bin.code);
  }, 60_000);

  test("a failing phase: same stdout, exit 1, the same failure message", async () => {
    const { bin, deno } = await both(["run", "lint", "--concurrency", "1"], (dir) => writeFileSync(join(dir, "apps/api/src/todo.txt"), "TODO: fix\n"));
    expect(bin.code).toBe(1);
    expect(deno.code).toBe(1);
    expect(deno.stdout).toBe(bin.stdout);
    for (const r of [bin, deno]) expect(r.stderr).toContain("Command failed in phase 'lint': ! grep -rn 'TODO' src");
  }, 60_000);

  test("an invalid make.toml: same diagnostics on stderr, exit 2", async () => {
    const { bin, deno } = await both(["validate"], (dir) => writeFileSync(join(dir, "make.toml"), '[project]\nname = "x"\n[lifecycle.a]\ncommand = 3\ndepends_on = ["b"]\n'));
    expect(bin.code).toBe(2);
    expect(deno.code).toBe(2);
    expect(deno.stderr).toBe(bin.stderr);
    expect(deno.stdout).toBe(bin.stdout);
  }, 60_000);

  test("list, show and graph print the same", async () => {
    for (const args of [["list"], ["show", "build"], ["graph", "build", "test", "--format", "json"]]) {
      const { bin, deno } = await both(args);
      expect(bin.code).toBe(0);
      expect({ args, ...deno }).toEqual({ args, ...bin });
    }
  }, 60_000);

  test("--json: the same events apart from run ids and durations", async () => {
    const { bin, deno } = await both(["run", "build", "--json", "--concurrency", "1"]);
    expect(bin.code).toBe(0);
    expect(deno.code).toBe(0);
    expect(stableEvents(deno.stdout)).toEqual(stableEvents(bin.stdout));
  }, 60_000);
});
