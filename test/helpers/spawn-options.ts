import type { Command } from "../../src/config/config.ts";
import type { SpawnOptions } from "../../src/execute/spawn.ts";

/** SpawnOptions for tests: sh, PATH only, no timeout, a 2 s grace, a signal nobody aborts; override any field. */
export function spawnOptions(cwd: string, command: Command, extra: Partial<SpawnOptions> = {}): SpawnOptions {
  return {
    command,
    shell: "sh",
    cwd,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    timeoutMs: null,
    killGraceMs: 2000,
    signal: new AbortController().signal,
    onLine: () => {},
    ...extra,
  };
}
