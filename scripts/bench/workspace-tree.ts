/** Generates a monorepo of `count` empty workspaces (`pkgs/p00000`...) whose `noop` phase runs `true`; shared by the workspace benchmarks. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const NOOP_TOML = `[project]\nname = "bench"\n\n[workspace]\nmembers = ["pkgs/*"]\n\n[lifecycle.noop]\nparallel = true\ncommand = "true"\n`;

/** Writes make.toml and the workspace directories; returns the workspace paths relative to `dir`. */
export function generateWorkspaces(dir: string, count: number): string[] {
  const names = Array.from({ length: count }, (_, i) => `pkgs/p${String(i).padStart(5, "0")}`);
  for (const name of names) mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(join(dir, "make.toml"), NOOP_TOML);
  return names;
}
