import type { WorkspaceDecl } from "../config/config.ts";

/**
 * Every distinct cycle through workspace depends_on, each as the full chain `[a, b, a]`. Works on the
 * declarations, so it can run when a workspace's directory is wrong (only tables have depends_on).
 * Iterative depth-first search: a 100,000-workspace dependency chain does not exhaust the stack.
 */
export function findWorkspaceCycles(workspaces: readonly Pick<WorkspaceDecl, "name" | "dependsOn">[]): string[][] {
  const byName = new Map(workspaces.map((w) => [w.name, w] as const));
  const cycles: string[][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Map<string, number>();
  for (const start of byName.keys()) {
    if (done.has(start)) continue;
    const frames = [{ name: start, next: 0 }];
    onPath.set(start, path.push(start) - 1);
    while (frames.length > 0) {
      const top = frames[frames.length - 1]!;
      const deps = byName.get(top.name)!.dependsOn;
      if (top.next < deps.length) {
        const dep = deps[top.next++]!;
        const at = onPath.get(dep);
        if (at !== undefined) cycles.push([...path.slice(at), dep]);
        else if (!done.has(dep) && byName.has(dep)) {
          frames.push({ name: dep, next: 0 });
          onPath.set(dep, path.push(dep) - 1);
        }
        continue;
      }
      frames.pop();
      path.pop();
      onPath.delete(top.name);
      done.add(top.name);
    }
  }
  return cycles;
}
