import { commandText, type HookEntry } from "../config/config.ts";
import type { AppContext } from "../context.ts";
import type { GlobalOptions } from "../invocation.ts";
import { formatDuration } from "../shared/duration.ts";
import { redactText, secretValues } from "../shared/redact.ts";
import { didYouMean } from "../shared/suggest.ts";
import { loadProject } from "../workspace/load-project.ts";
import { printDiagnostics } from "./print-diagnostics.ts";

/** `show <phase>`: ggen's layout (Phase:, Description:, Commands:, hooks) plus timeout, cache and dependencies. */
export function showCommand(ctx: AppContext, global: GlobalOptions, name: string): number {
  const project = loadProject(global.root, global.file, { strict: global.strict });
  if (!project.ok) {
    printDiagnostics(ctx, project.error);
    return 2;
  }
  printDiagnostics(ctx, project.value.warnings);
  const { config } = project.value.root;
  const phase = config.phases.get(name);
  if (!phase) {
    const hint = didYouMean(name, config.phases.keys());
    ctx.output.stderr(`Phase '${name}' not found in make.toml${hint ? ` (${hint})` : ""}\n`);
    return 2;
  }
  const lines = [`Phase: ${phase.name}`, ""];
  if (phase.description) lines.push(`Description: ${phase.description}`, "");
  lines.push("Commands:");
  for (const command of phase.commands) lines.push(`  $ ${command.kind === "shell" ? command.script : commandText(command)}`);
  if (phase.commands.length === 0) lines.push("  (none: runs its hooks and dependencies only)");
  const extra: string[] = [];
  if (phase.watch) extra.push("Watch mode: true");
  if (phase.port !== undefined) extra.push(`Port: ${phase.port}`);
  if (phase.cache) extra.push("Caching: true");
  const timeoutMs = phase.timeoutMs !== undefined ? phase.timeoutMs : phase.watch ? null : config.settings.timeoutMs;
  extra.push(`Timeout: ${timeoutMs === null ? "none" : formatDuration(timeoutMs)}`);
  if ((phase.retries ?? config.settings.retries) > 0) extra.push(`Retries: ${phase.retries ?? config.settings.retries}`);
  if (phase.cwd) extra.push(`Working directory: ${phase.cwd}`);
  if (phase.dependsOn.length > 0) extra.push(`Depends on: ${phase.dependsOn.join(", ")}`);
  if (phase.inputs.length > 0) extra.push(`Inputs: ${phase.inputs.join(", ")}`);
  if (phase.outputs.length > 0) extra.push(`Outputs: ${phase.outputs.join(", ")}`);
  if (phase.parallel) extra.push(`Parallel: true${phase.maxThreads ? ` (max_threads ${phase.maxThreads})` : ""}`);
  if (phase.continueOnError) extra.push("Continue on error: true");
  lines.push("", ...extra);
  const hookLines = (title: string, entries: readonly HookEntry[] | undefined) => {
    if (!entries || entries.length === 0) return;
    lines.push("", title);
    for (const entry of entries) {
      if (entry.kind === "phase") lines.push(`  → ${entry.phase}`);
      else for (const command of entry.commands) lines.push(`  $ ${commandText(command)}`);
    }
  };
  hookLines("Before hooks:", config.hooks.before[name]);
  hookLines("After hooks:", config.hooks.after[name]);
  const envLayers = [ctx.env, config.env, phase.env, ...Object.values(config.envProfiles)];
  const secrets = [...new Set(envLayers.flatMap((layer) => secretValues(layer)))];
  ctx.output.stdout(redactText(lines.join("\n") + "\n", secrets));
  return 0;
}
