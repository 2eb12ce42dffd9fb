import { cac, type CAC } from "cac";
import { resolve } from "node:path";
import { parseDuration } from "./shared/duration.ts";
import { err, ok, type Result } from "./shared/result.ts";
import type { GlobalOptions, GraphFormat, Invocation, LogLevel, OutputMode, RunOptions } from "./invocation.ts";

type Flags = Record<string, unknown>;

/** argv (without the runtime's first two entries) -> Invocation, or a usage message for exit 2. No other logic. */
export function parseInvocation(args: readonly string[], env: Readonly<Record<string, string | undefined>>, cwd: string): Result<Invocation, string> {
  const cli = cac("lifecycle");
  // Each action only records how to build the Invocation; building it may raise a UsageError.
  let make: (() => Invocation) | undefined;
  const g = (f: Flags) => globalOptions(f, env, cwd);
  defineGlobalOptions(cli);

  cli.command("list", "List all available lifecycle phases").action((f: Flags) => (make = () => ({ command: "list", global: g(f) })));
  cli.command("show <phase>", "Show details of a specific phase").action((phase: string, f: Flags) => (make = () => ({ command: "show", global: g(f), phase })));
  defineRunOptions(cli.command("run <...phases>", "Run lifecycle phases (several phases form a pipeline)")).action(
    (phases: string[], f: Flags) => (make = () => ({ command: "run", global: g(f), run: runOptions(phases, false, f, env) })),
  );
  defineRunOptions(cli.command("pipeline <...phases>", "Run multiple phases in sequence")).action(
    (phases: string[], f: Flags) => (make = () => ({ command: "run", global: g(f), run: runOptions(phases, true, f, env) })),
  );
  cli.command("validate", "Check make.toml and workspaces; list every problem").action((f: Flags) => (make = () => ({ command: "validate", global: g(f) })));
  cli
    .command("graph [...phases]", "Show the task graph for phases")
    .option("--format <format>", "text, dot, json or mermaid", { default: "text" })
    .action((phases: string[], f: Flags) => (make = () => ({ command: "graph", global: g(f), phases, format: choice(f.format, ["text", "dot", "json", "mermaid"], "--format") as GraphFormat })));
  cli
    .command("state [action]", "Inspect and maintain state files: show (default), prune, reset")
    .option("--keep <n>", "prune: history entries to keep per state file")
    .action(
      (action: string | undefined, f: Flags) =>
        (make = () => ({
          command: "state",
          global: g(f),
          action: choice(action ?? "show", ["show", "prune", "reset"], "state action") as "show" | "prune" | "reset",
          keep: f.keep === undefined ? undefined : positiveInt(f.keep, "--keep"),
        })),
    );
  cli.help();

  try {
    const parsed = cli.parse(["lifecycle", "lifecycle", ...args], { run: false });
    if (parsed.options.help) return ok({ command: "done" });
    if (!cli.matchedCommand) {
      const name = parsed.args[0];
      return err(name ? `unknown command "${name}" (commands: list, show, run, pipeline, validate, graph, state)` : "missing command; see lifecycle --help");
    }
    cli.runMatchedCommand();
    if (!make) return err("missing command; see lifecycle --help");
    return ok(make());
  } catch (error) {
    if (error instanceof UsageError || (error instanceof Error && error.name === "CACError")) return err(error.message);
    throw error;
  }
}

function defineGlobalOptions(cli: CAC): void {
  cli
    .option("--root <dir>", "Project root (default: current directory)")
    .option("-f, --file <file>", "make.toml to use (default: <root>/make.toml)")
    .option("-e, --env <profile>", "Environment profile: [env.<profile>] and GGEN_ENV")
    .option("--json", "NDJSON events on stdout; human messages on stderr")
    .option("--log-level <level>", "debug, info, warn, error or silent")
    .option("--log-format <format>", "human or json (env LIFECYCLE_LOG_FORMAT)")
    .option("--log-file <file>", "Also write structured logs to this file")
    .option("--no-color", "Disable colours")
    .option("-q, --quiet", "Only errors")
    .option("-v, --verbose", "Debug logs and stack traces")
    .option("--strict", "Treat make.toml warnings as errors");
}

function defineRunOptions(command: ReturnType<CAC["command"]>) {
  return command
    .option("-w, --workspace <name>", "Only these workspaces (repeatable; globs)")
    .option("--concurrency <n>", "Max tasks at once (env LIFECYCLE_CONCURRENCY)")
    .option("--timeout <duration>", "Default command timeout for this run")
    .option("--continue", "Run everything that does not depend on a failure")
    .option("--fail-fast", "Stop all running tasks at the first failure")
    .option("--force", "Ignore the cache")
    .option("--dry-run", "Print the plan and each command; run nothing")
    .option("--output <mode>", "stream, prefix or grouped")
    .option("--summary <file>", "Write a JSON run summary")
    .option("--junit <file>", "Write a JUnit XML report");
}

class UsageError extends Error {}

function globalOptions(f: Flags, env: Readonly<Record<string, string | undefined>>, cwd: string): GlobalOptions {
  const root = resolve(cwd, typeof f.root === "string" ? f.root : ".");
  const logFormat = choice(f.logFormat ?? env.LIFECYCLE_LOG_FORMAT ?? "human", ["human", "json"], "--log-format") as "human" | "json";
  const quiet = f.quiet === true;
  const verbose = f.verbose === true;
  const defaultLevel: LogLevel = quiet ? "error" : verbose ? "debug" : "info";
  return {
    root,
    file: typeof f.file === "string" ? resolve(root, f.file) : undefined,
    profile: stringFlag(f.env, "--env"),
    json: f.json === true,
    logLevel: choice(f.logLevel ?? defaultLevel, ["debug", "info", "warn", "error", "silent"], "--log-level") as LogLevel,
    logFormat,
    logFile: typeof f.logFile === "string" ? resolve(cwd, f.logFile) : undefined,
    color: f.color !== false && env.NO_COLOR === undefined,
    quiet,
    verbose,
    strict: f.strict === true,
  };
}

function runOptions(phases: string[], pipeline: boolean, f: Flags, env: Readonly<Record<string, string | undefined>>): RunOptions {
  if (f.continue === true && f.failFast === true) throw new UsageError("--continue and --fail-fast cannot be used together");
  const concurrencyText = f.concurrency ?? env.LIFECYCLE_CONCURRENCY;
  let timeoutMs: number | null | undefined;
  if (f.timeout !== undefined) {
    const parsed = parseDuration(f.timeout);
    if (!parsed.ok) throw new UsageError(`--timeout: ${parsed.error}`);
    timeoutMs = parsed.value === 0 ? null : parsed.value;
  }
  const workspaces = f.workspace === undefined ? [] : ([] as unknown[]).concat(f.workspace).map(String);
  return {
    phases,
    pipeline,
    workspaces,
    concurrency: concurrencyText === undefined ? undefined : positiveInt(concurrencyText, f.concurrency !== undefined ? "--concurrency" : "LIFECYCLE_CONCURRENCY"),
    timeoutMs,
    policy: f.continue === true ? "continue" : f.failFast === true ? "fail-fast" : "default",
    force: f.force === true,
    dryRun: f.dryRun === true,
    output: f.output === undefined ? undefined : (choice(f.output, ["stream", "prefix", "grouped"], "--output") as OutputMode),
    summaryFile: stringFlag(f.summary, "--summary"),
    junitFile: stringFlag(f.junit, "--junit"),
  };
}

function choice(value: unknown, allowed: readonly string[], name: string): string {
  if (typeof value === "string" && allowed.includes(value)) return value;
  throw new UsageError(`${name}: expected one of ${allowed.join(", ")}, got "${String(value)}"`);
}

function positiveInt(value: unknown, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name}: expected a whole number of at least 1, got "${String(value)}"`);
  return n;
}

function stringFlag(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") throw new UsageError(`${name}: expected a value`);
  return value;
}
