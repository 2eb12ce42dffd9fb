import { createConsola, type ConsolaInstance, type LogObject } from "consola/core";
import { appendFileSync } from "node:fs";
import type { LogLevel } from "../invocation.ts";
import { longestFirst, redactText } from "../shared/redact.ts";

/** Where log lines go: human messages, structured lines, an optional log file; secrets masked in all. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Sets the run id carried by every later line. */
  setRunId(runId: string): void;
  /** Adds values to mask from now on. */
  addSecrets(values: readonly string[]): void;
}

export type LogFields = Record<string, unknown> & { task?: string };

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly format: "human" | "json";
  readonly file?: string;
  readonly color: boolean;
  readonly writeStderr: (text: string) => void;
}

const LEVEL_NUMBER: Record<LogLevel, number> = { silent: -1, error: 0, warn: 1, info: 3, debug: 4 };
const TYPE_LEVEL: Record<string, "debug" | "info" | "warn" | "error"> = { debug: "debug", info: "info", warn: "warn", error: "error" };

/** Human lines look like `warning: ...`; json lines are {ts, level, run_id, task, msg, fields}. */
export function createLogger(options: LoggerOptions): Logger {
  let runId: string | undefined;
  let secrets: string[] = [];
  const paint = (code: number, text: string) => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const jsonLine = (log: LogObject) => {
    const [msg, fields] = log.args as [string, LogFields | undefined];
    const { task, ...rest } = fields ?? {};
    const line = { ts: log.date.toISOString(), level: TYPE_LEVEL[log.type] ?? "info", run_id: runId, task, msg, fields: Object.keys(rest).length > 0 ? rest : undefined };
    return redactText(JSON.stringify(line), secrets) + "\n";
  };
  const humanLine = (log: LogObject) => {
    const [msg] = log.args as [string];
    const label = log.type === "error" ? paint(31, "error: ") : log.type === "warn" ? paint(33, "warning: ") : log.type === "debug" ? paint(90, "debug: ") : "";
    return redactText(`${label}${msg}`, secrets) + "\n";
  };
  // consola passes everything (debug and up); the console shows the chosen level, the log file keeps all.
  const consoleLevel = LEVEL_NUMBER[options.level];
  const consola: ConsolaInstance = createConsola({
    level: options.file ? LEVEL_NUMBER.debug : consoleLevel,
    throttle: 0,
    reporters: [
      {
        log(log) {
          if (log.level <= consoleLevel) options.writeStderr(options.format === "json" ? jsonLine(log) : humanLine(log));
          if (options.file) appendFileSync(options.file, jsonLine(log));
        },
      },
    ],
  });
  return {
    debug: (msg, fields) => consola.debug(msg, fields),
    info: (msg, fields) => consola.info(msg, fields),
    warn: (msg, fields) => consola.warn(msg, fields),
    error: (msg, fields) => consola.error(msg, fields),
    setRunId: (id) => (runId = id),
    addSecrets: (values) => (secrets = longestFirst([...secrets, ...values])),
  };
}
