import { describe, expect, test } from "bun:test";
import { checkReferences } from "../../src/config/check-references.ts";
import type { Config } from "../../src/config/config.ts";
import { parseConfig } from "../../src/config/parse-config.ts";
import { resolveConfig } from "../../src/config/resolve-config.ts";

function configOf(...lines: string[]): Config {
  const parsed = parseConfig(['[project]', 'name = "p"', ...lines].join("\n"), "make.toml");
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return resolveConfig(parsed.value.config, "/repo/make.toml");
}

const summary = (config: Config) => checkReferences(config, "make.toml").map((d) => [d.severity, d.keyPath, d.message, d.hint]);

describe("checkReferences", () => {
  test("a clean config has nothing to report", () => {
    const config = configOf("[lifecycle.build]", 'depends_on = ["gen"]', "[lifecycle.gen]", "[hooks]", 'before_build = ["gen"]', 'after_all = "echo x"');
    expect(summary(config)).toEqual([]);
  });

  test("hook lists naming unknown phases are errors with a suggestion", () => {
    const config = configOf(
      "[lifecycle.build]",
      "[lifecycle.lint]",
      "[hooks]",
      'before_all = ["lnt"]',
      'before_build = ["lint", "typecheck"]',
      'after_build = ["buld"]',
      'on_error = ["notify"]',
      'on_success = ["lint"]',
    );
    expect(summary(config)).toEqual([
      ["error", "hooks.before_all[0]", 'unknown phase "lnt"', 'did you mean "lint"?'],
      ["error", "hooks.on_error[0]", 'unknown phase "notify"', undefined],
      ["error", "hooks.before_build[1]", 'unknown phase "typecheck"', undefined],
      ["error", "hooks.after_build[0]", 'unknown phase "buld"', 'did you mean "build"?'],
    ]);
  });

  test("depends_on naming an unknown phase is an error", () => {
    const config = configOf("[lifecycle.build]", 'depends_on = ["generate", "genrate"]', "[lifecycle.generate]");
    expect(summary(config)).toEqual([["error", "lifecycle.build.depends_on[1]", 'unknown phase "genrate"', 'did you mean "generate"?']]);
  });

  test("a before_<x> hook for an undefined phase is a warning, only without workspaces", () => {
    const hooks = ["[lifecycle.build]", "[hooks]", 'before_buld = ["build"]'];
    expect(summary(configOf(...hooks))).toEqual([
      ["warning", "hooks.before_buld", 'hook for phase "buld", which is not defined: it never runs', 'did you mean "build"?'],
    ]);
    expect(summary(configOf(...hooks, "[workspace.api]", 'path = "api"'))).toEqual([]);
  });

  test("workspace depends_on naming an unknown workspace is an error, unless members globs may define it", () => {
    const tables = ["[workspace.api]", 'path = "api"', 'depends_on = ["shared", "web"]', "[workspace.shared]", 'path = "shared"'];
    expect(summary(configOf(...tables))).toEqual([["error", "workspace.api.depends_on[1]", 'unknown workspace "web"', undefined]]);
    expect(summary(configOf("[workspace]", 'members = ["apps/*"]', ...tables))).toEqual([]);
  });
});
