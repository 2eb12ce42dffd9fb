import { readStateFile } from "../state/read-state.ts";
import { stateFilePath } from "../state/state-file.ts";

/**
 * How long `phases` took in the place at `dir` the last time each ran to an end (success or
 * failure; interrupted runs say nothing), summed over the phases that have such a record; read
 * from its state file without changing it. undefined when none has one or the file is unreadable.
 */
export function recordedDurationMs(dir: string, phases: readonly string[]): number | undefined {
  const read = readStateFile(stateFilePath(dir));
  if (read.kind !== "valid") return undefined;
  const history = read.state.phase_history;
  let total: number | undefined;
  for (const phase of phases) {
    for (let i = history.length - 1; i >= 0; i--) {
      const record = history[i]!;
      if (record.phase !== phase || record.status === "cancelled" || !Number.isFinite(record.duration_ms)) continue;
      total = (total ?? 0) + Math.max(0, record.duration_ms);
      break;
    }
  }
  return total;
}
