import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { LockLinks } from "../../src/state/lock-links.ts";
import { lockFilePath, newHolder, readLockHolder, releaseLock, tryLock } from "../../src/state/lock.ts";
import { pruneState } from "../../src/state/state-file.ts";
import { lockExists } from "../helpers/lock-file.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "lifecycle-lock-links-"));
  dirs.push(dir);
  return dir;
}

const holderFiles = (dir: string): string[] => readdirSync(join(dir, ".ggen")).filter((name) => name.startsWith(".lock-holder."));

/** A pid that is certainly not running: a child that has exited and been reaped. */
function deadPid(): number {
  const child = Bun.spawnSync(["true"]);
  return child.pid;
}

describe("locks taken as hard links to a holder file", () => {
  test("a lock is a second name of the writer's holder file, read as its holder; release and close leave nothing", () => {
    const [a, b] = [tempDir(), tempDir()];
    const links = new LockLinks(newHolder());
    const taken = [a, b].map((dir) => {
      const attempt = tryLock(lockFilePath(dir), "lock", links);
      expect(attempt.ok && "taken" in attempt.value).toBe(true);
      return attempt.ok && "taken" in attempt.value ? attempt.value.taken : undefined;
    });
    expect(lstatSync(lockFilePath(a)).nlink).toBe(3); // the holder file and two locks: one inode, no new file per lock
    expect(readLockHolder(lockFilePath(b))).toEqual(links.holder);
    for (const lock of taken) releaseLock(lock!);
    expect([a, b].map((dir) => lockExists(lockFilePath(dir)))).toEqual([false, false]);
    expect(holderFiles(a).length).toBe(1);
    links.close();
    expect(holderFiles(a)).toEqual([]);
  });

  test("a lock someone else holds is busy, whatever kind it is; their lock is never removed", () => {
    const dir = tempDir();
    mkdirSync(join(dir, ".ggen"));
    const other = { ...newHolder(), pid: process.ppid };
    symlinkSync(`${other.pid}:-:${Date.now()}:${other.token}:${other.host}`, lockFilePath(dir));
    const links = new LockLinks(newHolder());
    const attempt = tryLock(lockFilePath(dir), "lock", links);
    expect(attempt.ok && "busy" in attempt.value && attempt.value.busy?.pid).toBe(process.ppid);
    expect(lockExists(lockFilePath(dir))).toBe(true);
    links.close();
  });

  test("a linked lock whose writer died is taken over, and its holder file is removed when a new one is made beside it", () => {
    const dir = tempDir();
    const dead = { ...newHolder(), pid: deadPid(), host: hostname() };
    const crashed = new LockLinks(dead);
    expect(crashed.link(lockFilePath(dir))).toEqual({ ino: expect.any(Number) }); // then the writer "dies" holding it
    expect(holderFiles(dir).length).toBe(1);

    const links = new LockLinks(newHolder());
    const attempt = tryLock(lockFilePath(dir), "lock", links);
    expect(attempt.ok && "taken" in attempt.value && attempt.value.taken.tookOver).toBe(true);
    expect(holderFiles(dir)).toEqual([`.lock-holder.${process.pid}.${links.holder.token}`]);
    if (attempt.ok && "taken" in attempt.value) releaseLock(attempt.value.taken);
    links.close();
    expect(holderFiles(dir)).toEqual([]);
  });

  test("a missing lock directory is made, and a holder file deleted by hand is made again", () => {
    const dir = tempDir();
    const links = new LockLinks(newHolder());
    const first = links.link(join(dir, "a", ".ggen", "state.lock"));
    expect(first).toEqual({ ino: expect.any(Number) });
    unlinkSync(join(dir, "a", ".ggen", "state.lock"));
    for (const name of readdirSync(join(dir, "a", ".ggen"))) unlinkSync(join(dir, "a", ".ggen", name));
    expect(links.link(join(dir, "b", ".ggen", "state.lock"))).toEqual({ ino: expect.any(Number) });
    expect(existsSync(join(dir, "b", ".ggen", "state.lock"))).toBe(true);
    links.close();
  });

  test("the holder file of another live process beside the lock is left alone", () => {
    const dir = tempDir();
    mkdirSync(join(dir, ".ggen"));
    const alive = join(dir, ".ggen", `.lock-holder.${process.ppid}.abcd`);
    writeFileSync(alive, JSON.stringify({ ...newHolder(), pid: process.ppid }));
    const links = new LockLinks(newHolder());
    links.link(lockFilePath(dir));
    expect(existsSync(alive)).toBe(true);
    unlinkSync(lockFilePath(dir));
    links.close();
  });
});

describe("holder files left by a killed run", () => {
  test("live in the home directory when one is given, so the next writer removes a dead one there whichever place it locks first", () => {
    const [home, a, b] = [tempDir(), tempDir(), tempDir()];
    const crashed = new LockLinks({ ...newHolder(), pid: deadPid(), host: hostname() }, join(home, ".ggen"));
    crashed.link(lockFilePath(a)); // then the writer "dies"; its lock is released by hand below
    expect(holderFiles(home).length).toBe(1);
    expect(existsSync(join(a, ".ggen"))).toBe(true);
    expect(holderFiles(a)).toEqual([]);
    unlinkSync(lockFilePath(a));

    const links = new LockLinks(newHolder(), join(home, ".ggen"));
    expect(links.link(lockFilePath(b))).toEqual({ ino: expect.any(Number) });
    expect(holderFiles(home)).toEqual([`.lock-holder.${process.pid}.${links.holder.token}`]);
    unlinkSync(lockFilePath(b));
    links.close();
    expect(holderFiles(home)).toEqual([]);
  });

  test("are removed by the next save or prune outside a run, once their process is gone", async () => {
    const dir = tempDir();
    const crashed = new LockLinks({ ...newHolder(), pid: deadPid(), host: hostname() });
    crashed.link(join(dir, ".ggen", "other.lock"));
    unlinkSync(join(dir, ".ggen", "other.lock"));
    expect(holderFiles(dir).length).toBe(1);
    expect((await pruneState(dir, 10)).ok).toBe(true);
    expect(holderFiles(dir)).toEqual([]);
  });
});
