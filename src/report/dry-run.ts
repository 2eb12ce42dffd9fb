import { commandText } from "../config/config.ts";
import type { Task, TaskGraph } from "../plan/task.ts";
import { formatDuration } from "../shared/duration.ts";
import { findExecutable, leadingProgram } from "../shared/find-executable.ts";
import { longestFirst, redactEnv, redactText, secretValues } from "../shared/redact.ts";

export interface DryRunReport {
  readonly text: string;
  /** Programs that would not be found, as messages. */
  readonly missing: readonly string[];
}

/** The plan in run order with each resolved command, env and timeout; secrets masked; programs checked. */
export function describeDryRun(graph: TaskGraph, shell: string, parentEnv: Readonly<Record<string, string | undefined>>): DryRunReport {
  const lines: string[] = [`Plan: ${graph.tasks.size} task${graph.tasks.size === 1 ? "" : "s"} for ${graph.phases.join(" → ")}`];
  const missing: string[] = [];
  const describe = (task: Task, title: string) => {
    const env = { ...parentEnv, ...task.env };
    const secrets = secretsOf(parentEnv, task.env);
    lines.push("", `${title}${task.id}${task.deps.length > 0 ? `  (after ${task.deps.join(", ")})` : ""}`);
    lines.push(`  cwd: ${task.cwd}`, `  timeout: ${task.timeoutMs === null ? "none" : formatDuration(task.timeoutMs)}${task.retries > 0 ? `, retries: ${task.retries}` : ""}`);
    const shown = Object.entries(redactEnv(task.env)).filter(([k]) => !k.startsWith("LIFECYCLE_"));
    if (shown.length > 0) lines.push(redactText(`  env: ${shown.map(([k, v]) => `${k}=${v}`).join(" ")}`, secrets));
    for (const command of task.commands) {
      lines.push(`  $ ${redactText(commandText(command), secrets)}`);
      const program = command.kind === "argv" ? command.argv[0] : leadingProgram(command.script) ?? (findExecutable(shell, task.cwd, env.PATH) ? undefined : shell);
      if (program && !findExecutable(program, task.cwd, env.PATH)) missing.push(`${task.id}: command not found: ${program}`);
    }
    if (task.commands.length === 0) lines.push("  (no commands)");
  };
  for (const task of graph.tasks.values()) describe(task, "");
  for (const task of graph.onSuccess.values()) describe(task, "on success: ");
  for (const task of graph.onError.values()) describe(task, "on error: ");
  for (const message of missing) lines.push(`\nmissing: ${message}`);
  return { text: lines.join("\n") + "\n", missing };
}

/** The parent's secrets and the task's, longest first: a task env key may shadow the parent variable it expands. */
function secretsOf(parentEnv: Readonly<Record<string, string | undefined>>, taskEnv: Readonly<Record<string, string>>): string[] {
  return longestFirst([...secretValues(parentEnv), ...secretValues(taskEnv)]);
}
