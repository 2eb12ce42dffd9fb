// kill -9 a writer at varied points, many times: state.json must always parse and hold every
// record the writer acknowledged (ack is printed only after recordTasks returned).
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { readStateFile } from "../../src/state/read-state.ts";
import { loadState, recordTasks, stateFilePath } from "../../src/state/state-file.ts";
import { startFixture } from "../fixtures/bin/state-child.ts";

const dir = mkdtempSync(join(tmpdir(), "state-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ITERATIONS = 30;
/** Padding per record: with the seed below the state is ~0.7 MB, so a write is a good share of each cycle. */
const ERROR_CHARS = "600";
const acked = (lines: readonly string[]) => lines.filter((l) => l.startsWith("ack ")).map((l) => l.slice(4));

test(`SIGKILL during writes, ${ITERATIONS} times: the state always parses and keeps every acknowledged record`, async () => {
  const seed = Array.from({ length: 1000 }, (_, i) => ({ phase: "seed", started_ms: i, duration_ms: 1, success: true, run_id: `seed-${i}`, error: "e".repeat(600) }));
  expect((await recordTasks(dir, seed, [], { historyLimit: 1_000_000, runId: "seed" })).ok).toBe(true);
  const mustHave = new Set(seed.map((r) => r.run_id));
  for (let i = 0; i < ITERATIONS; i++) {
    const writer = startFixture("state-writer.ts", [dir, `w${i}`, "0", "", ERROR_CHARS]);
    await writer.waitFor((lines) => acked(lines).length >= 1 + (i % 4));
    // The delay only spreads where in a write cycle the kill lands; the assertions hold for any point.
    await delay((i * 7) % 23);
    writer.proc.kill("SIGKILL");
    const { signal } = await writer.exited;
    expect(signal).toBe("SIGKILL");
    for (const id of acked(writer.lines)) mustHave.add(id);

    const read = readStateFile(stateFilePath(dir));
    expect(read.kind).toBe("valid");
    const ids = new Set(read.kind === "valid" ? read.state.phase_history.map((r) => r.run_id) : []);
    expect([...mustHave].filter((id) => !ids.has(id))).toEqual([]);
  }

  // A clean writer afterwards takes over any stale lock and sweeps the temp files of killed ones.
  const last = startFixture("state-writer.ts", [dir, "final", "1"]);
  expect((await last.exited).code).toBe(0);
  expect(readdirSync(join(dir, ".ggen")).filter((f) => f.endsWith(".tmp") || f === "state.lock")).toEqual([]);
  expect((await loadState(dir)).warnings).toEqual([]);
}, 120_000);
