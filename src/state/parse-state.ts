import { err, ok, type Result } from "../shared/result.ts";
import type { CacheKeyEntry, RunRecord, StateFile } from "./state-types.ts";

/** `checksum` is rewritten by every save (serialize-state.ts), so it is not kept as an unknown field. */
const KNOWN_KEYS = new Set(["version", "last_phase", "phase_history", "generated", "cache_keys", "checksum"]);

/**
 * Reads state.json text. Missing `phase_history`/`generated`/`cache_keys` default to [] (ggen
 * refused such files). Any wrong type is an error naming the field; records are kept as parsed,
 * unknown fields included, so writing them back reproduces them. Does not handle empty text.
 */
export function parseStateText(text: string): Result<StateFile, string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return err(`invalid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isObject(value)) return err("expected a JSON object at the top level");
  const history = arrayField(value, "phase_history", isRunRecord, "{phase, started_ms, duration_ms, success}");
  if (!history.ok) return history;
  const generated = arrayField(value, "generated", (x): x is string => typeof x === "string", "a string");
  if (!generated.ok) return generated;
  const cacheKeys = arrayField(value, "cache_keys", isCacheKey, "{phase, key}");
  if (!cacheKeys.ok) return cacheKeys;
  const lastPhase = value["last_phase"];
  if (lastPhase !== undefined && lastPhase !== null && typeof lastPhase !== "string") return err("last_phase: expected a string or null");
  const version = value["version"];
  if (version !== undefined && (typeof version !== "number" || !Number.isInteger(version) || version < 1)) {
    return err("version: expected a positive integer");
  }
  const extra = Object.fromEntries(Object.entries(value).filter(([key]) => !KNOWN_KEYS.has(key)));
  return ok({
    ...(version !== undefined ? { version } : {}),
    ...(lastPhase !== undefined ? { last_phase: lastPhase } : {}),
    phase_history: history.value,
    generated: generated.value,
    cache_keys: cacheKeys.value,
    extra,
  });
}

function arrayField<T>(obj: Record<string, unknown>, key: string, check: (x: unknown) => x is T, expected: string): Result<T[], string> {
  const v = obj[key];
  if (v === undefined || v === null) return ok([]);
  if (!Array.isArray(v)) return err(`${key}: expected an array`);
  for (let i = 0; i < v.length; i++) if (!check(v[i])) return err(`${key}[${i}]: expected ${expected}`);
  return ok(v as T[]);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isRunRecord(v: unknown): v is RunRecord {
  return (
    isObject(v) &&
    typeof v["phase"] === "string" &&
    isMillis(v["started_ms"]) &&
    isMillis(v["duration_ms"]) &&
    typeof v["success"] === "boolean"
  );
}

function isMillis(v: unknown): boolean {
  return typeof v === "number" && Number.isFinite(v) && v >= 0;
}

function isCacheKey(v: unknown): v is CacheKeyEntry {
  return isObject(v) && typeof v["phase"] === "string" && typeof v["key"] === "string";
}
