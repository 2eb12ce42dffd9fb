import type { Task, TaskGraph } from "../plan/task.ts";
import { errorDiagnostic, type Diagnostic } from "../shared/diagnostic.ts";
import { checkCachePatterns } from "./cache-paths.ts";
import { RunCache, type RunCacheOptions } from "./run-cache.ts";

/** Every task of the invocation, on_error/on_success included. */
function allTasks(graph: TaskGraph): Task[] {
  return [...graph.tasks.values(), ...graph.onError.values(), ...graph.onSuccess.values()];
}

/** The run's cache, or undefined when no task has `cache = true` (then nothing is fingerprinted at all). */
export function openRunCache(graph: TaskGraph, options: RunCacheOptions): RunCache | undefined {
  return allTasks(graph).some((t) => t.cache) ? new RunCache(options) : undefined;
}

/** `inputs`/`outputs` patterns that leave the root: load-time errors (exit 2, nothing runs). */
export function cacheDiagnostics(graph: TaskGraph, rootDir: string): Diagnostic[] {
  const seen = new Set<string>();
  const problems: Diagnostic[] = [];
  for (const task of allTasks(graph)) {
    for (const message of checkCachePatterns(task, rootDir)) {
      if (seen.has(message)) continue;
      seen.add(message);
      problems.push(errorDiagnostic({ keyPath: `lifecycle.${task.phase}`, message }));
    }
  }
  return problems;
}
