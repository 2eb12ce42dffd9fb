import type { AppContext } from "../context.ts";
import { formatDiagnostic, type Diagnostic } from "../shared/diagnostic.ts";

/** Errors and warnings from loading, each on its own line on stderr. */
export function printDiagnostics(ctx: AppContext, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    if (d.severity === "error") ctx.logger.error(formatDiagnostic(d));
    else ctx.logger.warn(formatDiagnostic(d));
  }
}
