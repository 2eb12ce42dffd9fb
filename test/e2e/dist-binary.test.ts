// The compiled binary is self-contained: it runs with an empty environment (no bun, node or PATH)
// and never reads the user's .env or bunfig.toml (Bun would by default in a compiled binary).
import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { BINARY, tempProject } from "../helpers/cli.ts";

const PROBE = `[project]
name = "probe"
[lifecycle.show-env]
command = "echo dotenv=\${DOTENV_PROBE:-unset} noorphans=\${BUN_FEATURE_FLAG_NO_ORPHANS:-unset}"
`;

test("env -i: no PATH, no HOME, nothing from a runtime, and phases still run", () => {
  const p = tempProject(PROBE);
  try {
    const run = spawnSync("env", ["-i", BINARY, "--root", p.dir, "run", "show-env"], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe("Running phase: show-env\ndotenv=unset noorphans=unset\n");
    expect(run.status).toBe(0);
    expect(JSON.parse(p.read(".ggen/state.json")).last_phase).toBe("show-env");
  } finally {
    p.cleanup();
  }
});

test(".env and bunfig.toml in the working directory are ignored", () => {
  const p = tempProject(PROBE);
  try {
    p.write(".env", "DOTENV_PROBE=leaked\n");
    // With bunfig autoload, [run] noOrphans exports BUN_FEATURE_FLAG_NO_ORPHANS=1 to every child.
    p.write("bunfig.toml", "[run]\nnoOrphans = true\n");
    const run = spawnSync(BINARY, ["run", "show-env"], { cwd: p.dir, encoding: "utf8", env: { PATH: process.env.PATH } });
    expect(run.stdout).toBe("Running phase: show-env\ndotenv=unset noorphans=unset\n");
    expect(run.status).toBe(0);
  } finally {
    p.cleanup();
  }
});
