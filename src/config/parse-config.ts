import { parse, TomlError } from "smol-toml";
import { checkReferenceView } from "./check-references.ts";
import { viewOfRawDocument } from "./raw-reference-view.ts";
import { errorDiagnostic, hasErrors, type Diagnostic } from "../shared/diagnostic.ts";
import { err, ok, type Result } from "../shared/result.ts";
import { findConflicts } from "./find-conflicts.ts";
import { findUnknownKeys } from "./find-unknown-keys.ts";
import { formatKeyPath, type KeySegment } from "./key-path.ts";
import { escalateWarnings, locateDiagnostics } from "./locate-diagnostics.ts";
import { configSchema, type RawConfig } from "./schema.ts";

export interface ParseOptions {
  /** Warnings (unknown keys, ignored values) become errors. */
  readonly strict?: boolean;
}

/**
 * make.toml text -> RawConfig. Lists every problem of the document in one pass: TOML syntax (alone, since nothing
 * else can be read), wrong types, missing keys, bad names, unknown keys, conflicting keys; each with the file,
 * line:column where known, and the key path. Warnings come back with the config; errors make it fail.
 */
export function parseConfig(
  text: string,
  displayPath: string,
  options: ParseOptions = {},
): Result<{ config: RawConfig; warnings: Diagnostic[] }, Diagnostic[]> {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    return err([errorDiagnostic({ file: displayPath, line: error.line, column: error.column, message: `invalid TOML: ${tomlReason(error)}` })]);
  }
  const checked = configSchema.safeParse(doc);
  const problems: Diagnostic[] = checked.success
    ? []
    : checked.error.issues.map((issue) =>
        errorDiagnostic({ keyPath: formatKeyPath(issue.path.map(toSegment)) || undefined, message: issue.message }),
      );
  problems.push(...findUnknownKeys(doc), ...findConflicts(doc));
  // Without a valid config the resolved reference check cannot run: check names on the raw document instead.
  if (!checked.success) problems.push(...checkReferenceView(viewOfRawDocument(doc), displayPath).filter((d) => d.severity === "error"));
  let diagnostics: Diagnostic[] = problems.map((d) => ({ ...d, file: displayPath }));
  if (options.strict) diagnostics = escalateWarnings(diagnostics);
  diagnostics = locateDiagnostics(diagnostics, text);
  if (!checked.success || hasErrors(diagnostics)) return err(diagnostics);
  return ok({ config: checked.data, warnings: diagnostics });
}

function toSegment(key: PropertyKey): KeySegment {
  return typeof key === "number" ? key : String(key);
}

/** smol-toml's message minus its "Invalid TOML document:" prefix and code excerpt. */
function tomlReason(error: TomlError): string {
  const firstLine = error.message.split("\n", 1)[0] ?? "";
  return firstLine.replace(/^Invalid TOML document:\s*/, "");
}
