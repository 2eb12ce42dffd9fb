// Time to record one run into a state file that already holds a full history (history_limit entries):
// locked read-modify-write + atomic durable write. Reference in the same run: writing the same bytes
// with a plain writeFileSync (no fsync, no lock, not atomic).
// Usage: bun scripts/bench/state-save.ts [entries=1000] [saves=50]
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recordTasks } from "../../src/state/state-file.ts";
import { median, printTable } from "./measure.ts";

const entries = Number(process.argv[2] ?? 1000);
const saves = Number(process.argv[3] ?? 50);
const dir = mkdtempSync(join(tmpdir(), "lifecycle-state-bench-"));
try {
  const record = (i: number) => ({ phase: `phase-${i % 7}`, started_ms: 1_760_000_000_000 + i, duration_ms: 10 + (i % 100), success: true });
  const fill = await recordTasks(dir, Array.from({ length: entries }, (_, i) => record(i)), [], { historyLimit: entries, runId: "fill" });
  if (!fill.ok) throw new Error(fill.error);
  const samples: number[] = [];
  for (let i = 0; i < saves; i++) {
    const start = performance.now();
    const r = await recordTasks(dir, [record(entries + i)], [{ phase: "build", key: "0".repeat(64) }], { historyLimit: entries, runId: `bench-${i}` });
    samples.push(performance.now() - start);
    if (!r.ok) throw new Error(r.error);
  }
  const bytes = readFileSync(join(dir, ".ggen", "state.json"));
  const plain: number[] = [];
  for (let i = 0; i < saves; i++) {
    const start = performance.now();
    writeFileSync(join(dir, "plain.json"), bytes);
    plain.push(performance.now() - start);
  }
  const saved = median(samples);
  const reference = median(plain);
  printTable(`state save with ${entries} history entries (${(bytes.length / 1024).toFixed(0)} KiB), median of ${saves}`, [
    ["plain writeFileSync (not durable)", reference, 1],
    ["lifecycle recordTasks (lock+fsync+rename)", saved, saved / reference],
  ], "ratio vs plain write; target: under 5 ms absolute");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
