import type { AppContext } from "../context.ts";
import type { GlobalOptions, GraphFormat, RunOptions } from "../invocation.ts";
import { planRun } from "../plan/plan-run.ts";
import { formatGraph } from "../report/graph-format.ts";
import { redactText, secretValues } from "../shared/redact.ts";
import { describeSelection } from "../workspace/describe-selection.ts";
import { printDiagnostics } from "./print-diagnostics.ts";

/** `graph <phase...>`: the sealed task graph, in the chosen format, on stdout. */
export function graphCommand(ctx: AppContext, global: GlobalOptions, phases: readonly string[], format: GraphFormat, selection: Pick<RunOptions, "workspaces" | "since" | "shard">): number {
  if (phases.length === 0) {
    ctx.output.stderr("lifecycle graph: name at least one phase\n");
    return 2;
  }
  const planned = planRun(global, { phases, workspaceFilters: selection.workspaces, since: selection.since, shard: selection.shard, parentEnv: ctx.env });
  if (!planned.ok) {
    printDiagnostics(ctx, planned.error);
    return 2;
  }
  printDiagnostics(ctx, planned.value.project.warnings);
  const { graph } = planned.value;
  for (const line of describeSelection(planned.value.selection)) ctx.logger.info(line);
  const workspaces = planned.value.selection.workspaces.map((w) => ({ name: w.place.name, path: w.decl.path, dependsOn: w.dependsOn ?? [] }));
  const secrets = [...new Set([...secretValues(ctx.env), ...[...graph.tasks.values()].flatMap((t) => secretValues(t.env))])];
  ctx.output.stdout(redactText(formatGraph(graph, format, workspaces), secrets));
  return 0;
}
