// A real process holds the lock: others wait and get its name; after it is killed, its lock is taken over.
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readlinkSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { withLock } from "../../src/state/lock.ts";
import { parseHolder } from "../../src/state/lock-holder.ts";
import { loadState, recordTasks } from "../../src/state/state-file.ts";
import { startFixture } from "../fixtures/bin/state-child.ts";
import { lockExists, lockHolderAt } from "../helpers/lock-file.ts";

const dir = mkdtempSync(join(tmpdir(), "state-stale-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a live holder blocks with a message naming it; once killed, its stale lock is taken over", async () => {
  const holder = startFixture("state-lock-holder.ts", [dir]);
  await holder.waitFor((lines) => lines.includes("locked"));
  const lockFile = join(dir, ".ggen", "state.lock");
  expect(lockHolderAt(lockFile)?.pid).toBe(holder.proc.pid);

  const blocked = await recordTasks(dir, [{ phase: "a", started_ms: 1, duration_ms: 1, success: true }], [], { historyLimit: 10, runId: "r", lockTimeoutMs: 100 });
  expect(blocked.ok).toBe(false);
  expect(!blocked.ok && blocked.error).toContain(`.ggen/state.lock is held by pid ${holder.proc.pid} on ${hostname()}`);

  holder.proc.kill("SIGKILL");
  await holder.exited;
  expect(lockExists(lockFile)).toBe(true); // left behind by the killed holder

  const taken = await recordTasks(dir, [{ phase: "a", started_ms: 1, duration_ms: 1, success: true }], [], { historyLimit: 10, runId: "r", lockTimeoutMs: 2000 });
  expect(taken).toEqual({ ok: true, value: { warnings: [] } });
  expect((await loadState(dir)).state.last_phase).toBe("a");
  expect(lockExists(lockFile)).toBe(false);
});

test("several processes racing for one stale lock: exactly one holds it at a time", async () => {
  const holder = startFixture("state-lock-holder.ts", [dir]);
  await holder.waitFor((lines) => lines.includes("locked"));
  holder.proc.kill("SIGKILL");
  await holder.exited;
  // All writers find the same stale lock; the break guard must let them through one at a time.
  const writers = Array.from({ length: 8 }, (_, w) => startFixture("state-writer.ts", [dir, `s${w}`, "5"]));
  const exits = await Promise.all(writers.map((c) => c.exited));
  expect(exits.map((e) => (e.code === 0 ? "" : e.stderr))).toEqual(Array(8).fill(""));
  const ids = (await loadState(dir)).state.phase_history.map((r) => r.run_id);
  for (let w = 0; w < 8; w++) for (let i = 0; i < 5; i++) expect(ids).toContain(`s${w}-${i}`);
  const lock = await withLock(dir, () => "free", { timeoutMs: 100 });
  expect(lock).toEqual({ ok: true, value: "free" });
}, 60_000);
