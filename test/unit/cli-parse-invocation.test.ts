import { describe, expect, test } from "bun:test";
import { parseInvocation } from "../../src/cli.ts";

const parse = (...args: string[]) => parseInvocation(args, { NO_COLOR: "1" }, "/work/project");

describe("parseInvocation", () => {
  test("run with phases, workspace filters and options", () => {
    const r = parse("--root", "repo", "-e", "production", "run", "build", "test", "-w", "api", "-w", "web*", "--concurrency", "4", "--timeout", "90s", "--continue");
    expect(r.ok).toBe(true);
    if (!r.ok || r.value.command !== "run") throw new Error("expected run");
    expect(r.value.global.root).toBe("/work/project/repo");
    expect(r.value.global.profile).toBe("production");
    expect(r.value.run).toMatchObject({ phases: ["build", "test"], pipeline: false, workspaces: ["api", "web*"], concurrency: 4, timeoutMs: 90_000, policy: "continue" });
  });

  test("pipeline sets pipeline; --timeout 0 means no timeout", () => {
    const r = parse("pipeline", "a", "b", "--timeout", "0");
    if (!r.ok || r.value.command !== "run") throw new Error("expected run");
    expect(r.value.run.pipeline).toBe(true);
    expect(r.value.run.timeoutMs).toBeNull();
  });

  test("LIFECYCLE_CONCURRENCY is read when --concurrency is absent", () => {
    const r = parseInvocation(["run", "x"], { LIFECYCLE_CONCURRENCY: "3" }, "/");
    if (!r.ok || r.value.command !== "run") throw new Error("expected run");
    expect(r.value.run.concurrency).toBe(3);
  });

  test.each([
    [["run", "x", "--continue", "--fail-fast"], "--continue and --fail-fast"],
    [["run", "x", "--concurrency", "0"], "--concurrency"],
    [["run", "x", "--timeout", "soon"], "--timeout"],
    [["run", "x", "--output", "fancy"], "--output"],
    [["frobnicate"], 'unknown command "frobnicate"'],
    [["run", "x", "--bogus-flag"], 'unknown option "--bogus-flag"'],
    [["--bogus-flag", "run", "x"], 'unknown option "--bogus-flag"'],
    [["list", "--dry-run"], 'unknown option "--dry-run"'],
    [["run"], "missing required args"],
    [[], "missing command"],
  ])("%p is a usage error mentioning %p", (args, words) => {
    const r = parse(...args);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(words);
  });

  test("graph defaults to text; state defaults to show", () => {
    const g = parse("graph", "build");
    expect(g.ok && g.value.command === "graph" && g.value.format).toBe("text");
    const s = parse("state");
    expect(s.ok && s.value.command === "state" && s.value.action).toBe("show");
  });

  test("--log-format falls back to LIFECYCLE_LOG_FORMAT", () => {
    const r = parseInvocation(["list"], { LIFECYCLE_LOG_FORMAT: "json" }, "/");
    expect(r.ok && r.value.command === "list" && r.value.global.logFormat).toBe("json");
  });
});
