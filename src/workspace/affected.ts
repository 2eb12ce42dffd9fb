import { relative, sep } from "node:path";
import type { Workspace } from "./discover.ts";

/**
 * `--since`: the workspaces that own a changed file (the deepest workspace whose directory holds it),
 * plus every workspace that depends on one of them, transitively. A change to the root make.toml
 * affects every workspace (it defines their phases and hooks); other files outside all workspaces
 * affect none, and so do lifecycle's own records under any `.ggen/` (state, cache, audit: a run
 * must not make its workspaces "changed" where `.ggen` is not ignored). `changedFiles` are relative to the root; `realRoot` is the root's real path
 * (workspace directories are real paths).
 */
export function affectedWorkspaces(workspaces: readonly Workspace[], changedFiles: readonly string[], realRoot: string, rootConfigFile: string): Set<string> {
  const byDir = new Map<string, string>();
  for (const ws of workspaces) byDir.set(toSlash(relative(realRoot, ws.place.dir)), ws.place.name);
  const changed = new Set<string>();
  for (const file of changedFiles) {
    if (isOwnRecord(file)) continue;
    if (file === rootConfigFile) return new Set(workspaces.map((w) => w.place.name));
    const owner = ownerOf(file, byDir);
    if (owner !== undefined) changed.add(owner);
  }
  return withDependents(workspaces, changed);
}

/** `names` plus every workspace that depends on one of them, directly or not. */
export function withDependents(workspaces: readonly Workspace[], names: ReadonlySet<string>): Set<string> {
  const dependents = new Map<string, string[]>();
  for (const ws of workspaces) {
    for (const dep of ws.dependsOn ?? []) {
      const list = dependents.get(dep);
      if (list) list.push(ws.place.name);
      else dependents.set(dep, [ws.place.name]);
    }
  }
  const result = new Set(names);
  const queue = [...names];
  while (queue.length > 0) {
    for (const next of dependents.get(queue.pop()!) ?? []) {
      if (result.has(next)) continue;
      result.add(next);
      queue.push(next);
    }
  }
  return result;
}

function isOwnRecord(file: string): boolean {
  return file.startsWith(".ggen/") || file.includes("/.ggen/");
}

/** The workspace whose directory is the longest prefix of `file`'s directory. */
function ownerOf(file: string, byDir: ReadonlyMap<string, string>): string | undefined {
  let dir = file;
  for (;;) {
    const cut = dir.lastIndexOf("/");
    if (cut < 0) return byDir.get("");
    dir = dir.slice(0, cut);
    const owner = byDir.get(dir);
    if (owner !== undefined) return owner;
  }
}

function toSlash(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}
