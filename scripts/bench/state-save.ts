// Time to record one run into a state file that already holds a full history (history_limit entries):
// locked read-modify-write + atomic durable write. Reference in the same run: writing the same bytes
// once with fsync (the floor for any durable save; no lock, not atomic, no backup). Also: how long each save
// keeps the calling thread from doing anything else (the time a run cannot start commands).
// Usage: bun scripts/bench/state-save.ts [entries=1000] [saves=50]
import { closeSync, fsyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
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
  const blocked: number[] = [];
  for (let i = 0; i < saves; i++) {
    blocked.push(await threadBlockedMs(() => recordTasks(dir, [record(entries + saves + i)], [], { historyLimit: entries, runId: `blocked-${i}` })));
  }
  const bytes = readFileSync(join(dir, ".ggen", "state.json"));
  const plain: number[] = [];
  for (let i = 0; i < saves; i++) {
    const start = performance.now();
    const fd = openSync(join(dir, "plain.json"), "w");
    writeSync(fd, bytes);
    fsyncSync(fd);
    closeSync(fd);
    plain.push(performance.now() - start);
  }
  const saved = median(samples);
  const reference = median(plain);
  printTable(`state save with ${entries} history entries (${(bytes.length / 1024).toFixed(0)} KiB), median of ${saves}`, [
    ["one write + fsync (durability floor)", reference, 1],
    ["lifecycle recordTasks (lock+fsync+rename)", saved, saved / reference],
    ["  of which the calling thread is blocked", median(blocked), median(blocked) / reference],
  ], "ratio vs one durable write; target: under 5 ms absolute");
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Time during fn when the thread could run nothing else: the gaps over 0.1 ms in a chain of setImmediate callbacks. */
async function threadBlockedMs(fn: () => Promise<unknown>): Promise<number> {
  let running = true;
  let last = performance.now();
  let blockedMs = 0;
  const tick = () => {
    const now = performance.now();
    if (now - last > 0.1) blockedMs += now - last;
    last = now;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  await fn();
  await new Promise((resolve) => setImmediate(resolve)); // closes the last gap
  running = false;
  return blockedMs;
}
