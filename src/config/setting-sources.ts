import { parseDuration } from "../shared/duration.ts";
import type { KeySegment } from "./key-path.ts";
import { isTable } from "./value-schemas.ts";

/** Each run-wide setting and the keys that may hold it, in precedence order within one section. */
export const SETTING_KEYS = {
  concurrency: ["concurrency", "max_parallel_phases"],
  timeout: ["timeout", "timeout_seconds"],
  retries: ["retries", "retry_attempts"],
  retry_delay: ["retry_delay", "retry_delay_seconds"],
  kill_grace: ["kill_grace"],
  shell: ["shell"],
  history_limit: ["history_limit"],
} as const;

/** A run-wide setting, by its [settings] name. */
export type SettingName = keyof typeof SETTING_KEYS;

const DURATION_SETTINGS: ReadonlySet<SettingName> = new Set(["timeout", "retry_delay", "kill_grace"]);

/** One place a setting is written: its key path and the value as written. */
export interface SettingSource {
  readonly path: readonly KeySegment[];
  readonly value: unknown;
}

/**
 * Where a setting is written in a document, winner first: [settings] (our name, then ggen's alias), then
 * [execution] (same order), then, for history_limit only, [state].
 */
export function settingSources(doc: unknown, setting: SettingName): SettingSource[] {
  const sources: SettingSource[] = [];
  if (!isTable(doc)) return sources;
  for (const sectionName of ["settings", "execution"]) {
    const table = doc[sectionName];
    if (!isTable(table)) continue;
    for (const key of SETTING_KEYS[setting]) {
      if (table[key] !== undefined) sources.push({ path: [sectionName, key], value: table[key] });
    }
  }
  const state = doc.state;
  if (setting === "history_limit" && isTable(state) && state.history_limit !== undefined) {
    sources.push({ path: ["state", "history_limit"], value: state.history_limit });
  }
  return sources;
}

/** Whether two written values of a setting mean the same thing ("5m" and 300 do). */
export function sameSettingValue(setting: SettingName, a: unknown, b: unknown): boolean {
  if (DURATION_SETTINGS.has(setting)) {
    const left = parseDuration(a);
    const right = parseDuration(b);
    return left.ok && right.ok ? left.value === right.value : a === b;
  }
  return a === b;
}
