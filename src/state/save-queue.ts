import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Durability } from "./atomic-write.ts";
import { busyMessage, DEFAULT_LOCK_TIMEOUT_MS, lockFilePath, newHolder, nextBackoffMs } from "./lock.ts";
import { LockLinks } from "./lock-links.ts";
import { shownPath } from "./fs-error.ts";
import { commitBatch, type PlaceSave } from "./state-batch.ts";
import type { CacheKeyEntry, RunRecord } from "./state-types.ts";

export interface SaveQueueOptions {
  readonly runId: string;
  readonly historyLimit: number;
  readonly rootDir: string;
  readonly durability: Durability;
  /** Places saved together at most: bounds open files, and the time one batch's synchronous steps take. */
  readonly maxBatchPlaces: number;
  /**
   * How long a batch waits for more places to finish before it starts (default 0): each batch pays a
   * fixed durability cost (a syncfs), so gathering trades that much delay before a record is on disk
   * for fewer, larger batches. flush() cuts the wait short.
   */
  readonly gatherMs?: number;
  /** A gathering wait ends early once this many places wait (default: maxBatchPlaces). */
  readonly gatherPlaces?: number;
  /** How long a place whose lock another process holds is retried (default 10 s). */
  readonly lockTimeoutMs?: number;
  readonly onError: (message: string) => void;
  readonly onWarning: (message: string) => void;
}

/** One place's records that are not on disk yet, and how long its lock has been busy. */
interface PlaceQueue {
  readonly dir: string;
  readonly records: RunRecord[];
  readonly cacheKeys: CacheKeyEntry[];
  retryAtMs: number;
  busySinceMs: number | undefined;
  backoffMs: number;
}

/**
 * Records waiting for their places' state files, saved in batches (commitBatch): every place with
 * records when a batch starts goes into it, up to maxBatchPlaces, and whatever arrives during a
 * batch goes into the next one, in the order it was added. A place whose lock another process
 * holds is retried with backoff until the lock timeout, then reported. add() never blocks:
 * batches start on a later turn of the event loop.
 */
export class SaveQueue {
  private readonly places = new Map<string, PlaceQueue>();
  private cycle: Promise<void> | undefined;
  /** A bug (not a file-system error) thrown by a batch: rethrown by flush(). */
  private bug: { readonly error: unknown } | undefined;
  /** Ends the current gathering wait at once (set while one is under way). */
  private wake: (() => void) | undefined;
  private flushing = false;
  /** Places of the batch being written. */
  private readonly inFlight = new Set<string>();
  /** One holder file for all of this queue's locks (in the root's .ggen), removed whenever the queue is flushed. */
  private readonly lockLinks: LockLinks;

  constructor(private readonly options: SaveQueueOptions) {
    this.lockLinks = new LockLinks(newHolder(), join(options.rootDir, ".ggen"));
  }

  /** Queues one record (and the cache key a success records) for the place at `dir`. */
  add(dir: string, record: RunRecord, cacheKey: CacheKeyEntry | undefined): void {
    let place = this.places.get(dir);
    if (place === undefined) {
      place = { dir, records: [], cacheKeys: [], retryAtMs: 0, busySinceMs: undefined, backoffMs: 2 };
      this.places.set(dir, place);
    }
    place.records.push(record);
    if (cacheKey !== undefined) place.cacheKeys.push(cacheKey);
    if (this.places.size >= this.gatherPlaces()) this.wake?.(); // enough for a batch: no need to wait longer
    this.cycle ??= this.drain();
  }

  /** Queues a place's records and cache keys, in order, as add() would one by one. */
  addPlace(place: PlaceSave): void {
    for (const record of place.records) this.add(place.dir, record, undefined);
    this.places.get(place.dir)?.cacheKeys.push(...place.cacheKeys); // saved with the records, in one write
  }

  /**
   * Removes the later half of the places waiting to be saved and returns their records, for another
   * thread to save: places in the batch being written or waiting for another process's lock stay.
   * Who takes them must also take every later record of those places, to keep their order.
   */
  handOver(): PlaceSave[] {
    const free = [...this.places.values()].filter((place) => place.records.length > 0 && !this.inFlight.has(place.dir) && place.busySinceMs === undefined);
    const handed = free.slice(Math.ceil(free.length / 2));
    for (const place of handed) this.places.delete(place.dir);
    return handed.map((place) => ({ dir: place.dir, records: place.records, cacheKeys: place.cacheKeys }));
  }

  /** Resolves when every record added so far is on disk (or reported as failed); rethrows a bug a batch hit. */
  async flush(): Promise<void> {
    this.flushing = true;
    try {
      this.wake?.();
      while (this.cycle !== undefined) await this.cycle;
      this.lockLinks.close(); // no lock is held between cycles
    } finally {
      this.flushing = false;
    }
    if (this.bug) throw this.bug.error;
  }

  /** Saves batch after batch until nothing is left. Never rejects. */
  private async drain(): Promise<void> {
    try {
      await sleep(0); // let records that end together join the first batch
      while (this.places.size > 0) {
        await this.gather();
        const ready = this.readyPlaces();
        if (ready.length === 0) {
          await sleep(Math.max(1, this.earliestRetryMs() - Date.now()));
          continue;
        }
        await this.saveBatch(ready);
        // A batch that durably saved in one go never yielded: let waiting events in (new records, a flush's hand-over request).
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      this.bug ??= { error };
      this.places.clear(); // a batch that hit a bug: flush reports it instead of saving the rest
    } finally {
      this.cycle = undefined;
    }
  }

  /** Waits gatherMs for more places to join the batch, unless it is full already or a flush is waiting for it. */
  private async gather(): Promise<void> {
    const gatherMs = this.options.gatherMs ?? 0;
    if (gatherMs <= 0 || this.flushing || this.places.size >= this.gatherPlaces()) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, gatherMs);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }

  private gatherPlaces(): number {
    return Math.min(this.options.gatherPlaces ?? this.options.maxBatchPlaces, this.options.maxBatchPlaces);
  }

  private readyPlaces(): PlaceQueue[] {
    const now = Date.now();
    const ready: PlaceQueue[] = [];
    for (const place of this.places.values()) {
      if (place.retryAtMs > now) continue;
      ready.push(place);
      if (ready.length === this.options.maxBatchPlaces) break;
    }
    return ready;
  }

  private earliestRetryMs(): number {
    let earliest = Number.POSITIVE_INFINITY;
    for (const place of this.places.values()) earliest = Math.min(earliest, place.retryAtMs);
    return earliest;
  }

  private async saveBatch(ready: readonly PlaceQueue[]): Promise<void> {
    // Taken only now: whatever arrived while waiting goes into this save.
    const saves: PlaceSave[] = ready.map((place) => ({ dir: place.dir, records: place.records.splice(0), cacheKeys: place.cacheKeys.splice(0) }));
    for (const save of saves) this.inFlight.add(save.dir);
    let results;
    try {
      results = await commitBatch(saves, this.options.durability, { ...this.options, lockLinks: this.lockLinks });
    } finally {
      this.inFlight.clear();
    }
    results.forEach((result, i) => {
      const place = ready[i]!;
      const save = saves[i]!;
      if (result.kind === "busy") {
        this.retryLater(place, save, result.holder);
        return;
      }
      for (const warning of result.warnings) this.options.onWarning(warning);
      if (result.kind === "failed") this.options.onError(result.error);
      place.busySinceMs = undefined;
      place.backoffMs = 2;
      if (place.records.length === 0) this.places.delete(place.dir);
    });
  }

  /** Puts the save back in front of what arrived since, or gives up once the lock timeout has passed. */
  private retryLater(place: PlaceQueue, save: PlaceSave, holder: Parameters<typeof busyMessage>[1]): void {
    const now = Date.now();
    const timeoutMs = this.options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    place.busySinceMs ??= now;
    if (now - place.busySinceMs >= timeoutMs) {
      const lockFile = lockFilePath(place.dir);
      this.options.onError(busyMessage(shownPath(lockFile, this.options.rootDir), holder, timeoutMs));
      if (place.records.length === 0) this.places.delete(place.dir);
      else place.busySinceMs = undefined; // what arrived since gets its own wait
      return;
    }
    place.records.unshift(...save.records);
    place.cacheKeys.unshift(...save.cacheKeys);
    place.retryAtMs = now + place.backoffMs * (0.5 + Math.random());
    place.backoffMs = nextBackoffMs(place.backoffMs);
  }
}
