import { relative } from "node:path";
import type { Task } from "../plan/task.ts";
import { isSecretKey, secretValues } from "../shared/redact.ts";
import { canonicalJson } from "./canonical-json.ts";
import { sha256Bytes } from "./file-digest.ts";

/** Bumped whenever what goes into a fingerprint, or the artifact format, changes: old entries then miss. */
export const CACHE_FORMAT_VERSION = 1;

/**
 * Everything a cached task's result depends on, as a versioned record. Serialised canonically
 * (sorted keys) and hashed, it is the task's fingerprint; kept per task, it is what `--explain`
 * compares against. Paths are relative (to the root or the place), so checkouts in different
 * directories of the same project share fingerprints.
 */
export interface FingerprintInput {
  readonly version: number;
  /** Each command as it will run: `<shell> -c <script>`, or `argv: [...]`. */
  readonly commands: readonly string[];
  /** The task's env layers and LIFECYCLE_* (not LIFECYCLE_ROOT: an absolute path); secret values, and values holding one, as their sha256. */
  readonly env: Readonly<Record<string, string>>;
  /** sha256 of each `inputs` file, by path relative to the place directory. */
  readonly inputs: Readonly<Record<string, string>>;
  /** The `outputs` patterns: a different set of saved files is a different result. */
  readonly outputs: readonly string[];
  /** Place name, its directory and the commands' cwd, relative to the root. */
  readonly place: { readonly name: string; readonly dir: string; readonly cwd: string };
  /** The fingerprint of each task this one depends on, by task id. */
  readonly deps: Readonly<Record<string, string>>;
}

/** The fingerprint input of `task`, given its input digests and its dependencies' fingerprints. */
export function fingerprintInput(
  task: Task,
  context: {
    readonly rootDirs: readonly string[];
    readonly shell: string;
    readonly inputs: Readonly<Record<string, string>>;
    readonly deps: Readonly<Record<string, string>>;
    /** Secret values of the parent environment (redact.ts secretValues): `${MY_TOKEN}` expands one into any key. */
    readonly secrets?: readonly string[];
  },
): FingerprintInput {
  const secrets = [...(context.secrets ?? []), ...secretValues(task.env)];
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(task.env)) {
    if (name === "LIFECYCLE_ROOT") continue;
    // Hashed, not dropped: a new secret value must still change the fingerprint.
    env[name] = isSecretKey(name) || holdsSecret(value, secrets) ? `sha256:${sha256Bytes(value)}` : value;
  }
  return {
    version: CACHE_FORMAT_VERSION,
    commands: task.commands.map((command) => (command.kind === "shell" ? `${context.shell} -c ${command.script}` : `argv: ${JSON.stringify(command.argv)}`)),
    env,
    inputs: context.inputs,
    outputs: [...task.outputs],
    place: { name: task.place.name, dir: relativePath(context.rootDirs, task.place.dir), cwd: relativePath(context.rootDirs, task.cwd) },
    deps: context.deps,
  };
}

/** `${T}` may expand a secret into any key, or into part of a value (a URL, a header). */
function holdsSecret(value: string, secrets: readonly string[]): boolean {
  return secrets.some((secret) => value.includes(secret));
}

/** sha256 (64 hex chars) of the canonical serialisation. */
export function fingerprintOf(input: FingerprintInput): string {
  return sha256Bytes(canonicalJson(input));
}

/** `dir` relative to the root; the root may be given as written and as its realpath (workspace dirs are realpaths). */
function relativePath(rootDirs: readonly string[], dir: string): string {
  let best = "";
  for (const root of rootDirs) {
    best = relative(root, dir).split("\\").join("/");
    if (best !== ".." && !best.startsWith("../")) break;
  }
  return best || ".";
}
