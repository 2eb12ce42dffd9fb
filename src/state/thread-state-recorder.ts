/// <reference types="bun-types" />
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { TaskOutcome } from "../execute/outcome.ts";
import type { Task } from "../plan/task.ts";
import type { RunStateRecorder, StateRecorderOptions } from "./state-recorder.ts";
import { stateEntryOf } from "./state-recorder.ts";
import type { FromStateWriter, ToStateWriter } from "./state-writer-messages.ts";

interface PendingFlush {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * A RunStateRecorder whose saves run on a thread of their own (state-writer-worker.ts): record()
 * only posts a message, and the writer commits whatever has arrived in batches. For runs with many
 * places, where one batch with one syncfs replaces an fsync pair per state file. The thread never
 * keeps the process alive, except while a flush is waiting for it.
 */
export class ThreadStateRecorder implements RunStateRecorder {
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

  record(task: Task, outcome: TaskOutcome, cacheKey?: string): void {
    const entry = stateEntryOf(task, outcome, this.options.runId, cacheKey);
    if (entry !== null) this.post({ type: "record", dir: task.place.dir, record: entry.record, cacheKey: entry.cacheKey });
  }

  flush(): Promise<void> {
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
