// SIGINT / SIGTERM / SIGHUP to the binary while tasks run (product.md 3, Signals): nothing new starts,
// every running group is stopped, the interrupted tasks are recorded as cancelled, exit 130 / 143 / 129.
// Signals come from this process (Bun.spawn), never from a shell `&` (which would start it with SIGINT ignored).
import { describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { readState } from "../helpers/cli.ts";
import { withProject } from "./support.ts";
import { processesWithMarker, startLifecycle, uniqueMarker } from "./supervision-support.ts";

const EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** A long-running command whose tree carries `marker`: a background child plus the leader waiting on it. */
const serve = (marker: string, word: string) => `sh -c 'sleep 1000; :' ${marker} & echo ${word}; wait`;

describe("a signal during a single task", () => {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    test(`${signal}: exit ${EXIT[signal]}, no process left, the task cancelled in state, its dependent never starts`, async () => {
      const marker = uniqueMarker(`single-${signal}`);
      const toml = `[project]
name = "sig"
[settings]
kill_grace = "5s"
[lifecycle.serve]
command = "${serve(marker, "serving")}"
[lifecycle.after]
depends_on = ["serve"]
command = "touch after-ran"
`;
      await withProject(toml, async (p) => {
        const run = startLifecycle(p.dir, "run", "after");
        await run.waitFor(/^serving$/);
        expect(processesWithMarker(marker).length).toBeGreaterThanOrEqual(1); // the leader at least (its script holds the marker)
        run.kill(signal);
        const done = await run.done;
        expect(done.code).toBe(EXIT[signal]!);
        expect(processesWithMarker(marker)).toEqual([]);
        expect(p.exists("after-ran")).toBe(false);
        expect(readState(p.dir).phase_history).toMatchObject([{ phase: "serve", status: "cancelled", success: false }]);
        expect(done.stderr).toContain(`Run interrupted by ${signal}`);
      });
    }, 30_000);
  }
});

describe("a signal during parallel tasks in several workspaces", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    test(`${signal}: every workspace's group stopped and recorded; a queued workspace never starts`, async () => {
      const marker = uniqueMarker(`parallel-${signal}`);
      const toml = `[project]
name = "sig"
[workspace.a]
path = "a"
[workspace.b]
path = "b"
[workspace.c]
path = "c"
[lifecycle.serve]
parallel = true
max_threads = 2
command = "touch started; ${serve(marker, "serving-$LIFECYCLE_WORKSPACE")}"
`;
      await withProject(toml, async (p) => {
        for (const ws of ["a", "b", "c"]) mkdirSync(join(p.dir, ws));
        // --concurrency 2: the default is the CPU count, which may be 1.
        const run = startLifecycle(p.dir, "run", "serve", "--concurrency", "2");
        // a and b run (max_threads = 2); c waits for a free slot.
        await run.waitFor(/serving-a$/);
        await run.waitFor(/serving-b$/);
        expect(processesWithMarker(marker).length).toBeGreaterThanOrEqual(2); // both leaders at least
        run.kill(signal);
        const done = await run.done;
        expect(done.code).toBe(EXIT[signal]!);
        expect(processesWithMarker(marker)).toEqual([]);
        for (const ws of ["a", "b"]) expect(readState(join(p.dir, ws)).phase_history).toMatchObject([{ phase: "serve", status: "cancelled", success: false }]);
        expect(p.exists("c/started")).toBe(false);
      });
    }, 30_000);
  }
});

describe("a second Ctrl-C", () => {
  test("kills at once, even with kill_grace = 600s and a command that traps INT and TERM", async () => {
    const marker = uniqueMarker("second-int");
    // The leader says when it got the first SIGINT, so the second is sent only after the first was handled
    // (two SIGINTs pending at once would be merged into one by the kernel).
    const toml = `[project]
name = "sig"
[settings]
kill_grace = "600s"
[lifecycle.stubborn]
command = '''
trap 'echo got-int' INT
trap '' TERM HUP
sh -c 'trap "" INT TERM; sleep 1000; :' ${marker} &
echo serving
while :; do sleep 0.05; done
'''
`;
    await withProject(toml, async (p) => {
      const run = startLifecycle(p.dir, "run", "stubborn");
      await run.waitFor(/^serving$/);
      run.kill("SIGINT");
      await run.waitFor(/^got-int$/);
      expect(processesWithMarker(marker).length).toBeGreaterThan(0);
      run.kill("SIGINT");
      const done = await run.done;
      expect(done.code).toBe(130);
      expect(processesWithMarker(marker)).toEqual([]);
      expect(readState(p.dir).phase_history).toMatchObject([{ phase: "stubborn", status: "cancelled", success: false }]);
    });
  }, 30_000);
});

describe("forwarding", () => {
  for (const signal of ["SIGINT", "SIGHUP"] as const) {
    test(`${signal} reaches the command as ${signal} (its own handler runs, e.g. a dev server's clean shutdown)`, async () => {
      const toml = `[project]
name = "sig"
[lifecycle.serve]
command = "trap 'echo got-${signal}; exit 0' ${signal.slice(3)}; echo serving; while :; do sleep 0.05; done"
`;
      await withProject(toml, async (p) => {
        const run = startLifecycle(p.dir, "run", "serve");
        await run.waitFor(/^serving$/);
        run.kill(signal);
        const done = await run.done;
        expect(done.code).toBe(EXIT[signal]!);
        expect(done.stdout).toContain(`got-${signal}`);
      });
    }, 30_000);
  }
});
