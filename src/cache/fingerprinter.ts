import { randomUUID } from "node:crypto";
import type { Task, TaskId } from "../plan/task.ts";
import { canonicalJson } from "./canonical-json.ts";
import { fingerprintInput, fingerprintOf, type FingerprintInput } from "./fingerprint.ts";
import { hashInputs } from "./hash-inputs.ts";
import { StatMemo } from "./stat-memo.ts";
import { readTaskRecord, type TaskRecord } from "./task-record.ts";

/** A task's fingerprint with what it was made from, the task's previous record and its stat memo. */
export interface TaskFingerprint {
  readonly fingerprint: string;
  readonly input: FingerprintInput;
  readonly previous: TaskRecord | undefined;
  readonly memo: StatMemo;
}

export interface FingerprinterOptions {
  /** The root as written and as its realpath. */
  readonly rootDirs: readonly string[];
  readonly shell: string;
  readonly cacheDir: string;
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
    const memo = new StatMemo(previous?.memo, previous?.input?.inputs);
    const deps: Record<string, string> = {};
    for (const dep of task.deps) deps[dep] = this.known.get(dep) ?? `unknown:${randomUUID()}`;
    const inputs = task.cache ? hashInputs(task.place.dir, task.inputs, task.outputs, memo) : {};
    const input = fingerprintInput(task, { rootDirs: this.options.rootDirs, shell: this.options.shell, inputs, deps });
    const fingerprint = previous !== undefined && sameAsBefore(input, previous.input) ? previous.fingerprint : fingerprintOf(input);
    this.known.set(task.id, fingerprint);
    return { fingerprint, input, previous, memo };
  }

  of(id: TaskId): string | undefined {
    return this.known.get(id);
  }
}

/**
 * The previous record's fingerprint still holds: its inputs object came back unchanged from
 * hashInputs (every file a memo hit, the same set) and everything else is canonically equal. Saves
 * serialising and hashing ~1 MB for 10,000 inputs. The record was written whole by one run (a
 * rename), so its fingerprint is the hash of its input; a damaged record fails to parse and misses.
 */
function sameAsBefore(input: FingerprintInput, previous: FingerprintInput | null): boolean {
  return previous !== null && input.inputs === previous.inputs && canonicalJson({ ...input, inputs: {} }) === canonicalJson({ ...previous, inputs: {} });
}
