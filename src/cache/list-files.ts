import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { compareCodeUnits } from "./canonical-json.ts";
import { compileGlob, type GlobPattern } from "./glob-pattern.ts";

/** Directories never walked: our own state and git's. `node_modules` too, unless a pattern names it. */
const ALWAYS_SKIPPED = new Set([".git", ".ggen"]);

export interface ListOptions {
  /** Patterns whose matches are left out (a task's own outputs are never its inputs). */
  readonly exclude?: readonly string[];
}

/**
 * The files (and symlinks, never followed) under `placeDir` matched by `patterns`, as sorted
 * `/`-separated paths relative to `placeDir`. `!pattern` excludes. A pattern matching nothing is
 * not an error. Callers check first that the patterns stay inside the root (checkCachePatterns).
 */
export function listMatchingFiles(placeDir: string, patterns: readonly string[], options: ListOptions = {}): string[] {
  const compiled = patterns.flatMap(compileGlob);
  const positive = compiled.filter((p) => !p.negated);
  const negative = [...compiled.filter((p) => p.negated), ...(options.exclude ?? []).flatMap(compileGlob).filter((p) => !p.negated)];
  const found = new Set<string>();
  for (const pattern of positive) collect(placeDir, pattern, found);
  const kept = negative.length === 0 ? [...found] : [...found].filter((path) => !negative.some((p) => p.regex.test(path)));
  return kept.sort(compareCodeUnits);
}

function collect(placeDir: string, pattern: GlobPattern, found: Set<string>): void {
  const baseAbs = pattern.base === "." ? placeDir : join(placeDir, pattern.base);
  const stat = lstatSync(baseAbs, { throwIfNoEntry: false });
  if (!stat) return;
  const prefix = pattern.base === "." ? "" : `${pattern.base}/`;
  if (!stat.isDirectory()) {
    if (pattern.literal) found.add(pattern.base);
    return;
  }
  const skipNodeModules = !pattern.source.includes("node_modules");
  const match = pattern.literal ? undefined : pattern.regex;
  walk(baseAbs, prefix, skipNodeModules, (rel) => {
    if (match === undefined || match.test(rel)) found.add(rel);
  });
}

function walk(dir: string, prefix: string, skipNodeModules: boolean, visit: (rel: string) => void): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // unreadable or vanished mid-walk: nothing to hash there
  }
  for (const entry of entries) {
    const name = entry.name;
    if (entry.isDirectory()) {
      if (ALWAYS_SKIPPED.has(name) || (skipNodeModules && name === "node_modules")) continue;
      walk(join(dir, name), `${prefix}${name}/`, skipNodeModules, visit);
    } else if (entry.isFile() || entry.isSymbolicLink()) visit(prefix + name);
  }
}
