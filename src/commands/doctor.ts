import type { AppContext } from "../context.ts";
import type { GlobalOptions } from "../invocation.ts";
import type { PlaceConfig } from "../plan/build-graph.ts";
import { ROOT_PLACE } from "../plan/task.ts";
import { runtimeVersion } from "../runtime/runtime-name.ts";
import { formatDiagnostic } from "../shared/diagnostic.ts";
import { loadProject } from "../workspace/load-project.ts";
import { join } from "node:path";
import type { Config } from "../config/config.ts";
import { resolveConfig } from "../config/resolve-config.ts";
import type { RawConfig } from "../config/schema.ts";
import { checkDiskSpace, checkLocks, checkPorts, checkRemoteCache, checkShells, checkStateDirs, type Check, type CheckStatus } from "./doctor-checks.ts";

const MARK: Readonly<Record<CheckStatus, string>> = { ok: "✓", warn: "!", fail: "✗", info: "·" };

/**
 * `doctor`: checks what a run needs: a valid make.toml, the shell, writable state directories, free
 * disk space, no stale locks, free ports for `port` phases, a reachable remote cache. Reads only.
 * Exit 0 when nothing failed (warnings allowed), 1 when a check failed. `--json`: one JSON object.
 */
export async function doctorCommand(ctx: AppContext, global: GlobalOptions): Promise<number> {
  const checks: Check[] = [];
  const project = loadProject(global.root, global.file, { strict: false });
  let places: PlaceConfig[];
  if (project.ok) {
    const { root, workspaces, warnings } = project.value;
    places = [root, ...workspaces];
    const ws = workspaces.length > 0 ? `, ${workspaces.length} workspace${workspaces.length === 1 ? "" : "s"}` : "";
    checks.push({
      name: "make.toml",
      status: warnings.length > 0 ? "warn" : "ok",
      summary: `valid: ${root.config.phases.size} phase${root.config.phases.size === 1 ? "" : "s"}${ws}${warnings.length > 0 ? `, ${warnings.length} warning${warnings.length === 1 ? "" : "s"}` : ""}`,
      details: warnings.map(formatDiagnostic),
    });
  } else {
    const errors = project.error.filter((d) => d.severity === "error");
    checks.push({ name: "make.toml", status: "fail", summary: `${errors.length} problem${errors.length === 1 ? "" : "s"} (lifecycle validate lists them)`, details: errors.slice(0, 5).map(formatDiagnostic) });
    // The rest is still checked for the root, with default settings.
    places = [{ place: { name: ROOT_PLACE, dir: global.root }, config: emptyConfig(global.root), ownConfig: true }];
  }
  checks.push(checkShells(places, ctx.env, global.root));
  checks.push(checkStateDirs(places, global.root));
  checks.push(checkDiskSpace(global.root));
  checks.push(checkLocks(places, global.root));
  checks.push(await checkPorts(places));
  checks.push(await checkRemoteCache(places[0]!.config.cache, ctx.env));

  const failed = checks.filter((c) => c.status === "fail").length;
  const warned = checks.filter((c) => c.status === "warn").length;
  if (global.json) {
    ctx.output.stdout(JSON.stringify({ root: global.root, version: ctx.version, runtime: runtimeVersion(), ok: failed === 0, checks }) + "\n");
    return failed > 0 ? 1 : 0;
  }
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = [`lifecycle ${ctx.version} (${runtimeVersion()}, ${process.platform}-${process.arch}) doctor: ${global.root}`];
  for (const c of checks) {
    lines.push(`  ${MARK[c.status]} ${c.name.padEnd(width)}  ${c.summary}`);
    for (const d of c.details) lines.push(`      ${d}`);
  }
  lines.push(failed > 0 || warned > 0 ? `${failed} failed, ${warned} warning${warned === 1 ? "" : "s"}` : "All checks passed");
  ctx.output.stdout(lines.join("\n") + "\n");
  return failed > 0 ? 1 : 0;
}

/** Default settings and no phases: for a root without a usable make.toml. */
function emptyConfig(root: string): Config {
  return resolveConfig({ project: { name: "" } } as RawConfig, join(root, "make.toml"));
}
