import { isAbsolute, relative, resolve } from "node:path";
import { commandText, type Command, type Config, type Phase } from "../config/config.ts";
import { expandEnvValue } from "../config/expand-env.ts";
import type { Place, Task, TaskId } from "./task.ts";
import { taskId } from "./task.ts";
import { createSha256 } from "../runtime/hashing.ts";

/** Per-invocation inputs that shape every task: the env profile, a --timeout override, the parent env. */
export interface TaskOptions {
  readonly rootDir: string;
  readonly profile?: string;
  /** --timeout: replaces settings.timeout for this run (null: none). */
  readonly timeoutOverrideMs?: number | null;
  readonly parentEnv: Readonly<Record<string, string | undefined>>;
}

/** A phase in a place with all of its settings resolved; deps are filled in by the graph builder. */
export function resolvePhaseTask(phase: Phase, place: Place, config: Config, options: TaskOptions, deps: TaskId[]): Task {
  const settings = config.settings;
  const defaultTimeout = options.timeoutOverrideMs !== undefined ? options.timeoutOverrideMs : settings.timeoutMs;
  const env = layerEnv(config, phase.env, phase.name, place, options);
  return {
    id: taskId(place.name, phase.name),
    place,
    phase: phase.name,
    kind: "phase",
    description: phase.description,
    commands: phase.commands,
    cwd: phase.cwd ? resolve(place.dir, phase.cwd) : place.dir,
    env,
    timeoutMs: phase.timeoutMs !== undefined ? phase.timeoutMs : phase.watch ? null : defaultTimeout,
    retries: phase.retries ?? settings.retries,
    retryDelayMs: phase.retryDelayMs ?? settings.retryDelayMs,
    continueOnError: phase.continueOnError,
    parallel: phase.parallel,
    maxThreads: phase.maxThreads,
    cache: phase.cache,
    inputs: phase.inputs,
    outputs: phase.outputs,
    ggenCacheKey: ggenCacheKey(phase.name, phase.commands, options.profile),
    deps,
  };
}

/** How a phase fans out across workspaces: its parallel/max_threads, shared by its inline hooks. */
export interface FanOut {
  readonly phase: string;
  readonly parallel: boolean;
  readonly maxThreads?: number;
}

/** `task` with the fan-out's parallel/max_threads (the same object when it has them already). */
export function withFanOut(task: Task, fanOut: FanOut): Task {
  if (task.parallel === fanOut.parallel && task.maxThreads === fanOut.maxThreads) return task;
  return { ...task, parallel: fanOut.parallel, maxThreads: fanOut.maxThreads };
}

/**
 * Inline hook commands (`before_build = "echo hi"`) as a task of their own, named after the hook key.
 * With `fanOut` (hooks of a phase) they run with that phase's fan-out; else one place at a time.
 */
export function resolveHookTask(hookKey: string, commands: readonly Command[], place: Place, config: Config, options: TaskOptions, deps: TaskId[], fanOut?: FanOut): Task {
  const settings = config.settings;
  return {
    id: taskId(place.name, hookKey),
    place,
    phase: hookKey,
    kind: "hook",
    commands,
    cwd: place.dir,
    env: layerEnv(config, {}, hookKey, place, options),
    timeoutMs: options.timeoutOverrideMs !== undefined ? options.timeoutOverrideMs : settings.timeoutMs,
    retries: 0,
    retryDelayMs: settings.retryDelayMs,
    continueOnError: false,
    parallel: fanOut?.parallel ?? false,
    maxThreads: fanOut?.maxThreads,
    fanOutPhase: fanOut?.phase,
    cache: false,
    inputs: [],
    outputs: [],
    ggenCacheKey: ggenCacheKey(hookKey, commands, options.profile),
    deps,
  };
}

/** A `cwd` that leaves the root, as a message; undefined when it stays inside. */
export function cwdEscape(phase: Phase, place: Place, rootDir: string): string | undefined {
  if (!phase.cwd) return undefined;
  const target = resolve(place.dir, phase.cwd);
  const rel = relative(rootDir, target);
  if (rel === "" || (!rel.startsWith("..") && !isAbsolute(rel))) return undefined;
  return `cwd "${phase.cwd}" resolves to ${target}, outside the project root (it must stay inside; it is relative to the place's directory)`;
}

/** parent env < [env] < [env.<profile>] < phase env < GGEN_ENV and LIFECYCLE_* (product.md section 3). */
function layerEnv(config: Config, phaseEnv: Readonly<Record<string, string>>, phase: string, place: Place, options: TaskOptions): Record<string, string> {
  const profileEnv = options.profile ? config.envProfiles[options.profile] ?? {} : {};
  const env: Record<string, string> = {};
  for (const layer of [config.env, profileEnv, phaseEnv]) {
    for (const [name, value] of Object.entries(layer)) env[name] = expandEnvValue(value, options.parentEnv);
  }
  if (options.profile) env.GGEN_ENV = options.profile;
  env.LIFECYCLE_PHASE = phase;
  env.LIFECYCLE_WORKSPACE = place.workspace ?? "";
  env.LIFECYCLE_ROOT = options.rootDir;
  return env;
}

/**
 * ggen's cache key, byte for byte: sha256(phase ‖ ("\n" ‖ cmd)* ‖ ("\n" ‖ k=v)*) with the env
 * ggen passed (only GGEN_ENV), so keys stay comparable with existing state files.
 */
export function ggenCacheKey(phase: string, commands: readonly Command[], profile: string | undefined): string {
  const hash = createSha256();
  hash.update(phase);
  for (const command of commands) hash.update(`\n${commandText(command)}`);
  if (profile !== undefined) hash.update(`\nGGEN_ENV=${profile}`);
  return hash.digest("hex");
}
