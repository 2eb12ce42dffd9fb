import type { AppContext } from "../context.ts";
import type { GlobalOptions } from "../invocation.ts";
import { formatDuration } from "../shared/duration.ts";
import { pruneState, readStateForDisplay, resetState } from "../state/state-file.ts";
import { loadProject } from "../workspace/load-project.ts";
import { printDiagnostics } from "./print-diagnostics.ts";

const DEFAULT_SHOWN = 10;

/** `state show|prune|reset` over the root's and every workspace's state file. */
export async function stateCommand(ctx: AppContext, global: GlobalOptions, action: "show" | "prune" | "reset", keep: number | undefined): Promise<number> {
  const project = loadProject(global.root, global.file, { strict: false });
  const places = project.ok ? [project.value.root.place, ...project.value.workspaces.map((w) => w.place)] : [{ name: "//", dir: global.root }];
  if (!project.ok) printDiagnostics(ctx, project.error.map((d) => ({ ...d, severity: "warning" as const })));
  const options = { rootDir: global.root };
  let failed = false;
  for (const place of places) {
    if (action === "show") {
      const shown = readStateForDisplay(place.dir, options);
      for (const warning of shown.warnings) ctx.logger.warn(warning);
      const { state } = shown;
      const lines = [`${place.name}: last phase ${state.last_phase ?? "(none)"}, ${state.phase_history.length} runs recorded, ${state.cache_keys.length} cache keys`];
      for (const r of state.phase_history.slice(-(keep ?? DEFAULT_SHOWN))) {
        lines.push(`  ${r.success ? "✓" : "✗"} ${new Date(r.started_ms).toISOString()}  ${r.phase}  ${formatDuration(r.duration_ms)}${r.status && r.status !== "success" ? `  ${r.status}` : ""}${r.exit_code ? `  exit ${r.exit_code}` : ""}`);
      }
      ctx.output.stdout(lines.join("\n") + "\n");
    } else if (action === "prune") {
      const limit = keep ?? (project.ok ? project.value.root.config.settings.historyLimit : 1000);
      const pruned = await pruneState(place.dir, limit, options);
      if (!pruned.ok) {
        ctx.logger.error(pruned.error);
        failed = true;
      } else ctx.output.stdout(`${place.name}: removed ${pruned.value.removed} history entries (keeping ${limit})\n`);
    } else {
      const reset = await resetState(place.dir, options);
      if (!reset.ok) {
        ctx.logger.error(reset.error);
        failed = true;
      } else ctx.output.stdout(`${place.name}: ${reset.value.existed ? "state reset (previous kept as .ggen/state.json.bak)" : "no state"}\n`);
    }
  }
  return failed ? 1 : 0;
}
