import { join } from "node:path";
import { dirReader, emptyFileStat, type DirReader, type EntryKind, type FileStat } from "../runtime/dir-reader.ts";
import { compareCodeUnits } from "./canonical-json.ts";
import { compileGlob, type GlobPattern } from "./glob-pattern.ts";

/** Directories never walked: our own state and git's. `node_modules` too, unless a pattern names it. */
const ALWAYS_SKIPPED = new Set([".git", ".ggen"]);

export interface ListOptions {
  /** Patterns whose matches are left out (a task's own outputs are never its inputs). */
  readonly exclude?: readonly string[];
  /** How directories are read; default the fastest this runtime has (tests pass each to compare them). */
  readonly reader?: DirReader;
}

/**
 * The files (and symlinks, never followed) under `placeDir` matched by `patterns`, as sorted
 * `/`-separated paths relative to `placeDir`. `!pattern` excludes. A pattern matching nothing is
 * not an error. Callers check first that the patterns stay inside the root (checkCachePatterns).
 */
export function listMatchingFiles(placeDir: string, patterns: readonly string[], options: ListOptions = {}): string[] {
  const found: string[] = [];
  forEachMatchingFile(placeDir, patterns, options, (path) => found.push(path), false);
  return found.sort(compareCodeUnits);
}

/**
 * Called once per matched file, in no particular order, with its path relative to the place
 * directory and (when asked for) its lstat, undefined when it vanished since it was listed. The
 * FileStat object is reused for the next file: read it before returning.
 */
export type OnMatchedFile = (path: string, stat: FileStat | undefined) => void;

/**
 * The walk behind listMatchingFiles, without collecting or sorting: each matched file is handed to
 * `onFile` once, with one lstat when `withStat` (through the reader, relative to the directory it
 * is listing). Directories that cannot be read are left out, as if empty.
 */
export function forEachMatchingFile(placeDir: string, patterns: readonly string[], options: ListOptions, onFile: OnMatchedFile, withStat: boolean): void {
  const compiled = patterns.flatMap(compileGlob);
  const positive = compiled.filter((p) => !p.negated);
  const negative = [...compiled.filter((p) => p.negated), ...(options.exclude ?? []).flatMap(compileGlob).filter((p) => !p.negated)];
  const reader = options.reader ?? dirReader();
  const stat = emptyFileStat();
  // Two patterns can match the same file ("src/**", "src/*.ts"): only then is a set needed.
  const seen = positive.length > 1 ? new Set<string>() : undefined;
  for (const pattern of positive) {
    const excluding = negative.filter((n) => mayOverlap(pattern.base, n.base));
    const emit = (path: string, ok: boolean) => {
      for (const n of excluding) if (n.regex.test(path)) return;
      if (seen !== undefined) {
        if (seen.has(path)) return;
        seen.add(path);
      }
      onFile(path, ok ? stat : undefined);
    };
    collect(placeDir, pattern, reader, stat, withStat, emit);
  }
}

/** Whether listing `pattern` enters a directory named `name` (restores check entries by the same rule). */
export function walksInto(name: string, pattern: GlobPattern): boolean {
  return !ALWAYS_SKIPPED.has(name) && (name !== "node_modules" || pattern.source.includes("node_modules"));
}

function collect(placeDir: string, pattern: GlobPattern, reader: DirReader, stat: FileStat, withStat: boolean, emit: (path: string, ok: boolean) => void): void {
  const baseAbs = pattern.base === "." ? placeDir : join(placeDir, pattern.base);
  if (!reader.lstat(baseAbs, stat)) return;
  if (stat.kind !== "dir") {
    if (pattern.literal) emit(pattern.base, true);
    return;
  }
  const prefix = pattern.base === "." ? "" : `${pattern.base}/`;
  const match = pattern.literal || pattern.all ? undefined : pattern.regex;
  walk(reader, baseAbs, prefix, (name) => walksInto(name, pattern), (path) => {
    if (match !== undefined && !match.test(path)) return;
    emit(path, withStat ? reader.statEntry(stat) : false);
  }, stat);
}

/**
 * Lists `dir` and then its subdirectories (after the listing, so one directory is open at a time),
 * calling `visit` for files and symlinks while the reader is on them.
 */
function walk(reader: DirReader, dir: string, prefix: string, descend: (name: string) => boolean, visit: (path: string) => void, stat: FileStat): void {
  const subdirs: string[] = [];
  reader.read(dir, (name, listed) => {
    let kind: EntryKind | undefined = listed;
    if (kind === undefined) kind = reader.statEntry(stat) ? stat.kind : undefined; // the file system did not say
    if (kind === "dir") {
      if (descend(name)) subdirs.push(name);
    } else if (kind === "file" || kind === "symlink") visit(prefix + name);
  });
  for (const name of subdirs) walk(reader, `${dir}/${name}`, `${prefix}${name}/`, descend, visit, stat);
}

/** Whether paths under `base` (a pattern's fixed part) can match a pattern fixed at `other`. */
function mayOverlap(base: string, other: string): boolean {
  if (base === "." || other === ".") return true;
  const a = `${base}/`;
  const b = `${other}/`;
  return a.startsWith(b) || b.startsWith(a);
}
