import { existsSync, readdirSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import type { Config, WorkspaceDecl } from "../config/config.ts";
import { loadConfig } from "../config/load-config.ts";
import type { PlaceConfig } from "../plan/build-graph.ts";
import { errorDiagnostic, type Diagnostic } from "../shared/diagnostic.ts";
import { err, ok, type Result } from "../shared/result.ts";
import { globToRegExp } from "./match-glob.ts";

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
  const decls = [...root.workspaces, ...expandMembers(root.members, rootDir)];
  const seen = new Set<string>();
  const workspaces: Workspace[] = [];
  const realRoot = realpathSync(rootDir);
  for (const decl of decls) {
    if (seen.has(decl.name)) continue;
    seen.add(decl.name);
    const keyPath = `workspace.${decl.name}.path`;
    const dir = isAbsolute(decl.path) ? decl.path : resolve(rootDir, decl.path);
    // The path as written is checked first, so `../../etc` reads as "outside", whether or not it exists.
    if (!isInside(rootDir, dir) && !isInside(realRoot, dir)) {
      problems.push(errorDiagnostic({ file: displayPath(root.file, rootDir), keyPath, message: `workspace "${decl.name}": path "${decl.path}" is outside the project root` }));
      continue;
    }
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      problems.push(errorDiagnostic({ file: displayPath(root.file, rootDir), keyPath, message: `workspace "${decl.name}": directory "${decl.path}" does not exist` }));
      continue;
    }
    const realDir = realpathSync(dir);
    if (!isInside(realRoot, realDir)) {
      problems.push(errorDiagnostic({ file: displayPath(root.file, rootDir), keyPath, message: `workspace "${decl.name}": path "${decl.path}" is outside the project root` }));
      continue;
    }
    const ownFile = join(realDir, "make.toml");
    let config = root;
    if (existsSync(ownFile)) {
      const loaded = loadConfig(ownFile, displayPath(ownFile, rootDir), options);
      if (!loaded.ok) {
        problems.push(...loaded.error);
        continue;
      }
      warnings.push(...loaded.value.warnings);
      config = loaded.value.config;
    }
    workspaces.push({ decl, config, ownConfig: config !== root, dependsOn: decl.dependsOn, place: { name: decl.name, dir: realDir, workspace: decl.name } });
  }
  if (problems.length > 0) return err(problems);
  workspaces.sort((a, b) => (a.place.name < b.place.name ? -1 : a.place.name > b.place.name ? 1 : 0));
  return ok({ workspaces, warnings });
}

/** `[workspace] members = ["apps/*"]`: each matching directory is a workspace named by its relative path. */
function expandMembers(patterns: readonly string[], rootDir: string): WorkspaceDecl[] {
  if (patterns.length === 0) return [];
  const regexps = patterns.map(globToRegExp);
  const found: WorkspaceDecl[] = [];
  const walk = (relDir: string, depth: number) => {
    if (depth > 8) return;
    const entries = readdirSync(join(rootDir, relDir), { withFileTypes: true });
    for (const entry of entries) {
      if (!entry.isDirectory() || SKIPPED_DIRS.has(entry.name) || entry.name.startsWith(".")) continue;
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (regexps.some((re) => re.test(rel))) found.push({ name: rel, path: rel, dependsOn: [] });
      walk(rel, depth + 1);
    }
  };
  walk("", 0);
  return found.sort((a, b) => (a.name < b.name ? -1 : 1));
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
