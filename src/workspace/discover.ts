import { existsSync, readdirSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import type { Config, WorkspaceDecl } from "../config/config.ts";
import { loadConfig } from "../config/load-config.ts";
import { escalateWarnings } from "../config/locate-diagnostics.ts";
import type { PlaceConfig } from "../plan/build-graph.ts";
import { errorDiagnostic, warningDiagnostic, type Diagnostic } from "../shared/diagnostic.ts";
import { formatKeyPath } from "../config/key-path.ts";
import { err, ok, type Result } from "../shared/result.ts";
import { expandBraces } from "../cache/glob-pattern.ts";
import { ignoredInWorkspace } from "./ignored-in-workspace.ts";
import { globReachesBelow, globToRegExp } from "./match-glob.ts";

export interface Workspace extends PlaceConfig {
  readonly decl: WorkspaceDecl;
}

/** Directories never searched by `members` globs. */
const SKIPPED_DIRS = new Set(["node_modules", ".git", ".ggen", "target", "dist"]);

/**
 * The workspaces of a root config, sorted by name: `[workspace.<name>]` tables and `members` globs.
 * Each path must exist and resolve inside the root, symlinks included; a workspace's own make.toml is loaded.
 */
export function discoverWorkspaces(root: Config, rootDir: string, options: { strict: boolean }): Result<{ workspaces: Workspace[]; warnings: Diagnostic[] }, Diagnostic[]> {
  const problems: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const realRoot = realpathSync(rootDir);
  const seen = new Set<string>();
  const workspaces: Workspace[] = [];
  /** Real directory → the workspace that has it: one directory is one workspace (two would run in it at once). */
  const owners = new Map<string, { readonly name: string; readonly fromTable: boolean }>();
  const rootFile = displayPath(root.file, rootDir);
  const rootFileReal = realpathSync(root.file);
  const add = (decl: WorkspaceDecl, realDir: string, keyPath: string, fromTable: boolean) => {
    const owner = owners.get(realDir);
    if (owner !== undefined) {
      if (owner.fromTable && !fromTable) return; // a table declares this directory: the glob's match is that workspace
      return void problems.push(errorDiagnostic({ file: rootFile, keyPath, message: `workspace "${decl.name}": its directory is also workspace "${owner.name}"; a directory can be one workspace only` }));
    }
    owners.set(realDir, { name: decl.name, fromTable });
    const ownFile = join(realDir, "make.toml");
    let config = root;
    // A workspace at the root (`path = "."`, as in ggen's examples) shares the root's file: loading it
    // again as the workspace's own would run the root's hooks twice.
    if (ownFile !== rootFileReal && existsSync(ownFile)) {
      const loaded = loadConfig(ownFile, displayPath(ownFile, rootDir), options);
      if (!loaded.ok) return void problems.push(...loaded.error);
      warnings.push(...loaded.value.warnings);
      config = loaded.value.config;
      const ignored = ignoredInWorkspace(config, displayPath(ownFile, rootDir));
      if (options.strict) problems.push(...escalateWarnings(ignored));
      else warnings.push(...ignored);
    }
    workspaces.push({ decl, config, ownConfig: config !== root, dependsOn: decl.dependsOn, place: { name: decl.name, dir: realDir, workspace: decl.name } });
  };
  for (const decl of root.workspaces) {
    if (seen.has(decl.name)) continue;
    seen.add(decl.name);
    const checked = checkTablePath(decl, root, rootDir, realRoot);
    if (checked.ok) add(decl, checked.value, `workspace.${decl.name}.path`, true);
    else problems.push(checked.error);
  }
  const patterns = checkMemberPatterns(root.members, rootFile);
  problems.push(...patterns.problems);
  const members = expandMembers(patterns.valid, rootDir);
  const unmatched = unmatchedPatterns(root.members, patterns.valid, members, rootFile);
  if (options.strict) problems.push(...escalateWarnings(unmatched));
  else warnings.push(...unmatched);
  // Members were found by walking real directories below the root, so they are inside it; a matching
  // symlink is checked like a table path (a link out of the root is an error, never followed silently).
  for (const { rel, symlink } of members) {
    if (seen.has(rel)) continue;
    seen.add(rel);
    const decl = { name: rel, path: rel, dependsOn: [] };
    if (!symlink) {
      add(decl, join(realRoot, rel), "workspace.members", false);
      continue;
    }
    if (!isDirectory(join(rootDir, rel))) continue;
    const checked = checkTablePath(decl, root, rootDir, realRoot);
    if (checked.ok) add(decl, checked.value, "workspace.members", false);
    else problems.push(errorDiagnostic({ ...checked.error, keyPath: "workspace.members" }));
  }
  if (problems.length > 0) return err(problems);
  workspaces.sort((a, b) => (a.place.name < b.place.name ? -1 : a.place.name > b.place.name ? 1 : 0));
  return ok({ workspaces, warnings });
}

/** `members` patterns are relative to the root and stay below it: absolute ones and `..` are errors. */
function checkMemberPatterns(patterns: readonly string[], file: string): { valid: string[]; problems: Diagnostic[] } {
  const valid: string[] = [];
  const problems: Diagnostic[] = [];
  patterns.forEach((pattern, index) => {
    // Each `{a,b}` alternative is checked on its own: `{apps,..}/*` leaves the root too.
    if (expandBraces(pattern).some((alternative) => isAbsolute(alternative) || alternative.split(/[\\/]/).includes(".."))) {
      problems.push(errorDiagnostic({ file, keyPath: formatKeyPath(["workspace", "members", index]), message: `pattern "${pattern}" is outside the project root; members are directories below the root, e.g. "packages/*"` }));
    } else valid.push(pattern);
  });
  return { valid, problems };
}

/** A pattern that matches no directory is most likely a typo: said, not an error (a new monorepo may have none yet). */
function unmatchedPatterns(all: readonly string[], valid: readonly string[], found: ReadonlyArray<{ rel: string }>, file: string): Diagnostic[] {
  return valid
    .filter((pattern) => {
      const re = globToRegExp(pattern);
      return !found.some((member) => re.test(member.rel));
    })
    .map((pattern) => warningDiagnostic({ file, keyPath: formatKeyPath(["workspace", "members", all.indexOf(pattern)]), message: `pattern "${pattern}" matches no directory (${[...SKIPPED_DIRS].join(", ")} and dot-directories are not searched)` }));
}

/** A `[workspace.<name>] path`: must exist, be a directory, and resolve inside the root (symlinks included); returns its real path. */
function checkTablePath(decl: WorkspaceDecl, root: Config, rootDir: string, realRoot: string): Result<string, Diagnostic> {
  const problem = (message: string) => err(errorDiagnostic({ file: displayPath(root.file, rootDir), keyPath: `workspace.${decl.name}.path`, message: `workspace "${decl.name}": ${message}` }));
  const dir = isAbsolute(decl.path) ? decl.path : resolve(rootDir, decl.path);
  const realDir = existsSync(dir) ? realpathSync(dir) : undefined;
  // The path as written is checked first, so `../../etc` reads as "outside", whether or not it exists;
  // one written through a link to the root (`/home/me/link/apps/a`) is judged by where it leads.
  if (!isInside(rootDir, dir) && !isInside(realRoot, dir) && !(realDir !== undefined && isInside(realRoot, realDir))) return problem(`path "${decl.path}" is outside the project root`);
  if (realDir === undefined) return problem(`directory "${decl.path}" does not exist`);
  if (!statSync(dir).isDirectory()) return problem(`path "${decl.path}" is not a directory`);
  if (!isInside(realRoot, realDir)) return problem(`path "${decl.path}" is outside the project root`);
  return ok(realDir);
}

/**
 * `[workspace] members = ["apps/*"]`: each matching directory's path relative to the root, sorted.
 * Only subtrees a pattern can reach are listed; symlinks are reported (`symlink`), never descended into.
 */
function expandMembers(patterns: readonly string[], rootDir: string): Array<{ rel: string; symlink: boolean }> {
  if (patterns.length === 0) return [];
  const regexps = patterns.map(globToRegExp);
  const found: Array<{ rel: string; symlink: boolean }> = [];
  const walk = (relDir: string, depth: number) => {
    if (depth > 8 || !patterns.some((p) => globReachesBelow(p, relDir))) return;
    const entries = readdirSync(join(rootDir, relDir), { withFileTypes: true });
    for (const entry of entries) {
      const symlink = entry.isSymbolicLink();
      if ((!entry.isDirectory() && !symlink) || SKIPPED_DIRS.has(entry.name) || entry.name.startsWith(".")) continue;
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (regexps.some((re) => re.test(rel))) found.push({ rel, symlink });
      if (!symlink) walk(rel, depth + 1);
    }
  };
  walk("", 0);
  return found.sort((a, b) => (a.rel < b.rel ? -1 : 1));
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** Paths in messages are relative to the root when inside it. */
export function displayPath(path: string, rootDir: string): string {
  const rel = relative(rootDir, path);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
}
