import { commandText } from "../config/config.ts";
import type { GraphFormat } from "../invocation.ts";
import type { TaskGraph } from "../plan/task.ts";

/** The sealed task graph as text (one task per line with its deps), Graphviz dot, JSON or Mermaid. */
export function formatGraph(graph: TaskGraph, format: GraphFormat): string {
  const tasks = [...graph.tasks.values()];
  switch (format) {
    case "text":
      return tasks.map((t) => `${t.id}${t.deps.length > 0 ? `  <- ${t.deps.join(", ")}` : ""}`).join("\n") + "\n";
    case "dot": {
      const lines = ["digraph lifecycle {", "  rankdir=LR;"];
      for (const t of tasks) lines.push(`  ${JSON.stringify(t.id)};`);
      for (const t of tasks) for (const dep of t.deps) lines.push(`  ${JSON.stringify(dep)} -> ${JSON.stringify(t.id)};`);
      return [...lines, "}"].join("\n") + "\n";
    }
    case "json":
      return (
        JSON.stringify(
          {
            phases: graph.phases,
            tasks: tasks.map((t) => ({ id: t.id, place: t.place.name, phase: t.phase, kind: t.kind, commands: t.commands.map(commandText), deps: t.deps })),
          },
          null,
          2,
        ) + "\n"
      );
    case "mermaid": {
      const node = new Map(tasks.map((t, i) => [t.id, `t${i}`] as const));
      const lines = ["graph LR"];
      for (const t of tasks) lines.push(`  ${node.get(t.id)}["${t.id.replaceAll('"', "#quot;")}"]`);
      for (const t of tasks) for (const dep of t.deps) lines.push(`  ${node.get(dep)} --> ${node.get(t.id)}`);
      return lines.join("\n") + "\n";
    }
  }
}
