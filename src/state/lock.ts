import { closeSync, fstatSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { err, ok, type Result } from "../shared/result.ts";
import { sweepTempFiles, tempTag } from "./atomic-write.ts";
import { describeFsError, errnoCode, shownPath } from "./fs-error.ts";
import { isProcessAlive, processStartTicks } from "./process-identity.ts";

/** What a lock file holds: who owns it, and a token so the owner only ever removes its own lock. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO time the lock was taken. */
  readonly started: string;
  /** /proc/<pid>/stat start time; null where unavailable. Guards against pid reuse. */
  readonly procStart: number | null;
  readonly token: string;
}

export interface LockOptions {
  /** File name inside `<dir>/.ggen` (default "state.lock"). */
  readonly name?: string;
  /** How long to wait for a live holder (default 10 s). */
  readonly timeoutMs?: number;
  /** Messages name the lock relative to this directory (default: dir). */
  readonly rootDir?: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** A lock with unreadable content this old is damaged (or its holder died between create and write on a file system without hard links). */
const UNREADABLE_LOCK_GRACE_MS = 5_000;
const MAX_BACKOFF_MS = 50;

/** In-process waiters queue per lock file, so concurrent callers in one process never see themselves as a holder. */
const queues = new Map<string, Promise<void>>();

/**
 * Runs fn while holding the exclusive lock `<dir>/.ggen/<name>` (exclusive create). A lock whose
 * holder is gone (same host, pid dead or reused) is taken over; a live holder is waited for with
 * async backoff up to timeoutMs, then an error names it. Serialises callers within this process
 * too. Not re-entrant: calling withLock on the same lock from inside fn waits forever.
 * fn's exceptions propagate after the lock is released.
 */
export async function withLock<T>(dir: string, fn: () => T | Promise<T>, options: LockOptions = {}): Promise<Result<T, string>> {
  const file = join(dir, ".ggen", options.name ?? "state.lock");
  const previous = queues.get(file) ?? Promise.resolve();
  let done!: () => void;
  const gate = new Promise<void>((resolve) => (done = resolve));
  const tail = previous.then(() => gate);
  queues.set(file, tail);
  await previous;
  try {
    const shown = shownPath(file, options.rootDir ?? dir);
    const acquired = await acquire(file, shown, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    if (!acquired.ok) return acquired;
    try {
      return ok(await fn());
    } finally {
      release(file, acquired.value);
    }
  } finally {
    done();
    if (queues.get(file) === tail) queues.delete(file);
  }
}

async function acquire(file: string, shown: string, timeoutMs: number): Promise<Result<LockHolder, string>> {
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (e) {
    return err(describeFsError(e, "write", shown));
  }
  sweepTempFiles(dirname(file), basename(file));
  sweepTempFiles(dirname(file), `${basename(file)}.break`);
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    started: new Date().toISOString(),
    procStart: processStartTicks(process.pid),
    token: randomBytes(8).toString("hex"),
  };
  const deadline = Date.now() + timeoutMs;
  let backoffMs = 2;
  for (;;) {
    const created = createExclusive(file, JSON.stringify(me), shown);
    if (!created.ok) return created;
    if (created.value) return ok(me);
    const seen = readLock(file);
    if (seen !== null && isStale(seen)) {
      const broken = breakStale(file, seen, shown);
      if (!broken.ok) return broken;
      if (broken.value) continue;
    }
    const leftMs = deadline - Date.now();
    if (leftMs <= 0) return err(busyMessage(shown, seen, timeoutMs));
    await sleep(Math.min(leftMs, backoffMs * (0.5 + Math.random())));
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
  }
}

/**
 * ok(true): created with its content; ok(false): it already exists; err: the file system refused.
 * The content is written to a temp file first and hard-linked into place (link fails with
 * EEXIST like O_EXCL), so no one ever sees a lock without its holder. Where hard links are not
 * supported, falls back to openSync("wx") and a write.
 */
function createExclusive(file: string, content: string, shown: string): Result<boolean, string> {
  const temp = join(dirname(file), `.${basename(file)}.${tempTag()}.tmp`);
  try {
    writeFileSync(temp, content, { flag: "wx", mode: 0o644 });
  } catch (e) {
    return err(describeFsError(e, "write", shown));
  }
  try {
    linkSync(temp, file);
    return ok(true);
  } catch (e) {
    const code = errnoCode(e);
    if (code === "EEXIST") return ok(false);
    if (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP" || code === "EMLINK") return createWithOpen(file, content, shown);
    return err(describeFsError(e, "write", shown));
  } finally {
    unlinkQuietly(temp);
  }
}

function createWithOpen(file: string, content: string, shown: string): Result<boolean, string> {
  let fd: number;
  try {
    fd = openSync(file, "wx", 0o644);
  } catch (e) {
    if (errnoCode(e) === "EEXIST") return ok(false);
    return err(describeFsError(e, "write", shown));
  }
  try {
    writeSync(fd, content);
    closeSync(fd);
    return ok(true);
  } catch (e) {
    closeSync(fd);
    unlinkQuietly(file);
    return err(describeFsError(e, "write", shown));
  }
}

interface SeenLock {
  readonly raw: string;
  readonly ino: number;
  readonly mtimeMs: number;
  /** null when the content is not a lock record (being written, or damaged). */
  readonly holder: LockHolder | null;
}

function readLock(file: string): SeenLock | null {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return null;
  }
  try {
    const stat = fstatSync(fd);
    const raw = readFileSync(fd, "utf8");
    return { raw, ino: stat.ino, mtimeMs: stat.mtimeMs, holder: parseHolder(raw) };
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

function parseHolder(raw: string): LockHolder | null {
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v !== "object" || v === null) return null;
    const h = v as Partial<LockHolder>;
    if (typeof h.pid !== "number" || typeof h.host !== "string") return null;
    return {
      pid: h.pid,
      host: h.host,
      started: typeof h.started === "string" ? h.started : "?",
      procStart: typeof h.procStart === "number" ? h.procStart : null,
      token: typeof h.token === "string" ? h.token : "",
    };
  } catch {
    return null;
  }
}

/** Only provable staleness counts: a holder on another host is never assumed dead. */
function isStale(seen: SeenLock): boolean {
  const h = seen.holder;
  if (h === null) return Date.now() - seen.mtimeMs > UNREADABLE_LOCK_GRACE_MS;
  if (h.host !== hostname()) return false;
  if (!isProcessAlive(h.pid)) return true;
  if (h.procStart === null) return false;
  const now = processStartTicks(h.pid);
  return now !== null && now !== h.procStart;
}

/**
 * Removes a stale lock unless it changed since we judged it. A second guard file makes
 * check-and-remove one step among breakers, so a breaker never removes a lock another
 * process has just taken. ok(true): removed (retry now); ok(false): someone else is on it.
 */
function breakStale(file: string, seen: SeenLock, shown: string): Result<boolean, string> {
  const guard = `${file}.break`;
  const guardMe = JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString(), procStart: processStartTicks(process.pid) });
  const created = createExclusive(guard, guardMe, shown);
  if (!created.ok) return created;
  if (!created.value) {
    // A breaker that died mid-break leaves its guard; clear it (a race here needs two crashes).
    const g = readLock(guard);
    if (g !== null && isStale(g)) unlinkQuietly(guard);
    return ok(false);
  }
  try {
    const now = readLock(file);
    if (now === null) return ok(true);
    if (now.ino !== seen.ino || now.raw !== seen.raw || now.mtimeMs !== seen.mtimeMs) return ok(true);
    try {
      unlinkSync(file);
    } catch (e) {
      if (errnoCode(e) !== "ENOENT") return err(describeFsError(e, "remove stale lock", shown));
    }
    return ok(true);
  } finally {
    unlinkQuietly(guard);
  }
}

function release(file: string, me: LockHolder): void {
  if (readLock(file)?.holder?.token === me.token) unlinkQuietly(file);
}

function busyMessage(shown: string, seen: SeenLock | null, timeoutMs: number): string {
  const waited = `waited ${Math.round(timeoutMs / 100) / 10} s`;
  const h = seen?.holder;
  if (!h) return `${shown} is held by another process (${waited}); if no lifecycle is running, delete the file`;
  return `${shown} is held by pid ${h.pid} on ${h.host} since ${h.started} (${waited}); if that process is not lifecycle, delete the file`;
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
