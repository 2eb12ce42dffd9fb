import { randomUUID } from "node:crypto";
import type { Task, TaskId } from "../plan/task.ts";
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
    const memo = new StatMemo(previous?.memo, previous?.input.inputs);
    const deps: Record<string, string> = {};
    for (const dep of task.deps) deps[dep] = this.known.get(dep) ?? `unknown:${randomUUID()}`;
    const inputs = task.cache ? hashInputs(task.place.dir, task.inputs, task.outputs, memo) : {};
    const input = fingerprintInput(task, { rootDirs: this.options.rootDirs, shell: this.options.shell, inputs, deps });
    const fingerprint = fingerprintOf(input);
    this.known.set(task.id, fingerprint);
    return { fingerprint, input, previous, memo };
  }

  of(id: TaskId): string | undefined {
    return this.known.get(id);
  }
}
