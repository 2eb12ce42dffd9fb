import { cacheDiagnostics } from "../cache/cache-setup.ts";
import type { AppContext } from "../context.ts";
import type { GlobalOptions } from "../invocation.ts";
import { buildGraph } from "../plan/build-graph.ts";
import { formatDiagnostic, type Diagnostic } from "../shared/diagnostic.ts";
import { loadProject, type Project } from "../workspace/load-project.ts";
import { displayPath } from "../workspace/discover.ts";
import { printDiagnostics } from "./print-diagnostics.ts";

/** `validate [--strict]`: every problem in one list; exit 0 when valid, 2 otherwise. */
export function validateCommand(ctx: AppContext, global: GlobalOptions): number {
  const project = loadProject(global.root, global.file, { strict: global.strict });
  if (!project.ok) return reportProblems(ctx, project.error);
  const planned = planProblems(project.value, global, ctx.env);
  if (planned.length > 0) return reportProblems(ctx, [...planned, ...project.value.warnings]);
  const { root, workspaces, warnings } = project.value;
  printDiagnostics(ctx, warnings);
  const file = displayPath(root.config.file, global.root);
  const ws = workspaces.length > 0 ? `, ${workspaces.length} workspace${workspaces.length === 1 ? "" : "s"}` : "";
  ctx.output.stdout(`${file} is valid: ${root.config.phases.size} phase${root.config.phases.size === 1 ? "" : "s"}${ws}${warnings.length > 0 ? `, ${warnings.length} warning${warnings.length === 1 ? "" : "s"}` : ""}\n`);
  return 0;
}

function reportProblems(ctx: AppContext, problems: readonly Diagnostic[]): number {
  printDiagnostics(ctx, problems);
  const errors = problems.filter((d) => d.severity === "error").length;
  ctx.output.stderr(`${errors} problem${errors === 1 ? "" : "s"} found\n`);
  return 2;
}

/** What `run <phase>` would refuse for each root phase once planned (a `cwd` or cache pattern that leaves the root), each problem once. */
function planProblems(project: Project, global: GlobalOptions, env: Readonly<Record<string, string | undefined>>): Diagnostic[] {
  const seen = new Set<string>();
  const problems: Diagnostic[] = [];
  for (const phase of project.root.config.phases.keys()) {
    const graph = buildGraph({ phases: [phase], root: project.root, workspaces: project.workspaces, rootDir: global.root, profile: global.profile, parentEnv: env });
    for (const problem of graph.ok ? cacheDiagnostics(graph.value, global.root) : graph.error) {
      const text = formatDiagnostic(problem);
      if (seen.has(text)) continue;
      seen.add(text);
      problems.push(problem);
    }
  }
  return problems;
}
