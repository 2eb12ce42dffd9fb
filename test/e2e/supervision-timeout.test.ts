// Timeouts through the binary (product.md 3, Timeout): the whole process tree goes, TERM first, KILL
// after kill_grace for what ignores TERM; and how a command ended (code or signal) is in events, state, errors.
import { describe, expect, test } from "bun:test";
import { readState } from "../helpers/cli.ts";
import { expectExit, taskEnd, withProject } from "./support.ts";
import { processesWithMarker, uniqueMarker } from "./supervision-support.ts";

describe("timeout", () => {
  test("`sleep & sleep & wait` over its timeout: the run ends, no process of the tree is left", async () => {
    const marker = uniqueMarker("timeout-tree");
    // `; :` keeps each inner sh alive (no exec), so the marker stays in a command line of the tree.
    const toml = `[project]
name = "t"
[settings]
kill_grace = "300ms"
[lifecycle.tree]
timeout = "400ms"
command = "sh -c 'sleep 1000; :' ${marker} & sh -c 'sleep 1001; :' ${marker} & wait"
`;
    await withProject(toml, async (p) => {
      const r = await p.lc("--json", "run", "tree");
      expectExit(r, 1);
      expect(processesWithMarker(marker)).toEqual([]);
      const end = taskEnd(r.stdout, "//#tree")!;
      expect(end.status).toBe("timed-out");
      // sh dies from the group SIGTERM (it does not trap it): the event names that signal, no exit code.
      expect(end).toMatchObject({ exit_code: null, signal: "SIGTERM" });
      expect(String(end.error)).toContain("timed out after 400ms in phase 'tree'");
      expect(readState(p.dir).phase_history.at(-1)).toMatchObject({ phase: "tree", status: "timed-out", success: false });
      const human = await p.lc("run", "tree");
      expectExit(human, 1);
      expect(human.stderr).toContain("0 succeeded, 1 failed (1 timed out)");
    });
  }, 30_000);

  test("a command that traps TERM still dies: SIGKILL after kill_grace, for it and its children", async () => {
    const marker = uniqueMarker("timeout-trap");
    const toml = `[project]
name = "t"
[settings]
kill_grace = "300ms"
[lifecycle.stubborn]
timeout = "1s"
command = "trap '' TERM; sh -c 'trap \\"\\" TERM; sleep 1000; :' ${marker} & while :; do sleep 0.05; done"
`;
    await withProject(toml, async (p) => {
      const r = await p.lc("run", "stubborn");
      expectExit(r, 1);
      expect(processesWithMarker(marker)).toEqual([]);
      expect(r.stderr).toContain("Stopped with: SIGKILL");
    });
  }, 30_000);

  test("a background child that keeps the output pipe open does not hold the run, and does not outlive its command", async () => {
    const marker = uniqueMarker("drain");
    const toml = `[project]
name = "t"
[lifecycle.leaky]
command = "sh -c 'sleep 1000; :' ${marker} & echo leader-done"
[lifecycle.next]
depends_on = ["leaky"]
command = "echo next-ran"
`;
    await withProject(toml, async (p) => {
      const r = await p.lc("run", "next");
      expectExit(r, 0);
      expect(r.stdout).toContain("leader-done");
      expect(r.stdout).toContain("next-ran");
      expect(processesWithMarker(marker)).toEqual([]);
    });
  }, 30_000);

  test("a command's exit code, or the signal that ended it, is in the task-end event, the state record and the error", async () => {
    const toml = `[project]
name = "t"
[lifecycle.code]
command = "echo about to fail >&2; exit 42"
[lifecycle.killed]
command = "echo about to die >&2; kill -9 $$"
`;
    await withProject(toml, async (p) => {
      const code = await p.lc("--json", "run", "code");
      expectExit(code, 1);
      const killed = await p.lc("--json", "run", "killed");
      expectExit(killed, 1);
      expect(taskEnd(code.stdout, "//#code")).toMatchObject({ status: "failed", exit_code: 42, signal: null, stderr_tail: ["about to fail"] });
      expect(taskEnd(killed.stdout, "//#killed")).toMatchObject({ status: "failed", exit_code: null, signal: "SIGKILL", stderr_tail: ["about to die"] });
      expect(String(taskEnd(code.stdout, "//#code")!.error)).toContain("Exit code: 42");
      expect(String(taskEnd(killed.stdout, "//#killed")!.error)).toContain("SIGKILL");
      const history = readState(p.dir).phase_history as Array<Record<string, unknown>>;
      expect(history.find((h) => h.phase === "code")).toMatchObject({ exit_code: 42, success: false });
      expect(history.find((h) => h.phase === "killed")).toMatchObject({ exit_code: null, signal: "SIGKILL", success: false });
    });
  }, 30_000);
});
