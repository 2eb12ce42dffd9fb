import { parseInvocation } from "./cli.ts";
import { graphCommand } from "./commands/graph.ts";
import { listCommand } from "./commands/list.ts";
import { showCommand } from "./commands/show.ts";
import { stateCommand } from "./commands/state.ts";
import { validateCommand } from "./commands/validate.ts";
import type { AppContext } from "./context.ts";
import { installSignalHandlers } from "./execute/signals.ts";
import { createLogger } from "./report/logger.ts";
import type { Output } from "./report/reporter.ts";
import { runCommand } from "./run.ts";
import { assertNever } from "./shared/assert-never.ts";

export interface AppInput {
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly version: string;
  readonly isTTY: boolean;
}

/** Parses the invocation, wires signals and output, dispatches; returns the exit code. */
export async function runApp(input: AppInput): Promise<number> {
  const output: Output = { stdout: (t) => void process.stdout.write(t), stderr: (t) => void process.stderr.write(t) };
  const parsed = parseInvocation(input.args, input.env, input.cwd);
  if (!parsed.ok) {
    output.stderr(`lifecycle: ${parsed.error}\n`);
    return 2;
  }
  const invocation = parsed.value;
  if (invocation.command === "done") return 0;
  const global = invocation.global;
  const logger = createLogger({ level: global.logLevel, format: global.logFormat, file: global.logFile, color: global.color && input.isTTY, writeStderr: output.stderr });

  const interrupt = new AbortController();
  const killNow = new AbortController();
  // Only runs own child processes; other commands keep the default die-on-signal behaviour.
  const uninstall =
    invocation.command === "run"
      ? installSignalHandlers({
          onSignal(signal, count) {
            if (count === 1) interrupt.abort(signal);
            else killNow.abort(signal);
          },
        })
      : () => {};
  const ctx: AppContext = { output, logger, env: input.env, argv: input.args, version: input.version, interrupt: interrupt.signal, killNow: killNow.signal, isTTY: input.isTTY };
  try {
    switch (invocation.command) {
      case "list":
        return listCommand(ctx, global);
      case "show":
        return showCommand(ctx, global, invocation.phase);
      case "validate":
        return validateCommand(ctx, global);
      case "graph":
        return graphCommand(ctx, global, invocation.phases, invocation.format);
      case "state":
        return await stateCommand(ctx, global, invocation.action, invocation.keep);
      case "run":
        return await runCommand(ctx, global, invocation.run);
      default:
        return assertNever(invocation);
    }
  } finally {
    uninstall();
  }
}
