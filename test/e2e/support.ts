import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { events, ggenFixture, readState, runCli, tempProject, type CliResult } from "../helpers/cli.ts";

/** A temp project for one e2e test; `lc` runs the binary with `--root <dir>`. Always cleaned up by withProject. */
export interface Project {
  readonly dir: string;
  /** Writes a file relative to the project dir, creating parent directories. */
  write(rel: string, text: string): void;
  read(rel: string): string;
  exists(rel: string): boolean;
  /** `lifecycle --root <dir> ...args`. */
  lc(...args: string[]): Promise<CliResult>;
  /** Phase names in `<dir>/<rel>/.ggen/state.json` phase_history, in order. */
  history(rel?: string): string[];
}

/** Runs `body` with a fresh temp project (make.toml = `makeToml` when given) and removes it afterwards. */
export async function withProject(makeToml: string | undefined, body: (p: Project) => Promise<void>): Promise<void> {
  const t = tempProject(makeToml);
  const p: Project = {
    dir: t.dir,
    write: (rel, text) => {
      mkdirSync(dirname(join(t.dir, rel)), { recursive: true });
      writeFileSync(join(t.dir, rel), text);
    },
    read: (rel) => readFileSync(join(t.dir, rel), "utf8"),
    exists: (rel) => existsSync(join(t.dir, rel)),
    lc: (...args) => runCli(["--root", t.dir, ...args]),
    history: (rel = ".") => readState(join(t.dir, rel)).phase_history.map((r) => r.phase),
  };
  try {
    await body(p);
  } finally {
    t.cleanup();
  }
}

/** A ggen `format!()` fixture with each `{}` replaced, in order, by the next value. */
export function fillTemplate(file: string, ...values: string[]): string {
  let i = 0;
  return ggenFixture(file).replace(/\{\}/g, () => {
    const value = values[i++];
    if (value === undefined) throw new Error(`fixture ${file}: not enough values for its {} placeholders`);
    return value;
  });
}

/** GNU `date +%s%N` (ggen's fixtures) replaced by POSIX `date +%s`: the tests only need a file with a number. */
export function portableDate(toml: string): string {
  return toml.replaceAll("date +%s%N", "date +%s");
}

/** Phase names in the order their `Running phase: <name>` lines appear on stdout (human mode). */
export function runningOrder(stdout: string): string[] {
  return [...stdout.matchAll(/Running phase: ([^\s]+)/g)].map((m) => m[1]!);
}

/** `--json` events of one kind. */
export function eventsOf(stdout: string, kind: string): Array<Record<string, unknown>> {
  return events(stdout).filter((e) => e.event === kind);
}

/** The `task-end` event for a task id such as `//#build` or `ws1#build`. */
export function taskEnd(stdout: string, task: string): Record<string, unknown> | undefined {
  return eventsOf(stdout, "task-end").find((e) => e.task === task);
}

/** Files in `<dir>/.ggen` whose names start with `prefix`. */
export function ggenFiles(dir: string, prefix: string): string[] {
  const ggen = join(dir, ".ggen");
  return existsSync(ggen) ? readdirSync(ggen).filter((name) => name.startsWith(prefix)) : [];
}

export const HEX64 = /^[0-9a-f]{64}$/;

/** Failure text shown when an assertion about a CLI run fails: the exit code and both streams. */
export function show(r: CliResult): string {
  return `exit=${r.code} signal=${r.signal}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

/** Asserts the exit code, failing with the full output of the run when it differs. */
export function expectExit(r: CliResult, code: number): void {
  if (r.code !== code) throw new Error(`expected exit ${code}\n${show(r)}`);
}
