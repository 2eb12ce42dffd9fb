// Secrets masked at run time (product.md 4): values of env keys matching TOKEN/SECRET/PASSWORD/KEY/CREDENTIAL
// never appear in output, events, errors, state, audit lines or logs; `***` appears instead.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { events, readState, runCli } from "../helpers/cli.ts";
import { eventsOf, expectExit, show, taskEnd, withProject, type Project } from "./support.ts";

const FROM_TOML = "s3cr3t-value";
const FROM_PARENT = "hunter2-parent-pw";
const PARENT = { DEPLOY_PASSWORD: FROM_PARENT };

const TOML = `[project]
name = "sec"

[env]
API_TOKEN = "${FROM_TOML}"

[lifecycle.leak]
command = "echo token=$API_TOKEN pw=$DEPLOY_PASSWORD; echo err-$API_TOKEN-$DEPLOY_PASSWORD >&2"

[lifecycle.fail]
command = "echo failing with ${FROM_TOML} and $DEPLOY_PASSWORD >&2; exit 3 # ${FROM_TOML}"

[lifecycle.pwfail]
command = "echo ${FROM_PARENT} >&2; exit 4"
`;

function lc(p: Project, ...args: string[]) {
  return runCli(["--root", p.dir, ...args], { env: PARENT });
}

function expectClean(text: string, where: string): void {
  if (text.includes(FROM_TOML) || text.includes(FROM_PARENT)) throw new Error(`${where} leaks a secret:\n${text}`);
}

describe("secrets are masked at run time", () => {
  test("child output (human mode, stdout and stderr) shows *** instead of [env] and parent-env secrets", async () => {
    await withProject(TOML, async (p) => {
      const r = await lc(p, "run", "leak");
      expectExit(r, 0);
      expectClean(r.stdout, "stdout");
      expectClean(r.stderr, "stderr");
      expect(r.stdout).toContain("token=*** pw=***");
      expect(r.stderr).toContain("err-***-***");
    });
  });

  test("--json task-output events carry *** and never the values", async () => {
    await withProject(TOML, async (p) => {
      const r = await lc(p, "run", "leak", "--json");
      expectExit(r, 0);
      expectClean(r.stdout, "NDJSON stdout");
      const lines = eventsOf(r.stdout, "task-output").map((e) => e.line);
      expect(lines).toContain("token=*** pw=***");
      expect(lines).toContain("err-***-***");
    });
  });

  test("the failure message of a failing command (command text and stderr tail) is masked: human stderr and --json error", async () => {
    await withProject(TOML, async (p) => {
      const human = await lc(p, "run", "fail");
      expectExit(human, 1);
      expectClean(human.stdout + human.stderr, "human output");
      expect(human.stderr).toContain("Command failed in phase 'fail'");
      expect(human.stderr).toContain("failing with *** and ***");

      const json = await lc(p, "run", "fail", "--json");
      expectExit(json, 1);
      expectClean(json.stdout + json.stderr, "--json output");
      const end = taskEnd(json.stdout, "//#fail");
      expect(end).toMatchObject({ status: "failed", exit_code: 3 });
      expect(String(end?.error)).toContain("***");
    });
  });

  test("a secret that only the parent environment holds is masked in the failure message", async () => {
    await withProject(TOML, async (p) => {
      const r = await lc(p, "run", "pwfail", "--json");
      expectExit(r, 1);
      expectClean(r.stdout + r.stderr, "output");
      expect(String(taskEnd(r.stdout, "//#pwfail")?.error)).toContain("***");
    });
  });

  test("the state file's error text and the audit line are masked", async () => {
    await withProject(TOML, async (p) => {
      const r = await lc(p, "pipeline", "leak", "fail");
      expectExit(r, 1);
      const stateText = p.read(".ggen/state.json");
      expectClean(stateText, "state.json");
      const failed = readState(p.dir).phase_history.find((h) => h.phase === "fail") as Record<string, unknown> | undefined;
      expect(failed).toMatchObject({ success: false });
      expect(String(failed?.error)).toContain("***");

      const audit = p.read(".ggen/audit.jsonl");
      expectClean(audit, "audit.jsonl");
      const line = JSON.parse(audit.trim().split("\n").at(-1)!) as { tasks: Array<{ task: string; commands: string[] }> };
      const commands = line.tasks.find((t) => t.task === "//#fail")?.commands ?? [];
      expect(commands.join("\n")).toContain("***");
    });
  });

  test("a secret passed on the command line as NAME=value is masked in the audit argv", async () => {
    await withProject(`[project]\nname = "sec"\n\n[lifecycle.ok]\ncommand = "true"\n`, async (p) => {
      const r = await lc(p, "run", "ok", "--log-file", join(p.dir, "GITHUB_TOKEN=tok-in-argv-123"));
      expectExit(r, 0);
      expect(p.read(".ggen/audit.jsonl")).not.toContain("tok-in-argv-123");
    });
  });

  test("--log-format json and --log-file: neither stderr nor the log file carries a secret; log lines are JSON", async () => {
    await withProject(TOML, async (p) => {
      const logFile = join(p.dir, "run.log");
      const r = await lc(p, "--log-format", "json", "--log-file", logFile, "pipeline", "leak", "fail");
      expectExit(r, 1);
      expectClean(r.stdout + r.stderr, "output");
      let logText = "";
      try {
        logText = readFileSync(logFile, "utf8");
      } catch {
        // no log lines written is not a leak
      }
      expectClean(logText, "log file");
      for (const line of logText.split("\n").filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
    });
  });

  test("graph --format json and show never print a secret that is typed into a command (README: *** in output)", async () => {
    await withProject(TOML, async (p) => {
      const graph = await lc(p, "graph", "fail", "--format", "json");
      expectExit(graph, 0);
      expectClean(graph.stdout + graph.stderr, "graph --format json");
      expect(graph.stdout).toContain("***");
      const shown = await lc(p, "show", "fail");
      expectExit(shown, 0);
      expectClean(shown.stdout + shown.stderr, "show");
      expect(shown.stdout).toContain("***");
    });
  });

  test("dry-run with -e masks a secret that only the chosen profile defines", async () => {
    const toml = `[project]\nname = "sec"\n\n[env.production]\nDB_PASSWORD = "prod-only-pw-42"\n\n[lifecycle.deploy]\ncommand = "echo prod-only-pw-42"\n`;
    await withProject(toml, async (p) => {
      const r = await lc(p, "-e", "production", "run", "deploy", "--dry-run");
      expectExit(r, 0);
      expect(r.stdout + r.stderr).not.toContain("prod-only-pw-42");
      expect(r.stdout).toContain("$ echo ***");
      const run = await lc(p, "-e", "production", "run", "deploy");
      expectExit(run, 0);
      expect(run.stdout).not.toContain("prod-only-pw-42");
      expect(run.stdout).toContain("***");
    });
  });

  test("--log-file records the task failure as a structured line with the run's run_id (product.md 4: run_id appears in logs)", async () => {
    await withProject(TOML, async (p) => {
      const logFile = join(p.dir, "run.log");
      const r = await lc(p, "--json", "--log-file", logFile, "run", "fail");
      expectExit(r, 1);
      const runId = events(r.stdout).find((e) => e.event === "run-start")?.run_id;
      expect(typeof runId).toBe("string");
      let logText = "";
      try {
        logText = readFileSync(logFile, "utf8");
      } catch {
        // asserted below
      }
      const lines = logText.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.some((l) => l.run_id === runId && l.level === "error"), `log file:\n${logText}\n${show(r)}`).toBe(true);
      expectClean(logText, "log file");
    });
  });
});
