import { resolve } from "node:path";
import { hasErrors, type Diagnostic } from "../shared/diagnostic.ts";
import { err, ok, type Result } from "../shared/result.ts";
import { checkReferences } from "./check-references.ts";
import type { Config } from "./config.ts";
import { escalateWarnings, locateDiagnostics } from "./locate-diagnostics.ts";
import { parseConfig } from "./parse-config.ts";
import { readConfigText } from "./read-config-text.ts";
import { resolveConfig } from "./resolve-config.ts";

/**
 * One make.toml from disk to a checked Config: read (size, NUL, UTF-8), parse and validate, resolve, check names.
 * Fails with every problem found (warnings included, in file order); `strict` makes warnings errors.
 * Does not look at workspace directories or cycles.
 */
export function loadConfig(
  path: string,
  displayPath: string,
  options: { readonly strict?: boolean } = {},
): Result<{ config: Config; warnings: Diagnostic[] }, Diagnostic[]> {
  const text = readConfigText(path, displayPath);
  if (!text.ok) return text;
  const parsed = parseConfig(text.value, displayPath, options);
  if (!parsed.ok) return parsed;
  const config = resolveConfig(parsed.value.config, resolve(path));
  let references = checkReferences(config, displayPath);
  if (options.strict) references = escalateWarnings(references);
  const diagnostics = locateDiagnostics([...parsed.value.warnings, ...references], text.value);
  return hasErrors(diagnostics) ? err(diagnostics) : ok({ config, warnings: diagnostics });
}
