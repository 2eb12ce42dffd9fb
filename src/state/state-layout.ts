import { readFileSync } from "node:fs";
import { readChecksum, type Checksummed } from "./state-checksum.ts";

// serializeState's layout. JSON text never holds a raw newline inside a string, and everything inside
// the history sits at 4 spaces or deeper, so these patterns only ever match where they mean to.
export const HEAD = '{\n  "last_phase": ';
export const HISTORY_KEY = ',\n  "phase_history": ';
const GENERATED_KEY = ',\n  "generated": ';
export const EMPTY_HISTORY = "[]";
/** Between two history records: the end of one, the start of the next. */
export const RECORD_BREAK = "\n    },\n    {";
/** A record's end with the comma after it: where the next record's text starts. */
export const RECORD_END = "\n    },";
const HISTORY_OPEN = "[\n    {";
const HISTORY_CLOSE = "\n    }\n  ]";

/** Where the parts of a state file a save wrote are, found without parsing it. */
export interface StateLayout {
  readonly check: Checksummed;
  /** Where `,\n  "phase_history": ` starts (last_phase's value ends). */
  readonly historyKeyAt: number;
  /** Where `,\n  "generated": ` starts: everything from here to check.bodyEnd follows the history. */
  readonly generatedAt: number;
  /** The history records without the brackets: `\n    {...\n    }` joined by ","; empty for none. */
  readonly records: Buffer;
}

/** A state file's bytes, for readLayout; null when it is missing or unreadable (readStateFile says which). */
export function readStateBytes(file: string): Buffer | null {
  try {
    return readFileSync(file);
  } catch {
    return null;
  }
}

/** The layout of `bytes` when its checksum is intact and it is laid out as serializeState lays files out; else null. */
export function readLayout(bytes: Buffer): StateLayout | null {
  const check = readChecksum(bytes);
  if (check === null || bytes.toString("latin1", 0, HEAD.length) !== HEAD) return null;
  const historyKeyAt = bytes.indexOf(HISTORY_KEY, HEAD.length);
  const generatedAt = historyKeyAt < 0 ? -1 : bytes.indexOf(GENERATED_KEY, historyKeyAt);
  if (generatedAt < 0 || generatedAt > check.bodyEnd) return null;
  const records = recordsOf(bytes.subarray(historyKeyAt + HISTORY_KEY.length, generatedAt), check.records);
  return records === null ? null : { check, historyKeyAt, generatedAt, records };
}

/** The history's records without the brackets, checked against the count the checksum gives. */
function recordsOf(history: Buffer, count: number): Buffer | null {
  if (count === 0) return history.toString("latin1") === EMPTY_HISTORY ? history.subarray(0, 0) : null;
  const opens = history.toString("latin1", 0, HISTORY_OPEN.length) === HISTORY_OPEN;
  const closes = history.toString("latin1", history.length - HISTORY_CLOSE.length) === HISTORY_CLOSE;
  return opens && closes ? history.subarray(1, history.length - "\n  ]".length) : null;
}

/**
 * The newest `max` history records (fewer when the history is shorter), oldest first, parsed from their
 * own bytes; `all` says whether that is the whole history. null when the file is not as a save left it.
 */
export function newestRecords(bytes: Buffer, max: number): { readonly records: unknown[]; readonly all: boolean } | null {
  const layout = readLayout(bytes);
  if (layout === null) return null;
  const { records } = layout;
  if (records.length === 0) return { records: [], all: true };
  let start = records.length;
  for (let taken = 0; taken < max && start > 0; taken++) {
    const found = records.lastIndexOf(RECORD_BREAK, start - RECORD_END.length - 1); // a break that starts before the taken records
    start = found < 0 ? 0 : found + RECORD_END.length;
  }
  return { records: JSON.parse(`[${records.toString("utf8", start)}]`) as unknown[], all: start === 0 };
}
