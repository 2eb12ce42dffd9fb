import { cac, type CAC } from "cac";
import { resolve } from "node:path";
import { findUnknownOption, restoreOptionSpelling } from "./cli-unknown-options.ts";
import { parseDuration } from "./shared/duration.ts";
import { parseShard, type ShardSpec } from "./workspace/shard.ts";
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
    (phases: string[], f: Flags) => (make = () => ({ command: "run", global: g(f), run: runOptions(phases, false, f, env, args) })),
  );
  defineRunOptions(cli.command("pipeline <...phases>", "Run multiple phases in sequence")).action(
    (phases: string[], f: Flags) => (make = () => ({ command: "run", global: g(f), run: runOptions(phases, true, f, env, args) })),
  );
  cli.command("validate", "Check make.toml and workspaces; list every problem").action((f: Flags) => (make = () => ({ command: "validate", global: g(f) })));
  cli
    .command("graph [...phases]", "Show the task graph for phases")
    .option("--format <format>", "text, dot, json or mermaid", { default: "text" })
    .option("-w, --workspace <name>", "Only these workspaces (repeatable; globs)")
    .option("--since <ref>", "Only workspaces changed since this git ref, and their dependents")
    .option("--shard <i/n>", "Only shard i of n of the selected workspaces")
    .action(
      (phases: string[], f: Flags) =>
        (make = () => ({ command: "graph", global: g(f), phases, format: choice(f.format, ["text", "dot", "json", "mermaid"], "--format") as GraphFormat, selection: selectionOptions(f, args) })),
    );
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
  cli
    .command("cache [action]", "The local cache store: status (default), clean, prune")
    .action((action: string | undefined, f: Flags) => (make = () => ({ command: "cache", global: g(f), action: choice(action ?? "status", ["status", "clean", "prune"], "cache action") as "status" | "clean" | "prune" })));
  cli
    .command("init", "Write a starter make.toml, detecting workspaces")
    .option("--force", "Replace an existing make.toml")
    .option("--dry-run", "Print the starter instead of writing it")
    .action((f: Flags) => (make = () => ({ command: "init", global: g(f), force: f.force === true, dryRun: f.dryRun === true })));
  cli.command("doctor", "Health check: shell, state dirs, disk space, locks, ports, remote cache").action((f: Flags) => (make = () => ({ command: "doctor", global: g(f) })));
  cli
    .command("completion <shell>", "Print a shell completion script: bash, zsh or fish")
    .action((shell: string, f: Flags) => (make = () => ({ command: "completion", global: g(f), shell: choice(shell, ["bash", "zsh", "fish"], "completion shell") as "bash" | "zsh" | "fish" })));
  cli.help();
  const unknown = findUnknownOption(cli, args);
  if (unknown) return err(unknown);

  try {
    const parsed = cli.parse(["lifecycle", "lifecycle", ...args], { run: false });
    if (parsed.options.help) return ok({ command: "done" });
    if (!cli.matchedCommand) {
      const name = parsed.args[0];
      return err(name ? `unknown command "${name}" (commands: list, show, run, pipeline, validate, graph, state, cache, init, doctor, completion)` : "missing command; see lifecycle --help");
    }
    cli.runMatchedCommand();
    if (!make) return err("missing command; see lifecycle --help");
    return ok(make());
  } catch (error) {
    if (error instanceof UsageError) return err(error.message);
    if (error instanceof Error && error.name === "CACError") return err(restoreOptionSpelling(error.message, args));
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
    .option("--since <ref>", "Only workspaces changed since this git ref, and their dependents")
    .option("--shard <i/n>", "Run shard i of n of the selected workspaces (CI matrices)")
    .option("--concurrency <n>", "Max tasks at once (env LIFECYCLE_CONCURRENCY)")
    .option("--timeout <duration>", "Default command timeout for this run")
    .option("--continue", "Run everything that does not depend on a failure")
    .option("--fail-fast", "Stop all running tasks at the first failure")
    .option("--force", "Ignore the cache")
    .option("--dry-run", "Print the plan and each command; run nothing")
    .option("--output <mode>", "stream, prefix or grouped")
    .option("--summary <file>", "Write a JSON run summary")
    .option("--junit <file>", "Write a JUnit XML report")
    .option("--metrics-file <file>", "Write Prometheus metrics (text format, for node_exporter's textfile collector)")
    .option("--trace-file <file>", "Write the run as OpenTelemetry spans (OTLP JSON)")
    .option("--explain", "Say, per cached task, hit or miss and what changed")
    .option("--remote-cache <mode>", "rw (default), r or off (env LIFECYCLE_REMOTE_CACHE)");
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

function runOptions(phases: string[], pipeline: boolean, f: Flags, env: Readonly<Record<string, string | undefined>>, args: readonly string[]): RunOptions {
  if (f.continue === true && f.failFast === true) throw new UsageError("--continue and --fail-fast cannot be used together");
  const concurrencyText = f.concurrency ?? env.LIFECYCLE_CONCURRENCY;
  let timeoutMs: number | null | undefined;
  if (f.timeout !== undefined) {
    const parsed = parseDuration(f.timeout);
    if (!parsed.ok) throw new UsageError(`--timeout: ${parsed.error}`);
    timeoutMs = parsed.value === 0 ? null : parsed.value;
  }
  return {
    phases,
    pipeline,
    ...selectionOptions(f, args),
    concurrency: concurrencyText === undefined ? undefined : positiveInt(concurrencyText, f.concurrency !== undefined ? "--concurrency" : "LIFECYCLE_CONCURRENCY"),
    timeoutMs,
    policy: f.continue === true ? "continue" : f.failFast === true ? "fail-fast" : "default",
    force: f.force === true,
    dryRun: f.dryRun === true,
    output: f.output === undefined ? undefined : (choice(f.output, ["stream", "prefix", "grouped"], "--output") as OutputMode),
    summaryFile: stringFlag(f.summary, "--summary"),
    junitFile: stringFlag(f.junit, "--junit"),
    metricsFile: stringFlag(f.metricsFile, "--metrics-file"),
    traceFile: stringFlag(f.traceFile, "--trace-file"),
    explain: f.explain === true,
    remoteCache: choice(f.remoteCache ?? env.LIFECYCLE_REMOTE_CACHE ?? "rw", ["rw", "r", "off"], f.remoteCache !== undefined ? "--remote-cache" : "LIFECYCLE_REMOTE_CACHE") as "rw" | "r" | "off",
  };
}

/** -w (repeatable), --since, --shard: shared by run, pipeline and graph. */
function selectionOptions(f: Flags, args: readonly string[]): { workspaces: string[]; since?: string; shard?: ShardSpec } {
  // Read from argv itself: the parser keeps only one of `-w a --workspace b`, and turns an
  // all-digit value into a number (a workspace `007`, a commit id `0123456`).
  const workspaces = f.workspace === undefined ? [] : rawValues(args, ["-w", "--workspace"]);
  const since = f.since === undefined ? undefined : stringFlag(rawValues(args, ["--since"]).at(-1), "--since");
  let shard: ShardSpec | undefined;
  if (f.shard !== undefined) {
    const parsed = parseShard(String(f.shard));
    if (!parsed.ok) throw new UsageError(parsed.error);
    shard = parsed.value;
  }
  return { workspaces, ...(since === undefined ? {} : { since }), ...(shard === undefined ? {} : { shard }) };
}

/** Every value given to an option under any of its names (`--name value`, `--name=value`), in argv order, up to `--`. */
function rawValues(args: readonly string[], names: readonly string[]): string[] {
  const values: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") break;
    for (const name of names) {
      if (arg === name && i + 1 < args.length) values.push(args[++i]!);
      else if (arg.startsWith(`${name}=`)) values.push(arg.slice(name.length + 1));
      else continue;
      break;
    }
  }
  return values;
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
