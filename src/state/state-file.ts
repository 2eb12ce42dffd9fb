import { existsSync, readdirSync, renameSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { err, ok, type Result } from "../shared/result.ts";
import { appendInPlace } from "./append-in-place.ts";
import { appendRuns, pruneRuns, type AppendOptions } from "./append-runs.ts";
import { writeFileAtomic } from "./atomic-write.ts";
import { describeFsError, errnoCode, shownPath } from "./fs-error.ts";
import { lockTempNames, withLock } from "./lock.ts";
import { readStateFile } from "./read-state.ts";
import { readStateBytes } from "./state-layout.ts";
import { sweepTempFilesOnceSync, unlinkQuietly } from "./temp-files.ts";
import { serializeState } from "./serialize-state.ts";
import { emptyState, type CacheKeyEntry, type RunRecord, type StateFile } from "./state-types.ts";
import { removeDeadHolders } from "./lock-links.ts";

export interface StateOptions {
  /** Messages name files relative to this directory (default: the place directory). */
  readonly rootDir?: string;
  /** How long to wait for another process's lock (default 10 s). */
  readonly lockTimeoutMs?: number;
}

export interface RecordOptions extends StateOptions {
  readonly historyLimit: number;
  readonly runId: string;
}

export interface LoadedState {
  readonly state: StateFile;
  /** Recoveries that happened (empty or corrupt file, backup used), ready to print. */
  readonly warnings: readonly string[];
}

/** Corrupt copies kept per state file; older ones are deleted. */
const CORRUPT_COPIES_KEPT = 5;

/** `<dir>/.ggen/state.json`. */
export function stateFilePath(dir: string): string {
  return join(dir, ".ggen", "state.json");
}

/**
 * The state of the place at `dir`. Missing file: empty state. Empty file: removed, backup used
 * if valid, else empty state; with a warning. Corrupt or wrong-shaped file: moved aside to
 * `state.json.corrupt-<ms>`, `state.json.bak` used if valid, with a warning. Never throws for
 * bad content. Without the lock a concurrent writer may replace the file meanwhile; the move
 * aside is skipped then (the file changed), so a good file is never moved. A few quick
 * synchronous calls (no fsync).
 */
export function loadStateSync(dir: string, options: StateOptions = {}): LoadedState {
  const file = stateFilePath(dir);
  const shown = shownPath(file, options.rootDir ?? dir);
  const primary = readStateFile(file);
  if (primary.kind === "missing") return { state: emptyState(), warnings: [] };
  if (primary.kind === "valid") return { state: primary.state, warnings: [] };
  const warnings: string[] = [];
  if (primary.kind === "empty") {
    if (sameFile(file, primary.ino)) unlinkQuietly(file);
    warnings.push(`${shown} was empty`);
  } else {
    const aside = sameFile(file, primary.ino) ? moveAside(file) : null;
    const where = aside === null ? "left in place" : `moved to ${shownPath(aside, options.rootDir ?? dir)}`;
    warnings.push(`${shown} is corrupt (${primary.reason}); ${where}`);
  }
  const backup = readStateFile(`${file}.bak`);
  if (backup.kind === "valid") {
    warnings.push(`using the backup ${shown}.bak (${backup.state.phase_history.length} history entries)`);
    return { state: backup.state, warnings };
  }
  warnings.push(backup.kind === "damaged" ? `the backup ${shown}.bak is unusable too (${backup.reason}); starting with an empty state` : "starting with an empty state");
  return { state: emptyState(), warnings };
}

/** loadStateSync for async callers. */
export async function loadState(dir: string, options: StateOptions = {}): Promise<LoadedState> {
  return loadStateSync(dir, options);
}

/**
 * Appends one run's records and cache keys under the place's lock (read-modify-write, so
 * concurrent processes never lose a record) and writes atomically. See appendRuns for how
 * last_phase and the bounds behave. err: the lock or the write failed (the previous file is intact).
 */
export async function recordTasks(
  dir: string,
  records: readonly RunRecord[],
  cacheKeys: readonly CacheKeyEntry[],
  options: RecordOptions,
): Promise<Result<{ warnings: readonly string[] }, string>> {
  return update(dir, options, () => appendedContent(dir, records, cacheKeys, options));
}

/** A place's state file's next content, and the warnings loading the current one gave. */
export interface NextContent {
  readonly data: string | Uint8Array;
  readonly warnings: readonly string[];
}

/**
 * What the place's state file holds once the records are appended, for a caller holding its lock: spliced
 * from the file's bytes when they are exactly as a save left them (appendInPlace), else loaded (which also
 * deals with a missing or damaged file) and serialised.
 */
export function appendedContent(dir: string, records: readonly RunRecord[], cacheKeys: readonly CacheKeyEntry[], options: AppendOptions & StateOptions): NextContent {
  const inPlace = appendedBytes(stateFilePath(dir), records, cacheKeys, options);
  if (inPlace !== null) return { data: inPlace, warnings: [] };
  const loaded = loadStateSync(dir, options);
  return { data: serializeState(appendRuns(loaded.state, records, cacheKeys, options)), warnings: loaded.warnings };
}

function appendedBytes(file: string, records: readonly RunRecord[], cacheKeys: readonly CacheKeyEntry[], options: AppendOptions): Uint8Array | null {
  const bytes = readStateBytes(file);
  return bytes === null ? null : appendInPlace(bytes, records, cacheKeys, options);
}

/** Keeps only the newest `keep` history entries. */
export async function pruneState(dir: string, keep: number, options: StateOptions = {}): Promise<Result<{ removed: number; warnings: readonly string[] }, string>> {
  let removed = 0;
  const r = await update(dir, options, () => {
    const loaded = loadStateSync(dir, options);
    const next = pruneRuns(loaded.state, keep);
    removed = loaded.state.phase_history.length - next.phase_history.length;
    return { data: serializeState(next), warnings: loaded.warnings };
  });
  return r.ok ? ok({ removed, warnings: r.value.warnings }) : r;
}

/** Removes state.json; its content becomes state.json.bak, so a reset can be undone once. */
export async function resetState(dir: string, options: StateOptions = {}): Promise<Result<{ existed: boolean }, string>> {
  const file = stateFilePath(dir);
  const shown = shownPath(file, options.rootDir ?? dir);
  const locked = await withLock(dir, async (): Promise<Result<{ existed: boolean }, string>> => {
    loadStateSync(dir, options); // moves a corrupt file aside instead of making it the backup
    try {
      renameSync(file, `${file}.bak`);
      return ok({ existed: true });
    } catch (e) {
      if (errnoCode(e) === "ENOENT") return ok({ existed: false });
      return err(describeFsError(e, "reset", shown));
    }
  }, lockOptions(dir, options));
  return locked.ok ? locked.value : locked;
}

/** For `state show` and `list`: the state as loading would see it, without moving or locking anything. */
export function readStateForDisplay(dir: string, options: StateOptions = {}): LoadedState & { readonly source: "state" | "backup" | "none" } {
  const file = stateFilePath(dir);
  const shown = shownPath(file, options.rootDir ?? dir);
  const primary = readStateFile(file);
  if (primary.kind === "valid") return { state: primary.state, warnings: [], source: "state" };
  if (primary.kind === "missing") return { state: emptyState(), warnings: [], source: "none" };
  const problem = primary.kind === "empty" ? `${shown} is empty` : `${shown} is corrupt (${primary.reason})`;
  const backup = readStateFile(`${file}.bak`);
  if (backup.kind === "valid") return { state: backup.state, warnings: [`${problem}; showing the backup ${shown}.bak`], source: "backup" };
  return { state: emptyState(), warnings: [problem], source: "none" };
}

/** Replaces the place's state file, under its lock, with what `next` makes of it. */
async function update(dir: string, options: StateOptions, next: () => NextContent): Promise<Result<{ warnings: readonly string[] }, string>> {
  const file = stateFilePath(dir);
  // One directory scan per place per process sweeps what crashed writers left, lock temps included.
  sweepTempFilesOnceSync(dirname(file), [basename(file), ...lockTempNames()]);
  removeDeadHoldersOnce(dirname(file));
  const locked = await withLock(dir, async (): Promise<Result<{ warnings: readonly string[] }, string>> => {
    const { data, warnings } = next();
    const written = await writeFileAtomic(file, data, { shownPath: shownPath(file, options.rootDir ?? dir), reuseBackup: true });
    return written.ok ? ok({ warnings }) : written;
  }, lockOptions(dir, options));
  return locked.ok ? locked.value : locked;
}

/** Directories whose leftover lock holder files this process has removed already. */
const holdersSwept = new Set<string>();

/** A run killed while saving leaves the holder file its locks linked to: removed here once per directory per process. */
function removeDeadHoldersOnce(dir: string): void {
  if (holdersSwept.has(dir)) return;
  holdersSwept.add(dir);
  removeDeadHolders(dir, hostname());
}

function lockOptions(dir: string, options: StateOptions) {
  return { rootDir: options.rootDir ?? dir, ...(options.lockTimeoutMs !== undefined ? { timeoutMs: options.lockTimeoutMs } : {}) };
}

function sameFile(file: string, ino: number | null): boolean {
  if (ino === null) return true; // unreadable: nothing else could have been read either
  try {
    return statSync(file).ino === ino;
  } catch {
    return false;
  }
}

/** Renames a damaged file to `<file>.corrupt-<ms>` and keeps the newest few such copies. null if it could not be moved. */
function moveAside(file: string): string | null {
  let target = `${file}.corrupt-${Date.now()}`;
  for (let n = 1; existsSync(target); n++) target = `${file}.corrupt-${Date.now()}-${n}`;
  try {
    renameSync(file, target);
  } catch {
    return null;
  }
  pruneCorruptCopies(file);
  return target;
}

function pruneCorruptCopies(file: string): void {
  const prefix = `${basename(file)}.corrupt-`;
  try {
    const copies = readdirSync(dirname(file))
      .filter((name) => name.startsWith(prefix))
      .map((name) => ({ name, ms: Number.parseInt(name.slice(prefix.length), 10) }))
      .sort((a, b) => b.ms - a.ms || b.name.localeCompare(a.name));
    for (const old of copies.slice(CORRUPT_COPIES_KEPT)) unlinkQuietly(join(dirname(file), old.name));
  } catch {
    // keeping extra copies is harmless
  }
}

