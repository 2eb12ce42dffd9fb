import { closeSync, lstatSync, openSync, readFileSync, readlinkSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { err, ok, type Result } from "../shared/result.ts";
import { describeFsError, errnoCode, shownPath } from "./fs-error.ts";
import { encodeHolder, parseHolder, type LockHolder } from "./lock-holder.ts";
import { isProcessAlive, processStartTicks } from "./process-identity.ts";
import type { LockLinks } from "./lock-links.ts";
import { unlinkQuietly, withParentDirectory } from "./temp-files.ts";
import { randomHex } from "../runtime/hashing.ts";

export type { LockHolder } from "./lock-holder.ts";

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

/** Names whose temp files (`.<name>.<tag>.tmp`, left by versions that wrote locks through a temp file) are swept with the directory's others. */
export function lockTempNames(name = DEFAULT_NAME): readonly string[] {
  return [name, `${name}.break`];
}

/**
 * Runs fn while holding the exclusive lock `<dir>/.ggen/<name>` (see createExclusive). A lock whose
 * holder is gone (same host, pid dead or reused) is taken over; a live holder is waited for with
 * async backoff up to timeoutMs, then an error names it. Serialises callers within this process
 * too. Not re-entrant: calling withLock on the same lock from inside fn waits forever.
 * Waiting never blocks the thread; each attempt is a few quick synchronous calls.
 * fn's exceptions propagate after the lock is released.
 */
export async function withLock<T>(dir: string, fn: () => T | Promise<T>, options: LockOptions = {}): Promise<Result<T, string>> {
  const file = lockFilePath(dir, options.name);
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
      releaseLock(acquired.value);
    }
  } finally {
    done();
    if (queues.get(file) === tail) queues.delete(file);
  }
}

/** `<dir>/.ggen/<name>`. */
export function lockFilePath(dir: string, name = DEFAULT_NAME): string {
  return join(dir, ".ggen", name);
}

/** A lock this thread holds: release it with releaseLock. */
export interface HeldLock {
  readonly file: string;
  readonly holder: LockHolder;
  /** Taken over from a holder that died: whatever it was writing may have left temp files. */
  readonly tookOver: boolean;
  /** Taken as a hard link to a holder file (LockLinks): the inode that makes it ours. */
  readonly linkedIno?: number;
}

/** What one attempt found: the lock taken, or a live holder (null when its content could not be read). */
export type LockAttempt = { readonly taken: HeldLock } | { readonly busy: LockHolder | null };

/**
 * One attempt at the lock, without waiting: takes it, or takes it over from a stale holder, or
 * reports the live holder. Synchronous (a few file calls), for callers that batch many places
 * and retry busy ones later. Does not serialise callers within this process (withLock does).
 * With `links`, the lock is a hard link to the writer's holder file where the file system allows.
 */
export function tryLock(file: string, shown: string, links?: LockLinks): Result<LockAttempt, string> {
  const me = links?.holder ?? newHolder();
  // Two rounds: the second follows the removal of a stale lock.
  for (let round = 0; round < 2; round++) {
    const created = links === undefined ? createExclusive(file, me, shown) : createLinked(file, links, shown);
    if (!created.ok) return created;
    if (created.value !== false) return ok({ taken: { file, holder: me, tookOver: round > 0, ...(created.value === true ? {} : { linkedIno: created.value.ino }) } });
    const seen = readLock(file);
    if (seen === null || !isStale(seen)) return ok({ busy: seen?.holder ?? null });
    const broken = breakStale(file, seen, shown);
    if (!broken.ok) return broken;
    if (!broken.value) return ok({ busy: seen.holder });
  }
  return ok({ busy: null });
}

/** This thread as a lock holder, with a token of its own. */
export function newHolder(): LockHolder {
  const { host, procStart } = selfIdentity();
  return { pid: process.pid, host, started: new Date().toISOString(), procStart, token: randomHex(4) };
}

/**
 * Removes the lock if it is still ours, since a lock deleted by hand may have been taken by another
 * process since: checked by inode for a linked lock, by token otherwise.
 */
export function releaseLock(lock: HeldLock): void {
  if (lock.linkedIno !== undefined) {
    if (inodeOf(lock.file) === lock.linkedIno) unlinkQuietly(lock.file);
    return;
  }
  const raw = lockContent(lock.file);
  if (raw !== null && parseHolder(raw)?.token === lock.holder.token) unlinkQuietly(lock.file);
}

function inodeOf(file: string): number | null {
  try {
    return lstatSync(file).ino;
  } catch {
    return null;
  }
}

/** createExclusive through a hard link to the writer's holder file; a file system without hard links gets the symlink. */
function createLinked(file: string, links: LockLinks, shown: string): Result<{ readonly ino: number } | boolean, string> {
  try {
    const linked = links.link(file);
    if (linked === "unsupported") return createExclusive(file, links.holder, shown);
    return ok(linked === "exists" ? false : linked);
  } catch (e) {
    return err(describeFsError(e, "write", shown));
  }
}

/** Who holds the lock at `file` (a symlink, or a lock file of an older version); null when it is gone or damaged. For `doctor`. */
export function readLockHolder(file: string): LockHolder | null {
  const raw = lockContent(file);
  return raw === null ? null : parseHolder(raw);
}

/** The message for a lock still held by someone else after waiting `timeoutMs`. */
export function busyMessage(shown: string, holder: LockHolder | null, timeoutMs: number): string {
  const waited = `waited ${Math.round(timeoutMs / 100) / 10} s`;
  if (!holder) return `${shown} is held by another process (${waited}); if no lifecycle is running, delete the file`;
  return `${shown} is held by pid ${holder.pid} on ${holder.host} since ${holder.started} (${waited}); if that process is not lifecycle, delete the file`;
}

/** Default wait for another process's lock. */
export const DEFAULT_LOCK_TIMEOUT_MS = DEFAULT_TIMEOUT_MS;

/** The next wait between attempts: doubling from 2 ms up to MAX_BACKOFF_MS (callers add jitter so waiters do not retry in step). */
export function nextBackoffMs(previousMs: number): number {
  return Math.min(previousMs * 2, MAX_BACKOFF_MS);
}

async function acquire(file: string, shown: string, timeoutMs: number): Promise<Result<HeldLock, string>> {
  const deadline = Date.now() + timeoutMs;
  let backoffMs = 2;
  for (;;) {
    const attempt = tryLock(file, shown);
    if (!attempt.ok) return attempt;
    if ("taken" in attempt.value) return ok(attempt.value.taken);
    const leftMs = deadline - Date.now();
    if (leftMs <= 0) return err(busyMessage(shown, attempt.value.busy, timeoutMs));
    await sleep(Math.min(leftMs, backoffMs * (0.5 + Math.random())));
    backoffMs = nextBackoffMs(backoffMs);
  }
}

/**
 * true: created, saying who holds it; false: it already exists; err: the file system refused. The
 * lock is a symlink whose target names the holder (see encodeHolder): created in one call, read in
 * one, never seen without its holder, and without a data block to allocate or free. Where symlinks
 * are not supported, a file with the holder as JSON (an exclusive create and one write: a reader
 * may see it empty for that moment, which counts as a live holder until UNREADABLE_LOCK_GRACE_MS).
 * No fsync: a lock only matters while its holder lives; whatever a power cut leaves of it is stale.
 */
function createExclusive(file: string, holder: LockHolder, shown: string): Result<boolean, string> {
  try {
    withParentDirectory(file, () => symlinkSync(encodeHolder(holder), file));
    return ok(true);
  } catch (e) {
    const code = errnoCode(e);
    if (code === "EEXIST") return ok(false);
    if (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP" || code === "ENOSYS") return createLockFile(file, JSON.stringify(holder), shown);
    return err(describeFsError(e, "write", shown));
  }
}

function createLockFile(file: string, content: string, shown: string): Result<boolean, string> {
  let fd: number;
  try {
    fd = withParentDirectory(file, () => openSync(file, "wx", 0o644));
  } catch (e) {
    if (errnoCode(e) === "EEXIST") return ok(false);
    return err(describeFsError(e, "write", shown));
  }
  try {
    writeFileSync(fd, content);
    return ok(true);
  } catch (e) {
    unlinkQuietly(file); // a partly written lock (ENOSPC) is ours to remove
    return err(describeFsError(e, "write", shown));
  } finally {
    closeSync(fd);
  }
}

/** What the lock says: a symlink's target, or a lock file's content (older versions, no symlinks); null when it is gone or unreadable. */
function lockContent(file: string): string | null {
  try {
    return readlinkSync(file);
  } catch (e) {
    if (errnoCode(e) !== "EINVAL") return null; // gone, or unreadable
  }
  try {
    return readFileSync(file, "utf8");
  } catch {
    return null;
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
  let stat;
  try {
    stat = lstatSync(file);
  } catch {
    return null;
  }
  // Read after the stat: if the lock changed in between, breakStale sees a different inode or content and retries.
  const raw = lockContent(file);
  return raw === null ? null : { raw, ino: stat.ino, mtimeMs: stat.mtimeMs, holder: parseHolder(raw) };
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
function breakStale(file: string, seen: SeenLock, shown: string): Result<boolean, string> {
  const guard = `${file}.break`;
  const created = createExclusive(guard, newHolder(), shown);
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

