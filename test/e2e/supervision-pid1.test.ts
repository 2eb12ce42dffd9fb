// lifecycle as a container entrypoint (PID 1 of a PID namespace, as under `docker run` without --init):
// orphaned zombies are reaped without stealing a command's exit status, and SIGTERM (`docker stop`) is honoured.
import { describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readState } from "../helpers/cli.ts";
import { BINARY } from "../helpers/cli.ts";
import { withProject } from "./support.ts";
import { canUnsharePid, childrenWithState, eventually, processesWithMarker, startLive, uniqueMarker } from "./supervision-support.ts";

const unshare = canUnsharePid();
const describeIfUnshare = unshare.ok ? describe : describe.skip;
if (!unshare.ok) console.warn(`skipping PID 1 tests: ${unshare.reason}`);

/** Starts `lifecycle --root dir ...args` as PID 1 of a new PID namespace; returns the run and a way to find its outer pid. */
function startAsPid1(dir: string, ...args: string[]) {
  const run = startLive(["unshare", "--pid", "--fork", "--mount-proc", BINARY, "--root", dir, ...args]);
  // unshare forks lifecycle into the namespace: lifecycle is unshare's only child.
  const lifecyclePid = (): number | undefined => childrenWithState(run.pid).find((c) => c.comm !== "unshare")?.pid;
  return { run, lifecyclePid };
}

describeIfUnshare("as PID 1 (unshare --pid --fork --mount-proc)", () => {
  test("orphaned zombies are reaped while a command runs, and the command's own exit status is kept", async () => {
    // Each `(sleep 0.05 &)` orphans a sleep: the kernel re-parents it to PID 1, where it ends as a zombie.
    const toml = `[project]
name = "pid1"
[lifecycle.z]
command = "for i in 1 2 3 4 5; do (sleep 0.05 &); done; echo orphans-made; while [ ! -f gate ]; do sleep 0.05; done; exit 7"
`;
    await withProject(toml, async (p) => {
      const { run, lifecyclePid } = startAsPid1(p.dir, "run", "z");
      await run.waitFor(/orphans-made/);
      let pid1: number | undefined;
      await eventually("lifecycle found under unshare", () => (pid1 = lifecyclePid()) !== undefined);
      // Only the command's shell may remain a child of PID 1: the five sleeps end and must be reaped.
      await eventually("PID 1 has no zombie and no orphan left", () => {
        const children = childrenWithState(pid1!);
        return children.length === 1 && children[0]!.state !== "Z" && children[0]!.comm === "sh";
      });
      writeFileSync(join(p.dir, "gate"), "");
      const done = await run.done;
      expect(done.code).toBe(1);
      const record = readState(p.dir).phase_history.at(-1)!;
      expect(record).toMatchObject({ phase: "z", status: "failed", exit_code: 7, success: false });
    });
  }, 30_000);

  test("SIGTERM to PID 1 (docker stop) stops the run: exit 143, the task recorded as cancelled, nothing left", async () => {
    const marker = uniqueMarker("pid1-term");
    const toml = `[project]
name = "pid1"
[settings]
kill_grace = "200ms"
[lifecycle.serve]
command = "sh -c 'sleep 1000' ${marker} & echo serving; wait"
[lifecycle.after]
depends_on = ["serve"]
command = "touch after-ran"
`;
    await withProject(toml, async (p) => {
      const { run, lifecyclePid } = startAsPid1(p.dir, "run", "after");
      await run.waitFor(/serving/);
      let pid1: number | undefined;
      await eventually("lifecycle found under unshare", () => (pid1 = lifecyclePid()) !== undefined);
      expect(processesWithMarker(marker).length).toBeGreaterThan(0);
      process.kill(pid1!, "SIGTERM");
      const done = await run.done;
      expect(done.code).toBe(143);
      expect(processesWithMarker(marker)).toEqual([]);
      expect(existsSync(join(p.dir, "after-ran"))).toBe(false);
      const serve = readState(p.dir).phase_history.find((r) => r.phase === "serve");
      expect(serve).toMatchObject({ status: "cancelled", success: false });
    });
  }, 30_000);
});
