// `lifecycle init` on small repos of each ecosystem: the starter names the tool's commands, carries
// the workspace members over, and is a valid make.toml whose graph covers those workspaces.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { runCli, tempProject } from "../helpers/cli.ts";

interface Repo {
  readonly files: Record<string, string>;
  readonly dirs?: readonly string[];
}

/** Runs `body` in a temp repo made of `files` (and empty `dirs`). */
async function withRepo(repo: Repo, body: (dir: string) => Promise<void>): Promise<void> {
  const t = tempProject();
  try {
    for (const [rel, text] of Object.entries(repo.files)) {
      mkdirSync(dirname(join(t.dir, rel)), { recursive: true });
      writeFileSync(join(t.dir, rel), text);
    }
    for (const rel of repo.dirs ?? []) mkdirSync(join(t.dir, rel), { recursive: true });
    await body(t.dir);
  } finally {
    t.cleanup();
  }
}

/** `init`, then `validate` and the workspaces of `graph build --format json`. */
async function initAndCheck(dir: string): Promise<{ toml: string; stdout: string; workspaces: string[] }> {
  const init = await runCli(["--root", dir, "init"]);
  expect(init.stderr).toBe("");
  expect(init.code).toBe(0);
  const toml = readFileSync(join(dir, "make.toml"), "utf8");
  const validate = await runCli(["--root", dir, "validate"]);
  expect(validate.stderr).toBe(""); // no warnings either
  expect(validate.code).toBe(0);
  const graph = await runCli(["--root", dir, "graph", "build", "--format", "json"]);
  expect(graph.code).toBe(0);
  const tasks = (JSON.parse(graph.stdout) as { tasks: Array<{ place: string }> }).tasks;
  const workspaces = [...new Set(tasks.map((t) => t.place))].filter((p) => p !== "//").sort();
  return { toml, stdout: init.stdout, workspaces };
}

describe("init detects", () => {
  test("npm workspaces (package.json array), with exclusions reported, not carried over", async () => {
    const repo = { files: { "package.json": JSON.stringify({ name: "@acme/store", workspaces: ["apps/*", "packages/*", "!packages/old"] }) }, dirs: ["apps/web", "packages/ui", "packages/old"] };
    await withRepo(repo, async (dir) => {
      const r = await initAndCheck(dir);
      expect(r.toml).toContain('name = "store"\ntype = "monorepo"');
      expect(r.toml).toContain('[workspace]\nmembers = ["apps/*", "packages/*"]\n');
      expect(r.toml).toContain('command = "npm run build --if-present"');
      expect(r.toml).toContain("# not carried over: !packages/old (an exclusion");
      expect(r.stdout).toContain("Wrote make.toml: phases lint, build, test for npm, workspaces from package.json workspaces (apps/*, packages/*)\n");
      expect(r.workspaces).toEqual(["apps/web", "packages/old", "packages/ui"]);
    });
  });

  test("yarn workspaces (object form) and yarn.lock", async () => {
    const repo = { files: { "package.json": JSON.stringify({ name: "y", workspaces: { packages: ["libs/*"] } }), "yarn.lock": "" }, dirs: ["libs/a", "libs/b"] };
    await withRepo(repo, async (dir) => {
      const r = await initAndCheck(dir);
      expect(r.toml).toContain('command = "yarn run build"');
      expect(r.workspaces).toEqual(["libs/a", "libs/b"]);
    });
  });

  test("pnpm-workspace.yaml (quoted, unquoted and comment entries)", async () => {
    const yaml = "packages:\n  - 'apps/*'\n  - \"tools/cli\"   # the CLI\n  - ./libs/*\n\ncatalog:\n  react: ^19\n";
    const repo = { files: { "package.json": JSON.stringify({ name: "p" }), "pnpm-workspace.yaml": yaml }, dirs: ["apps/site", "tools/cli", "libs/core"] };
    await withRepo(repo, async (dir) => {
      const r = await initAndCheck(dir);
      expect(r.toml).toContain('members = ["apps/*", "tools/cli", "libs/*"]');
      expect(r.toml).toContain('command = "pnpm run --if-present build"');
      expect(r.workspaces).toEqual(["apps/site", "libs/core", "tools/cli"]);
    });
  });

  test("a Cargo workspace (members globs and paths; exclude reported)", async () => {
    const cargo = '[workspace]\nmembers = ["crates/*", "xtask"]\nexclude = ["crates/scratch"]\nresolver = "2"\n';
    const repo = { files: { "Cargo.toml": cargo }, dirs: ["crates/core", "crates/cli", "xtask"] };
    await withRepo(repo, async (dir) => {
      const r = await initAndCheck(dir);
      expect(r.toml).toContain('members = ["crates/*", "xtask"]');
      expect(r.toml).toContain('command = "cargo build"');
      expect(r.toml).toContain('command = "cargo clippy"');
      expect(r.toml).toContain("# not carried over: !crates/scratch");
      expect(r.workspaces).toEqual(["crates/cli", "crates/core", "xtask"]);
    });
  });

  test("go.work (block and single use; the root module itself is left to the root)", async () => {
    const goWork = "go 1.22\n\nuse (\n\t./svc/api // the API\n\t./svc/worker\n\t.\n)\nuse ./tools\n";
    const repo = { files: { "go.work": goWork, "go.mod": "module example.com/platform\n\ngo 1.22\n" }, dirs: ["svc/api", "svc/worker", "tools"] };
    await withRepo(repo, async (dir) => {
      const r = await initAndCheck(dir);
      expect(r.toml).toContain('name = "platform"');
      expect(r.toml).toContain('members = ["svc/api", "svc/worker", "tools"]');
      expect(r.toml).toContain('command = "go build ./..."');
      expect(r.toml).toContain("# not carried over: . (the root itself runs the root's phases)");
      expect(r.workspaces).toEqual(["svc/api", "svc/worker", "tools"]);
    });
  });

  test("a single Rust crate: no workspaces, the crate's name", async () => {
    await withRepo({ files: { "Cargo.toml": '[package]\nname = "tiny"\nversion = "0.1.0"\n' } }, async (dir) => {
      const r = await initAndCheck(dir);
      expect(r.toml).toContain('name = "tiny"\n\n');
      expect(r.toml).not.toContain("[workspace]");
      expect(r.toml).not.toContain("parallel");
      expect(r.workspaces).toEqual([]);
      const run = await runCli(["--root", dir, "run", "build", "--dry-run"]);
      expect(run.stdout).toContain("cargo build");
    });
  });

  test("nothing known: placeholder commands that run", async () => {
    await withRepo({ files: {} }, async (dir) => {
      const r = await initAndCheck(dir);
      expect(r.stdout).toContain("for no detected tool (placeholder commands)");
      const run = await runCli(["--root", dir, "pipeline", "lint", "build", "test"]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("replace with your test command");
      expect(run.stdout).toContain("Pipeline completed: lint → build → test");
    });
  });
});

describe("init writes carefully", () => {
  test("an existing make.toml is kept (exit 2) unless --force; --dry-run prints and writes nothing", async () => {
    await withRepo({ files: { "make.toml": "# mine\n" } }, async (dir) => {
      const refused = await runCli(["--root", dir, "init"]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe("lifecycle: make.toml already exists; nothing written (use --force to replace it, or --dry-run to print the starter)\n");
      expect(readFileSync(join(dir, "make.toml"), "utf8")).toBe("# mine\n");
      const dry = await runCli(["--root", dir, "init", "--dry-run"]);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toStartWith("# make.toml: the phases of ");
      expect(readFileSync(join(dir, "make.toml"), "utf8")).toBe("# mine\n");
      const forced = await runCli(["--root", dir, "init", "--force"]);
      expect(forced.code).toBe(0);
      expect(readFileSync(join(dir, "make.toml"), "utf8")).toBe(dry.stdout);
    });
  });

  test("-f names the file written", async () => {
    await withRepo({ files: {} }, async (dir) => {
      const r = await runCli(["--root", dir, "-f", "ci/make.toml", "init"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toStartWith("lifecycle: cannot write ci/make.toml:");
      mkdirSync(join(dir, "ci"));
      const ok = await runCli(["--root", dir, "-f", "ci/make.toml", "init"]);
      expect(ok.code).toBe(0);
      expect(existsSync(join(dir, "ci/make.toml"))).toBe(true);
      expect(existsSync(join(dir, "make.toml"))).toBe(false);
    });
  });

  test("a root that is not a directory is refused", async () => {
    const r = await runCli(["--root", "/no/such/dir/for/lifecycle", "init"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("lifecycle: /no/such/dir/for/lifecycle is not a directory\n");
  });
});
