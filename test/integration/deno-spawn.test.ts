// The process-group semantics of spawnCommand are the same under Bun (Bun.spawn) and under Deno
// (node:child_process through src/runtime/node-spawn.ts): one probe script runs the same commands
// under both runtimes, and each result is checked against what the runner promises.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const ROOT = resolve(import.meta.dir, "../..");
const DENO = join(ROOT, "node_modules/.bin/deno");
const BUN = process.execPath;

interface ProbeResult {
  readonly name: string;
  readonly runtime: string;
  readonly stdout: string[];
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly stderrTail: string[];
  readonly spawnError: string | null;
}

let dir = "";
const mark = `0.000${process.pid}77`;
/** Tags the one process that leaves the group on purpose (setsid); the test removes it. */
const escapeMark = `0.000${process.pid}78`;
const results = new Map<string, Map<string, ProbeResult>>();

// Each scenario: a command for spawnCommand. `sleep 1000 <mark>` tags processes that must not survive.
const scenarios = {
  lines: { command: { kind: "shell", script: "printf 'a'; sleep 0.05; printf 'b\\nc\\n'; printf 'no-newline'" } },
  exit: { command: { kind: "shell", script: "echo out; echo err1 >&2; echo err2 >&2; exit 3" } },
  argv: { command: { kind: "argv", argv: ["printf", "%s\\n", "x y", "$HOME"] } },
  selfSignal: { command: { kind: "shell", script: "kill -TERM $$" } },
  notFound: { command: { kind: "argv", argv: ["no-such-program-for-lifecycle"] } },
  badCwd: { command: { kind: "shell", script: "true" }, cwd: "/no/such/dir/for/lifecycle" },
  timeout: { command: { kind: "shell", script: `sleep 1000 ${mark} & echo started; sleep 1000 ${mark}` }, timeoutMs: 1000 },
  ignoresTerm: { command: { kind: "shell", script: `trap '' TERM; echo started; sleep 1000 ${mark}; sleep 1000 ${mark}` }, timeoutMs: 1000, killGraceMs: 200 },
  leaderExits: { command: { kind: "shell", script: `sleep 1000 ${mark} & echo leader done` } },
  escapes: { command: { kind: "shell", script: `setsid sleep 1000 ${escapeMark} & echo leader done` } },
};

function probeSource(): string {
  const spawnUrl = pathToFileURL(join(ROOT, "src/execute/spawn.ts")).href;
  const nameUrl = pathToFileURL(join(ROOT, "src/runtime/runtime-name.ts")).href;
  return `
import { spawnCommand } from ${JSON.stringify(spawnUrl)};
import { runtimeName } from ${JSON.stringify(nameUrl)};
const scenarios = ${JSON.stringify(scenarios)};
const out = [];
for (const [name, s] of Object.entries(scenarios)) {
  const stdout = [];
  const r = await spawnCommand({
    command: s.command, shell: "sh", cwd: s.cwd ?? process.cwd(), env: { PATH: process.env.PATH, HOME: "/home/probe" },
    timeoutMs: s.timeoutMs ?? null, killGraceMs: s.killGraceMs ?? 2000, signal: new AbortController().signal,
    onLine: (stream, line) => { if (stream === "stdout") stdout.push(line); },
  });
  out.push({ name, runtime: runtimeName, stdout, exitCode: r.exitCode, signal: r.signal, timedOut: r.timedOut, stderrTail: r.stderrTail, spawnError: r.spawnError ?? null });
}
console.log(JSON.stringify(out));
`;
}

function liveMarked(tag = mark): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(tag)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "lifecycle-deno-spawn-"));
  const probe = join(dir, "probe.ts");
  writeFileSync(probe, probeSource());
  for (const [runtime, argv] of [
    ["bun", [BUN, probe]],
    ["deno", [DENO, "run", "-A", "--no-config", probe]],
  ] as const) {
    const run = spawnSync(argv[0], argv.slice(1), { cwd: dir, encoding: "utf8", timeout: 60_000 });
    if (run.status !== 0) throw new Error(`${runtime} probe failed (${run.status}): ${run.stderr}`);
    const parsed = JSON.parse(run.stdout) as ProbeResult[];
    results.set(runtime, new Map(parsed.map((r) => [r.name, r])));
  }
}, 90_000);
afterAll(() => {
  for (const pid of [...liveMarked(), ...liveMarked(escapeMark)]) process.kill(pid, "SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

const get = (runtime: string, name: string): ProbeResult => results.get(runtime)!.get(name)!;

describe.each(["bun", "deno"])("spawnCommand under %s", (runtime) => {
  test("the runtime adapter in use is the runtime's own", () => {
    expect(get(runtime, "lines").runtime).toBe(runtime);
  });

  test("lines are joined across writes, and the last line without a newline is kept", () => {
    expect(get(runtime, "lines").stdout).toEqual(["ab", "c", "no-newline"]);
    expect(get(runtime, "lines").exitCode).toBe(0);
  });

  test("exit code and the stderr tail", () => {
    const r = get(runtime, "exit");
    expect(r).toMatchObject({ exitCode: 3, signal: null, timedOut: false, stdout: ["out"], stderrTail: ["err1", "err2"] });
  });

  test("an argv command gets no shell", () => {
    expect(get(runtime, "argv").stdout).toEqual(["x y", "$HOME"]);
  });

  test("death by a signal is reported as the signal, with no exit code", () => {
    expect(get(runtime, "selfSignal")).toMatchObject({ exitCode: null, signal: "SIGTERM" });
  });

  test("a missing program and a missing working directory are start errors, not exceptions", () => {
    expect(get(runtime, "notFound")).toMatchObject({ exitCode: 127, spawnError: "command not found: no-such-program-for-lifecycle" });
    expect(get(runtime, "badCwd")).toMatchObject({ exitCode: 1, spawnError: "working directory does not exist: /no/such/dir/for/lifecycle" });
  });

  test("a timeout stops the whole group, and a TERM-ignoring group is killed after the grace", () => {
    expect(get(runtime, "timeout")).toMatchObject({ timedOut: true, signal: "SIGTERM", stdout: ["started"] });
    expect(get(runtime, "ignoresTerm")).toMatchObject({ timedOut: true, signal: "SIGKILL", stdout: ["started"] });
  });

  test("a leader that exits while a background job holds the pipe returns with its own exit code", () => {
    expect(get(runtime, "leaderExits")).toMatchObject({ exitCode: 0, stdout: ["leader done"], timedOut: false });
  });

  test("a process that left the group (setsid) and holds the pipe does not keep the command waiting", () => {
    // The probe only returns once every spawnCommand did; this one must end despite the open pipe.
    expect(get(runtime, "escapes")).toMatchObject({ exitCode: 0, stdout: ["leader done"], timedOut: false });
  });
});

test("no process started by either probe survives it", () => {
  expect(liveMarked()).toEqual([]);
});

test("both runtimes give the same results for every scenario", () => {
  for (const name of Object.keys(scenarios)) {
    const { runtime: _b, ...bun } = get("bun", name);
    const { runtime: _d, ...deno } = get("deno", name);
    expect(deno).toEqual(bun);
  }
});
