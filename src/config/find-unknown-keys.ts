import { warningDiagnostic, type Diagnostic } from "../shared/diagnostic.ts";
import { didYouMean } from "../shared/suggest.ts";
import { formatKeyPath, type KeySegment } from "./key-path.ts";
import {
  cacheShape,
  hookTableShape,
  isHookKey,
  phaseShape,
  projectShape,
  settingsShape,
  stateShape,
  workspaceShape,
} from "./schema.ts";
import { isTable } from "./value-schemas.ts";

const TOP_KEYS = ["project", "settings", "execution", "env", "workspace", "lifecycle", "hooks", "state", "cache"];
const SECTION_NOTES: Record<string, string> = {
  phases: "phases are declared as [lifecycle.<name>]",
  tasks: "phases are declared as [lifecycle.<name>]",
  pipelines: "run phases in order with `lifecycle pipeline a b c`",
};
const keysOf = (shape: object) => Object.keys(shape);

/**
 * Warnings for every key the schema does not define, anywhere in the document, each with a "did you mean"
 * when a known key is close. Also flags values that are tolerated but ignored (tables under env).
 * Reads the parsed TOML as is; type errors are the schema's business, so a non-table is never descended into.
 */
export function findUnknownKeys(doc: Readonly<Record<string, unknown>>): Diagnostic[] {
  const found: Diagnostic[] = [];
  const unknown = (path: KeySegment[], candidates: readonly string[], message = "unknown key", note?: string) => {
    const key = String(path[path.length - 1]);
    found.push(warningDiagnostic({ keyPath: formatKeyPath(path), message, hint: didYouMean(key, candidates) ?? note }));
  };
  const checkTable = (table: unknown, path: KeySegment[], known: readonly string[]) => {
    if (!isTable(table)) return;
    for (const key of Object.keys(table)) if (!known.includes(key)) unknown([...path, key], known);
  };
  const checkEnv = (table: unknown, path: KeySegment[]) => {
    if (!isTable(table)) return;
    for (const [key, value] of Object.entries(table)) {
      if (isTable(value)) {
        found.push(
          warningDiagnostic({
            keyPath: formatKeyPath([...path, key]),
            message: "not an environment variable: a table here is ignored (env values must be strings)",
          }),
        );
      }
    }
  };

  for (const [key, value] of Object.entries(doc)) {
    if (!TOP_KEYS.includes(key)) {
      unknown([key], TOP_KEYS, isTable(value) ? `unknown table [${key}]` : "unknown key", SECTION_NOTES[key]);
    }
  }
  checkTable(doc.project, ["project"], keysOf(projectShape));
  checkTable(doc.settings, ["settings"], keysOf(settingsShape));
  checkTable(doc.execution, ["execution"], keysOf(settingsShape));
  checkTable(doc.state, ["state"], keysOf(stateShape));
  checkTable(doc.cache, ["cache"], keysOf(cacheShape));

  if (isTable(doc.env)) {
    for (const [profile, value] of Object.entries(doc.env)) checkEnv(value, ["env", profile]);
  }

  if (isTable(doc.workspace)) {
    for (const [name, value] of Object.entries(doc.workspace)) {
      if (name === "members") continue;
      if (isTable(value)) checkTable(value, ["workspace", name], keysOf(workspaceShape));
      else unknown(["workspace", name], ["members"], "unknown key", "[workspace] holds members = [...] and [workspace.<name>] tables");
    }
  }

  const phaseNames = isTable(doc.lifecycle) ? Object.keys(doc.lifecycle) : [];
  if (isTable(doc.lifecycle)) {
    for (const [name, phase] of Object.entries(doc.lifecycle)) {
      checkTable(phase, ["lifecycle", name], keysOf(phaseShape));
      if (isTable(phase)) checkEnv(phase.env, ["lifecycle", name, "env"]);
    }
  }

  if (isTable(doc.hooks)) {
    const candidates = ["before_all", "after_all", "on_error", "on_success", ...phaseNames.flatMap((p) => [`before_${p}`, `after_${p}`])];
    for (const [key, value] of Object.entries(doc.hooks)) {
      if (!isHookKey(key)) unknown(["hooks", key], candidates);
      else checkTable(value, ["hooks", key], keysOf(hookTableShape));
    }
  }
  return found;
}
