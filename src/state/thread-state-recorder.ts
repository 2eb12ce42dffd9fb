/// <reference types="bun-types" />
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import type { TaskOutcome } from "../execute/outcome.ts";
import type { Task } from "../plan/task.ts";
import type { RunStateRecorder, StateRecorderOptions } from "./state-recorder.ts";
import { stateEntryOf } from "./state-recorder.ts";
import type { FromStateWriter, ToStateWriter } from "./state-writer-messages.ts";

/** Writer threads at most: file-system metadata updates in different directories proceed in parallel, but the machine's cores are the commands'. */
const MAX_THREADS = 2;

/**
 * A RunStateRecorder whose saves run on threads of their own (state-writer-worker.ts): record()
 * only posts a message, and each writer commits whatever has arrived in batches. For runs with many
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
    writer.post({ type: "record", dir, record: entry.record, cacheKey: entry.cacheKey });
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

/** One writer thread: messages in, problems and flush answers out. */
class StateWriterThread {
  private readonly worker: Worker;
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

  post(message: ToStateWriter): void {
    this.worker.postMessage(message);
  }

  flush(): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextFlushId++;
    const done = new Promise<void>((resolve, reject) => this.flushes.set(id, { resolve, reject }));
    this.worker.ref(); // the answer must be waited for
    this.post({ type: "flush", id });
    return done;
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
