import type { TaskGraph } from "../plan/task.ts";
import { secretValues } from "../shared/redact.ts";
import { errnoCode } from "../state/fs-error.ts";
import { missReason } from "./cached-execute.ts";
import { Fingerprinter } from "./fingerprinter.ts";
import { LocalStore } from "./local-store.ts";
import { cacheDirOf, rootDirsOf } from "./run-cache.ts";

export interface ExplainPlanOptions {
  readonly rootDir: string;
  readonly shell: string;
  readonly force: boolean;
  /** A remote cache is configured: a local miss may still hit there. */
  readonly remote: boolean;
  /** The parent environment: its secrets are hashed into fingerprints as in the real run. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * For `--dry-run`: each cached task's fingerprint and whether the local store has it, and for a
 * miss which part of the fingerprint changed since the last run. Reads only; the remote is not
 * asked. Fingerprints are taken as the files are now: a dependency that would run first and
 * rewrite a task's inputs can turn a predicted hit into a miss. Empty when no task is cached.
 */
export function explainPlan(graph: TaskGraph, options: ExplainPlanOptions): string {
  const cached = [...graph.tasks.values()].filter((t) => t.cache);
  if (cached.length === 0) return "";
  const cacheDir = cacheDirOf(options.rootDir);
  const store = new LocalStore(cacheDir);
  const fingerprinter = new Fingerprinter({ rootDirs: rootDirsOf(options.rootDir), shell: options.shell, cacheDir, secrets: secretValues(options.env) });
  const lines = ["", "Cache:"];
  for (const task of graph.tasks.values()) {
    let computed;
    try {
      computed = fingerprinter.compute(task);
    } catch (e) {
      if (errnoCode(e) === undefined) throw e;
      if (task.cache) lines.push(`  ${task.id}: cannot fingerprint (${(e as Error).message})`);
      continue;
    }
    if (!task.cache) continue;
    const short = computed.fingerprint.slice(0, 12);
    const found = options.force ? undefined : store.lookup(computed.fingerprint, false);
    if (found?.ok && found.value) lines.push(`  ${task.id}: hit ${short}`);
    else {
      const damaged = found && !found.ok ? ` (${found.error})` : "";
      const remote = options.remote && !options.force ? "; the remote cache may still have it" : "";
      lines.push(`  ${task.id}: miss ${short}: ${missReason(computed, options.force)}${damaged}${remote}`);
    }
  }
  return lines.join("\n") + "\n";
}
