import { join } from "node:path";
import type { TaskOutcome } from "../execute/outcome.ts";
import type { Task } from "../plan/task.ts";
import { errnoCode } from "../state/fs-error.ts";
import { findAndRestore } from "./cache-hit.ts";
import { explainChange } from "./explain.ts";
import type { TaskFingerprint } from "./fingerprinter.ts";
import { listMatchingFiles } from "./list-files.ts";
import { LogCapture } from "./log-capture.ts";
import type { RunCache } from "./run-cache.ts";
import { writeTaskRecord } from "./task-record.ts";

export type OnOutput = (stream: "stdout" | "stderr", line: string) => void;

/** Runs the task's commands (the real executeTask), handing each output line to `onOutput`. */
export type RunTask = (onOutput: OnOutput) => Promise<TaskOutcome>;

/**
 * The cache around one task. Every task gets a fingerprint (its dependents need it); a
 * `cache = true` task whose fingerprint has a stored result does not run: its outputs are
 * restored, its recorded output is replayed, and the outcome is `cached`. Otherwise it runs, and a
 * success is stored (locally, then uploaded); failures are never stored. Cache trouble (an
 * unreadable input, a full disk) is a warning, never a failed task.
 */
export async function executeWithCache(task: Task, cache: RunCache, onOutput: OnOutput, run: RunTask): Promise<TaskOutcome> {
  const startedMs = Date.now();
  const { options } = cache;
  let computed: TaskFingerprint;
  try {
    computed = cache.fingerprinter.compute(task);
  } catch (e) {
    if (errnoCode(e) === undefined) throw e;
    options.warn(`cache: cannot fingerprint ${task.id} (${(e as Error).message}); running it uncached`);
    return run(onOutput);
  }
  if (!task.cache) return run(onOutput);
  const { fingerprint, previous, memo } = computed;
  cache.setKey(task.id, fingerprint);
  const explain = (text: string) => options.explain && options.info(`${task.id}: ${text}`);

  let unusable: string | undefined;
  if (!options.force) {
    const hit = await findAndRestore(task, fingerprint, memo, { store: cache.store, ...(cache.remote ? { remote: cache.remote } : {}), rootDirs: cache.rootDirs, warn: options.warn });
    if (hit !== undefined && "header" in hit) {
      cache.counts.hits++;
      if (hit.from !== "local") cache.counts.remoteHits++;
      const restored = hit.restored.restored > 0 ? `, ${hit.restored.restored} output${hit.restored.restored === 1 ? "" : "s"} restored` : "";
      explain(`cache hit (${hit.from === "local" ? "local" : `remote ${hit.from}`}) ${fingerprint.slice(0, 12)}${restored}`);
      for (const [stream, line] of hit.header.log) onOutput(stream, line);
      if (hit.header.logDropped > 0) onOutput("stderr", `(${hit.header.logDropped} more output lines were not kept in the cache)`);
      const outcome: TaskOutcome = { kind: "cached", startedMs, durationMs: Date.now() - startedMs };
      saveRecord(cache, task, computed, outcome);
      return outcome;
    }
    unusable = hit?.unusable;
  }
  cache.counts.misses++;
  if (options.explain) explain(`cache miss ${fingerprint.slice(0, 12)}: ${missReason(computed, options.force, unusable)}`);

  const log = new LogCapture();
  const outcome = await run((stream, line) => {
    log.add(stream, line);
    onOutput(stream, line);
  });
  if (outcome.kind === "success") store(cache, task, fingerprint, outcome.durationMs, log);
  saveRecord(cache, task, computed, outcome);
  return outcome;
}

function store(cache: RunCache, task: Task, fingerprint: string, durationMs: number, log: LogCapture): void {
  let files: { path: string; abs: string }[];
  try {
    files = listMatchingFiles(task.place.dir, task.outputs).map((path) => ({ path, abs: join(task.place.dir, path) }));
  } catch (e) {
    if (errnoCode(e) === undefined) throw e;
    cache.options.warn(`cache: cannot list the outputs of ${task.id} (${(e as Error).message}); result not stored`);
    return;
  }
  const saved = cache.store.save(fingerprint, { fingerprint, task: task.id, createdMs: Date.now(), durationMs, log: log.lines, logDropped: log.dropped }, files);
  if (!saved.ok) {
    cache.options.warn(`${saved.error}; result of ${task.id} not stored`);
    return;
  }
  cache.counts.stored++;
  if (cache.remote?.writable) {
    const bytes = cache.store.readBytes(fingerprint);
    if (bytes) cache.remote.upload(fingerprint, bytes, durationMs);
  }
}

/** Why a cached task must run, from its previous record (and, when a stored result was found, why it was not used). */
export function missReason(computed: TaskFingerprint, force: boolean, unusable?: string): string {
  if (force) return "--force";
  if (unusable !== undefined) return `a stored result was found but not used: ${unusable}`;
  const { previous, input, fingerprint } = computed;
  if (!previous) return "no previous run recorded";
  const changes = explainChange(previous.input, input);
  if (changes.length > 0) return changes.join("; ");
  if (previous.fingerprint === fingerprint && previous.status !== "success" && previous.status !== "cached") {
    return `nothing changed, but the last run ended "${previous.status}" and failures are not cached`;
  }
  return "nothing changed since the last run, but its result is not in the store (evicted, cleaned or never stored)";
}

/** Writes the task's record unless it would say exactly what it says already (the common all-hit case). */
function saveRecord(cache: RunCache, task: Task, computed: TaskFingerprint, outcome: TaskOutcome): void {
  const status = outcome.kind === "cached" ? "success" : outcome.kind;
  const { previous, memo, fingerprint, input } = computed;
  if (previous && previous.fingerprint === fingerprint && previous.status === status && !memo.changed) return;
  const written = writeTaskRecord(cache.cacheDir, { version: 2, task: task.id, fingerprint, input, status, memo: memo.entries(input.inputs) });
  if (!written.ok) cache.options.warn(`cache: ${written.error}`);
}
