import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** One run's cache results, a line of `.ggen/cache/runs.jsonl`. */
export interface RunCacheStats {
  readonly time: string;
  readonly run_id: string;
  readonly hits: number;
  readonly remote_hits: number;
  readonly misses: number;
}

const KEEP_LINES = 100;

/** Appends a run's numbers; the file is cut back to the last 100 runs when it doubles. Best effort. */
export function appendRunStats(cacheDir: string, stats: RunCacheStats): void {
  const path = join(cacheDir, "runs.jsonl");
  try {
    mkdirSync(cacheDir, { recursive: true });
    appendFileSync(path, JSON.stringify(stats) + "\n");
    const lines = readFileSync(path, "utf8").split("\n").filter(Boolean);
    if (lines.length > 2 * KEEP_LINES) writeFileSync(path, lines.slice(-KEEP_LINES).join("\n") + "\n");
  } catch {
    // statistics are a convenience: a read-only or full disk must not fail the run over them
  }
}

/** The last `count` runs' numbers, oldest first; unreadable lines are skipped. */
export function recentRunStats(cacheDir: string, count: number): RunCacheStats[] {
  let text: string;
  try {
    text = readFileSync(join(cacheDir, "runs.jsonl"), "utf8");
  } catch {
    return [];
  }
  const out: RunCacheStats[] = [];
  for (const line of text.split("\n").filter(Boolean).slice(-count)) {
    try {
      const parsed = JSON.parse(line) as RunCacheStats;
      if (typeof parsed.hits === "number" && typeof parsed.misses === "number") out.push(parsed);
    } catch {
      // a torn line from a crash
    }
  }
  return out;
}
