import { closeWithChecksum } from "./state-checksum.ts";
import { STATE_VERSION, type RunRecord, type StateFile } from "./state-types.ts";

/**
 * state.json text as ggen wrote it (2-space pretty JSON, no trailing newline, fields
 * last_phase, phase_history, generated, cache_keys first), then `version`, then unknown fields.
 * A file ggen wrote and we read back serialises to the same bytes up to our added fields; the
 * last of them is `checksum` (state-checksum.ts), which lets the next save append without parsing.
 */
export function serializeState(state: StateFile): string {
  const version = Math.max(state.version ?? STATE_VERSION, STATE_VERSION);
  const entries: [string, unknown][] = [
    ["last_phase", state.last_phase ?? null],
    ["phase_history", state.phase_history],
    ["generated", state.generated],
    ["cache_keys", state.cache_keys],
    ["version", version],
  ];
  const ours = new Set([...entries.map(([key]) => key), "checksum"]);
  for (const entry of Object.entries(state.extra)) if (!ours.has(entry[0])) entries.push(entry);
  // fromEntries defines own properties, so even a "__proto__" key round-trips as data.
  const text = JSON.stringify(Object.fromEntries(entries), null, 2);
  return closeWithChecksum(text.slice(0, -"\n}".length), state.phase_history.length, state.cache_keys.length);
}

/** A record with ggen's fields first and ours after; undefined fields are left out. */
export function orderedRecord(r: RunRecord): RunRecord {
  return {
    phase: r.phase,
    started_ms: r.started_ms,
    duration_ms: r.duration_ms,
    success: r.success,
    ...(r.run_id !== undefined ? { run_id: r.run_id } : {}),
    ...(r.place !== undefined ? { place: r.place } : {}),
    ...(r.status !== undefined ? { status: r.status } : {}),
    ...(r.exit_code !== undefined ? { exit_code: r.exit_code } : {}),
    ...(r.signal !== undefined ? { signal: r.signal } : {}),
    ...(r.error !== undefined ? { error: r.error } : {}),
  };
}
