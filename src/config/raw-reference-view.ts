import type { ReferenceView } from "./check-references.ts";
import { isTable } from "./value-schemas.ts";

/**
 * The names a document refers to, read leniently from TOML that failed validation: only well-typed
 * pieces are taken, so reference problems are listed together with type problems in one pass.
 */
export function viewOfRawDocument(doc: Readonly<Record<string, unknown>>): ReferenceView {
  const lifecycle = isTable(doc.lifecycle) ? doc.lifecycle : {};
  const phases = Object.keys(lifecycle).filter((name) => isTable(lifecycle[name]));
  const hooks = isTable(doc.hooks) ? doc.hooks : {};
  const hookLists = Object.entries(hooks).flatMap(([key, value]) =>
    Array.isArray(value) ? [{ key, phases: value.flatMap((name, index) => (typeof name === "string" ? [[index, name] as const] : [])) }] : [],
  );
  const dependsOn = phases.flatMap((phase) => {
    const list = (lifecycle[phase] as Record<string, unknown>).depends_on;
    return Array.isArray(list) ? [{ phase, names: list.filter((n): n is string => typeof n === "string") }] : [];
  });
  const workspaceTable = isTable(doc.workspace) ? doc.workspace : {};
  const workspaces = Object.entries(workspaceTable).flatMap(([name, value]) => {
    if (!isTable(value)) return [];
    const deps = Array.isArray(value.depends_on) ? value.depends_on.filter((n): n is string => typeof n === "string") : [];
    return [{ name, dependsOn: deps }];
  });
  return { phases, hooks: hookLists, dependsOn, workspaces, hasMembers: workspaceTable.members !== undefined };
}
