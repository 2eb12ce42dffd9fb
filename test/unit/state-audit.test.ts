import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { appendAudit, redactArgv, type AuditEntry } from "../../src/state/audit.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function root(): string {
  const dir = mkdtempSync(join(tmpdir(), "state-audit-"));
  dirs.push(dir);
  return dir;
}
const auditFile = (dir: string) => join(dir, ".ggen", "audit.jsonl");
const lines = (file: string) => readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));

const entry = (runId: string, extra: Partial<AuditEntry> = {}): AuditEntry => ({
  argv: ["run", "build"],
  run_id: runId,
  phases: ["build"],
  tasks: [{ task: "//#build", commands: ["cargo build"], status: "success", exit_code: 0 }],
  status: "success",
  ...extra,
});

describe("appendAudit", () => {
  test("writes one JSON line per run with the documented fields", async () => {
    const dir = root();
    expect(await appendAudit(dir, entry("r1", { time: "2026-01-01T00:00:00.000Z", user: "ci" }))).toEqual({ ok: true, value: undefined });
    expect(await appendAudit(dir, entry("r2", { status: "failed", duration_ms: 5 }))).toEqual({ ok: true, value: undefined });
    const [first, second] = lines(auditFile(dir));
    expect(first).toEqual({
      time: "2026-01-01T00:00:00.000Z",
      user: "ci",
      host: hostname(),
      argv: ["run", "build"],
      run_id: "r1",
      phases: ["build"],
      tasks: [{ task: "//#build", commands: ["cargo build"], status: "success", exit_code: 0 }],
      status: "success",
    });
    expect(second).toMatchObject({ run_id: "r2", status: "failed", duration_ms: 5 });
    expect(typeof second.user).toBe("string");
    expect(Number.isNaN(Date.parse(second.time))).toBe(false);
  });

  test("masks secrets in argv by name and known secret values anywhere, as a safety net", async () => {
    const dir = root();
    const secret = "s3cr3t-value";
    await appendAudit(
      dir,
      entry("r", {
        argv: ["run", "--token", "abc", "--api-key=def", "GITHUB_TOKEN=ghi", "-e", "prod", `--note=${secret}`],
        tasks: [{ task: "//#deploy", commands: [`curl -H ${secret}`], status: "failed", exit_code: 7 }],
      }),
      { secrets: [secret] },
    );
    const [line] = lines(auditFile(dir));
    expect(line.argv).toEqual(["run", "--token", "***", "--api-key=***", "GITHUB_TOKEN=***", "-e", "prod", "--note=***"]);
    expect(line.tasks[0].commands).toEqual(["curl -H ***"]);
    expect(readFileSync(auditFile(dir), "utf8")).not.toContain(secret);
  });

  test("redactArgv leaves ordinary arguments alone", () => {
    expect(redactArgv(["--root", "x", "run", "build", "-w", "api", "KEYBOARD"])).toEqual(["--root", "x", "run", "build", "-w", "api", "KEYBOARD"]);
  });

  test("rotates to audit.jsonl.1 before the file grows past maxBytes, keeping one older generation", async () => {
    const dir = root();
    for (let i = 0; i < 30; i++) expect((await appendAudit(dir, entry(`r${i}`), { maxBytes: 1000 })).ok).toBe(true);
    const current = lines(auditFile(dir));
    const older = lines(`${auditFile(dir)}.1`);
    expect(readFileSync(auditFile(dir)).length).toBeLessThanOrEqual(1000);
    expect(readFileSync(`${auditFile(dir)}.1`).length).toBeLessThanOrEqual(1000);
    const ids = [...older, ...current].map((l) => Number(l.run_id.slice(1)));
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, k) => 30 - ids.length + k)); // contiguous, newest last
    expect(existsSync(`${auditFile(dir)}.2`)).toBe(false);
  });

  test("many appends at once from one process all land as whole lines", async () => {
    const dir = root();
    await Promise.all(Array.from({ length: 50 }, (_, i) => appendAudit(dir, entry(`r${i}`))));
    expect(lines(auditFile(dir)).map((l) => l.run_id).sort()).toEqual(Array.from({ length: 50 }, (_, i) => `r${i}`).sort());
  });
});
