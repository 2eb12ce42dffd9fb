import type { Output } from "./report/reporter.ts";
import type { Logger } from "./report/logger.ts";

/** What every command gets from main: where to write, how to log, the environment, and interruption. */
export interface AppContext {
  readonly output: Output;
  readonly logger: Logger;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly argv: readonly string[];
  readonly version: string;
  /** Aborted on the first SIGINT/SIGTERM/SIGHUP; reason is the signal name. */
  readonly interrupt: AbortSignal;
  /** Aborted on a second signal: kill at once, no grace. */
  readonly killNow: AbortSignal;
  readonly isTTY: boolean;
}
