import { existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AppContext } from "../context.ts";
import type { GlobalOptions } from "../invocation.ts";
import { assertNever } from "../shared/assert-never.ts";
import { displayPath } from "../workspace/discover.ts";
import { detectProject, type DetectedProject, type Ecosystem } from "./init-detect.ts";

/** How `init` treats an existing file. */
export interface InitOptions {
  /** Overwrite an existing make.toml. */
  readonly force: boolean;
  /** Print the file instead of writing it. */
  readonly dryRun: boolean;
}

/**
 * `init`: writes a commented starter make.toml at the root (or -f), with lint/build/test phases for
 * the detected tool and `[workspace] members` from the project's own workspace definition.
 * Exit 0 when written (or printed), 2 when the file exists (without --force) or the root is missing.
 */
export function initCommand(ctx: AppContext, global: GlobalOptions, options: InitOptions): number {
  if (!existsSync(global.root) || !statSync(global.root).isDirectory()) {
    ctx.output.stderr(`lifecycle: ${global.root} is not a directory\n`);
    return 2;
  }
  const file = global.file ?? join(global.root, "make.toml");
  const shown = displayPath(file, global.root);
  const detected = detectProject(global.root);
  const text = starterToml(detected);
  if (options.dryRun) {
    ctx.output.stdout(text);
    return 0;
  }
  if (existsSync(file) && !options.force) {
    ctx.output.stderr(`lifecycle: ${shown} already exists; nothing written (use --force to replace it, or --dry-run to print the starter)\n`);
    return 2;
  }
  try {
    writeFileSync(file, text);
  } catch (e) {
    ctx.output.stderr(`lifecycle: cannot write ${shown}: ${(e as Error).message}\n`);
    return 1;
  }
  const ws = detected.members.length > 0 ? `, workspaces from ${detected.membersFrom} (${detected.members.join(", ")})` : "";
  ctx.output.stdout(`Wrote ${shown}: phases lint, build, test for ${toolLabel(detected.ecosystem)}${ws}\n`);
  for (const s of detected.skipped) ctx.output.stdout(`  not carried over: ${s}\n`);
  ctx.output.stdout(`Next: lifecycle validate, then lifecycle pipeline lint build test\n`);
  return 0;
}

/** The starter file: valid as written, every optional setting shown commented out. */
export function starterToml(d: DetectedProject): string {
  const run = phaseCommands(d.ecosystem);
  const hasWorkspaces = d.members.length > 0;
  const lines = [
    `# make.toml: the phases of ${d.name}. Run one with \`lifecycle run build\`, several with`,
    "# `lifecycle pipeline lint build test`; `lifecycle list` shows them. Written by `lifecycle init`: edit freely.",
    "",
    "[project]",
    `name = ${tomlString(d.name)}`,
    ...(hasWorkspaces ? ['type = "monorepo"'] : []),
    "",
    "# [settings]",
    "# concurrency = 8          # tasks at once (default: CPU count)",
    '# timeout = "5m"           # per command ("0" = none)',
    "# retries = 0              # run a failed command again",
    '# shell = "sh"             # string commands run as `<shell> -c "<command>"`',
    "",
    "# [env]                    # for every command; \"${NAME}\" expands from your environment",
    '# LOG_LEVEL = "info"',
    "# [env.production]         # chosen with `-e production`",
    '# LOG_LEVEL = "warn"',
    "",
  ];
  if (hasWorkspaces) {
    lines.push(
      `# Workspaces, from ${d.membersFrom}: each phase runs in every matching directory (one with its`,
      "# own make.toml uses its own phases there).",
      "[workspace]",
      `members = [${d.members.map(tomlString).join(", ")}]`,
      ...d.skipped.map((s) => `# not carried over: ${s}`),
      ...d.alsoFound.map((s) => `# also found (not used): ${s}`),
      "# To order workspaces, declare them as tables instead:",
      "# [workspace.api]",
      '# path = "apps/api"',
      '# depends_on = ["shared"]   # api runs a phase only after shared has',
      "",
    );
  }
  lines.push(
    "[lifecycle.lint]",
    'description = "Check the sources"',
    `command = ${tomlString(run.lint)}`,
    ...(hasWorkspaces ? ["parallel = true           # all workspaces at once"] : []),
    "",
    "[lifecycle.build]",
    'description = "Build"',
    `command = ${tomlString(run.build)}`,
    "# cache = true             # skip when nothing below changed since the last success",
    `# inputs = [${run.inputs.map(tomlString).join(", ")}]`,
    `# outputs = [${run.outputs.map(tomlString).join(", ")}]`,
    "",
    "[lifecycle.test]",
    'description = "Run the tests"',
    `command = ${tomlString(run.test)}`,
    'depends_on = ["build"]',
    ...(hasWorkspaces ? ["parallel = true"] : []),
    '# timeout = "10m"',
    "",
    "# [hooks]",
    '# before_build = ["lint"]  # phases to run first, in order',
    "# after_test = \"echo all tests passed\"",
    '# on_error = "echo the run failed"',
    "",
  );
  return lines.join("\n");
}

interface PhaseCommands {
  readonly lint: string;
  readonly build: string;
  readonly test: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

function phaseCommands(tool: Ecosystem): PhaseCommands {
  const node = { inputs: ["src/**", "package.json"], outputs: ["dist/**"] };
  switch (tool) {
    case "npm":
      return { lint: "npm run lint --if-present", build: "npm run build --if-present", test: "npm test --if-present", ...node };
    case "pnpm":
      return { lint: "pnpm run --if-present lint", build: "pnpm run --if-present build", test: "pnpm run --if-present test", ...node };
    case "yarn":
      return { lint: "yarn run lint", build: "yarn run build", test: "yarn run test", ...node };
    case "bun":
      return { lint: "bun run lint", build: "bun run build", test: "bun test", ...node };
    case "cargo":
      return { lint: "cargo clippy", build: "cargo build", test: "cargo test", inputs: ["src/**", "Cargo.toml"], outputs: ["target/debug/**"] };
    case "go":
      return { lint: "go vet ./...", build: "go build ./...", test: "go test ./...", inputs: ["**/*.go", "go.mod", "go.sum"], outputs: [] };
    case "none":
      return { lint: "echo 'replace with your lint command'", build: "echo 'replace with your build command'", test: "echo 'replace with your test command'", inputs: ["src/**"], outputs: ["dist/**"] };
    default:
      return assertNever(tool);
  }
}

function toolLabel(tool: Ecosystem): string {
  return tool === "none" ? "no detected tool (placeholder commands)" : tool;
}

/** A TOML basic string (JSON's escapes are valid TOML escapes for these characters). */
function tomlString(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
