import type { AppContext } from "../context.ts";
import type { GlobalOptions } from "../invocation.ts";
import { findConfig } from "../config/find-config.ts";
import { readStateForDisplay } from "../state/state-file.ts";
import { loadProject } from "../workspace/load-project.ts";
import { printDiagnostics } from "./print-diagnostics.ts";

/** `list`: phases with descriptions (alphabetical) and the last executed phase; ggen's lines. */
export function listCommand(ctx: AppContext, global: GlobalOptions): number {
  if (!findConfig(global.root, global.file).exists) {
    ctx.output.stdout(`No make.toml found in ${global.root}\n   Create one with the phases of your project (see lifecycle --help)\n`);
    return 0;
  }
  const project = loadProject(global.root, global.file, { strict: global.strict });
  if (!project.ok) {
    printDiagnostics(ctx, project.error);
    return 2;
  }
  printDiagnostics(ctx, project.value.warnings);
  const { config } = project.value.root;
  const lines = [`Available lifecycle phases in ${global.root}:`, ""];
  if (config.phases.size === 0) lines.push("   (no phases defined)");
  for (const phase of config.phases.values()) lines.push(`  • ${phase.name} - ${phase.description ?? "(no description)"}`);
  const last = readStateForDisplay(global.root).state.last_phase;
  if (last) lines.push("", `Last executed: ${last}`);
  ctx.output.stdout(lines.join("\n") + "\n");
  return 0;
}
