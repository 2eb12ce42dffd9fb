import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fsyncEach } from "../../src/state/atomic-write.ts";
import { SaveQueue } from "../../src/state/save-queue.ts";
import { loadState, stateFilePath } from "../../src/state/state-file.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), "save-queue-"));
  dirs.push(dir);
  return dir;
}

/** A queue that would wait an hour for more places before each batch. */
function patientQueue(root: string, gatherPlaces: number) {
  const errors: string[] = [];
  const queue = new SaveQueue({ runId: "r", historyLimit: 10, rootDir: root, durability: fsyncEach, maxBatchPlaces: 64, gatherMs: 3_600_000, gatherPlaces, onError: (m) => errors.push(m), onWarning: () => {} });
  return { queue, errors };
}

const record = (phase: string) => ({ phase, started_ms: 1, duration_ms: 1, success: true });

describe("SaveQueue gathering", () => {
  test("flush does not wait for the gathering to end", async () => {
    const root = tempRoot();
    const { queue, errors } = patientQueue(root, 64);
    queue.add(root, record("build"), undefined);
    await queue.flush();
    expect(errors).toEqual([]);
    expect((await loadState(root)).state.last_phase).toBe("build");
  });

  test("enough waiting places end the gathering: the batch is saved without a flush", async () => {
    const root = tempRoot();
    const { queue } = patientQueue(root, 3);
    const places = ["a", "b", "c"].map((name) => join(root, name));
    queue.add(places[0]!, record("build"), undefined);
    // The first batch starts on a 0 ms timer and then waits for more places; this 5 ms timer fires after it has begun waiting.
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(existsSync(stateFilePath(places[0]!))).toBe(false);
    for (const dir of places.slice(1)) queue.add(dir, record("build"), undefined);
    // Gate: the files appear on their own (the hour-long wait would hang the test otherwise).
    while (!places.every((dir) => existsSync(stateFilePath(dir)))) await new Promise((resolve) => setTimeout(resolve, 5));
    await queue.flush();
    for (const dir of places) expect((await loadState(dir)).state.last_phase).toBe("build");
  });
});
