import type { Task, TaskId } from "../plan/task.ts";
import { canonicalJson } from "./canonical-json.ts";
import { fingerprintInput, fingerprintOf, type FingerprintInput } from "./fingerprint.ts";
import { digestInputs, isRecorded } from "./hash-inputs.ts";
import { withRecordedInputs } from "./recorded-inputs.ts";
import { StatMemo } from "./stat-memo.ts";
import { readTaskRecord, type StoredTaskRecord } from "./task-record.ts";
import { randomId } from "../runtime/hashing.ts";

/** A task's fingerprint with what it was made from, the task's previous record and its stat memo. */
export interface TaskFingerprint {
  readonly fingerprint: string;
  readonly input: FingerprintInput;
  readonly previous: StoredTaskRecord | undefined;
  readonly memo: StatMemo;
}

export interface FingerprinterOptions {
  /** The root as written and as its realpath. */
  readonly rootDirs: readonly string[];
  readonly shell: string;
  readonly cacheDir: string;
  /** Secret values of the parent environment: task env values holding one are recorded as digests. */
  readonly secrets?: readonly string[];
}

/**
 * Computes fingerprints in dependency order and remembers them, so each task's record can name
 * its dependencies' fingerprints. Every task gets one; only `cache = true` tasks hash their
 * `inputs` (a task that is not cached contributes its definition: commands, env, place, deps).
 * A dependency without a fingerprint (its inputs could not be read) contributes a value unique
 * to this run, so its dependents miss rather than hit on a guess.
 */
export class Fingerprinter {
  private readonly known = new Map<TaskId, string>();

  constructor(private readonly options: FingerprinterOptions) {}

  /** Hashes now: call it when the task is about to run (its dependencies done). Throws fs errors. */
  compute(task: Task): TaskFingerprint {
    const previous = task.cache ? readTaskRecord(this.options.cacheDir, task.id) : undefined;
    const memo = new StatMemo(previous?.memo, previous?.recordedInputs);
    const deps: Record<string, string> = {};
    for (const dep of task.deps) deps[dep] = this.known.get(dep) ?? `unknown:${randomId()}`;
    // Left out by -w/--since: not run here, so its last recorded result is what this task builds on.
    for (const dep of task.outsideDeps ?? []) deps[dep] = readTaskRecord(this.options.cacheDir, dep)?.fingerprint ?? "not recorded";
    const digests = task.cache ? digestInputs(task.place.dir, task.inputs, task.outputs, memo) : {};
    const unchanged = isRecorded(digests) ? digests : undefined;
    const defined = fingerprintInput(task, { rootDirs: this.options.rootDirs, shell: this.options.shell, secrets: this.options.secrets, inputs: unchanged === undefined ? (digests as Readonly<Record<string, string>>) : {}, deps });
    const input = unchanged === undefined ? defined : withRecordedInputs(defined, unchanged);
    const fingerprint = previous !== undefined && unchanged === previous.recordedInputs && sameDefinition(defined, previous.input) ? previous.fingerprint : fingerprintOf(input);
    this.known.set(task.id, fingerprint);
    return { fingerprint, input, previous, memo };
  }

  of(id: TaskId): string | undefined {
    return this.known.get(id);
  }
}

/**
 * With the inputs known unchanged (digestInputs gave back the record's own RecordedInputs: every
 * file a memo hit, the same set), the previous record's fingerprint still holds when everything
 * else is canonically equal. Saves building, serialising and hashing ~1 MB for 10,000 inputs. The
 * record was written whole by one run (a rename), so its fingerprint is the hash of its input; a
 * damaged record fails to parse and misses. Reads neither input's `inputs`.
 */
function sameDefinition(input: FingerprintInput, previous: FingerprintInput): boolean {
  return canonicalJson(withoutInputs(input)) === canonicalJson(withoutInputs(previous));
}

/** Every part but `inputs` (never read: it may be built on demand). */
function withoutInputs(input: FingerprintInput): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(input)) if (key !== "inputs") out[key] = input[key as keyof FingerprintInput];
  return out;
}
