import { isMaskedSecret, longestFirst } from "../shared/redact.ts";

/** The environment a task's commands see, and the values in it that output must never show. */
export interface CommandEnv {
  readonly env: Record<string, string>;
  /** Longest first, as redactText wants them. */
  readonly secrets: string[];
}

/** The parent environment's share of every task's env: its set variables and the names among them that hold secrets. */
interface ParentLayer {
  readonly vars: Readonly<Record<string, string>>;
  readonly secretNames: readonly string[];
}

let lastParent: { readonly env: object; readonly layer: ParentLayer } | undefined;

/**
 * Parent env with the task's layers on top (task wins); unset parent variables are dropped. A frozen
 * parent (a run's snapshot) cannot change, so its share is worked out once and not per task: copying
 * and scanning ~50 variables for secrets was a visible part of starting each command.
 */
export function commandEnv(parent: Readonly<Record<string, string | undefined>>, overlay: Readonly<Record<string, string>>): CommandEnv {
  const layer = parentLayer(parent);
  const env: Record<string, string> = Object.assign({}, layer.vars);
  const secrets = new Set<string>();
  for (const name of layer.secretNames) if (!(name in overlay)) secrets.add(layer.vars[name]!);
  for (const name in overlay) {
    const value = overlay[name]!;
    env[name] = value;
    if (isMaskedSecret(name, value)) secrets.add(value);
  }
  return { env, secrets: longestFirst(secrets) };
}

/** The set variables of a parent env, frozen: hand it to every task of a run (commandEnv then reuses its share). */
export function snapshotEnv(parent: Readonly<Record<string, string | undefined>>): Readonly<Record<string, string>> {
  const layer = scanParent(parent);
  const snapshot = Object.freeze(layer.vars);
  lastParent = { env: snapshot, layer };
  return snapshot;
}

function parentLayer(parent: Readonly<Record<string, string | undefined>>): ParentLayer {
  if (lastParent?.env === parent) return lastParent.layer;
  const layer = scanParent(parent);
  if (Object.isFrozen(parent)) lastParent = { env: parent, layer };
  return layer;
}

function scanParent(parent: Readonly<Record<string, string | undefined>>): ParentLayer {
  const vars: Record<string, string> = {};
  for (const name in parent) {
    const value = parent[name];
    if (value !== undefined) vars[name] = value;
  }
  return { vars, secretNames: Object.keys(vars).filter((name) => isMaskedSecret(name, vars[name]!)) };
}
