/// <reference types="bun-types" />
// Entry of the state writer thread (a Worker): saves what the run records, in batches made durable
// with one syncfs per file system, so neither the CPU nor the disk is spent once per state file.
import { openSyncfs } from "../runtime/libc.ts";
import { fsyncEach } from "./atomic-write.ts";
import { SaveQueue } from "./save-queue.ts";
import { syncfsDurability } from "./syncfs-durability.ts";
import type { FromStateWriter, ToStateWriter } from "./state-writer-messages.ts";

/** Big enough that a 10,000-workspace run commits in a few dozen batches; each place holds two open files during one. */
const MAX_BATCH_PLACES = 256;

const port = globalThis as unknown as { onmessage: ((event: MessageEvent<ToStateWriter>) => void) | null; postMessage(message: FromStateWriter): void };
let queue: SaveQueue | undefined;

port.onmessage = (event) => {
  const message = event.data;
  if (message.type === "start") {
    const syncfs = openSyncfs();
    queue = new SaveQueue({
      runId: message.runId,
      historyLimit: message.historyLimit,
      rootDir: message.rootDir,
      durability: syncfs ? syncfsDurability(syncfs) : fsyncEach,
      maxBatchPlaces: MAX_BATCH_PLACES,
      onError: (text) => port.postMessage({ type: "error", message: text }),
      onWarning: (text) => port.postMessage({ type: "warning", message: text }),
    });
  } else if (message.type === "record") {
    queue?.add(message.dir, message.record, message.cacheKey);
  } else {
    const { id } = message;
    void (queue?.flush() ?? Promise.resolve()).then(
      () => port.postMessage({ type: "flushed", id }),
      (error: unknown) => port.postMessage({ type: "flushed", id, bug: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  }
};
