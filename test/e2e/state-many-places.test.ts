// Runs with many workspaces save state on the state writer thread (batches, one syncfs each):
// checked through the binary, including a kill -9 in the middle of a run.
import { afterEach, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { THREAD_MIN_PLACES } from "../../src/state/create-recorder.ts";
import { BINARY, runCli, tempProject } from "../helpers/cli.ts";
import { expectExit } from "./support.ts";

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const FAST = 30;
const SLOW = 10;

/**
 * FAST workspaces whose build ends at once, SLOW ones whose build waits for the file `go` at the root.
 * A kill -9 of lifecycle orphans the waiting commands (each has its own session): they also stop once
 * the project is removed, so a failing test leaves nothing running.
 */
function project() {
  const p = tempProject(`[project]\nname = "many"\n\n[workspace]\nmembers = ["pkgs/*"]\n\n[lifecycle.build]\nparallel = true\ncommand = "case $LIFECYCLE_WORKSPACE in *slow*) while [ ! -f ../../go ] && [ -f ../../make.toml ]; do sleep 0.05; done;; esac"\n`);
  cleanups.push(p.cleanup);
  const names = [...Array.from({ length: FAST }, (_, i) => `fast${i}`), ...Array.from({ length: SLOW }, (_, i) => `slow${i}`)];
  for (const name of names) mkdirSync(join(p.dir, "pkgs", name), { recursive: true });
  return { ...p, names, stateOf: (name: string) => join(p.dir, "pkgs", name, ".ggen", "state.json") };
}

function historyOf(file: string): Array<{ phase: string; status: string }> {
  return JSON.parse(readFileSync(file, "utf8")).phase_history;
}

describe("state with many places", () => {
  test("every workspace's state file is written, and a second run keeps the first as the backup", async () => {
    expect(FAST + SLOW).toBeGreaterThanOrEqual(THREAD_MIN_PLACES); // this run takes the state writer thread
    const p = project();
    writeFileSync(join(p.dir, "go"), "");
    for (let run = 1; run <= 2; run++) expectExit(await runCli(["--root", p.dir, "-q", "run", "build", "--concurrency", "40"]), 0);
    for (const name of p.names) {
      expect(historyOf(p.stateOf(name)).map((r) => r.status)).toEqual(["success", "success"]);
      expect(historyOf(`${p.stateOf(name)}.bak`)).toHaveLength(1);
      expect(readdirSync(join(p.dir, "pkgs", name, ".ggen")).sort()).toEqual(["state.json", "state.json.bak"]);
    }
  });

  test("kill -9 in the middle of a run: every state file is whole, and the next run recovers the locks and temp files it left", async () => {
    const p = project();
    const child = spawn(BINARY, ["--root", p.dir, "-q", "run", "build", "--concurrency", "40"], { detached: true, stdio: "ignore" });
    // Gate: all fast workspaces recorded (the slow ones are still waiting for `go`).
    const deadline = Date.now() + 20_000;
    while (!p.names.filter((n) => n.startsWith("fast")).every((n) => existsSync(p.stateOf(n)))) {
      if (Date.now() > deadline) throw new Error("the fast workspaces were not recorded within 20 s");
      await Bun.sleep(20);
    }
    process.kill(-child.pid!, "SIGKILL");
    await new Promise((resolve) => child.on("close", resolve));
    for (const name of p.names) {
      if (name.startsWith("fast")) expect(historyOf(p.stateOf(name)).map((r) => r.status)).toEqual(["success"]);
      else expect(existsSync(p.stateOf(name))).toBe(false);
    }
    writeFileSync(join(p.dir, "go"), "");
    expectExit(await runCli(["--root", p.dir, "-q", "run", "build", "--concurrency", "40"]), 0);
    for (const name of p.names) {
      expect(historyOf(p.stateOf(name))).toHaveLength(name.startsWith("fast") ? 2 : 1);
      const left = readdirSync(join(p.dir, "pkgs", name, ".ggen")).filter((f) => f !== "state.json" && f !== "state.json.bak");
      expect(left).toEqual([]);
    }
    expect(readdirSync(join(p.dir, ".ggen")).filter((f) => f.startsWith(".lock-holder."))).toEqual([]);
  });
});
