import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TaskStatus } from "../execute/outcome.ts";
import { err, ok, type Result } from "../shared/result.ts";
import { describeFsError } from "../state/fs-error.ts";
import { sha256Bytes } from "./file-digest.ts";
import type { FingerprintInput } from "./fingerprint.ts";
import type { MemoEntry } from "./stat-memo.ts";

/**
 * What the cache remembers about a task between runs, in `.ggen/cache/tasks/`: the fingerprint
 * input of its last run (what `--explain` compares against), how that run ended, and the stat
 * memo of its input and output files. Losing it costs a re-hash and a vaguer explanation, never
 * a wrong hit, so it is written with a rename but without fsync.
 */
export interface TaskRecord {
  readonly version: 1;
  readonly task: string;
  readonly fingerprint: string;
  readonly input: FingerprintInput;
  readonly status: TaskStatus;
  readonly memo: Readonly<Record<string, MemoEntry>>;
}

export function readTaskRecord(cacheDir: string, taskId: string): TaskRecord | undefined {
  try {
    const parsed = JSON.parse(readFileSync(recordPath(cacheDir, taskId), "utf8")) as TaskRecord;
    return parsed.version === 1 && parsed.task === taskId && typeof parsed.fingerprint === "string" && typeof parsed.input === "object" ? parsed : undefined;
  } catch {
    return undefined; // missing or unreadable: as if the task never ran
  }
}

export function writeTaskRecord(cacheDir: string, record: TaskRecord): Result<void, string> {
  const path = recordPath(cacheDir, record.task);
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    mkdirSync(join(cacheDir, "tasks"), { recursive: true });
    writeFileSync(temp, JSON.stringify(record));
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
function recordPath(cacheDir: string, taskId: string): string {
  const readable = taskId.replace(/[^A-Za-z0-9._-]/g, "_");
  return join(cacheDir, "tasks", `${readable}-${sha256Bytes(taskId).slice(0, 8)}.json`);
}
