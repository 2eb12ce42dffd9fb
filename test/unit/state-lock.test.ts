import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { withLock } from "../../src/state/lock.ts";
import { processStartTicks } from "../../src/state/process-identity.ts";
import { lockExists, lockHolderAt } from "../helpers/lock-file.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function place(): string {
  const dir = mkdtempSync(join(tmpdir(), "state-lock-"));
  dirs.push(dir);
  mkdirSync(join(dir, ".ggen"));
  return dir;
}
const lockFile = (dir: string) => join(dir, ".ggen", "state.lock");
const DEAD_PID = 4_194_305; // above Linux's largest pid_max
const holder = (fields: Record<string, unknown>) => JSON.stringify({ pid: process.pid, host: hostname(), started: "2026-01-01T00:00:00.000Z", procStart: processStartTicks(process.pid), token: "someone-else", ...fields });

describe("withLock", () => {
  test("holds the lock file while fn runs, with who holds it, and removes it after", async () => {
    const dir = place();
    const r = await withLock(dir, () => lockHolderAt(lockFile(dir)));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toMatchObject({ pid: process.pid, host: hostname(), procStart: processStartTicks(process.pid) });
    expect(lockExists(lockFile(dir))).toBe(false);
  });

  test("callers in one process run one at a time, in call order", async () => {
    const dir = place();
    let inside = 0;
    let maxInside = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        withLock(dir, async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await Promise.resolve();
          await new Promise((resolve) => setImmediate(resolve));
          order.push(i);
          inside--;
        }),
      ),
    );
    expect(maxInside).toBe(1);
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  test("an exception in fn propagates and the lock is released", async () => {
    const dir = place();
    await expect(withLock(dir, () => { throw new Error("boom"); })).rejects.toThrow("boom");
    expect(lockExists(lockFile(dir))).toBe(false);
    expect((await withLock(dir, () => 1)).ok).toBe(true);
  });

  test("a lock whose holder pid is gone is taken over", async () => {
    const dir = place();
    writeFileSync(lockFile(dir), holder({ pid: DEAD_PID, procStart: 1 }));
    expect(await withLock(dir, () => "mine", { timeoutMs: 1000 })).toEqual({ ok: true, value: "mine" });
  });

  test.skipIf(process.platform !== "linux")("a lock whose pid was reused by another process (procStart differs) is taken over", async () => {
    const dir = place();
    writeFileSync(lockFile(dir), holder({ procStart: (processStartTicks(process.pid) ?? 0) + 1 }));
    expect(await withLock(dir, () => "mine", { timeoutMs: 1000 })).toEqual({ ok: true, value: "mine" });
  });

  test("a live holder is waited for up to the timeout, then named in the error; its lock stays", async () => {
    const dir = place();
    const content = holder({});
    writeFileSync(lockFile(dir), content);
    const r = await withLock(dir, () => "never", { timeoutMs: 50 });
    expect(r).toEqual({
      ok: false,
      error: `.ggen/state.lock is held by pid ${process.pid} on ${hostname()} since 2026-01-01T00:00:00.000Z (waited 0.1 s); if that process is not lifecycle, delete the file`,
    });
    expect(readFileSync(lockFile(dir), "utf8")).toBe(content);
  });

  test("a holder on another host is never assumed dead", async () => {
    const dir = place();
    writeFileSync(lockFile(dir), holder({ pid: DEAD_PID, host: "elsewhere.example" }));
    const r = await withLock(dir, () => "never", { timeoutMs: 20 });
    expect(!r.ok && r.error).toMatch(/is held by pid 4194305 on elsewhere\.example/);
  });

  test("a lock with unreadable content is busy while fresh (being written), stale when old", async () => {
    const dir = place();
    writeFileSync(lockFile(dir), "");
    const fresh = await withLock(dir, () => "never", { timeoutMs: 20 });
    expect(!fresh.ok && fresh.error).toMatch(/^\.ggen\/state\.lock is held by another process/);
    const old = new Date(Date.now() - 60_000);
    utimesSync(lockFile(dir), old, old);
    expect((await withLock(dir, () => "mine", { timeoutMs: 1000 })).ok).toBe(true);
  });

  test("another process's lock is not removed by our release", async () => {
    const dir = place();
    const r = await withLock(dir, () => {
      // e.g. wrongly broken and retaken: another process's lock replaces ours
      unlinkSync(lockFile(dir));
      writeFileSync(lockFile(dir), holder({ token: "intruder" }));
    });
    expect(r.ok).toBe(true);
    expect(JSON.parse(readFileSync(lockFile(dir), "utf8")).token).toBe("intruder");
  });

  test("a lock directory that cannot exist is an error naming the path", async () => {
    const dir = mkdtempSync(join(tmpdir(), "state-lock-"));
    dirs.push(dir);
    writeFileSync(join(dir, ".ggen"), "file");
    expect(await withLock(dir, () => 1)).toEqual({ ok: false, error: "cannot write .ggen/state.lock: a parent path is not a directory" });
  });
});
