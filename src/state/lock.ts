import { link, open, readFile, unlink, type FileHandle } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { err, ok, type Result } from "../shared/result.ts";
import { describeFsError, errnoCode, shownPath } from "./fs-error.ts";
import { isProcessAlive, processStartTicks } from "./process-identity.ts";
import { sweepTempFilesOnce, tempTag, writeNewFile } from "./temp-files.ts";

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

const DEFAULT_NAME = "state.lock";
const DEFAULT_TIMEOUT_MS = 10_000;
/** A lock with unreadable content this old is damaged (or its holder died between create and write on a file system without hard links). */
const UNREADABLE_LOCK_GRACE_MS = 5_000;
const MAX_BACKOFF_MS = 50;

/** In-process waiters queue per lock file, so concurrent callers in one process never see themselves as a holder. */
const queues = new Map<string, Promise<void>>();

/** This process as a holder: host and start time do not change while it lives, so they are read once. */
let self: { readonly host: string; readonly procStart: number | null } | undefined;
function selfIdentity(): { readonly host: string; readonly procStart: number | null } {
  return (self ??= { host: hostname(), procStart: processStartTicks(process.pid) });
}

/** Names of the lock's own temp files (`.<name>.<tag>.tmp`), for sweeping them with other temp files of the directory. */
export function lockTempNames(name = DEFAULT_NAME): readonly string[] {
  return [name, `${name}.break`];
}

/**
 * Runs fn while holding the exclusive lock `<dir>/.ggen/<name>` (exclusive create). A lock whose
 * holder is gone (same host, pid dead or reused) is taken over; a live holder is waited for with
 * async backoff up to timeoutMs, then an error names it. Serialises callers within this process
 * too. Not re-entrant: calling withLock on the same lock from inside fn waits forever.
 * All file work is asynchronous (node:fs/promises): waiting for a lock never blocks the thread.
 * fn's exceptions propagate after the lock is released.
 */
export async function withLock<T>(dir: string, fn: () => T | Promise<T>, options: LockOptions = {}): Promise<Result<T, string>> {
  const file = join(dir, ".ggen", options.name ?? DEFAULT_NAME);
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
      await Promise.all([release(file, acquired.value.holder), acquired.value.tempRemoved]);
    }
  } finally {
    done();
    if (queues.get(file) === tail) queues.delete(file);
  }
}

/** The lock taken, and the removal of its temp file, which runs while the lock is held. */
interface Acquired {
  readonly holder: LockHolder;
  readonly tempRemoved: Promise<void>;
}

async function acquire(file: string, shown: string, timeoutMs: number): Promise<Result<Acquired, string>> {
  await sweepTempFilesOnce(dirname(file), lockTempNames(basename(file)));
  const { host, procStart } = selfIdentity();
  const me: LockHolder = { pid: process.pid, host, started: new Date().toISOString(), procStart, token: randomBytes(8).toString("hex") };
  const deadline = Date.now() + timeoutMs;
  let backoffMs = 2;
  for (;;) {
    const created = await createExclusive(file, JSON.stringify(me), shown);
    if (!created.ok) return created;
    if (created.value) return ok({ holder: me, tempRemoved: created.value.tempRemoved });
    const seen = await readLock(file);
    if (seen !== null && isStale(seen)) {
      const broken = await breakStale(file, seen, shown);
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
 * ok({tempRemoved}): created with its content; ok(false): it already exists; err: the file
 * system refused. The content is written to a temp file first and hard-linked into place (link
 * fails with EEXIST like O_EXCL), so no one ever sees a lock without its holder. The temp file
 * is removed in the background (`tempRemoved`; the caller awaits it before it is done). Where
 * hard links are not supported, falls back to open("wx") and a write.
 */
async function createExclusive(file: string, content: string, shown: string): Promise<Result<false | { tempRemoved: Promise<void> }, string>> {
  const temp = join(dirname(file), `.${basename(file)}.${tempTag()}.tmp`);
  try {
    // No fsync: a lock only matters while its holder lives, and whatever a power cut leaves of it
    // (nothing, an empty file, or a holder that is no longer running) is judged stale.
    await writeNewFile(temp, content, false);
  } catch (e) {
    await unlink(temp).catch(() => {}); // a partly written temp (ENOSPC); the name is ours alone
    return err(describeFsError(e, "write", shown));
  }
  // One that cannot be removed is swept by a later process.
  const removeTemp = () => unlink(temp).catch(() => {});
  try {
    await link(temp, file);
  } catch (e) {
    await removeTemp();
    const code = errnoCode(e);
    if (code === "EEXIST") return ok(false);
    if (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP" || code === "EMLINK") return await createWithOpen(file, content, shown);
    return err(describeFsError(e, "write", shown));
  }
  return ok({ tempRemoved: removeTemp() });
}

async function createWithOpen(file: string, content: string, shown: string): Promise<Result<false | { tempRemoved: Promise<void> }, string>> {
  let handle: FileHandle;
  try {
    handle = await open(file, "wx", 0o644);
  } catch (e) {
    if (errnoCode(e) === "EEXIST") return ok(false);
    return err(describeFsError(e, "write", shown));
  }
  try {
    await handle.writeFile(content);
    await handle.close();
    return ok({ tempRemoved: Promise.resolve() });
  } catch (e) {
    await handle.close().catch(() => {});
    await unlink(file).catch(() => {});
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

async function readLock(file: string): Promise<SeenLock | null> {
  let handle: FileHandle;
  try {
    handle = await open(file, "r");
  } catch {
    return null;
  }
  try {
    const stat = await handle.stat();
    const raw = await handle.readFile({ encoding: "utf8" });
    return { raw, ino: stat.ino, mtimeMs: stat.mtimeMs, holder: parseHolder(raw) };
  } catch {
    return null;
  } finally {
    await handle.close().catch(() => {});
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
  if (h.host !== selfIdentity().host) return false;
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
async function breakStale(file: string, seen: SeenLock, shown: string): Promise<Result<boolean, string>> {
  const guard = `${file}.break`;
  const { host, procStart } = selfIdentity();
  const created = await createExclusive(guard, JSON.stringify({ pid: process.pid, host, started: new Date().toISOString(), procStart }), shown);
  if (!created.ok) return created;
  if (!created.value) {
    // A breaker that died mid-break leaves its guard; clear it (a race here needs two crashes).
    const g = await readLock(guard);
    if (g !== null && isStale(g)) await unlink(guard).catch(() => {});
    return ok(false);
  }
  try {
    const now = await readLock(file);
    if (now === null) return ok(true);
    if (now.ino !== seen.ino || now.raw !== seen.raw || now.mtimeMs !== seen.mtimeMs) return ok(true);
    try {
      await unlink(file);
    } catch (e) {
      if (errnoCode(e) !== "ENOENT") return err(describeFsError(e, "remove stale lock", shown));
    }
    return ok(true);
  } finally {
    await Promise.all([unlink(guard).catch(() => {}), created.value.tempRemoved]);
  }
}

/** Removes the lock if it is still ours: checked by token, since a lock deleted by hand may have been taken by another process since. */
async function release(file: string, me: LockHolder): Promise<void> {
  let raw: string;
  try {
    raw = await readFile(file, "utf8");
  } catch {
    return; // gone: nothing of ours to remove
  }
  if (parseHolder(raw)?.token === me.token) await unlink(file).catch(() => {});
}

function busyMessage(shown: string, seen: SeenLock | null, timeoutMs: number): string {
  const waited = `waited ${Math.round(timeoutMs / 100) / 10} s`;
  const h = seen?.holder;
  if (!h) return `${shown} is held by another process (${waited}); if no lifecycle is running, delete the file`;
  return `${shown} is held by pid ${h.pid} on ${h.host} since ${h.started} (${waited}); if that process is not lifecycle, delete the file`;
}
