import type { ProcessResult } from "./outcome.ts";

/** `5s`, `1.5s`, `500ms`: how a timeout is named in messages. */
export function formatTimeout(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${Number((ms / 1000).toFixed(3))}s`;
}

/**
 * ggen's failure text with the real phase and, instead of "Command output shown above", the stderr tail:
 * `Command failed in phase '<phase>': <cmd>` / `  Exit code: <n>` (or `  Signal: SIGKILL`, or the start error).
 * `commandText` must already be redacted; the caller redacts the whole message too (the tail may echo secrets).
 */
export function commandFailedMessage(phase: string, commandText: string, result: ProcessResult): string {
  const lines = [`Command failed in phase '${phase}': ${commandText}`];
  if (result.spawnError !== undefined) lines.push(`  Error: ${result.spawnError}`);
  else {
    const missing = result.exitCode === 127 ? missingCommand(result.stderrTail) : undefined;
    if (missing !== undefined) lines.push(`  Error: command not found: ${missing}`);
    else if (result.exitCode === 126) lines.push("  Error: permission denied or not executable");
  }
  if (result.exitCode !== null) lines.push(`  Exit code: ${result.exitCode}`);
  else if (result.signal !== null) lines.push(`  Signal: ${result.signal}`);
  return lines.concat(stderrSection(result.stderrTail)).join("\n");
}

/** `Command timed out after 5s in phase '<phase>': <cmd>`, then the stderr tail. */
export function timedOutMessage(phase: string, commandText: string, timeoutMs: number, result: ProcessResult): string {
  const lines = [`Command timed out after ${formatTimeout(timeoutMs)} in phase '${phase}': ${commandText}`];
  if (result.signal !== null) lines.push(`  Stopped with: ${result.signal}`);
  return lines.concat(stderrSection(result.stderrTail)).join("\n");
}

function stderrSection(tail: readonly string[]): string[] {
  if (tail.length === 0) return [];
  return ["  Stderr (last lines):", ...tail.map((line) => `    ${line}`)];
}

/**
 * The name a shell could not find, from its own complaint: dash `sh: 1: foo: not found`,
 * bash `bash: line 1: foo: command not found`, zsh `zsh:1: command not found: foo`.
 */
export function missingCommand(stderrTail: readonly string[]): string | undefined {
  for (let i = stderrTail.length - 1; i >= 0; i--) {
    const line = stderrTail[i]!;
    const trailing = /:\s*([^:\s][^:]*): (?:command )?not found\s*$/.exec(line);
    if (trailing !== null) return trailing[1];
    const leading = /command not found: (.+)$/.exec(line);
    if (leading !== null) return leading[1];
  }
  return undefined;
}
