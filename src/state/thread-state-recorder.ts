/// <reference types="bun-types" />
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { TaskOutcome } from "../execute/outcome.ts";
import type { Task } from "../plan/task.ts";
import type { RunStateRecorder, StateRecorderOptions } from "./state-recorder.ts";
import { stateEntryOf } from "./state-recorder.ts";
import type { FromStateWriter, RecordEntry, ToStateWriter } from "./state-writer-messages.ts";

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

  constructor(private readonly options: StateRecorderOptions) {
    this.writer = new StateWriterThread(options);
  }

  record(task: Task, outcome: TaskOutcome, cacheKey?: string): void {
    const entry = stateEntryOf(task, outcome, this.options.runId, cacheKey);
    if (entry !== null) this.writer.add({ dir: task.place.dir, record: entry.record, cacheKey: entry.cacheKey });
  }

  flush(): Promise<void> {
    return this.writer.flush();
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
