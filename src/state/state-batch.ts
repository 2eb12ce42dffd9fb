import { basename, dirname } from "node:path";
import { abandonReplace, completeReplace, prepareReplace, type Durability, type PendingReplace } from "./atomic-write.ts";
import { describeFsError, shownPath } from "./fs-error.ts";
import { lockFilePath, lockTempNames, releaseLock, tryLock, type HeldLock, type LockHolder } from "./lock.ts";
import { removeDeadHolders, type LockLinks } from "./lock-links.ts";
import { appendedContent, stateFilePath } from "./state-file.ts";
import type { CacheKeyEntry, RunRecord } from "./state-types.ts";
import { sweepTempFiles } from "./temp-files.ts";

/** One place's records and cache keys to append to its state file, in order. */
export interface PlaceSave {
  readonly dir: string;
  readonly records: readonly RunRecord[];
  readonly cacheKeys: readonly CacheKeyEntry[];
}

export interface BatchOptions {
  readonly historyLimit: number;
  readonly runId: string;
  /** Messages name files relative to this directory. */
  readonly rootDir: string;
  /** Locks are taken as hard links to this writer's holder file (see LockLinks); without it, as symlinks. */
  readonly lockLinks?: LockLinks;
}

/** What became of one place's save: on disk, not tried because another process holds the lock, or failed (the old file is intact). */
export type PlaceSaveResult =
  | { readonly kind: "saved"; readonly warnings: readonly string[] }
  | { readonly kind: "busy"; readonly holder: LockHolder | null }
  | { readonly kind: "failed"; readonly error: string; readonly warnings: readonly string[] };

interface Prepared {
  readonly index: number;
  readonly lock: HeldLock;
  readonly pending: PendingReplace;
  readonly warnings: readonly string[];
}

/**
 * Appends to several places' state files as one group, so their durability costs are paid once
 * per group rather than once per file: each place's lock is taken without waiting (a busy one is
 * left for a later batch), its state read and the new content written to a temp file; then all
 * temp files are made durable, renamed into place, and the renames made durable; then the locks
 * are released. Every file is still replaced atomically with its backup, as writeFileAtomic does.
 * Results come in the order of `saves`. A bug (an exception) releases every lock and propagates.
 */
export async function commitBatch(saves: readonly PlaceSave[], durability: Durability, options: BatchOptions): Promise<PlaceSaveResult[]> {
  const results: PlaceSaveResult[] = [];
  /** Temp files written and not yet renamed or removed. */
  const open = new Set<Prepared>();
  const prepared: Prepared[] = [];
  try {
    saves.forEach((save, index) => {
      const outcome = prepareSave(save, options);
      if ("kind" in outcome) {
        results[index] = outcome;
        return;
      }
      const p = { index, ...outcome };
      prepared.push(p);
      open.add(p);
    });
    const contents = await durability.contents(prepared.map((p) => p.pending.fd));
    const placed: Prepared[] = [];
    prepared.forEach((p, i) => {
      open.delete(p);
      const failure = contents[i];
      if (failure !== undefined) {
        abandonReplace(p.pending);
        results[p.index] = { kind: "failed", error: describeFsError(failure, "write", p.pending.shown), warnings: p.warnings };
        return;
      }
      const done = completeReplace(p.pending);
      results[p.index] = done.ok ? { kind: "saved", warnings: p.warnings } : { kind: "failed", error: done.error, warnings: p.warnings };
      if (done.ok) placed.push(p);
    });
    const renames = await durability.renames(placed.map((p) => dirname(p.pending.path)));
    placed.forEach((p, i) => {
      const failure = renames[i];
      if (failure !== undefined) results[p.index] = { kind: "failed", error: describeFsError(failure, "write", p.pending.shown), warnings: p.warnings };
    });
    return results;
  } finally {
    for (const p of open) abandonQuietly(p.pending); // only after a bug: the places stay as they were
    for (const p of prepared) releaseLock(p.lock);
  }
}

/** Lock, read, append, write the temp file: the place ready to complete, or why it is not (busy, failed). Whatever fails leaves the place as it was, its lock released. */
function prepareSave(save: PlaceSave, options: BatchOptions): Omit<Prepared, "index"> | PlaceSaveResult {
  const lockFile = lockFilePath(save.dir);
  const file = stateFilePath(save.dir);
  const attempt = tryLock(lockFile, shownPath(lockFile, options.rootDir), options.lockLinks);
  if (!attempt.ok) return { kind: "failed", error: attempt.error, warnings: [] };
  if ("busy" in attempt.value) return { kind: "busy", holder: attempt.value.busy };
  const lock = attempt.value.taken;
  try {
    // Temp files only exist while their writer holds the lock, so leftovers mean a writer died holding it:
    // the directory is scanned only then, not once per place (a dead writer's holder file may be here too).
    if (lock.tookOver) {
      sweepTempFiles(dirname(file), [basename(file), ...lockTempNames()]);
      removeDeadHolders(dirname(file), lock.holder.host);
    }
    const { data, warnings } = appendedContent(save.dir, save.records, save.cacheKeys, { historyLimit: options.historyLimit, runId: options.runId, rootDir: options.rootDir });
    const pending = prepareReplace(file, data, { shownPath: shownPath(file, options.rootDir), sweep: false, reuseBackup: true });
    if (!pending.ok) {
      releaseLock(lock);
      return { kind: "failed", error: pending.error, warnings };
    }
    return { lock, pending: pending.value, warnings };
  } catch (bug) {
    releaseLock(lock);
    throw bug;
  }
}

function abandonQuietly(pending: PendingReplace): void {
  try {
    abandonReplace(pending);
  } catch {
    // the temp file is swept by a later process
  }
}
