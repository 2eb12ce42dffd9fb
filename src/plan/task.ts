import type { Command } from "../config/config.ts";

/** `"<place>#<phase>"`, with `//` for the root. Made only by taskId(). */
export type TaskId = string & { readonly __brand: "TaskId" };

export const ROOT_PLACE = "//";

export function taskId(place: string, phase: string): TaskId {
  return `${place}#${phase}` as TaskId;
}

/** The fan-out a task belongs to: parallel/max_threads caps and failure stops count tasks by it. */
export function fanOutOf(task: Task): string {
  return task.fanOutPhase ?? task.phase;
}

/** Where a task runs: the root, or one workspace. */
export interface Place {
  /** `//` for the root, else the workspace name. */
  readonly name: string;
  /** Absolute directory. */
  readonly dir: string;
  /** Workspace name; undefined at the root. */
  readonly workspace?: string;
}

/** One phase in one place, fully resolved: nothing about it is decided later. */
export interface Task {
  readonly id: TaskId;
  readonly place: Place;
  /** Phase name, or the hook key (`before_build`, `on_error`) for inline hook commands. */
  readonly phase: string;
  /** `hook`: inline hook commands, not a phase; not written to phase_history. */
  readonly kind: "phase" | "hook";
  readonly description?: string;
  readonly commands: readonly Command[];
  /** Absolute working directory for every command. */
  readonly cwd: string;
  /** make.toml env layers + LIFECYCLE_* (the parent environment is added at spawn time). */
  readonly env: Readonly<Record<string, string>>;
  /** null: no timeout. */
  readonly timeoutMs: number | null;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly continueOnError: boolean;
  /** Fan-out of this phase across workspaces may run concurrently. */
  readonly parallel: boolean;
  readonly maxThreads?: number;
  /** Inline hooks of a phase (`before_build = "..."`): that phase, whose fan-out bounds they share. */
  readonly fanOutPhase?: string;
  readonly cache: boolean;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** ggen's key: sha256(phase, commands, GGEN_ENV); recorded in state cache_keys. */
  readonly ggenCacheKey: string;
  /** Tasks that must succeed first. */
  readonly deps: readonly TaskId[];
  /**
   * The same phase in workspaces it depends on that the selection (-w, --since) left out: they do
   * not run, but their last recorded fingerprints go into this task's, so a rebuilt dependency misses.
   */
  readonly outsideDeps?: readonly TaskId[];
}

/** The sealed plan for one invocation. `tasks` iterates in a valid topological order. */
export interface TaskGraph {
  readonly tasks: ReadonlyMap<TaskId, Task>;
  /** Phases the user asked for, in order. */
  readonly phases: readonly string[];
  /** Run after the graph when it failed / succeeded: on_error / on_success. */
  readonly onError: ReadonlyMap<TaskId, Task>;
  readonly onSuccess: ReadonlyMap<TaskId, Task>;
}
