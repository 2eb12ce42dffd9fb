import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The compiled binary under test (built by `npm test` before the suite runs); LIFECYCLE_BINARY overrides it. */
export const BINARY = process.env.LIFECYCLE_BINARY ?? resolve(import.meta.dir, "../../dist/lifecycle");
export const FIXTURES = resolve(import.meta.dir, "../fixtures");
export const GGEN = resolve(import.meta.dir, "../../../shared/ggen");

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs dist/lifecycle with a pinned environment (NO_COLOR, TZ, NODE_ENV), stdin closed. */
export function runCli(args: readonly string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<CliResult> {
  return new Promise((done, fail) => {
    const env = { ...process.env, NO_COLOR: "1", TZ: "UTC", NODE_ENV: "test", LIFECYCLE_LOG_FORMAT: undefined, ...options.env };
    const child = spawn(BINARY, [...args], { cwd: options.cwd ?? tmpdir(), env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    child.on("error", fail);
    child.on("close", (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

/** A fresh temporary project directory; `make.toml` written when given. Remove with cleanup(). */
export function tempProject(makeToml?: string): { dir: string; write: (rel: string, text: string) => void; read: (rel: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "lifecycle-test-"));
  if (makeToml !== undefined) writeFileSync(join(dir, "make.toml"), makeToml);
  return {
    dir,
    write: (rel, text) => writeFileSync(join(dir, rel), text),
    read: (rel) => readFileSync(join(dir, rel), "utf8"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Copies a bundled fixture repo (test/fixtures/repos/<name>) into a temp dir. */
export function copyRepo(name: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `lifecycle-${name}-`));
  cpSync(join(FIXTURES, "repos", name), dir, { recursive: true });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A ggen fixture's make.toml with its comment header removed. */
export function ggenFixture(file: string): string {
  const text = readFileSync(join(GGEN, "fixtures", file), "utf8");
  const marker = "# --- verbatim content follows";
  const at = text.indexOf(marker);
  return at < 0 ? text : text.slice(text.indexOf("\n", at) + 1);
}

/** NDJSON events from a `--json` run. */
export function events(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Reads `<dir>/.ggen/state.json`. */
export function readState(dir: string): { last_phase?: string; phase_history: Array<{ phase: string; success: boolean; started_ms: number; duration_ms: number; status?: string; exit_code?: number | null }>; cache_keys: Array<{ phase: string; key: string }> } {
  return JSON.parse(readFileSync(join(dir, ".ggen", "state.json"), "utf8"));
}
