import { ROOT_PLACE, type Task } from "../plan/task.ts";

/** A workspace as `graph` shows it: its name, directory relative to the root, and the workspaces it depends on. */
export interface GraphWorkspace {
  readonly name: string;
  readonly path: string;
  readonly dependsOn: readonly string[];
}

/** Tasks grouped by place, places in order of their first task (so the root's before-hooks come first). */
export function groupByPlace(tasks: readonly Task[]): Map<string, Task[]> {
  const groups = new Map<string, Task[]>();
  for (const task of tasks) {
    const list = groups.get(task.place.name);
    if (list) list.push(task);
    else groups.set(task.place.name, [task]);
  }
  return groups;
}

/** Whether any task runs in a workspace: only then are tasks grouped by place. */
export function hasWorkspaceTasks(tasks: readonly Task[]): boolean {
  return tasks.some((t) => t.place.name !== ROOT_PLACE);
}

/** `text`: one line per task with its dependencies; with workspaces, a header per place and the tasks indented under it. */
export function formatGraphText(tasks: readonly Task[], workspaces: readonly GraphWorkspace[]): string {
  const line = (t: Task, indent: string) => `${indent}${t.id}${t.deps.length > 0 ? `  <- ${t.deps.join(", ")}` : ""}`;
  if (!hasWorkspaceTasks(tasks)) return tasks.map((t) => line(t, "")).join("\n") + "\n";
  const byName = new Map(workspaces.map((w) => [w.name, w] as const));
  const lines: string[] = [];
  for (const [place, list] of groupByPlace(tasks)) {
    const ws = byName.get(place);
    const detail = place === ROOT_PLACE ? "root" : ws ? `${ws.path}${ws.dependsOn.length > 0 ? `; depends on ${ws.dependsOn.join(", ")}` : ""}` : "";
    lines.push(`${place}${detail ? ` (${detail})` : ""}`);
    for (const t of list) lines.push(line(t, "  "));
  }
  return lines.join("\n") + "\n";
}

/** `dot`: with workspaces, one `cluster_<n>` subgraph per place, labelled with its name; edges after the clusters. */
export function formatGraphDot(tasks: readonly Task[]): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = ["digraph lifecycle {", "  rankdir=LR;"];
  if (!hasWorkspaceTasks(tasks)) for (const t of tasks) lines.push(`  ${q(t.id)};`);
  else {
    let n = 0;
    for (const [place, list] of groupByPlace(tasks)) {
      lines.push(`  subgraph ${q(`cluster_${n++}`)} {`, `    label=${q(place === ROOT_PLACE ? "// (root)" : place)};`);
      for (const t of list) lines.push(`    ${q(t.id)};`);
      lines.push("  }");
    }
  }
  for (const t of tasks) for (const dep of t.deps) lines.push(`  ${q(dep)} -> ${q(t.id)};`);
  return [...lines, "}"].join("\n") + "\n";
}

/** `mermaid`: with workspaces, one subgraph per place; node ids are t0, t1, ... in graph order. */
export function formatGraphMermaid(tasks: readonly Task[]): string {
  const node = new Map(tasks.map((t, i) => [t.id, `t${i}`] as const));
  const label = (text: string) => `"${text.replaceAll('"', "#quot;")}"`;
  const lines = ["graph LR"];
  if (!hasWorkspaceTasks(tasks)) for (const t of tasks) lines.push(`  ${node.get(t.id)}[${label(t.id)}]`);
  else {
    let n = 0;
    for (const [place, list] of groupByPlace(tasks)) {
      lines.push(`  subgraph p${n++}[${label(place === ROOT_PLACE ? "// (root)" : place)}]`);
      for (const t of list) lines.push(`    ${node.get(t.id)}[${label(t.id)}]`);
      lines.push("  end");
    }
  }
  for (const t of tasks) for (const dep of t.deps) lines.push(`  ${node.get(dep)} --> ${node.get(t.id)}`);
  return lines.join("\n") + "\n";
}
