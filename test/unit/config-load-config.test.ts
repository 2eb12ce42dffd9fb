import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load-config.ts";
import { formatDiagnostic } from "../../src/shared/diagnostic.ts";

const dir = mkdtempSync(join(tmpdir(), "lifecycle-load-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, ...lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.join("\n"));
  return path;
}

describe("loadConfig", () => {
  test("a valid file gives a Config with an absolute file path and the warnings", () => {
    const path = write("ok.toml", "[project]", 'name = "p"', "[lifecycle.build]", 'command = "make"', "colour = true");
    const result = loadConfig(path, "make.toml");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.config.file).toBe(path);
    expect(result.value.config.dir).toBe(dir);
    expect(result.value.config.phases.get("build")!.commands).toEqual([{ kind: "shell", script: "make" }]);
    expect(result.value.warnings.map(formatDiagnostic)).toEqual(["make.toml:5:1: lifecycle.build.colour: unknown key"]);
  });

  test("reading problems stop before parsing", () => {
    const result = loadConfig(join(dir, "absent.toml"), "absent.toml");
    expect(!result.ok && result.error.map(formatDiagnostic)).toEqual(["absent.toml: file not found"]);
  });

  test("reference errors get line numbers and come with the parse warnings, in file order", () => {
    const path = write(
      "refs.toml",
      "[project]", //                        1
      'name = "p"', //                       2
      "[lifecycle.build]", //                3
      'depends_on = ["lint", "gen"]', //     4
      "tmeout = 5", //                       5
      "[lifecycle.lint]", //                 6
      "[hooks]", //                          7
      'before_build = ["lnt"]', //           8
    );
    const result = loadConfig(path, "make.toml");
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.map(formatDiagnostic)).toEqual([
      'make.toml:4:23: lifecycle.build.depends_on[1]: unknown phase "gen"',
      'make.toml:5:1: lifecycle.build.tmeout: unknown key (did you mean "timeout"?)',
      'make.toml:8:17: hooks.before_build[0]: unknown phase "lnt" (did you mean "lint"?)',
    ]);
  });

  test("strict turns every warning, the reference ones included, into an error", () => {
    const path = write("strict.toml", "[project]", 'name = "p"', "[lifecycle.build]", "[hooks]", 'after_bild = ["build"]');
    expect(loadConfig(path, "make.toml").ok).toBe(true);
    const strict = loadConfig(path, "make.toml", { strict: true });
    expect(!strict.ok && strict.error.map((d) => [d.severity, d.line, d.keyPath])).toEqual([["error", 5, "hooks.after_bild"]]);
  });
});
