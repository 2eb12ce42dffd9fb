// How commands run (product.md 2-3): argv without a shell, cwd, timeouts that leave no process behind,
// retries, continue_on_error, a missing executable.
import { describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { readState, runCli } from "../helpers/cli.ts";
import { eventsOf, expectExit, show, taskEnd, withProject } from "./support.ts";

/** Pids whose command line contains `marker` (other than this test process). */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmdline.includes(marker)) found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Survivors after a short grace (a process killed by its group may still be exiting); kills them so tests leave nothing. */
async function survivors(marker: string): Promise<number[]> {
  for (let i = 0; i < 40; i++) {
    const left = processesWith(marker);
    if (left.length === 0) return [];
    await Bun.sleep(50);
  }
  const left = processesWith(marker);
  for (const pid of left) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  return left;
}

describe("commands", () => {
  test("an argv array runs with no shell: spaces, $HOME and globs reach the program literally", async () => {
    const toml = `[project]\nname = "c"\n\n[lifecycle.argv]\ncommand = ["printf", "%s\\n", "$HOME a b", "*", "\`id\`; echo x"]\n`;
    await withProject(toml, async (p) => {
      const r = await runCli(["--root", p.dir, "--json", "run", "argv"], { env: { HOME: "/home/should-not-expand" } });
      expectExit(r, 0);
      const lines = eventsOf(r.stdout, "task-output").map((e) => e.line);
      expect(lines).toEqual(["$HOME a b", "*", "`id`; echo x"]);
    });
  });

  test("a string command runs through the shell: $VAR expands and ; separates commands", async () => {
    const toml = `[project]\nname = "c"\n\n[lifecycle.sh]\ncommand = "echo \\"home=$HOME\\"; echo second"\n`;
    await withProject(toml, async (p) => {
      const r = await runCli(["--root", p.dir, "--json", "run", "sh"], { env: { HOME: "/home/expanded" } });
      expectExit(r, 0);
      expect(eventsOf(r.stdout, "task-output").map((e) => e.line)).toEqual(["home=/home/expanded", "second"]);
    });
  });

  test("cwd is relative to the place: the root's sub dir, and inside a workspace the workspace's sub dir", async () => {
    const toml = `[project]\nname = "c"\n\n[lifecycle.here]\ncwd = "sub"\ncommand = "pwd > here.txt"\n`;
    await withProject(toml, async (p) => {
      mkdirSync(join(p.dir, "sub"));
      expectExit(await p.lc("run", "here"), 0);
      expect(realpathSync(p.read("sub/here.txt").trim())).toBe(realpathSync(join(p.dir, "sub")));
    });
    const ws = `[project]\nname = "c"\n\n[workspace.api]\npath = "api"\n\n[lifecycle.here]\ncwd = "sub"\ncommand = "pwd > here.txt"\n`;
    await withProject(ws, async (p) => {
      mkdirSync(join(p.dir, "api/sub"), { recursive: true });
      expectExit(await p.lc("run", "here"), 0);
      expect(realpathSync(p.read("api/sub/here.txt").trim())).toBe(realpathSync(join(p.dir, "api/sub")));
    });
  });

  test('cwd = "../.." escaping the root exits 2 before anything runs (not even an earlier phase)', async () => {
    const toml = `[project]\nname = "c"\n\n[lifecycle.first]\ncommand = "touch first.marker"\n\n[lifecycle.escape]\ncwd = "../.."\ncommand = "touch escaped.marker"\n`;
    await withProject(toml, async (p) => {
      const r = await p.lc("pipeline", "first", "escape");
      expectExit(r, 2);
      expect(r.stderr).toContain("outside");
      expect(p.exists("first.marker")).toBe(false);
      expect(p.exists(".ggen/state.json")).toBe(false);
    });
  });

  test("a per-phase timeout stops a never-ending command: exit 1, task-end timed-out, no process of its group survives", async () => {
    const marker = `lc-timeout-${randomUUID()}`;
    const toml = `[project]
name = "c"

[settings]
kill_grace = "200ms"

[lifecycle.hang]
timeout = "1s"
command = "touch ${marker}; tail -f ${marker} & tail -f ${marker}; wait"
`;
    await withProject(toml, async (p) => {
      const r = await p.lc("--json", "run", "hang");
      expectExit(r, 1);
      const end = taskEnd(r.stdout, "//#hang");
      expect(end, show(r)).toMatchObject({ status: "timed-out" });
      expect(String(end?.error)).toContain("timed out");
      expect(eventsOf(r.stdout, "run-end")[0]).toMatchObject({ status: "failed", counts: { "timed-out": 1 } });
      expect(readState(p.dir).phase_history).toMatchObject([{ phase: "hang", success: false, status: "timed-out" }]);
      expect(await survivors(marker)).toEqual([]);
    });
  });

  test("--timeout on the command line is the default for phases without their own timeout", async () => {
    const marker = `lc-timeout-${randomUUID()}`;
    const toml = `[project]\nname = "c"\n\n[settings]\nkill_grace = "200ms"\n\n[lifecycle.hang]\ncommand = "touch ${marker}; tail -f ${marker}"\n`;
    await withProject(toml, async (p) => {
      const r = await p.lc("--json", "run", "hang", "--timeout", "500ms");
      expectExit(r, 1);
      expect(taskEnd(r.stdout, "//#hang")).toMatchObject({ status: "timed-out" });
      expect(await survivors(marker)).toEqual([]);
    });
  });

  test("retries = 2 with a command failing twice succeeds; the counter shows 3 runs", async () => {
    const toml = `[project]
name = "c"

[settings]
retry_delay = "10ms"

[lifecycle.flaky]
retries = 2
command = "echo x >> count.txt; [ $(wc -l < count.txt) -ge 3 ]"
`;
    await withProject(toml, async (p) => {
      const r = await p.lc("--json", "run", "flaky");
      expectExit(r, 0);
      expect(p.read("count.txt")).toBe("x\nx\nx\n");
      expect(taskEnd(r.stdout, "//#flaky")).toMatchObject({ status: "success" });
      expect(readState(p.dir).phase_history).toMatchObject([{ phase: "flaky", success: true }]);
    });
  });

  test("retries = 1 with a command failing twice fails after 2 runs", async () => {
    const toml = `[project]\nname = "c"\n\n[settings]\nretry_delay = "10ms"\n\n[lifecycle.flaky]\nretries = 1\ncommand = "echo x >> count.txt; [ $(wc -l < count.txt) -ge 3 ]"\n`;
    await withProject(toml, async (p) => {
      const r = await p.lc("run", "flaky");
      expectExit(r, 1);
      expect(p.read("count.txt")).toBe("x\nx\n");
    });
  });

  test("continue_on_error = true: the run exits 0, the next phase runs, and the state records success:false", async () => {
    const toml = `[project]
name = "c"

[lifecycle.lint]
continue_on_error = true
command = "exit 3"

[lifecycle.build]
command = "touch built.marker"
`;
    await withProject(toml, async (p) => {
      const r = await p.lc("pipeline", "lint", "build");
      expectExit(r, 0);
      expect(p.exists("built.marker")).toBe(true);
      expect(r.stdout).toContain("Pipeline completed: lint → build");
      const history = readState(p.dir).phase_history;
      expect(history).toMatchObject([
        { phase: "lint", success: false, exit_code: 3 },
        { phase: "build", success: true },
      ]);
    });
  });

  test('a missing executable (shell string) exits 1 with "command not found" naming it', async () => {
    await withProject(`[project]\nname = "c"\n\n[lifecycle.build]\ncommand = "no-such-program-xyz --flag"\n`, async (p) => {
      const r = await p.lc("run", "build");
      expectExit(r, 1);
      expect(r.stderr).toContain("command not found");
      expect(r.stderr).toContain("no-such-program-xyz");
      expect(r.stderr).toContain("phase 'build'");
    });
  });

  test('a missing executable (argv) exits 1 with "command not found" naming it; the task is recorded failed', async () => {
    await withProject(`[project]\nname = "c"\n\n[lifecycle.build]\ncommand = ["no-such-program-xyz", "--flag"]\n`, async (p) => {
      const r = await p.lc("run", "build");
      expectExit(r, 1);
      expect(r.stderr).toContain("command not found");
      expect(r.stderr).toContain("no-such-program-xyz");
      expect(readState(p.dir).phase_history).toMatchObject([{ phase: "build", success: false }]);
    });
  });

  test("commands run in order and stop at the first failure", async () => {
    await withProject(`[project]\nname = "c"\n\n[lifecycle.build]\ncommands = ["echo one >> log.txt", "exit 4", "echo three >> log.txt"]\n`, async (p) => {
      const r = await p.lc("run", "build");
      expectExit(r, 1);
      expect(p.read("log.txt")).toBe("one\n");
      expect(r.stderr).toContain("Exit code: 4");
    });
  });
});
