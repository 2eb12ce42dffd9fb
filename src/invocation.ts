import type { FailurePolicy } from "./schedule/scheduler.ts";
import type { ShardSpec } from "./workspace/shard.ts";

/** Options every command accepts. */
export interface GlobalOptions {
  /** Absolute project root. */
  readonly root: string;
  /** make.toml path as given (-f), resolved against the root. */
  readonly file?: string;
  readonly profile?: string;
  readonly json: boolean;
  readonly logLevel: LogLevel;
  readonly logFormat: "human" | "json";
  readonly logFile?: string;
  readonly color: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly strict: boolean;
}

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

export type OutputMode = "stream" | "prefix" | "grouped";

export interface RunOptions {
  readonly phases: readonly string[];
  /** `pipeline` prints "Pipeline completed: a → b" at the end. */
  readonly pipeline: boolean;
  readonly workspaces: readonly string[];
  /** --since <git-ref>: workspaces changed since it, and their dependents. */
  readonly since?: string;
  /** --shard i/n: a deterministic share of the selected workspaces. */
  readonly shard?: ShardSpec;
  readonly concurrency?: number;
  readonly timeoutMs?: number | null;
  readonly policy: FailurePolicy;
  readonly force: boolean;
  readonly dryRun: boolean;
  readonly output?: OutputMode;
  readonly summaryFile?: string;
  readonly junitFile?: string;
  /** --metrics-file FILE: Prometheus text format, written atomically at the end of the run. */
  readonly metricsFile?: string;
  /** --trace-file FILE: the run as OTLP JSON spans. */
  readonly traceFile?: string;
  /** --explain: per cached task, hit or miss and which part of its fingerprint changed. */
  readonly explain?: boolean;
  /** --remote-cache (env LIFECYCLE_REMOTE_CACHE): read and write (default), read only, or off. */
  readonly remoteCache?: "rw" | "r" | "off";
}

export type GraphFormat = "text" | "dot" | "json" | "mermaid";

/** What the user asked for, parsed and checked; the only input to run.ts besides the environment. */
export type Invocation =
  | { readonly command: "list"; readonly global: GlobalOptions }
  | { readonly command: "show"; readonly global: GlobalOptions; readonly phase: string }
  | { readonly command: "run"; readonly global: GlobalOptions; readonly run: RunOptions }
  | { readonly command: "validate"; readonly global: GlobalOptions }
  | { readonly command: "graph"; readonly global: GlobalOptions; readonly phases: readonly string[]; readonly format: GraphFormat; readonly selection: Pick<RunOptions, "workspaces" | "since" | "shard"> }
  | { readonly command: "state"; readonly global: GlobalOptions; readonly action: "show" | "prune" | "reset"; readonly keep?: number }
  | { readonly command: "cache"; readonly global: GlobalOptions; readonly action: "status" | "clean" | "prune" }
  | { readonly command: "init"; readonly global: GlobalOptions; readonly force: boolean; readonly dryRun: boolean }
  | { readonly command: "doctor"; readonly global: GlobalOptions }
  | { readonly command: "completion"; readonly global: GlobalOptions; readonly shell: "bash" | "zsh" | "fish" }
  /** cac already printed help or version. */
  | { readonly command: "done" };
