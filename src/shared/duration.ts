import { err, ok, type Result } from "./result.ts";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Reads a duration from make.toml or the command line: a number of seconds, or a string such as
 * "500ms", "30s", "5m", "1h", "1m30s". Returns milliseconds; 0 means "no limit" to callers that allow it.
 */
export function parseDuration(value: unknown): Result<number, string> {
  if (typeof value === "number") {
    return Number.isFinite(value) && value >= 0 ? ok(Math.round(value * 1000)) : err("expected a non-negative number of seconds");
  }
  if (typeof value !== "string") return err(`expected a duration such as "30s" or a number of seconds, got ${describeType(value)}`);
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return ok(Math.round(Number(text) * 1000));
  const pattern = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (const match of text.matchAll(pattern)) {
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    consumed += match[0].length;
  }
  if (text.length === 0 || consumed !== text.length) {
    return err(`expected a duration such as "500ms", "30s", "5m" or "1h", got "${value}"`);
  }
  return ok(Math.round(total));
}

/** ggen's display rules: under 1 s "500ms", under 60 s "1.50s", otherwise "1m 30s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
  const totalSeconds = Math.floor(ms / 1000);
  return `${Math.floor(totalSeconds / 60)}m ${totalSeconds % 60}s`;
}

export function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Date) return "a date";
  const type = typeof value;
  if (type === "object") return "a table";
  if (type === "number") return Number.isInteger(value) ? "an integer" : "a float";
  return `a ${type}`;
}
