import * as z from "zod/mini";
import {
  byKind,
  duration,
  expectedMessage,
  flag,
  isTable,
  nonEmptyText,
  section,
  size,
  stringList,
  tableOf,
  text,
  valueWhere,
  wholeNumber,
} from "./value-schemas.ts";

/** The make.toml schema (product.md section 2) in zod/mini, and RawConfig: a document that passed it, keys as written. */

const NAME = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Why a phase or workspace name is invalid, or undefined when it is fine. */
export function nameProblem(kind: "phase" | "workspace", name: string): string | undefined {
  return NAME.test(name) ? undefined : `invalid ${kind} name ${JSON.stringify(name)}: use 1-64 letters, digits, "-", "_", "." or ":"`;
}

const argv = valueWhere<readonly string[]>(
  "an argv array of strings starting with a program name",
  (v) => Array.isArray(v) && v.length > 0 && v[0] !== "" && v.every((arg) => typeof arg === "string"),
);
const COMMAND = 'a command: a string (run by the shell) or an array of strings (argv, no shell)';
/** An empty string is accepted (ggen ran it as a no-op `sh -c ""`, and examples contain such lines). */
const command = byKind<string | readonly string[]>(COMMAND, { string: text, array: argv });
const commandList = z.array(command, { error: (issue) => expectedMessage(`an array of commands`, issue.input) });

/** Environment values are strings; a nested table is tolerated (ggen examples have them) and warned about elsewhere. */
const envValue = valueWhere<string | Readonly<Record<string, unknown>>>(
  'a string (quote numbers and booleans: "1")',
  (v) => typeof v === "string" || isTable(v),
);
const envVars = tableOf<string | Readonly<Record<string, unknown>>>("a table of strings", () => envValue);
const envSection = tableOf<string | Readonly<Record<string, string | Readonly<Record<string, unknown>>>>>(
  "a table of strings",
  () => byKind("a string, or a table of strings for a profile", { string: text, table: envVars }),
);

/** [settings] and [execution] share one shape: ours and ggen's key names are accepted in both. */
export const settingsShape = {
  concurrency: z.optional(wholeNumber(1)),
  max_parallel_phases: z.optional(wholeNumber(1)),
  timeout: z.optional(duration),
  timeout_seconds: z.optional(duration),
  retries: z.optional(wholeNumber(0)),
  retry_attempts: z.optional(wholeNumber(0)),
  retry_delay: z.optional(duration),
  retry_delay_seconds: z.optional(duration),
  kill_grace: z.optional(duration),
  shell: z.optional(nonEmptyText),
  history_limit: z.optional(wholeNumber(1)),
};

/** `[project]`: only the name is required. */
export const projectShape = {
  name: nonEmptyText,
  type: z.optional(text),
  version: z.optional(text),
  description: z.optional(text),
};

/** `[lifecycle.<phase>]` keys (product.md section 2); `concurrency` is an alias of `max_threads`. */
export const phaseShape = {
  description: z.optional(text),
  command: z.optional(command),
  commands: z.optional(commandList),
  cwd: z.optional(nonEmptyText),
  env: z.optional(envVars),
  timeout: z.optional(duration),
  retries: z.optional(wholeNumber(0)),
  retry_delay: z.optional(duration),
  parallel: z.optional(flag),
  max_threads: z.optional(wholeNumber(1)),
  concurrency: z.optional(wholeNumber(1)),
  workspaces: z.optional(stringList("workspace names")),
  depends_on: z.optional(stringList("phase names")),
  cache: z.optional(flag),
  inputs: z.optional(stringList("file globs")),
  outputs: z.optional(stringList("file globs")),
  // ggen examples write `watch = ["src/**"]`: accepted as watch = true, with a warning (find-conflicts.ts).
  watch: z.optional(
    valueWhere<boolean | string[]>(
      "true or false (watch marks a long-running phase such as a dev server)",
      (v) => typeof v === "boolean" || (Array.isArray(v) && v.every((g) => typeof g === "string")),
    ),
  ),
  port: z.optional(wholeNumber(0, 65535, "a port number from 0 to 65535")),
  continue_on_error: z.optional(flag),
};

/** `[workspace.<name>]` keys; only `path` and `depends_on` are used, the rest is informational. */
export const workspaceShape = {
  path: nonEmptyText,
  depends_on: z.optional(stringList("workspace names")),
  framework: z.optional(text),
  runtime: z.optional(text),
  package_manager: z.optional(text),
  description: z.optional(text),
  language: z.optional(text),
};

/** The table form of a hook: `[hooks.before_x] commands = [...]`. */
export const hookTableShape = { commands: commandList };

/** `[state]`: `history_limit` (below [settings]/[execution] in precedence). */
export const stateShape = { history_limit: z.optional(wholeNumber(1)) };

/** `[cache]`: local store bound and remote cache locations. */
export const cacheShape = {
  max_size: z.optional(size),
  remote_url: z.optional(valueWhere<string>("an http(s) URL", (v) => typeof v === "string" && /^https?:\/\/\S+$/.test(v))),
  remote_team: z.optional(nonEmptyText),
  s3: z.optional(valueWhere<string>('an S3 URL such as "s3://bucket/prefix"', (v) => typeof v === "string" && /^s3:\/\/[^/\s]+/.test(v))),
};

const HOOK_KEY = /^(before|after)_.+$|^on_(error|success)$/;

/** before_all, after_all, before_<phase>, after_<phase>, on_error, on_success. */
export function isHookKey(key: string): boolean {
  return HOOK_KEY.test(key);
}

const phaseSchema = section(phaseShape, "a table of phase settings");
const workspaceSchema = section(workspaceShape, "a table with a path");
const hookValue = byKind<RawHook>("an array of phase names, a shell command string, or a table { commands = [...] }", {
  array: stringList("phase names"),
  string: nonEmptyText,
  table: section(hookTableShape, "a table { commands = [...] }"),
});

/** The whole document. Missing `[project]`/`project.name` fail here; unknown keys are left to findUnknownKeys. */
export const configSchema = z.object({
  project: z.object(projectShape, {
    error: (issue) => (issue.input === undefined ? 'missing required table [project] (with name = "...")' : expectedMessage("a table", issue.input)),
  }),
  settings: z.optional(section(settingsShape, "a table")),
  execution: z.optional(section(settingsShape, "a table")),
  env: z.optional(envSection),
  workspace: z.optional(
    tableOf<unknown>(
      "a table",
      (key, value) => (key === "members" ? stringList("directory globs") : isTable(value) ? workspaceSchema : undefined),
      (key, value) => (key !== "members" && isTable(value) ? nameProblem("workspace", key) : undefined),
    ),
  ),
  lifecycle: z.optional(tableOf<RawPhase>("a table of phases", () => phaseSchema, (key) => nameProblem("phase", key))),
  hooks: z.optional(tableOf<RawHook>("a table", (key) => (isHookKey(key) ? hookValue : undefined))),
  state: z.optional(section(stateShape, "a table")),
  cache: z.optional(section(cacheShape, "a table")),
});

/** A command as written: a shell string or an argv array. */
export type RawCommand = string | readonly string[];
/** A hook as written: phase names, a shell command, or `{ commands }`. */
export type RawHook = readonly string[] | string | { readonly commands: readonly RawCommand[] };
export type RawPhase = z.output<typeof phaseSchema>;
export type RawWorkspace = z.output<typeof workspaceSchema>;
export type RawSettings = z.output<ReturnType<typeof section<typeof settingsShape>>>;
/** A make.toml that passed the schema. `workspace` mixes `members` with `<name>` tables (use workspaceEntries). */
export type RawConfig = z.output<typeof configSchema>;

/** `[workspace.<name>]` tables of a validated document, in document order. */
export function workspaceEntries(raw: RawConfig): [string, RawWorkspace][] {
  const entries: [string, RawWorkspace][] = [];
  for (const [name, value] of Object.entries(raw.workspace ?? {})) {
    if (name !== "members" && isTable(value)) entries.push([name, value as RawWorkspace]);
  }
  return entries;
}

/** `[workspace] members` of a validated document. */
export function workspaceMembers(raw: RawConfig): readonly string[] {
  const members = raw.workspace?.members;
  return Array.isArray(members) ? (members as string[]) : [];
}
