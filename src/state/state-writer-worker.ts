/// <reference types="bun-types" />
// Entry of the state writer thread (a Worker): saves what the run records, in batches made durable
// with one syncfs per file system, so neither the CPU nor the disk is spent once per state file.
import { applyJitPolicy } from "../runtime/jit-policy.ts";
import { SaveQueue } from "./save-queue.ts";
import { batchDurability } from "./syncfs-durability.ts";
import type { FromStateWriter, ToStateWriter } from "./state-writer-messages.ts";

/**
 * Places per batch at most. A batch runs without a break (its syncfs calls block), so this also bounds
 * how long a flush's request to hand places back waits: 64 places take the thread 20-40 ms.
 */
const MAX_BATCH_PLACES = 64;
/**
 * A batch's syncfs calls cost about as much as one state file's fsyncs, so batches must be big to pay
 * off: each waits this long for more places. 500 records arriving over 2 s cost the thread 0.65 s of
 * CPU with no wait, 0.3-0.5 s with 20 ms, 0.2 s with 50 ms. 100 ms rather than 50 left the cores idle
 * for 230 instead of 355 core-ms in a 500-workspace run at -j2 (1.20x instead of 1.25x of make, run
 * alternately). It is also the longest a finished task's record waits before its save starts (a
 * kill -9 in that window loses it; flush() never waits).
 */
const GATHER_MS = 100;
/** ...unless this many places are waiting already: a burst (cache hits, empty phases) is saved without the wait. */
const GATHER_PLACES = 32;

applyJitPolicy();

const port = globalThis as unknown as { onmessage: ((event: MessageEvent<ToStateWriter>) => void) | null; postMessage(message: FromStateWriter): void };
let queue: SaveQueue | undefined;

port.onmessage = (event) => {
  const message = event.data;
  if (message.type === "start") {
    queue = new SaveQueue({
      runId: message.runId,
      historyLimit: message.historyLimit,
      rootDir: message.rootDir,
      durability: batchDurability(),
      maxBatchPlaces: MAX_BATCH_PLACES,
      gatherMs: GATHER_MS,
      gatherPlaces: GATHER_PLACES,
      onError: (text) => port.postMessage({ type: "error", message: text }),
      onWarning: (text) => port.postMessage({ type: "warning", message: text }),
    });
  } else if (message.type === "records") {
    for (const entry of message.records) queue?.add(entry.dir, entry.record, entry.cacheKey);
  } else {
    const { id } = message;
    if (message.share) port.postMessage({ type: "handed", id, places: queue?.handOver() ?? [] });
    void (queue?.flush() ?? Promise.resolve()).then(
      () => port.postMessage({ type: "flushed", id }),
      (error: unknown) => port.postMessage({ type: "flushed", id, bug: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  }
};
