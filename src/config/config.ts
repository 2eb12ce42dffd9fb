/** The resolved configuration: durations in ms, hooks normalised, aliases merged. Produced by resolveConfig. */

/** A string runs through the shell (`<shell> -c`); argv runs directly, no shell at all. */
export type Command =
  | { readonly kind: "shell"; readonly script: string }
  | { readonly kind: "argv"; readonly argv: readonly string[] };

/** One entry of a hook: a phase to run, or inline commands run as their own step list. */
export type HookEntry =
  | { readonly kind: "phase"; readonly phase: string }
  | { readonly kind: "commands"; readonly commands: readonly Command[] };

export interface Hooks {
  readonly beforeAll: readonly HookEntry[];
  readonly afterAll: readonly HookEntry[];
  /** `before_<phase>` keyed by phase name. */
  readonly before: Readonly<Record<string, readonly HookEntry[]>>;
  /** `after_<phase>` keyed by phase name. */
  readonly after: Readonly<Record<string, readonly HookEntry[]>>;
  readonly onError: readonly HookEntry[];
  readonly onSuccess: readonly HookEntry[];
}

export interface Phase {
  readonly name: string;
  readonly description?: string;
  /** Empty: the phase is a group that runs only its hooks and dependencies. */
  readonly commands: readonly Command[];
  /** Relative to the place's directory; checked to stay inside the root. */
  readonly cwd?: string;
  readonly env: Readonly<Record<string, string>>;
  /** undefined: use settings; null: no timeout. */
  readonly timeoutMs?: number | null;
  readonly retries?: number;
  readonly retryDelayMs?: number;
  readonly parallel: boolean;
  readonly maxThreads?: number;
  readonly workspaces?: readonly string[];
  readonly dependsOn: readonly string[];
  readonly cache: boolean;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly watch: boolean;
  readonly port?: number;
  readonly continueOnError: boolean;
}

export interface Settings {
  /** undefined: CPU count. */
  readonly concurrency?: number;
  /** null: no timeout. */
  readonly timeoutMs: number | null;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly killGraceMs: number;
  readonly shell: string;
  readonly historyLimit: number;
}

export interface WorkspaceDecl {
  readonly name: string;
  readonly path: string;
  readonly dependsOn: readonly string[];
  readonly description?: string;
}

export interface CacheSettings {
  readonly maxSizeBytes?: number;
  readonly remoteUrl?: string;
  readonly remoteTeam?: string;
  readonly s3?: string;
}

export interface Project {
  readonly name: string;
  readonly type?: string;
  readonly version?: string;
  readonly description?: string;
}

export interface Config {
  /** Absolute path of the make.toml this came from. */
  readonly file: string;
  /** Directory the file lives in: the place's directory. */
  readonly dir: string;
  readonly project: Project;
  readonly settings: Settings;
  readonly env: Readonly<Record<string, string>>;
  readonly envProfiles: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly workspaces: readonly WorkspaceDecl[];
  /** `[workspace] members` globs. */
  readonly members: readonly string[];
  /** Keyed by phase name; iteration order is alphabetical (ggen's BTreeMap order). */
  readonly phases: ReadonlyMap<string, Phase>;
  readonly hooks: Hooks;
  readonly cache: CacheSettings;
}

export const DEFAULT_SETTINGS: Settings = {
  timeoutMs: 300_000,
  retries: 0,
  retryDelayMs: 1000,
  killGraceMs: 5000,
  shell: "sh",
  historyLimit: 1000,
};

export function commandText(command: Command): string {
  return command.kind === "shell" ? command.script : command.argv.map(quoteArg).join(" ");
}

function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}
