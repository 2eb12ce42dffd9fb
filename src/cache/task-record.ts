import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TaskStatus } from "../execute/outcome.ts";
import { err, ok, type Result } from "../shared/result.ts";
import { describeFsError } from "../state/fs-error.ts";
import { sha256Bytes } from "./file-digest.ts";
import type { FingerprintInput } from "./fingerprint.ts";
import { type CompactInputs, RecordedInputs, withRecordedInputs } from "./recorded-inputs.ts";
import type { MemoEntry } from "./stat-memo.ts";
import { randomHex } from "../runtime/hashing.ts";

/**
 * What the cache remembers about a task between runs, in `.ggen/cache/tasks/`: the fingerprint
 * input of its last run (what `--explain` compares against), how that run ended, and the stat
 * memo of its input and output files. Losing it costs a re-hash and a vaguer explanation, never
 * a wrong hit, so it is written with a rename but without fsync.
 *
 * On disk (version 2) the input digests are not an object of 10,000 keys but two strings
 * (recorded-inputs.ts), so reading the record of an unchanged large input set parses two long
 * strings; a record of another version, or whose strings disagree, reads as no record.
 */
export interface TaskRecord {
  readonly version: 2;
  readonly task: string;
  readonly fingerprint: string;
  readonly input: FingerprintInput;
  readonly status: TaskStatus;
  readonly memo: Readonly<Record<string, MemoEntry>>;
}

/** A record as read back: its input's `inputs` are built from `recordedInputs` only when read. */
export interface StoredTaskRecord extends TaskRecord {
  readonly recordedInputs: RecordedInputs;
}

/** The task's record, or undefined when it is missing, unreadable, of another version or damaged. */
export function readTaskRecord(cacheDir: string, taskId: string): StoredTaskRecord | undefined {
  try {
    const parsed = JSON.parse(readFileSync(taskRecordPath(cacheDir, taskId), "utf8")) as OnDisk;
    if (parsed.version !== 2 || parsed.task !== taskId || typeof parsed.fingerprint !== "string" || typeof parsed.input !== "object" || parsed.input === null) return undefined;
    const recordedInputs = RecordedInputs.fromCompact(parsed);
    if (recordedInputs === undefined) return undefined;
    const { inputPaths: _paths, inputDigests: _digests, ...rest } = parsed;
    return { ...rest, input: withRecordedInputs({ ...parsed.input, inputs: {} }, recordedInputs), recordedInputs };
  } catch {
    return undefined; // missing or unreadable: as if the task never ran
  }
}

export function writeTaskRecord(cacheDir: string, record: TaskRecord): Result<void, string> {
  const path = taskRecordPath(cacheDir, record.task);
  const temp = `${path}.${process.pid}.${randomHex(4)}.tmp`;
  try {
    mkdirSync(join(cacheDir, "tasks"), { recursive: true });
    const { inputs, ...input } = record.input;
    const onDisk: OnDisk = { version: 2, task: record.task, fingerprint: record.fingerprint, input, status: record.status, memo: record.memo, ...RecordedInputs.compact(inputs) };
    writeFileSync(temp, JSON.stringify(onDisk));
    renameSync(temp, path);
    return ok(undefined);
  } catch (e) {
    try {
      unlinkSync(temp);
    } catch {
      // never created
    }
    return err(describeFsError(e, "write", path));
  }
}

/** `tasks/api_build-1a2b3c4d.json`: readable, and distinct for ids that differ only in odd characters. */
export function taskRecordPath(cacheDir: string, taskId: string): string {
  const readable = taskId.replace(/[^A-Za-z0-9._-]/g, "_");
  return join(cacheDir, "tasks", `${readable}-${sha256Bytes(taskId).slice(0, 8)}.json`);
}

/** The file's shape: the input without its digests, which follow as two strings. */
interface OnDisk extends CompactInputs {
  readonly version: 2;
  readonly task: string;
  readonly fingerprint: string;
  readonly input: Omit<FingerprintInput, "inputs">;
  readonly status: TaskStatus;
  readonly memo: Readonly<Record<string, MemoEntry>>;
}
