import type { Diagnostic } from "../shared/diagnostic.ts";
import { parseKeyPath } from "./key-path.ts";
import { scanKeyLocations, type KeyLocations } from "./key-locations.ts";

/**
 * Fills in line:column from each diagnostic's key path (the nearest located ancestor when the key itself is
 * absent) and orders the list by position, unplaced (whole-file) ones first. Scans the text only when something needs placing.
 */
export function locateDiagnostics(diagnostics: readonly Diagnostic[], text: string): Diagnostic[] {
  let locations: KeyLocations | undefined;
  const placed = diagnostics.map((d) => {
    if (d.line !== undefined || d.keyPath === undefined) return d;
    const segments = parseKeyPath(d.keyPath);
    if (!segments) return d;
    locations ??= scanKeyLocations(text);
    const position = locations.locate(segments);
    return position ? { ...d, line: position.line, column: position.column } : d;
  });
  return placed
    .map((d, index) => ({ d, index }))
    .sort((a, b) => compare(a.d, b.d) || a.index - b.index)
    .map(({ d }) => d);
}

function compare(a: Diagnostic, b: Diagnostic): number {
  const lineA = a.line ?? 0;
  const lineB = b.line ?? 0;
  return lineA - lineB || (a.column ?? 0) - (b.column ?? 0);
}

/** `--strict`: every warning becomes an error, text unchanged. */
export function escalateWarnings(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.map((d) => (d.severity === "warning" ? { ...d, severity: "error" } : d));
}
