import type { AppContext } from "../context.ts";
import type { GlobalOptions } from "../invocation.ts";
import { loadProject } from "../workspace/load-project.ts";
import { displayPath } from "../workspace/discover.ts";
import { printDiagnostics } from "./print-diagnostics.ts";

/** `validate [--strict]`: every problem in one list; exit 0 when valid, 2 otherwise. */
export function validateCommand(ctx: AppContext, global: GlobalOptions): number {
  const project = loadProject(global.root, global.file, { strict: global.strict });
  if (!project.ok) {
    printDiagnostics(ctx, project.error);
    const errors = project.error.filter((d) => d.severity === "error").length;
    ctx.output.stderr(`${errors} problem${errors === 1 ? "" : "s"} found\n`);
    return 2;
  }
  const { root, workspaces, warnings } = project.value;
  printDiagnostics(ctx, warnings);
  const file = displayPath(root.config.file, global.root);
  const ws = workspaces.length > 0 ? `, ${workspaces.length} workspace${workspaces.length === 1 ? "" : "s"}` : "";
  ctx.output.stdout(`${file} is valid: ${root.config.phases.size} phase${root.config.phases.size === 1 ? "" : "s"}${ws}${warnings.length > 0 ? `, ${warnings.length} warning${warnings.length === 1 ? "" : "s"}` : ""}\n`);
  return 0;
}
