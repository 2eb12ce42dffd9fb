/** One problem found in user input: where it is, which key, and what was expected. */
export interface Diagnostic {
  readonly severity: "error" | "warning";
  /** Path of the file, as it should be shown (relative to the root when inside it). */
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /** Dotted key path such as `lifecycle.build.timeout`. */
  readonly keyPath?: string;
  readonly message: string;
  /** A suggestion such as `did you mean "commands"?`. */
  readonly hint?: string;
}

export function errorDiagnostic(fields: Omit<Diagnostic, "severity">): Diagnostic {
  return { severity: "error", ...fields };
}

export function warningDiagnostic(fields: Omit<Diagnostic, "severity">): Diagnostic {
  return { severity: "warning", ...fields };
}

/** `make.toml:12:3: lifecycle.build.timeout: expected a duration (did you mean ...)` */
export function formatDiagnostic(d: Diagnostic): string {
  let where = d.file ?? "";
  if (d.file && d.line !== undefined) where += `:${d.line}${d.column !== undefined ? `:${d.column}` : ""}`;
  const parts = [where, d.keyPath].filter((p): p is string => Boolean(p));
  const prefix = parts.length > 0 ? `${parts.join(": ")}: ` : "";
  return `${prefix}${d.message}${d.hint ? ` (${d.hint})` : ""}`;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}
