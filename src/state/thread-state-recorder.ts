/// <reference types="bun-types" />
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import type { TaskOutcome } from "../execute/outcome.ts";
import type { Task } from "../plan/task.ts";
import type { RunStateRecorder, StateRecorderOptions } from "./state-recorder.ts";
import { stateEntryOf } from "./state-recorder.ts";
import type { FromStateWriter, RecordEntry, ToStateWriter } from "./state-writer-messages.ts";

/** Writer threads at most: file-system metadata updates in different directories proceed in parallel, but the machine's cores are the commands'. */
const MAX_THREADS = 2;

/**
 * A RunStateRecorder whose saves run on threads of their own (state-writer-worker.ts): record()
 * only queues the record (sent to its writer within POST_INTERVAL_MS, in one message with the
 * others), and each writer commits whatever has arrived in batches. For runs with many
 * places, where one batch with one syncfs replaces an fsync pair per state file. Each place always
 * goes to the same thread, so its records are saved in order. The threads never keep the process
 * alive, except while a flush is waiting for them.
 */
export class ThreadStateRecorder implements RunStateRecorder {
  private readonly writers: StateWriterThread[];
  private readonly writerOfPlace = new Map<string, StateWriterThread>();

  constructor(private readonly options: StateRecorderOptions) {
    const count = Math.max(1, Math.min(MAX_THREADS, availableParallelism()));
    this.writers = Array.from({ length: count }, () => new StateWriterThread(options));
  }

  record(task: Task, outcome: TaskOutcome, cacheKey?: string): void {
    const entry = stateEntryOf(task, outcome, this.options.runId, cacheKey);
    if (entry === null) return;
    const dir = task.place.dir;
    let writer = this.writerOfPlace.get(dir);
    if (writer === undefined) {
      writer = this.writers[this.writerOfPlace.size % this.writers.length]!; // places dealt out in turn
      this.writerOfPlace.set(dir, writer);
    }
    writer.add({ dir, record: entry.record, cacheKey: entry.cacheKey });
  }

  async flush(): Promise<void> {
    const results = await Promise.allSettled(this.writers.map((writer) => writer.flush()));
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
  }
}

interface PendingFlush {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** Records are sent to a writer at most this often, or once this many wait: a message costs ~0.2 ms of the thread that starts commands. */
const POST_INTERVAL_MS = 20;
const POST_RECORDS = 64;

/** One writer thread: records in (a message per POST_INTERVAL_MS at most), problems and flush answers out. */
class StateWriterThread {
  private readonly worker: Worker;
  private waiting: RecordEntry[] = [];
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
    this.waiting.push(entry);
    if (this.waiting.length >= POST_RECORDS) this.postWaiting();
    else if (this.postTimer === undefined) {
      this.postTimer = setTimeout(() => this.postWaiting(), POST_INTERVAL_MS);
      this.postTimer.unref?.(); // the final flush posts whatever waits
    }
  }

  flush(): Promise<void> {
    this.postWaiting();
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextFlushId++;
    const done = new Promise<void>((resolve, reject) => this.flushes.set(id, { resolve, reject }));
    this.worker.ref(); // the answer must be waited for
    this.post({ type: "flush", id });
    return done;
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
