// `--json` (product.md 5): stdout is only NDJSON events; one run_id across events, state records and the audit line.
import { describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { events, readState } from "../helpers/cli.ts";
import { eventsOf, expectExit, withProject } from "./support.ts";

const TOML = `[project]
name = "j"

[lifecycle.build]
commands = ["echo out-line", "echo err-line >&2"]

[lifecycle.test]
command = "echo testing"

[lifecycle.bad]
command = "echo broken >&2; exit 7"

[lifecycle.unused]
command = "true"
oops_unknown_key = 1
`;

function ndjsonOnly(stdout: string): Array<Record<string, unknown>> {
  const lines = stdout.split("\n");
  expect(lines.at(-1)).toBe("");
  const parsed = lines.slice(0, -1).map((line) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`stdout line is not JSON: ${JSON.stringify(line)}\n--- stdout ---\n${stdout}`);
    }
  });
  for (const e of parsed) expect(typeof e.event).toBe("string");
  return parsed;
}

describe("--json", () => {
  test("stdout is only NDJSON; every line parses and has \"event\"; run-start first and run-end last", async () => {
    await withProject(TOML, async (p) => {
      const r = await p.lc("--json", "pipeline", "build", "test");
      expectExit(r, 0);
      const all = ndjsonOnly(r.stdout);
      expect(all[0]?.event).toBe("run-start");
      expect(all.at(-1)?.event).toBe("run-end");
      expect(r.stdout).not.toContain("Running phase:");
      expect(r.stdout).not.toContain("Pipeline completed");
    });
  });

  test("run-start has run_id and phases; run-end has status and counts; task events have their fields", async () => {
    await withProject(TOML, async (p) => {
      const r = await p.lc("run", "build", "test", "--json");
      expectExit(r, 0);
      const start = eventsOf(r.stdout, "run-start")[0]!;
      expect(start.run_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(start.phases).toEqual(["build", "test"]);
      const end = eventsOf(r.stdout, "run-end")[0]!;
      expect(end).toMatchObject({ status: "success", run_id: start.run_id, counts: { success: 2, failed: 0 } });
      expect(typeof end.duration_ms).toBe("number");
      expect(eventsOf(r.stdout, "task-start")).toEqual([
        { event: "task-start", task: "//#build", place: "//", phase: "build" },
        { event: "task-start", task: "//#test", place: "//", phase: "test" },
      ]);
      const output = eventsOf(r.stdout, "task-output").filter((e) => e.task === "//#build");
      expect(output).toEqual([
        { event: "task-output", task: "//#build", stream: "stdout", line: "out-line" },
        { event: "task-output", task: "//#build", stream: "stderr", line: "err-line" },
      ]);
      const taskEnd = eventsOf(r.stdout, "task-end").find((e) => e.task === "//#build")!;
      expect(taskEnd).toMatchObject({ status: "success", exit_code: 0 });
      expect(typeof taskEnd.duration_ms).toBe("number");
    });
  });

  test("a failed run: run-end status failed with counts; the error goes to stderr for humans, stdout stays NDJSON", async () => {
    await withProject(TOML, async (p) => {
      const r = await p.lc("--json", "pipeline", "bad", "test");
      expectExit(r, 1);
      ndjsonOnly(r.stdout);
      expect(eventsOf(r.stdout, "run-end")[0]).toMatchObject({ status: "failed", counts: { failed: 1, success: 0 } });
      expect(eventsOf(r.stdout, "task-end").find((e) => e.task === "//#bad")).toMatchObject({ status: "failed", exit_code: 7 });
      expect(eventsOf(r.stdout, "task-start").map((e) => e.task)).not.toContain("//#test");
      expect(r.stderr).toContain("Command failed in phase 'bad'");
    });
  });

  test("warnings (an unknown key) go to stderr, never to stdout", async () => {
    await withProject(TOML, async (p) => {
      const r = await p.lc("--json", "run", "test");
      expectExit(r, 0);
      ndjsonOnly(r.stdout);
      expect(r.stderr).toContain("oops_unknown_key");
    });
  });

  test("the same run_id is in run-start, run-end, every state record of the run (root and workspaces) and the audit line", async () => {
    const toml = `[project]\nname = "j"\n\n[workspace.api]\npath = "api"\n\n[lifecycle.build]\ncommand = "echo b"\n\n[hooks]\nbefore_build = ["prep"]\n\n[lifecycle.prep]\ncommand = "echo prep"\n`;
    await withProject(toml, async (p) => {
      mkdirSync(join(p.dir, "api"));
      const first = await p.lc("--json", "run", "build");
      expectExit(first, 0);
      const r = await p.lc("--json", "run", "build");
      expectExit(r, 0);
      const runId = eventsOf(r.stdout, "run-start")[0]?.run_id as string;
      const firstId = eventsOf(first.stdout, "run-start")[0]?.run_id as string;
      expect(runId).not.toBe(firstId);
      expect(eventsOf(r.stdout, "run-end")[0]?.run_id).toBe(runId);

      const rootRecords = readState(p.dir).phase_history as Array<Record<string, unknown>>;
      const apiRecords = readState(join(p.dir, "api")).phase_history as Array<Record<string, unknown>>;
      expect(rootRecords.map((h) => h.run_id)).toEqual([firstId, runId]);
      expect(apiRecords.map((h) => h.run_id)).toEqual([firstId, runId]);

      const audit = p.read(".ggen/audit.jsonl").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(audit.map((a) => a.run_id)).toEqual([firstId, runId]);
      expect(audit[1]).toMatchObject({ phases: ["build"], status: "success" });
      expect(audit[1]?.argv).toContain("--json");
    });
  });

  test("--json with workspaces: task-start place is the workspace name and ids are <ws>#<phase>", async () => {
    const toml = `[project]\nname = "j"\n\n[workspace.api]\npath = "api"\n\n[workspace.web]\npath = "web"\n\n[lifecycle.build]\nparallel = true\ncommand = "echo hi-$LIFECYCLE_WORKSPACE"\n`;
    await withProject(toml, async (p) => {
      mkdirSync(join(p.dir, "api"));
      mkdirSync(join(p.dir, "web"));
      const r = await p.lc("--json", "run", "build");
      expectExit(r, 0);
      const all = events(r.stdout);
      const starts = all.filter((e) => e.event === "task-start").sort((a, b) => String(a.task).localeCompare(String(b.task)));
      expect(starts).toEqual([
        { event: "task-start", task: "api#build", place: "api", phase: "build" },
        { event: "task-start", task: "web#build", place: "web", phase: "build" },
      ]);
      const lines = all.filter((e) => e.event === "task-output").map((e) => `${e.task} ${e.line}`).sort();
      expect(lines).toEqual(["api#build hi-api", "web#build hi-web"]);
    });
  });
});
