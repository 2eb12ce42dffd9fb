// The progress line (running tasks, done/total, elapsed) on a terminal's stderr: drawn while tasks run,
// erased before any other output and at the end; absent without a terminal, with --json and with -q.
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY } from "../helpers/cli.ts";
import { expectExit, withProject } from "./support.ts";
import { startLive } from "./supervision-support.ts";

const hasScript = Bun.spawnSync(["script", "--version"], { stdout: "ignore", stderr: "ignore" }).exitCode === 0;

// The command prints, then waits for a gate the test opens once it has seen the progress line.
const GATED = `[project]
name = "tty"
[lifecycle.serve]
timeout = "20s"
command = "echo one; while [ ! -f gate ]; do sleep 0.02; done; echo two"
[lifecycle.after]
depends_on = ["serve"]
command = "echo three"
`;
const PROGRESS = /\[\d+\/2\] \d+\.\ds {2}running: \/\/#(serve|after)/;
/** Any drawn progress line: one drawn between two tasks has no "running:" part. */
const ANY_PROGRESS = /\[\d+\/2\] \d+\.\ds(?: {2}running: \/\/#(?:serve|after))?/;

/** `lifecycle ...args` with stdin, stdout and stderr on a pseudo-terminal (util-linux script). */
function startOnTerminal(dir: string, ...args: string[]) {
  const command = [BINARY, "--root", dir, ...args].map((w) => `'${w}'`).join(" ");
  return startLive(["script", "-qfec", command, "/dev/null"], { env: { TERM: "xterm", COLUMNS: "120" } });
}

describe.if(hasScript)("on a terminal", () => {
  test("the progress line is drawn while a task runs, erased before every other line, and removed at the end", async () => {
    await withProject(GATED, async (p) => {
      const run = startOnTerminal(p.dir, "run", "after");
      await run.waitForText(PROGRESS);
      writeFileSync(join(p.dir, "gate"), "");
      const done = await run.done;
      expect(done.code).toBe(0);
      const raw = done.stdout;
      // A drawn status has no newline: the next thing written must be "\r" + erase-line, never text.
      expect(raw).not.toMatch(new RegExp(`${ANY_PROGRESS.source}(?![\\r ])`)); // a space: the "running:" part, which must be matched whole
      // Without the status drawing and erasing, the output is exactly the usual lines.
      const clean = raw.replace(new RegExp(`\\r\\x1b\\[2K(${ANY_PROGRESS.source})?`, "g"), "").replaceAll("\r\n", "\n");
      expect(clean.split("\n").filter((line) => !line.startsWith("  slowest:") && !line.startsWith("Run succeeded") && line !== "")).toEqual([
        "Running phase: serve",
        "one",
        "two",
        "Running phase: after",
        "three",
      ]);
    });
  }, 30_000);

  for (const flag of ["--json", "-q"]) {
    test(`no progress line with ${flag}`, async () => {
      await withProject(GATED, async (p) => {
        writeFileSync(join(p.dir, "gate"), "");
        const run = startOnTerminal(p.dir, flag, "run", "after");
        const done = await run.done;
        expect(done.code).toBe(0);
        expect(done.stdout).not.toMatch(PROGRESS);
        expect(done.stdout).not.toContain("\x1b[2K");
      });
    }, 30_000);
  }
});

test("no progress line when stderr is not a terminal", async () => {
  await withProject(GATED, async (p) => {
    writeFileSync(join(p.dir, "gate"), "");
    const r = await p.lc("run", "after");
    expectExit(r, 0);
    expect(r.stderr).not.toMatch(PROGRESS);
    expect(r.stderr + r.stdout).not.toContain("\x1b[2K");
  });
}, 30_000);
