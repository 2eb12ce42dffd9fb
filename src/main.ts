#!/usr/bin/env bun
/** The only file that reads process.argv / process.env and sets process.exitCode. */
declare const LIFECYCLE_VERSION: string | undefined;
const version = typeof LIFECYCLE_VERSION !== "undefined" ? LIFECYCLE_VERSION : "0.0.0-dev";

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  // Fast path: `--version` loads nothing else.
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
    process.stdout.write(`lifecycle ${version}\n`);
    return 0;
  }
  const { runApp, stderrIsTerminal } = await import("./app.ts");
  return runApp({ args, env: process.env, cwd: process.cwd(), version, isTTY: stderrIsTerminal() });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const verbose = process.argv.includes("-v") || process.argv.includes("--verbose");
    const detail = verbose && error instanceof Error ? error.stack : String(error);
    process.stderr.write(`lifecycle: internal error: ${detail}\nThis is a bug; please report it with the command you ran${verbose ? "" : " (add -v for a stack trace)"}.\n`);
    process.exitCode = 70;
  },
);
