import type { PlaceSave } from "./state-batch.ts";
import type { CacheKeyEntry, RunRecord } from "./state-types.ts";

/** One finished task's record for the place at `dir`. */
export interface RecordEntry {
  readonly dir: string;
  readonly record: RunRecord;
  readonly cacheKey: CacheKeyEntry | undefined;
}

/** What the run sends the state writer thread. */
export type ToStateWriter =
  | { readonly type: "start"; readonly runId: string; readonly historyLimit: number; readonly rootDir: string }
  | { readonly type: "records"; readonly records: readonly RecordEntry[] }
  /** share: hand half of the places still waiting back to the run (answered with "handed" before "flushed"). */
  | { readonly type: "flush"; readonly id: number; readonly share: boolean };

/** What the state writer thread sends back: problems to report, and the answer to each flush (with a bug's text, if a save hit one). */
export type FromStateWriter =
  | { readonly type: "error" | "warning"; readonly message: string }
  | { readonly type: "handed"; readonly id: number; readonly places: readonly PlaceSave[] }
  | { readonly type: "flushed"; readonly id: number; readonly bug?: string };
