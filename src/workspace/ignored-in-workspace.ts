import { readFileSync } from "node:fs";
import type { Config } from "../config/config.ts";
import { locateDiagnostics } from "../config/locate-diagnostics.ts";
import { warningDiagnostic, type Diagnostic } from "../shared/diagnostic.ts";

/**
 * What a workspace's own make.toml may hold but never runs there: the once-per-invocation hooks
 * (they run from the root make.toml) and workspaces of its own (no nesting). Said as warnings,
 * located in that file, so they are not silently dropped (errors with --strict).
 */
export function ignoredInWorkspace(config: Config, shownFile: string): Diagnostic[] {
  const ignored: Diagnostic[] = [];
  const hooks: Array<[string, number]> = [
    ["before_all", config.hooks.beforeAll.length],
    ["after_all", config.hooks.afterAll.length],
    ["on_error", config.hooks.onError.length],
    ["on_success", config.hooks.onSuccess.length],
  ];
  for (const [key, count] of hooks) {
    if (count > 0) ignored.push(warningDiagnostic({ file: shownFile, keyPath: `hooks.${key}`, message: `${key} in a workspace's make.toml is not run: it runs once per invocation, from the root make.toml` }));
  }
  if (config.workspaces.length > 0 || config.members.length > 0) {
    ignored.push(warningDiagnostic({ file: shownFile, keyPath: "workspace", message: "workspaces in a workspace's make.toml are not searched (no nesting): declare them in the root make.toml" }));
  }
  if (ignored.length === 0) return ignored;
  try {
    return locateDiagnostics(ignored, readFileSync(config.file, "utf8"));
  } catch {
    return ignored;
  }
}
