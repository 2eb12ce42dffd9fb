import { parseInvocation } from "./cli.ts";
import { cacheCommand } from "./cache/cache-command.ts";
import { completionCommand } from "./commands/completion.ts";
import { doctorCommand } from "./commands/doctor.ts";
import { graphCommand } from "./commands/graph.ts";
import { initCommand } from "./commands/init.ts";
import { listCommand } from "./commands/list.ts";
import { showCommand } from "./commands/show.ts";
import { stateCommand } from "./commands/state.ts";
import { validateCommand } from "./commands/validate.ts";
import type { AppContext } from "./context.ts";
import { startReaperIfInit } from "./execute/reaper.ts";
import { installSignalHandlers } from "./execute/signals.ts";
import { createLogger } from "./report/logger.ts";
import { lazyStream } from "./report/lazy-stream.ts";
import { createOutputSink } from "./report/output-sink.ts";
import { runCommand } from "./run.ts";
import { assertNever } from "./shared/assert-never.ts";

export { stderrIsTerminal } from "./report/lazy-stream.ts";

export interface AppInput {
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly version: string;
  readonly isTTY: boolean;
}

/** Parses the invocation, wires signals and output, dispatches; returns the exit code. */
export async function runApp(input: AppInput): Promise<number> {
  // Backpressure (a slow reader of our stdout slows the commands, not our memory) and the progress line.
  const output = createOutputSink(lazyStream(() => process.stdout), lazyStream(() => process.stderr));
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
  // As a container's PID 1, orphans of our commands are re-parented to us: reap them (no-op otherwise).
  const stopReaper = await startReaperIfInit();
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
        return graphCommand(ctx, global, invocation.phases, invocation.format, invocation.selection);
      case "state":
        return await stateCommand(ctx, global, invocation.action, invocation.keep);
      case "cache":
        return await cacheCommand(ctx, global, invocation.action);
      case "run":
        return await runCommand(ctx, global, invocation.run);
      case "init":
        return initCommand(ctx, global, { force: invocation.force, dryRun: invocation.dryRun });
      case "doctor":
        return await doctorCommand(ctx, global);
      case "completion":
        return completionCommand(ctx, invocation.shell);
      default:
        return assertNever(invocation);
    }
  } finally {
    uninstall();
    stopReaper();
    await output.settled(); // grouped blocks still being written go out before the exit code is set
  }
}
