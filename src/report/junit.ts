import { redactText } from "../shared/redact.ts";
import type { RunSummary } from "./summarize.ts";
import type { TaskReport } from "./task-reports.ts";

/**
 * The `--junit FILE` report: one <testsuite> per place (root `//` or workspace) in graph order,
 * one <testcase> per task (name = phase, classname = place). failed and timed-out tasks are
 * <failure> (with the stderr tail as text), cancelled ones <error>, skipped ones <skipped>.
 * Every attribute and text is escaped; characters XML 1.0 cannot hold and terminal colour codes
 * are dropped; secrets are masked.
 */
export function formatJUnit(summary: RunSummary, reports: readonly TaskReport[], options: { secrets: readonly string[]; timestamp: string }): string {
  const clean = (text: string) => xmlSafe(redactText(text, options.secrets));
  const suites = new Map<string, TaskReport[]>();
  for (const report of reports) {
    const list = suites.get(report.place);
    if (list) list.push(report);
    else suites.set(report.place, [report]);
  }
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const total = tally(reports);
  lines.push(`<testsuites name="lifecycle" ${countAttributes(total)} time="${seconds(summary.durationMs)}" timestamp="${attr(options.timestamp)}">`);
  for (const [place, cases] of suites) {
    const counts = tally(cases);
    lines.push(`  <testsuite name="${attr(clean(place))}" ${countAttributes(counts)} time="${seconds(counts.durationMs)}">`);
    for (const c of cases) lines.push(...testcase(c, clean));
    lines.push("  </testsuite>");
  }
  lines.push("</testsuites>");
  return lines.join("\n") + "\n";
}

function testcase(c: TaskReport, clean: (text: string) => string): string[] {
  const open = `    <testcase name="${attr(clean(c.phase))}" classname="${attr(clean(c.place))}" time="${seconds(c.duration_ms)}"`;
  const message = attr(clean(c.error ?? c.status));
  const body = text(clean(c.stderr_tail.join("\n")));
  switch (c.status) {
    case "success":
      return [`${open}/>`];
    case "cached":
      return [`${open}>`, "      <system-out>cache hit: not run, outputs restored</system-out>", "    </testcase>"];
    case "failed":
    case "timed-out": {
      const type = c.status === "timed-out" ? "timeout" : c.exit_code !== null ? `exit ${c.exit_code}` : `signal ${c.signal ?? "unknown"}`;
      return [`${open}>`, `      <failure message="${message}" type="${attr(type)}">${body}</failure>`, "    </testcase>"];
    }
    case "cancelled":
      return [`${open}>`, `      <error message="${message}" type="cancelled"/>`, "    </testcase>"];
    case "skipped":
      return [`${open}>`, `      <skipped message="${message}"/>`, "    </testcase>"];
  }
}

interface Tally {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  durationMs: number;
}

function tally(reports: readonly TaskReport[]): Tally {
  const t: Tally = { tests: reports.length, failures: 0, errors: 0, skipped: 0, durationMs: 0 };
  for (const r of reports) {
    if (r.status === "failed" || r.status === "timed-out") t.failures++;
    else if (r.status === "cancelled") t.errors++;
    else if (r.status === "skipped") t.skipped++;
    t.durationMs += r.duration_ms;
  }
  return t;
}

function countAttributes(t: Tally): string {
  return `tests="${t.tests}" failures="${t.failures}" errors="${t.errors}" skipped="${t.skipped}"`;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** Drops terminal escape sequences and every character XML 1.0 does not allow. */
export function xmlSafe(value: string): string {
  return value.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, "").replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "");
}

/** Escapes for a double-quoted attribute value; newlines and tabs as character references so they survive. */
function attr(value: string): string {
  return text(value).replaceAll('"', "&quot;").replaceAll("'", "&apos;").replaceAll("\n", "&#10;").replaceAll("\r", "&#13;").replaceAll("\t", "&#9;");
}

function text(value: string): string {
  return value.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
