import type { FingerprintInput } from "./fingerprint.ts";

const SHOWN_PATHS = 5;

/**
 * Which parts of a fingerprint changed since the previous run, one phrase per part, in a fixed
 * order (version, commands, env, inputs, outputs, place, deps). Env values are never shown, only
 * the names of the variables that changed. Empty when nothing changed.
 */
export function explainChange(previous: FingerprintInput, current: FingerprintInput): string[] {
  const reasons: string[] = [];
  if (previous.version !== current.version) reasons.push(`cache format version changed (${previous.version} → ${current.version})`);
  const commands = commandChanges(previous.commands, current.commands);
  if (commands) reasons.push(commands);
  const env = keyChanges(previous.env, current.env);
  if (env.length > 0) reasons.push(`env changed: ${listShort(env)}`);
  const inputs = keyChanges(previous.inputs, current.inputs);
  if (inputs.length > 0) reasons.push(`inputs changed: ${listShort(inputs)}`);
  if (JSON.stringify(previous.outputs) !== JSON.stringify(current.outputs)) reasons.push(`outputs changed: [${previous.outputs.join(", ")}] → [${current.outputs.join(", ")}]`);
  const place = placeChanges(previous.place, current.place);
  if (place) reasons.push(place);
  const deps = keyChanges(previous.deps, current.deps);
  if (deps.length > 0) reasons.push(`dependencies changed: ${listShort(deps)}`);
  return reasons;
}

function commandChanges(before: readonly string[], after: readonly string[]): string | undefined {
  if (before.length !== after.length) return `commands changed (${before.length} → ${after.length} commands)`;
  for (let i = 0; i < after.length; i++) {
    if (before[i] !== after[i]) return `command ${i + 1} changed: ${JSON.stringify(before[i])} → ${JSON.stringify(after[i])}`;
  }
  return undefined;
}

/** `name (changed)`, `name (added)`, `name (removed)`, sorted by name. */
function keyChanges(before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>): string[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const out: string[] = [];
  for (const name of names) {
    const a = before[name];
    const b = after[name];
    if (a === b) continue;
    out.push(`${name} (${a === undefined ? "added" : b === undefined ? "removed" : "changed"})`);
  }
  return out;
}

function placeChanges(before: FingerprintInput["place"], after: FingerprintInput["place"]): string | undefined {
  const parts: string[] = [];
  for (const key of ["name", "dir", "cwd"] as const) if (before[key] !== after[key]) parts.push(`${key} ${before[key]} → ${after[key]}`);
  return parts.length > 0 ? `place changed: ${parts.join(", ")}` : undefined;
}

function listShort(items: readonly string[]): string {
  const shown = items.slice(0, SHOWN_PATHS).join(", ");
  return items.length > SHOWN_PATHS ? `${shown} and ${items.length - SHOWN_PATHS} more` : shown;
}
