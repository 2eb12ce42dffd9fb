import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "../../src/config/config.ts";
import { liveGroupCount, signalLiveGroups } from "../../src/execute/process-group.ts";
import { KILL_NOW, spawnCommand, type OutputStream, type SpawnOptions } from "../../src/execute/spawn.ts";
import { spawnOptions } from "../helpers/spawn-options.ts";

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "lifecycle-exec-spawn-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sh = (script: string): Command => ({ kind: "shell", script });

interface Run {
  readonly lines: Array<[OutputStream, string]>;
  readonly stdout: () => string[];
}

function collector(): Run & { onLine: SpawnOptions["onLine"] } {
  const lines: Array<[OutputStream, string]> = [];
  return {
    lines,
    stdout: () => lines.filter(([stream]) => stream === "stdout").map(([, line]) => line),
    onLine: (stream, line) => lines.push([stream, line]),
  };
}

function run(command: Command, extra: Partial<SpawnOptions> = {}) {
  const out = collector();
  const done = spawnCommand(spawnOptions(dir, command, { onLine: out.onLine, ...extra }));
  return { out, done };
}

let markerCount = 0;
/**
 * A unique argument for `sleep` that marks a process in /proc: GNU sleep adds up its arguments,
 * so `sleep 1000 <marker>` still sleeps 1000 s and carries the marker in its command line.
 */
function marker(): string {
  return `0.000${process.pid}${Date.now() % 100_000}${++markerCount}`;
}

/** Pids of live processes whose command line contains `mark` (zombies have an empty command line). */
function survivors(mark: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(mark)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

describe("exit status", () => {
  test("reports the exit code", async () => {
    const result = await run(sh("exit 3")).done;
    expect(result).toMatchObject({ exitCode: 3, signal: null, timedOut: false, cancelled: false });
    expect(result.spawnError).toBeUndefined();
  });

  test("reports death by signal as the signal, not 128+n", async () => {
    const result = await run(sh("kill -KILL $$")).done;
    expect(result.exitCode).toBeNull();
    expect(result.signal).toBe("SIGKILL");
  });
});

describe("commands", () => {
  test("argv runs without a shell: spaces, $ and * reach the program untouched", async () => {
    const { out, done } = run({ kind: "argv", argv: ["printf", "%s|", "a b", "$HOME", "*"] });
    expect((await done).exitCode).toBe(0);
    expect(out.stdout()).toEqual(["a b|$HOME|*|"]);
  });

  test("a shell string runs with pipes", async () => {
    const { out, done } = run(sh("printf 'b\\na\\nc\\n' | sort | tr a-z A-Z"));
    expect((await done).exitCode).toBe(0);
    expect(out.stdout()).toEqual(["A", "B", "C"]);
  });

  test("the environment given is the whole environment", async () => {
    const { out, done } = run(sh('echo "$ONLY:${HOME-unset}"'), { env: { PATH: process.env.PATH ?? "/bin", ONLY: "x" } });
    await done;
    expect(out.stdout()).toEqual(["x:unset"]);
  });

  test("runs in the given directory", async () => {
    const sub = mkdtempSync(join(dir, "cwd-"));
    const { out, done } = run({ kind: "argv", argv: ["pwd"] }, { cwd: sub });
    await done;
    expect(out.stdout()).toEqual([sub]);
  });
});

describe("output", () => {
  test("a line arrives while the command is still running", async () => {
    const gate = join(dir, "gate-stream");
    const out = collector();
    const result = await spawnCommand({
      command: sh('echo first; while [ ! -e "$GATE" ]; do sleep 0.01; done; echo second'),
      shell: "sh",
      cwd: dir,
      env: { PATH: process.env.PATH ?? "/bin", GATE: gate },
      timeoutMs: 20_000, // only a safety net: without streaming the gate never opens and this times out
      killGraceMs: 100,
      signal: new AbortController().signal,
      onLine: (stream, line) => {
        out.onLine(stream, line);
        if (line === "first") writeFileSync(gate, "");
      },
    });
    expect(result.timedOut).toBe(false);
    expect(out.stdout()).toEqual(["first", "second"]);
  });

  test("partial writes, a UTF-8 character cut in two included, join into whole lines", async () => {
    // The first half is written, then the test opens the gate on the stderr line, so the halves arrive apart.
    const gate = join(dir, "gate-partial");
    const out = collector();
    const result = await spawnCommand({
      command: sh(`printf 'a\\303'; echo go >&2; while [ ! -e "$GATE" ]; do sleep 0.01; done; printf '\\251b\\n'; printf c; printf 'd\\n'`),
      shell: "sh",
      cwd: dir,
      env: { PATH: process.env.PATH ?? "/bin", GATE: gate },
      timeoutMs: 20_000,
      killGraceMs: 100,
      signal: new AbortController().signal,
      onLine: (stream, line) => {
        out.onLine(stream, line);
        if (line === "go") writeFileSync(gate, "");
      },
    });
    expect(result.exitCode).toBe(0);
    expect(out.stdout()).toEqual(["aéb", "cd"]);
  });

  test("a final line without newline is delivered", async () => {
    const { out, done } = run(sh("printf 'one\\ntwo'"));
    await done;
    expect(out.stdout()).toEqual(["one", "two"]);
  });

  test("stderr lines are delivered and the last ones kept as the tail", async () => {
    const { out, done } = run(sh('i=1; while [ $i -le 50 ]; do echo "err $i" >&2; i=$((i+1)); done; echo out'));
    const result = await done;
    expect(out.lines.filter(([stream]) => stream === "stderr")).toHaveLength(50);
    expect(out.stdout()).toEqual(["out"]);
    expect(result.stderrTail).toEqual(Array.from({ length: 20 }, (_, i) => `err ${i + 31}`));

    const short = await run(sh("echo a >&2; echo b >&2; echo c >&2"), { stderrTailLines: 2 }).done;
    expect(short.stderrTail).toEqual(["b", "c"]);
  });

  test("huge output streams through without being kept in memory", async () => {
    let lines = 0;
    let chars = 0;
    Bun.gc(true);
    const rssBefore = process.memoryUsage().rss;
    const result = await spawnCommand({
      command: sh("yes | head -c 200000000"),
      shell: "sh",
      cwd: dir,
      env: { PATH: process.env.PATH ?? "/bin" },
      timeoutMs: null,
      killGraceMs: 100,
      signal: new AbortController().signal,
      onLine: (_stream, line) => {
        lines++;
        chars += line.length;
      },
    });
    const rssAfter = process.memoryUsage().rss;
    console.log(`200 MB of output: rss ${mb(rssBefore)} MB before, ${mb(rssAfter)} MB after (${result.durationMs} ms)`);
    expect(result.exitCode).toBe(0);
    expect(lines).toBe(100_000_000);
    expect(chars).toBe(100_000_000);
    // Keeping the output would cost at least 100 MB more; streaming costs a few chunks.
    expect(rssAfter - rssBefore).toBeLessThan(100 * 1024 * 1024);
  }, 120_000);
});

describe("timeouts and process groups", () => {
  test("a timeout stops the whole group: no grandchild survives", async () => {
    const mark = marker();
    const result = await run(sh(`sleep 1000 ${mark} & sleep 1000 ${mark} & wait`), { timeoutMs: 300 }).done;
    expect(result.timedOut).toBe(true);
    expect(result.cancelled).toBe(false);
    expect(result.exitCode).toBeNull();
    expect(result.signal).toBe("SIGTERM");
    expect(survivors(mark)).toEqual([]);
  });

  test("a command that ignores SIGTERM is SIGKILLed after the grace period", async () => {
    const mark = marker();
    const result = await run(sh(`trap '' TERM; sleep 1000 ${mark}`), { timeoutMs: 1000, killGraceMs: 300 }).done; // 1 s: the shell has set its trap by then
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe("SIGKILL");
    expect(survivors(mark)).toEqual([]);
  });

  test("a background child holding the pipe does not keep the command alive", async () => {
    const mark = marker();
    const { out, done } = run(sh(`sleep 1000 ${mark} & echo done`));
    const result = await done; // without the drain-then-kill step this waits 1000 s
    expect(result).toMatchObject({ exitCode: 0, signal: null, timedOut: false });
    expect(out.stdout()).toEqual(["done"]);
    expect(survivors(mark)).toEqual([]);
  });

  test("a background child with its output redirected is swept when the command ends", async () => {
    const mark = marker();
    const result = await run(sh(`sleep 1000 ${mark} >/dev/null 2>&1 & echo done`)).done;
    expect(result.exitCode).toBe(0);
    // The sweep SIGKILLs; the kernel may take a moment to tear the process down, so look until it is gone.
    expect(await gone(mark)).toBe(true);
  });
});

describe("abort", () => {
  test("abort stops the group and reports cancelled", async () => {
    const mark = marker();
    const controller = new AbortController();
    const result = await spawnCommand({
      command: sh(`sleep 1000 ${mark} & echo started; wait`),
      shell: "sh",
      cwd: dir,
      env: { PATH: process.env.PATH ?? "/bin" },
      timeoutMs: null,
      killGraceMs: 2000,
      signal: controller.signal,
      onLine: (_stream, line) => {
        if (line === "started") controller.abort("interrupted");
      },
    });
    expect(result).toMatchObject({ cancelled: true, timedOut: false, exitCode: null, signal: "SIGTERM" });
    expect(survivors(mark)).toEqual([]);
  });

  test("abort with reason kill-now skips the grace period", async () => {
    const mark = marker();
    const controller = new AbortController();
    const result = await spawnCommand({
      command: sh(`trap '' TERM; echo started; sleep 1000 ${mark}`),
      shell: "sh",
      cwd: dir,
      env: { PATH: process.env.PATH ?? "/bin" },
      timeoutMs: null,
      killGraceMs: 600_000, // a grace period that is honoured would outlast the test timeout
      signal: controller.signal,
      onLine: (_stream, line) => {
        if (line === "started") controller.abort(KILL_NOW);
      },
    });
    expect(result).toMatchObject({ cancelled: true, signal: "SIGKILL" });
    expect(survivors(mark)).toEqual([]);
  }, 10_000);

  test("the killNow signal SIGKILLs at once, even while SIGTERM's grace period runs", async () => {
    const mark = marker();
    const interrupt = new AbortController();
    const killNow = new AbortController();
    // The command ignores both signals a first Ctrl-C may send (SIGINT forwarded, SIGTERM after), so only SIGKILL ends it.
    const { done } = run(sh(`trap '' INT TERM; echo started; sleep 1000 ${mark}`), {
      signal: interrupt.signal,
      killNow: killNow.signal,
      killGraceMs: 600_000,
      onLine: (_stream, line) => {
        if (line !== "started") return;
        interrupt.abort("SIGINT"); // first Ctrl-C: forwarded, ignored by the command
        killNow.abort("SIGINT"); // second Ctrl-C
      },
    });
    const result = await done;
    expect(result).toMatchObject({ cancelled: true, signal: "SIGKILL" });
    expect(survivors(mark)).toEqual([]);
  }, 10_000);

  test("signalLiveGroups kills every running command at once", async () => {
    const mark = marker();
    const { out, done } = run(sh(`trap '' TERM; echo started; sleep 1000 ${mark}`), {
      killGraceMs: 600_000,
      onLine: (_stream, line) => {
        out.onLine("stdout", line);
        if (line === "started") signalLiveGroups("SIGKILL");
      },
    });
    const result = await done;
    expect(result.signal).toBe("SIGKILL");
    expect(liveGroupCount()).toBe(0);
    expect(survivors(mark)).toEqual([]);
  }, 10_000);

  test("an onLine that throws (a bug) rejects and still leaves no process behind", async () => {
    const mark = marker();
    const { done } = run(sh(`echo hello; sleep 1000 ${mark}`), {
      onLine: () => {
        throw new Error("reporter bug");
      },
    });
    await expect(done).rejects.toThrow("reporter bug");
    // Output is no longer read, so there is no pipe EOF to wait for: look until the SIGKILLed process is gone.
    expect(await gone(mark)).toBe(true);
  }, 10_000);

  test("an already aborted signal starts nothing", async () => {
    const witness = join(dir, "never-created");
    const result = await run(sh(`touch ${witness}`), { signal: AbortSignal.abort("interrupted") }).done;
    expect(result).toMatchObject({ cancelled: true, exitCode: null, signal: null });
    expect(existsSync(witness)).toBe(false);
  });
});

describe("commands that cannot start", () => {
  test("a missing executable (argv) is a result, not an exception", async () => {
    const result = await run({ kind: "argv", argv: ["lifecycle-no-such-command", "--x"] }).done;
    expect(result.spawnError).toBe("command not found: lifecycle-no-such-command");
    expect(result.exitCode).toBe(127);
  });

  test("a missing shell is reported as the missing command", async () => {
    const result = await run(sh("true"), { shell: "lifecycle-no-such-shell" }).done;
    expect(result.spawnError).toBe("command not found: lifecycle-no-such-shell");
  });

  test("a missing executable in a shell string: the shell exits 127 and says so on stderr", async () => {
    const result = await run(sh("lifecycle-no-such-command --x")).done;
    expect(result.exitCode).toBe(127);
    expect(result.stderrTail.join("\n")).toContain("lifecycle-no-such-command");
    expect(result.stderrTail.join("\n")).toContain("not found");
  });

  test("a file without execute permission", async () => {
    writeFileSync(join(dir, "not-executable"), "#!/bin/sh\necho hi\n");
    chmodSync(join(dir, "not-executable"), 0o644);
    const result = await run({ kind: "argv", argv: ["./not-executable"] }).done;
    expect(result.spawnError).toBe("permission denied: ./not-executable");
    expect(result.exitCode).toBe(126);
  });

  test("a working directory that does not exist", async () => {
    const missing = join(dir, "no-such-dir");
    const result = await run({ kind: "argv", argv: ["true"] }, { cwd: missing }).done;
    expect(result.spawnError).toBe(`working directory does not exist: ${missing}`);
  });

  test("an empty argv", async () => {
    const result = await run({ kind: "argv", argv: [] }).done;
    expect(result.spawnError).toBe("empty command");
  });
});

function mb(bytes: number): number {
  return Math.round(bytes / 1024 / 1024);
}

/** Looks for `mark` until it is gone, up to 5 s; false if it is still there then. */
async function gone(mark: string): Promise<boolean> {
  const deadline = Date.now() + 5000;
  while (survivors(mark).length > 0) {
    if (Date.now() > deadline) return false;
    await Bun.sleep(10);
  }
  return true;
}
