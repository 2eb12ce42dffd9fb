import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Command } from "../../src/config/config.ts";
import { executeTask, type ExecuteTaskDeps } from "../../src/execute/execute-task.ts";
import type { ProcessResult, TaskOutcome } from "../../src/execute/outcome.ts";
import { taskId, type Task } from "../../src/plan/task.ts";
import { makeTask as makeTaskFor } from "../helpers/make-task.ts";

const FLAKY = resolve(import.meta.dir, "../fixtures/bin/exec-flaky.sh");
const PATH = process.env.PATH ?? "/usr/bin:/bin";

let dir = "";
beforeAll(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), "lifecycle-exec-task-")));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sh = (script: string): Command => ({ kind: "shell", script });

function makeTask(commands: readonly Command[], fields: Partial<Task> = {}): Task {
  return makeTaskFor("//", "build", { place: { name: "//", dir }, cwd: dir, parallel: false, commands, ...fields });
}

function execute(task: Task, extra: Partial<ExecuteTaskDeps> = {}) {
  const lines: string[] = [];
  const outcome = executeTask(task, {
    signal: new AbortController().signal,
    shell: "sh",
    killGraceMs: 2000,
    parentEnv: { PATH },
    onOutput: (stream, line) => lines.push(`${stream}: ${line}`),
    ...extra,
  });
  return { lines, outcome };
}

function expectKind<K extends TaskOutcome["kind"]>(outcome: TaskOutcome, kind: K): Extract<TaskOutcome, { kind: K }> {
  expect(outcome.kind).toBe(kind);
  return outcome as Extract<TaskOutcome, { kind: K }>;
}

let markerCount = 0;
/** GNU sleep adds up its arguments: `sleep 1000 <marker>` sleeps 1000 s and carries a findable marker. */
const marker = (): string => `0.000${process.pid}${Date.now() % 100_000}${++markerCount}`;

function survivors(mark: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(mark);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe("success", () => {
  test("runs the commands in order, in the task's directory, and streams their output", async () => {
    const before = Date.now();
    const { lines, outcome } = execute(makeTask([sh("echo one"), { kind: "argv", argv: ["pwd"] }, sh("echo three >&2")]));
    const done = expectKind(await outcome, "success");
    expect(lines).toEqual(["stdout: one", `stdout: ${dir}`, "stderr: three"]);
    expect(done.retriesUsed).toBe(0);
    expect(done.startedMs).toBeGreaterThanOrEqual(before);
    expect(done.startedMs).toBeLessThanOrEqual(Date.now());
  });

  test("a phase without commands succeeds at once", async () => {
    const { outcome } = execute(makeTask([]));
    expect(await outcome).toMatchObject({ kind: "success", retriesUsed: 0, durationMs: 0 });
  });

  test("the environment is the parent's with the task's layers on top", async () => {
    const task = makeTask([sh('echo "$A $B $C"')], { env: { B: "task", C: "task" } });
    const { lines, outcome } = execute(task, { parentEnv: { PATH, A: "parent", B: "parent", UNSET: undefined } });
    expectKind(await outcome, "success");
    expect(lines).toEqual(["stdout: parent task task"]);
  });
});

describe("failure", () => {
  test("stops at the first failing command and names phase, command and exit code", async () => {
    const witness = join(dir, "after-failure");
    const { outcome } = execute(makeTask([sh("echo boom >&2; exit 3"), sh(`touch ${witness}`)]));
    const failed = expectKind(await outcome, "failed");
    expect(failed.exitCode).toBe(3);
    expect(failed.signal).toBeNull();
    expect(failed.command).toBe("echo boom >&2; exit 3");
    expect(failed.message).toStartWith("Command failed in phase 'build': echo boom >&2; exit 3\n  Exit code: 3");
    expect(failed.message).toContain("boom");
    expect(failed.message).not.toContain("unknown");
    expect(failed.stderrTail).toEqual(["boom"]);
    expect(failed.allowed).toBe(false);
    expect(existsSync(witness)).toBe(false);
  });

  test("death by signal is reported as the signal", async () => {
    const failed = expectKind(await execute(makeTask([sh("kill -TERM $$")])).outcome, "failed");
    expect(failed.exitCode).toBeNull();
    expect(failed.signal).toBe("SIGTERM");
    expect(failed.message).toContain("Signal: SIGTERM");
  });

  test("continue_on_error marks the failure as allowed", async () => {
    const failed = expectKind(await execute(makeTask([sh("exit 1")], { continueOnError: true })).outcome, "failed");
    expect(failed.allowed).toBe(true);
  });

  test("a missing executable (argv) says 'command not found' and is not retried", async () => {
    const retries: number[] = [];
    const task = makeTask([{ kind: "argv", argv: ["lifecycle-no-such-command", "--x"] }], { retries: 3 });
    const failed = expectKind(await execute(task, { onRetry: (attempt) => retries.push(attempt) }).outcome, "failed");
    expect(failed.message).toContain("command not found: lifecycle-no-such-command");
    expect(failed.exitCode).toBe(127);
    expect(retries).toEqual([]);
  });

  test("a missing executable in a shell string says 'command not found' too", async () => {
    const failed = expectKind(await execute(makeTask([sh("lifecycle-no-such-command --x")])).outcome, "failed");
    expect(failed.exitCode).toBe(127);
    expect(failed.message).toContain("Error: command not found: lifecycle-no-such-command");
  });

  test("secrets from the environment are masked in the message, the tail, the command and the output", async () => {
    const secret = "s3cr3t-value-42";
    const task = makeTask([sh(`echo "token is $API_TOKEN"; echo "$DB_PASSWORD" >&2; test x = ${secret}`)], {
      env: { API_TOKEN: secret, DB_PASSWORD: `${secret}-db` },
    });
    const { lines, outcome } = execute(task);
    const failed = expectKind(await outcome, "failed");
    const everything = [failed.message, failed.command, ...failed.stderrTail, ...lines].join("\n");
    expect(everything).not.toContain(secret);
    expect(failed.command).toContain("test x = ***");
    expect(failed.stderrTail).toEqual(["***"]);
    expect(lines).toContain("stdout: token is ***");
  });
});

describe("timeout", () => {
  test("a command over its limit times out, with the limit and the phase in the message", async () => {
    const mark = marker();
    const script = `echo slow >&2; sleep 1000 ${mark} & wait`;
    const { outcome } = execute(makeTask([sh(script)], { timeoutMs: 300 }));
    const timedOut = expectKind(await outcome, "timed-out");
    expect(timedOut.afterMs).toBe(300);
    expect(timedOut.command).toBe(script);
    expect(timedOut.message).toStartWith(`Command timed out after 300ms in phase 'build': ${script}`);
    expect(timedOut.stderrTail).toEqual(["slow"]);
    expect(survivors(mark)).toEqual([]);
  });
});

describe("retries", () => {
  test("a command that fails twice succeeds on the third run with retries = 2", async () => {
    const counter = join(dir, "counter-ok");
    const attempts: Array<[number, number | null]> = [];
    const pauses: number[] = [];
    const task = makeTask([{ kind: "argv", argv: [FLAKY, counter, "2"] }], { retries: 2, retryDelayMs: 1234 });
    const { outcome } = execute(task, {
      onRetry: (attempt: number, result: ProcessResult) => attempts.push([attempt, result.exitCode]),
      sleep: async (ms) => void pauses.push(ms),
    });
    expect(expectKind(await outcome, "success").retriesUsed).toBe(2);
    expect(attempts).toEqual([
      [1, 1],
      [2, 1],
    ]);
    expect(pauses).toEqual([1234, 1234]);
    expect(readFileSync(counter, "utf8").split("\n").filter(Boolean)).toHaveLength(3);
  });

  test("with retries = 1 it still fails, after two runs", async () => {
    const counter = join(dir, "counter-fail");
    const task = makeTask([{ kind: "argv", argv: [FLAKY, counter, "2"] }], { retries: 1 });
    const failed = expectKind(await execute(task).outcome, "failed");
    expect(failed.exitCode).toBe(1);
    expect(failed.stderrTail).toEqual(["attempt 2 failed"]);
    expect(failed.retriesUsed).toBe(1); // reported in --summary, --metrics-file and --trace-file
    expect(readFileSync(counter, "utf8").split("\n").filter(Boolean)).toHaveLength(2);
  });

  test("an abort during the pause between retries cancels at once", async () => {
    const controller = new AbortController();
    const task = makeTask([sh("exit 1")], { retries: 5, retryDelayMs: 600_000 });
    const { outcome } = execute(task, { signal: controller.signal, onRetry: () => controller.abort("fail-fast") });
    const cancelled = expectKind(await outcome, "cancelled");
    expect(cancelled.reason).toBe("stopped by --fail-fast");
    expect(cancelled.command).toBe("exit 1");
  }, 10_000);
});

describe("cancel", () => {
  test("an abort while a command runs cancels the task and leaves no process behind", async () => {
    const mark = marker();
    const controller = new AbortController();
    const witness = join(dir, "not-after-cancel");
    const task = makeTask([sh(`sleep 1000 ${mark} & echo started; wait`), sh(`touch ${witness}`)]);
    const outcome = await executeTask(task, {
      signal: controller.signal,
      shell: "sh",
      killGraceMs: 2000,
      parentEnv: { PATH },
      onOutput: (_stream, line) => {
        if (line === "started") controller.abort();
      },
    });
    const cancelled = expectKind(outcome, "cancelled");
    expect(cancelled.reason).toBe("interrupted");
    expect(survivors(mark)).toEqual([]);
    expect(existsSync(witness)).toBe(false);
  });

  test("a second signal (killNow) SIGKILLs a command that ignores SIGTERM without waiting for the grace", async () => {
    const mark = marker();
    const interrupt = new AbortController();
    const killNow = new AbortController();
    const task = makeTask([sh(`trap '' TERM; echo started; sleep 1000 ${mark}`)]);
    const outcome = await executeTask(task, {
      signal: interrupt.signal,
      killNow: killNow.signal,
      shell: "sh",
      killGraceMs: 600_000, // honouring it would outlast the test timeout
      parentEnv: { PATH },
      onOutput: (_stream, line) => {
        if (line !== "started") return;
        interrupt.abort("SIGINT");
        killNow.abort("SIGINT");
      },
    });
    const cancelled = expectKind(outcome, "cancelled");
    expect(cancelled.reason).toBe("interrupted by SIGINT");
    expect(survivors(mark)).toEqual([]);
  }, 10_000);

  test("an already aborted signal runs nothing", async () => {
    const witness = join(dir, "not-when-aborted");
    const { outcome } = execute(makeTask([sh(`touch ${witness}`)]), { signal: AbortSignal.abort("interrupted") });
    expect(await outcome).toMatchObject({ kind: "cancelled", reason: "interrupted" });
    expect(existsSync(witness)).toBe(false);
  });
});
