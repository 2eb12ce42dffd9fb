import { warningDiagnostic, type Diagnostic } from "../shared/diagnostic.ts";
import { formatKeyPath } from "./key-path.ts";
import { SETTING_KEYS, sameSettingValue, settingSources, type SettingName } from "./setting-sources.ts";
import { isTable } from "./value-schemas.ts";

/**
 * Warnings for values that are set but lose to another key: `command` over `commands`, a setting over its alias
 * or over [execution], a phase's `max_threads` over `concurrency`. Says which key wins. Reads the parsed TOML as is.
 */
export function findConflicts(doc: Readonly<Record<string, unknown>>): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const setting of Object.keys(SETTING_KEYS) as SettingName[]) {
    const [winner, ...losers] = settingSources(doc, setting);
    if (!winner) continue;
    for (const loser of losers) {
      if (sameSettingValue(setting, winner.value, loser.value)) continue;
      found.push(
        warningDiagnostic({
          keyPath: formatKeyPath(loser.path),
          message: `ignored: ${formatKeyPath(winner.path)} is also set and takes precedence`,
        }),
      );
    }
  }
  if (isTable(doc.lifecycle)) {
    for (const [name, phase] of Object.entries(doc.lifecycle)) {
      if (!isTable(phase)) continue;
      if (phase.command !== undefined && phase.commands !== undefined) {
        found.push(
          warningDiagnostic({
            keyPath: formatKeyPath(["lifecycle", name, "commands"]),
            message: "ignored: both command and commands are set, and command is used",
          }),
        );
      }
      if (Array.isArray(phase.watch)) {
        found.push(
          warningDiagnostic({
            keyPath: formatKeyPath(["lifecycle", name, "watch"]),
            message: "expected true or false; a list of globs is read as watch = true (lifecycle does not watch files)",
          }),
        );
      }
      if (phase.max_threads !== undefined && phase.concurrency !== undefined && phase.max_threads !== phase.concurrency) {
        found.push(
          warningDiagnostic({
            keyPath: formatKeyPath(["lifecycle", name, "concurrency"]),
            message: "ignored: concurrency is an alias of max_threads, which is also set and takes precedence",
          }),
        );
      }
    }
  }
  return found;
}
