/// <reference types="bun-types" />
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { TaskOutcome } from "../execute/outcome.ts";
import type { Task } from "../plan/task.ts";
import type { RunStateRecorder, StateRecorderOptions } from "./state-recorder.ts";
import { stateEntryOf } from "./state-recorder.ts";
import type { PlaceSave } from "./state-batch.ts";
import type { FromStateWriter, RecordEntry, ToStateWriter } from "./state-writer-messages.ts";
import { SaveQueue } from "./save-queue.ts";
import { batchDurability } from "./syncfs-durability.ts";

/**
 * A RunStateRecorder whose saves run on a thread of its own (state-writer-worker.ts): record() only
 * queues the record (sent to the writer within POST_INTERVAL_MS, in one message with the others), and
 * the writer commits whatever has arrived in batches. For runs with many places, where one batch with
 * one syncfs replaces an fsync pair per state file. Records reach the thread in order, so each place's
 * are saved in order. The thread never keeps the process alive, except while a flush is waiting for it.
 * One thread, not one per core: a second one cost more CPU than it saved (its own start, JIT warm-up
 * and message traffic: 1.0-1.4 ms of CPU per place with two against 0.6-0.8 ms with one, at 500 places),
 * and the machine's cores are the commands'.
 */
export class ThreadStateRecorder implements RunStateRecorder {
  private readonly writer: StateWriterThread;
  /** Places whose saving this thread took over at a flush: their later records stay here too, to keep their order. */
  private helper: { readonly queue: SaveQueue; readonly dirs: Set<string> } | undefined;
  /** Records made while a flush waits for the writer's hand-over: routed once it is known which places it handed. */
  private held: RecordEntry[] | undefined;

  constructor(private readonly options: StateRecorderOptions) {
    this.writer = new StateWriterThread(options);
  }

  record(task: Task, outcome: TaskOutcome, cacheKey?: string): void {
    const entry = stateEntryOf(task, outcome, this.options.runId, cacheKey);
    if (entry === null) return;
    const record = { dir: task.place.dir, record: entry.record, cacheKey: entry.cacheKey };
    if (this.held !== undefined) this.held.push(record);
    else this.route(record);
  }

  /**
   * Waits for every record to be on disk. The writer hands half of the places still waiting back, and
   * this thread saves them meanwhile (it has nothing else to do by then): a run of cache hits leaves
   * the writer hundreds of places behind when its last task ends.
   */
  async flush(): Promise<void> {
    this.helper ??= { queue: this.helperQueue(), dirs: new Set() };
    this.held ??= [];
    const { handed, done } = this.writer.flush(true);
    let places: readonly PlaceSave[] = [];
    try {
      places = await handed;
    } finally {
      for (const place of places) {
        this.helper.dirs.add(place.dir);
        this.helper.queue.addPlace(place);
      }
      const held = this.held;
      this.held = undefined;
      for (const record of held) this.route(record);
    }
    // Records made during the hand-over that went to the writer (sent yet or not) came after its flush: they need one more.
    const late = this.writer.addedSinceFlush() ? this.writer.flush(false).done : undefined;
    const results = await Promise.allSettled([done, this.helper.queue.flush(), late]);
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
  }

  /** How many places this thread took over from the writer at flushes. */
  placesTakenOver(): number {
    return this.helper?.dirs.size ?? 0;
  }

  private helperQueue(): SaveQueue {
    return new SaveQueue({ ...this.options, durability: batchDurability(), maxBatchPlaces: HELPER_BATCH_PLACES });
  }

  private route(entry: RecordEntry): void {
    if (this.helper?.dirs.has(entry.dir)) this.helper.queue.add(entry.dir, entry.record, entry.cacheKey);
    else this.writer.add(entry);
  }
}

/** The helper's batches: at a flush nothing else runs on this thread, so one batch may take all it was handed. */
const HELPER_BATCH_PLACES = 256;

interface PendingFlush {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly onHanded: (places: readonly PlaceSave[]) => void;
}

/** Records are sent to a writer at most this often, or once this many wait: a message costs ~0.2 ms of the thread that starts commands. */
const POST_INTERVAL_MS = 20;
const POST_RECORDS = 64;

/** One writer thread: records in (a message per POST_INTERVAL_MS at most), problems and flush answers out. */
class StateWriterThread {
  private readonly worker: Worker;
  private waiting: RecordEntry[] = [];
  /** add() was called after the last flush(): some record is not covered by a flush yet. */
  private added = false;
  private postTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly flushes = new Map<number, PendingFlush>();
  private nextFlushId = 0;
  /** The thread died (a bug): every later flush rejects with it. */
  private broken: Error | undefined;

  constructor(private readonly options: StateRecorderOptions) {
    this.worker = new Worker(workerEntry());
    this.worker.unref();
    this.worker.onmessage = (event: MessageEvent<FromStateWriter>) => this.receive(event.data);
    this.worker.onerror = (event: ErrorEvent) => this.fail(new Error(`state writer thread failed: ${event.message}`));
    this.post({ type: "start", runId: options.runId, historyLimit: options.historyLimit, rootDir: options.rootDir });
  }

  add(entry: RecordEntry): void {
    this.added = true;
    this.waiting.push(entry);
    if (this.waiting.length >= POST_RECORDS) this.postWaiting();
    else if (this.postTimer === undefined) {
      this.postTimer = setTimeout(() => this.postWaiting(), POST_INTERVAL_MS);
      this.postTimer.unref?.(); // the final flush posts whatever waits
    }
  }

  /** Whether records were added since the last flush() (sent already, a full message of them, or not): only a new flush covers them. */
  addedSinceFlush(): boolean {
    return this.added;
  }

  /** `done` resolves once everything sent is on disk; with `share`, `handed` first gives the places the thread handed back (else none). */
  flush(share: boolean): { readonly handed: Promise<readonly PlaceSave[]>; readonly done: Promise<void> } {
    this.postWaiting();
    this.added = false;
    if (this.broken) return { handed: Promise.resolve([]), done: Promise.reject(this.broken) };
    const id = this.nextFlushId++;
    let onHanded: (places: readonly PlaceSave[]) => void = () => {};
    const handed = share ? new Promise<readonly PlaceSave[]>((resolve) => (onHanded = resolve)) : Promise.resolve([]);
    const done = new Promise<void>((resolve, reject) => this.flushes.set(id, { resolve, reject, onHanded }));
    // A failed thread never answers: the hand-over is then empty, and `done` rejects.
    done.catch(() => onHanded([]));
    this.worker.ref(); // the answer must be waited for
    this.post({ type: "flush", id, share });
    return { handed, done };
  }

  private post(message: ToStateWriter): void {
    this.worker.postMessage(message);
  }

  private postWaiting(): void {
    clearTimeout(this.postTimer);
    this.postTimer = undefined;
    if (this.waiting.length === 0) return;
    this.post({ type: "records", records: this.waiting });
    this.waiting = [];
  }

  private receive(message: FromStateWriter): void {
    if (message.type === "handed") {
      this.flushes.get(message.id)?.onHanded(message.places);
      return;
    }
    if (message.type !== "flushed") {
      (message.type === "error" ? this.options.onError : this.options.onWarning)(message.message);
      return;
    }
    const pending = this.flushes.get(message.id);
    this.flushes.delete(message.id);
    if (this.flushes.size === 0) this.worker.unref();
    if (message.bug === undefined) pending?.resolve();
    else pending?.reject(new Error(message.bug));
  }

  private fail(error: Error): void {
    this.broken ??= error;
    for (const pending of this.flushes.values()) pending.reject(error);
    this.flushes.clear();
    this.worker.unref();
  }
}

/** The thread's entry: beside this file when running from source; in the compiled binary, entries are addressed from src/. */
function workerEntry(): string {
  const beside = new URL("./state-writer-worker.ts", import.meta.url);
  return beside.protocol === "file:" && existsSync(fileURLToPath(beside.href)) ? beside.href : "./state/state-writer-worker.ts";
}
