import { realpathSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import type { Task } from "../plan/task.ts";
import { compileGlob } from "./glob-pattern.ts";

/**
 * Problems with a cached task's `inputs`/`outputs`, as messages: an absolute pattern, or one whose
 * fixed part leaves the project root (as written, or through a symlink). Empty when all is well.
 */
export function checkCachePatterns(task: Task, rootDir: string): string[] {
  if (!task.cache) return [];
  const problems: string[] = [];
  const realRoot = realRootOf(rootDir);
  for (const [key, patterns] of [["inputs", task.inputs], ["outputs", task.outputs]] as const) {
    for (const source of patterns) {
      const body = source.startsWith("!") ? source.slice(1) : source;
      if (isAbsolute(body) || /^[A-Za-z]:[\\/]/.test(body)) {
        problems.push(`${task.id}: ${key} pattern "${source}" is absolute; patterns are relative to the place directory`);
        continue;
      }
      for (const pattern of compileGlob(source)) {
        const target = resolve(task.place.dir, pattern.base);
        if (!isInside(rootDir, target) && !isInside(realRoot, target)) {
          problems.push(`${task.id}: ${key} pattern "${source}" leaves the project root`);
          break;
        }
        const real = realpathOrUndefined(target);
        if (real !== undefined && !isInside(realRoot, real)) {
          problems.push(`${task.id}: ${key} pattern "${source}" leads outside the project root through a symlink`);
          break;
        }
      }
    }
  }
  return problems;
}

/** The root's real path, resolved once per run rather than once per task. */
const realRoots = new Map<string, string>();
function realRootOf(rootDir: string): string {
  let real = realRoots.get(rootDir);
  if (real === undefined) realRoots.set(rootDir, (real = realpathOrUndefined(rootDir) ?? rootDir));
  return real;
}

/** `child` is `dir` itself or below it (textually, after resolve). */
export function isInside(dir: string, child: string): boolean {
  const rel = relative(dir, child);
  return rel === "" || (rel !== ".." && !rel.startsWith("../") && !isAbsolute(rel));
}

function realpathOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}
