import type { CAC } from "cac";
import { didYouMean } from "./shared/suggest.ts";

/**
 * The first flag in argv that no command defines, as a usage message; undefined when all are known.
 * Checked before cac parses, because cac reports unknown flags camelCased (`--bogusFlag`) and lets an
 * unknown flag swallow the command name as its value.
 */
export function findUnknownOption(cli: CAC, args: readonly string[]): string | undefined {
  const known = new Set(["-h", "--help"]);
  for (const command of [cli.globalCommand, ...cli.commands]) {
    for (const option of command.options) {
      for (const spelling of option.rawName.split(/[ ,]+/)) if (spelling.startsWith("-")) known.add(spelling);
    }
  }
  for (const arg of args) {
    if (arg === "--") return undefined;
    if (!arg.startsWith("-") || arg === "-" || /^-\d/.test(arg)) continue;
    const flag = arg.split("=", 1)[0]!;
    // Bundled short flags (`-qv`) are each checked.
    const flags = /^-[A-Za-z]{2,}$/.test(flag) ? [...flag.slice(1)].map((c) => `-${c}`) : [flag];
    for (const one of flags) {
      if (known.has(one)) continue;
      const hint = didYouMean(one, known);
      return `unknown option "${one}"${hint ? ` (${hint})` : ""}; see lifecycle --help`;
    }
  }
  return undefined;
}

/** cac names an unknown option camelCased; put back the spelling the user typed. */
export function restoreOptionSpelling(message: string, args: readonly string[]): string {
  const match = /^Unknown option `--?([^`]+)`$/.exec(message);
  if (!match) return message;
  const camel = (s: string) => s.replace(/^--?(no-)?/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const typed = args.find((a) => a.startsWith("-") && camel(a.split("=", 1)[0]!) === match[1]);
  return `unknown option "${typed?.split("=", 1)[0] ?? match[1]}" for this command; see lifecycle <command> --help`;
}
