import type { AppContext } from "../context.ts";
import type { GlobalOptions, GraphFormat } from "../invocation.ts";
import { planRun } from "../plan/plan-run.ts";
import { formatGraph } from "../report/graph-format.ts";
import { printDiagnostics } from "./print-diagnostics.ts";

/** `graph <phase...>`: the sealed task graph, in the chosen format, on stdout. */
export function graphCommand(ctx: AppContext, global: GlobalOptions, phases: readonly string[], format: GraphFormat): number {
  if (phases.length === 0) {
    ctx.output.stderr("lifecycle graph: name at least one phase\n");
    return 2;
  }
  const planned = planRun(global, { phases, workspaceFilters: [], parentEnv: ctx.env });
  if (!planned.ok) {
    printDiagnostics(ctx, planned.error);
    return 2;
  }
  printDiagnostics(ctx, planned.value.project.warnings);
  ctx.output.stdout(formatGraph(planned.value.graph, format));
  return 0;
}
