import { existsSync } from "node:fs";
import { join } from "node:path";

/** The make.toml for an invocation: `-f FILE` or `<root>/make.toml`; undefined when it does not exist. */
export function findConfig(root: string, file: string | undefined): { path: string; exists: boolean } {
  const path = file ?? join(root, "make.toml");
  return { path, exists: existsSync(path) };
}
