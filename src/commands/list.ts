import type { AppContext } from "../context.ts";
import type { GlobalOptions } from "../invocation.ts";
import { findConfig } from "../config/find-config.ts";
import { readStateForDisplay } from "../state/state-file.ts";
import { loadConfig } from "../config/load-config.ts";
import { displayPath } from "../workspace/discover.ts";
import { printDiagnostics } from "./print-diagnostics.ts";

/** `list`: phases with descriptions (alphabetical) and the last executed phase; ggen's lines. */
export function listCommand(ctx: AppContext, global: GlobalOptions): number {
  const found = findConfig(global.root, global.file);
  if (!found.exists) {
    ctx.output.stdout(`No make.toml found in ${global.root}\n   Create one with the phases of your project (see lifecycle --help)\n`);
    return 0;
  }
  // Only the root make.toml: listing phases must not depend on workspace directories being checked out.
  const loaded = loadConfig(found.path, displayPath(found.path, global.root), { strict: global.strict });
  if (!loaded.ok) {
    printDiagnostics(ctx, loaded.error);
    return 2;
  }
  printDiagnostics(ctx, loaded.value.warnings);
  const { config } = loaded.value;
  const lines = [`Available lifecycle phases in ${global.root}:`, ""];
  if (config.phases.size === 0) lines.push("   (no phases defined)");
  for (const phase of config.phases.values()) lines.push(`  • ${phase.name} - ${phase.description ?? "(no description)"}`);
  const last = readStateForDisplay(global.root).state.last_phase;
  if (last) lines.push("", `Last executed: ${last}`);
  ctx.output.stdout(lines.join("\n") + "\n");
  return 0;
}
