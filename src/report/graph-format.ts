import { commandText } from "../config/config.ts";
import type { GraphFormat } from "../invocation.ts";
import type { TaskGraph } from "../plan/task.ts";
import { formatGraphDot, formatGraphMermaid, formatGraphText, type GraphWorkspace } from "./graph-places.ts";

/**
 * The sealed task graph as text (one task per line with its deps), Graphviz dot, JSON or Mermaid.
 * With workspaces, text groups tasks under their place, dot and mermaid draw a cluster per place,
 * and JSON lists the workspaces (name, path, depends_on).
 */
export function formatGraph(graph: TaskGraph, format: GraphFormat, workspaces: readonly GraphWorkspace[] = []): string {
  const tasks = [...graph.tasks.values()];
  switch (format) {
    case "text":
      return formatGraphText(tasks, workspaces);
    case "dot":
      return formatGraphDot(tasks);
    case "json":
      return (
        JSON.stringify(
          {
            phases: graph.phases,
            workspaces: workspaces.map((w) => ({ name: w.name, path: w.path, depends_on: w.dependsOn })),
            tasks: tasks.map((t) => ({ id: t.id, place: t.place.name, phase: t.phase, kind: t.kind, commands: t.commands.map(commandText), deps: t.deps })),
          },
          null,
          2,
        ) + "\n"
      );
    case "mermaid":
      return formatGraphMermaid(tasks);
  }
}
