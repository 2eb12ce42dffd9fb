import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";

/** The path `name` would run as, searching PATH for bare names; undefined when it cannot be run. */
export function findExecutable(name: string, cwd: string, pathVar: string | undefined): string | undefined {
  if (name.includes("/")) {
    const full = isAbsolute(name) ? name : resolve(cwd, name);
    return isRunnable(full) ? full : undefined;
  }
  for (const dir of (pathVar ?? "").split(delimiter)) {
    if (!dir) continue;
    const full = join(dir, name);
    if (isRunnable(full)) return full;
  }
  return undefined;
}

function isRunnable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

const SHELL_WORDS = new Set(
  "cd echo export exit test [ [[ true false set unset source . printf read eval exec trap wait if then else elif fi for while until do done case esac in function { } ( ) ! local shift type command alias umask ulimit kill pwd return break continue times getopts hash jobs fg bg : declare readonly let time".split(" "),
);

/** The program a simple shell command starts (`FOO=1 cargo build` -> cargo); undefined when it is a builtin or not simple. */
export function leadingProgram(script: string): string | undefined {
  const words = script.trim().split(/\s+/);
  let i = 0;
  while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!)) i++;
  const word = words[i];
  if (!word || SHELL_WORDS.has(word) || !/^[\w@%+.,/-]+$/.test(word) || word.includes("/")) return undefined;
  return word;
}
