// `lifecycle completion bash|zsh|fish`: each script is loaded into the real shell and asked for
// candidates, which come from the binary itself (--help, list) at TAB time.
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BINARY, FIXTURES, runCli } from "../helpers/cli.ts";

const SHOP = join(FIXTURES, "repos", "shop");
const has = (shell: string): boolean => ["/bin", "/usr/bin", "/usr/local/bin"].some((d) => existsSync(join(d, shell)));

async function script(shell: string): Promise<string> {
  const r = await runCli(["completion", shell]);
  expect(r.code).toBe(0);
  const dir = mkdtempSync(join(tmpdir(), "lifecycle-completion-"));
  const file = join(dir, `lifecycle.${shell}`);
  writeFileSync(file, r.stdout);
  return file;
}

function cleanup(file: string): void {
  rmSync(join(file, ".."), { recursive: true, force: true });
}

/** Candidates bash offers for the words typed (the last one being completed). */
function bashComplete(file: string, words: string[]): string[] {
  const quoted = [BINARY, ...words].map((w) => `'${w}'`).join(" ");
  const r = spawnSync("bash", ["-c", `source '${file}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length}; _lifecycle; printf '%s\\n' "\${COMPREPLY[@]}"`], { cwd: SHOP, encoding: "utf8" });
  expect(r.stderr).toBe("");
  return r.stdout.split("\n").filter((l) => l !== "");
}

describe("bash", () => {
  test("commands, phases (from list, also with --root), options, and option values", async () => {
    const file = await script("bash");
    try {
      const commands = bashComplete(file, [""]);
      expect(commands).toEqual(expect.arrayContaining(["list", "show", "run", "pipeline", "validate", "graph", "state", "init", "doctor", "completion"]));
      expect(bashComplete(file, ["r"])).toEqual(["run"]);
      expect(bashComplete(file, ["run", ""])).toEqual(["build", "clean", "lint", "test"]);
      expect(bashComplete(file, ["pipeline", "lint", "b"])).toEqual(["build"]);
      expect(bashComplete(file, ["-w", "api", "run", "t"])).toEqual([]); // -w is not a global option: "api" is the command
      expect(bashComplete(file, ["--root", "/", "show", ""])).toEqual([]); // no make.toml at /: no phases
      expect(bashComplete(file, ["--root", SHOP, "--log-level", "warn", "show", "c"])).toEqual(["clean"]);
      expect(bashComplete(file, ["run", "--fail"])).toEqual(["--fail-fast"]);
      expect(bashComplete(file, ["run", "-w", "api", ""])).toEqual(["build", "clean", "lint", "test"]);
      expect(bashComplete(file, ["--log-format", ""])).toEqual(["human", "json"]);
      expect(bashComplete(file, ["graph", "--format", "m"])).toEqual(["mermaid"]);
      expect(bashComplete(file, ["completion", ""])).toEqual(["bash", "zsh", "fish"]);
      expect(bashComplete(file, ["--vers"])).toEqual(["--version"]);
    } finally {
      cleanup(file);
    }
  }, 60_000);
});

describe.skipIf(!has("zsh"))("zsh", () => {
  test("the script parses, and _lifecycle offers commands, phases and values (compadd observed)", async () => {
    const file = await script("zsh");
    try {
      expect(spawnSync("zsh", ["-n", file]).status).toBe(0);
      // compadd and _files exist only inside completion widgets: stand-ins print what they were given.
      const probe = `compdef() { :; }; source '${file}'
compadd() { [[ $1 == -- ]] && shift; print -r -- "$*"; }
_files() { print -r -- "_files $*"; }
c() { words=('${BINARY}' "$@"); CURRENT=$#words; _lifecycle; }
c ''; c run ''; c --root '${SHOP}' graph ''; c --root ''; c state ''; c --output ''`;
      const r = spawnSync("zsh", ["-f", "-c", probe], { cwd: "/", encoding: "utf8" });
      expect(r.stderr).toBe("");
      const lines = r.stdout.split("\n");
      expect(lines[0]).toContain("list show run pipeline validate graph state");
      expect(lines.slice(1)).toEqual(["", "build clean lint test", "_files -/", "show prune reset", "stream prefix grouped", ""]);
    } finally {
      cleanup(file);
    }
  }, 60_000);
});

describe.skipIf(!has("fish"))("fish", () => {
  test("complete -C offers commands, phases, options and values", async () => {
    const file = await script("fish");
    try {
      const probe = `source '${file}'; for l in 'lc ' 'lc ru' 'lc run ' 'lc --root ${SHOP} show t' 'lc run --con' 'lc --log-level e'; complete -C (string replace lc '${BINARY}' -- $l) | string join ' '; end`;
      const r = spawnSync("fish", ["--no-config", "-c", probe], { cwd: SHOP, encoding: "utf8" });
      expect(r.stderr).toBe("");
      const [commands, ...rest] = r.stdout.trimEnd().split("\n");
      expect(commands!.split(" ")).toEqual(expect.arrayContaining(["run", "pipeline", "doctor", "init", "completion"]));
      expect(rest).toEqual(["run", "build clean lint test", "test", "--concurrency --continue", "error"]);
    } finally {
      cleanup(file);
    }
  }, 60_000);
});

test("an unknown shell is a usage error", async () => {
  const r = await runCli(["completion", "tcsh"]);
  expect(r.code).toBe(2);
  expect(r.stderr).toBe('lifecycle: completion shell: expected one of bash, zsh, fish, got "tcsh"\n');
});
