import { readStateFile } from "../state/read-state.ts";
import { stateFilePath } from "../state/state-file.ts";
import { newestRecords, readStateBytes } from "../state/state-layout.ts";
import type { RunRecord } from "../state/state-types.ts";

/** Records looked at from the end of a file a save wrote before the whole history is parsed instead. */
const NEWEST_RECORDS = 64;

/**
 * How long `phases` took in the place at `dir` the last time each ran to an end (success or
 * failure; interrupted runs say nothing), summed over the phases that have such a record; read
 * from its state file without changing it. undefined when none has one or the file is unreadable.
 * A file as a save left it (state-layout.ts) is read from its newest records only: `--shard` reads
 * every workspace's file, and parsing whole 1,000-record histories took most of its planning.
 */
export function recordedDurationMs(dir: string, phases: readonly string[]): number | undefined {
  const file = stateFilePath(dir);
  const bytes = readStateBytes(file);
  const newest = bytes === null ? null : newestRecords(bytes, NEWEST_RECORDS);
  if (newest !== null) {
    const last = lastDurations(newest.records as RunRecord[], phases);
    if (newest.all || !last.someMissing) return last.totalMs;
  }
  const read = readStateFile(file);
  return read.kind === "valid" ? lastDurations(read.state.phase_history, phases).totalMs : undefined;
}

/** The sum of each phase's last ended duration in `history`, and whether some phase had none. */
function lastDurations(history: readonly RunRecord[], phases: readonly string[]): { readonly totalMs: number | undefined; readonly someMissing: boolean } {
  let totalMs: number | undefined;
  let someMissing = false;
  for (const phase of phases) {
    let found = false;
    for (let i = history.length - 1; i >= 0; i--) {
      const record = history[i]!;
      if (record.phase !== phase || record.status === "cancelled" || !Number.isFinite(record.duration_ms)) continue;
      totalMs = (totalMs ?? 0) + Math.max(0, record.duration_ms);
      found = true;
      break;
    }
    someMissing ||= !found;
  }
  return { totalMs, someMissing };
}
