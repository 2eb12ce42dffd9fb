import type { Selection } from "./select-workspaces.ts";

/** Names shown before "... N more" in selection notes. */
const NAMES_SHOWN = 10;

/**
 * Lines telling the user what --since and --shard chose (empty when neither was given), and
 * whether anything is left to run. For the log (stderr), never for stdout.
 */
export function describeSelection(selection: Selection): string[] {
  const lines: string[] = [];
  if (selection.since) {
    const { ref, changedFiles, affected } = selection.since;
    lines.push(`--since ${ref}: ${plural(changedFiles, "changed file")}; ${plural(affected.length, "workspace")} affected${affected.length > 0 ? `: ${names(affected)}` : ""}`);
  }
  if (selection.shard) {
    const { index, count, own, dependencies } = selection.shard;
    const deps = dependencies.length > 0 ? `, plus ${plural(dependencies.length, "dependency", "dependencies")} from other shards: ${names(dependencies)}` : "";
    lines.push(`--shard ${index}/${count}: ${plural(own.length, "workspace")}${own.length > 0 ? ` (${names(own)})` : ""}${deps}`);
  }
  if ((selection.since || selection.shard) && selection.workspaces.length === 0) lines.push("nothing to run: no workspace selected");
  return lines;
}

function names(list: readonly string[]): string {
  return list.length <= NAMES_SHOWN ? list.join(", ") : `${list.slice(0, NAMES_SHOWN).join(", ")}, ... ${list.length - NAMES_SHOWN} more`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
