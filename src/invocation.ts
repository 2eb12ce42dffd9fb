import type { FailurePolicy } from "./schedule/scheduler.ts";

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
  readonly concurrency?: number;
  readonly timeoutMs?: number | null;
  readonly policy: FailurePolicy;
  readonly force: boolean;
  readonly dryRun: boolean;
  readonly output?: OutputMode;
  readonly summaryFile?: string;
  readonly junitFile?: string;
}

export type GraphFormat = "text" | "dot" | "json" | "mermaid";

/** What the user asked for, parsed and checked; the only input to run.ts besides the environment. */
export type Invocation =
  | { readonly command: "list"; readonly global: GlobalOptions }
  | { readonly command: "show"; readonly global: GlobalOptions; readonly phase: string }
  | { readonly command: "run"; readonly global: GlobalOptions; readonly run: RunOptions }
  | { readonly command: "validate"; readonly global: GlobalOptions }
  | { readonly command: "graph"; readonly global: GlobalOptions; readonly phases: readonly string[]; readonly format: GraphFormat }
  | { readonly command: "state"; readonly global: GlobalOptions; readonly action: "show" | "prune" | "reset"; readonly keep?: number }
  /** cac already printed help or version. */
  | { readonly command: "done" };
