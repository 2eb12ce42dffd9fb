import { commandText } from "../config/config.ts";
import type { Task } from "../plan/task.ts";
import { redactText } from "../shared/redact.ts";

/** A task's commands as text with secret values masked, for audit lines and summaries. */
export function commandsOfTask(task: Task, secrets: readonly string[]): string[] {
  return task.commands.map((command) => redactText(commandText(command), secrets));
}
