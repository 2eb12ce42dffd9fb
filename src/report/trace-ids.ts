import { sha256Hex } from "../runtime/hashing.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The trace id of a run: its run id (a UUID) without the dashes, lowercased, so a trace and the
 * run's logs, state records and summary are found by the same value. A run id that is not a UUID
 * gets the first 32 hex digits of its sha256. Never all zeros (OTLP's "invalid" id).
 */
export function traceIdFor(runId: string): string {
  const hex = UUID.test(runId) ? runId.replaceAll("-", "").toLowerCase() : sha256Hex(runId).slice(0, 32);
  return nonZero(hex);
}

/**
 * A span id (16 hex digits), the same every time for the same run and name: the first 16 hex
 * digits of sha256(`<run id>\n<name>`). The run's root span uses the name `run`; task spans use
 * the task id (`api#build`), which always holds a `#`, so the two never collide.
 */
export function spanIdFor(runId: string, name: string): string {
  return nonZero(sha256Hex(`${runId}\n${name}`).slice(0, 16));
}

function nonZero(hex: string): string {
  return /^0+$/.test(hex) ? `${hex.slice(0, -1)}1` : hex;
}
