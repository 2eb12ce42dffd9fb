import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "smol-toml";
import { loadConfig } from "../../src/config/load-config.ts";
import { formatDiagnostic } from "../../src/shared/diagnostic.ts";

/** ggen's own make.toml examples and test fixtures (read-only, shared with the lead). */
const GGEN = resolve(import.meta.dir, "../../../shared/ggen");
const EXAMPLES = join(GGEN, "examples");
const FIXTURES = join(GGEN, "fixtures");

/** `watch = [globs]` (ggen never implemented it) loads as watch = true, with a warning on each such key. */
const WATCH_GLOB_EXAMPLES: Record<string, string[]> = {
  "examples__comprehensive-rust-showcase.make.toml": ["lifecycle.init.watch", "lifecycle.generate.watch"],
  "packages__comprehensive-rust-showcase.make.toml": ["lifecycle.init.watch", "lifecycle.generate.watch"],
};

const errorsOf = (path: string) => {
  const result = loadConfig(path, path);
  return result.ok ? [] : result.error.filter((d) => d.severity === "error");
};

function hasProjectName(text: string): boolean | "invalid TOML" {
  try {
    const doc = parse(text) as { project?: { name?: unknown } };
    return typeof doc.project?.name === "string";
  } catch {
    return "invalid TOML";
  }
}

describe("ggen examples", () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith(".make.toml")).sort();

  test("the corpus is where we expect it", () => {
    expect(files.length).toBe(26);
  });

  for (const file of files) {
    const path = join(EXAMPLES, file);
    const eligible = hasProjectName(readFileSync(path, "utf8"));
    if (eligible !== true) {
      test(`${file}: not eligible (${eligible === false ? "no project.name" : eligible}), and refused`, () => {
        expect(errorsOf(path).length).toBeGreaterThan(0);
      });
    } else if (WATCH_GLOB_EXAMPLES[file]) {
      test(`${file}: loads; watch = [globs] is a warning on each such key`, () => {
        const result = loadConfig(path, path);
        expect(result.ok ? [] : result.error.map(formatDiagnostic)).toEqual([]);
        const watchWarnings = result.ok ? result.value.warnings.filter((d) => d.keyPath?.endsWith(".watch")).map((d) => d.keyPath) : [];
        expect(watchWarnings).toEqual(WATCH_GLOB_EXAMPLES[file]!);
        expect(result.ok && result.value.config.phases.get("init")?.watch).toBe(true);
      });
    } else {
      test(`${file}: loads without errors`, () => {
        expect(errorsOf(path).map(formatDiagnostic)).toEqual([]);
      });
    }
  }

  test("the ineligible ones are exactly those ggen's shipped engine refused too", () => {
    const ineligible = files.filter((f) => hasProjectName(readFileSync(join(EXAMPLES, f), "utf8")) !== true);
    expect(ineligible).toEqual([
      "ROOT.make.toml",
      "examples__cli-advanced.make.toml",
      "examples__embedded-cross.make.toml",
      "examples__lib-benchmarks.make.toml",
      "examples__microservices-architecture.make.toml",
      "examples__rust-monorepo.make.toml",
      "examples__wasm-deploy.make.toml",
    ]);
  });
});

describe("ggen test fixtures", () => {
  const manifest = JSON.parse(readFileSync(join(FIXTURES, "MANIFEST.json"), "utf8")) as { file: string; format_template: boolean }[];
  const templates = new Set(manifest.filter((m) => m.format_template).map((m) => m.file));
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith(".toml")).sort();
  const mustFail: Record<string, string> = {
    "edge_cases__test_make_toml_invalid_toml_syntax__1.toml": "invalid TOML: ",
    "edge_cases__test_make_toml_missing_project_section__1.toml": "missing required table [project]",
  };
  const dir = mkdtempSync(join(tmpdir(), "lifecycle-fixtures-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("every manifest entry is a fixture file (one fixture, tests_common's, is not in the manifest)", () => {
    expect(files.length).toBe(66);
    expect(manifest.map((m) => m.file).filter((f) => !files.includes(f))).toEqual([]);
    expect(templates.size).toBe(5);
  });

  for (const file of files) {
    // Rust format!() templates: each {} was substituted at run time; any value makes them concrete.
    const text = readFileSync(join(FIXTURES, file), "utf8");
    const path = join(dir, file);
    writeFileSync(path, templates.has(file) ? text.replaceAll("{}", "1") : text);
    const expected = mustFail[file];
    if (expected) {
      test(`${file}: fails`, () => {
        const errors = errorsOf(path);
        expect(errors).toHaveLength(1);
        expect(errors[0]!.message).toContain(expected);
      });
    } else {
      test(`${file}: loads`, () => {
        expect(errorsOf(path).map(formatDiagnostic)).toEqual([]);
      });
    }
  }

  test("conflicting command definitions: command wins, with a warning", () => {
    const path = join(dir, "edge_cases__test_make_toml_conflicting_command_definitions__1.toml");
    const result = loadConfig(path, "make.toml");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.config.phases.get("build")!.commands).toEqual([{ kind: "shell", script: "echo single" }]);
    expect(result.value.warnings.map(formatDiagnostic)).toEqual([
      "make.toml:11:1: lifecycle.build.commands: ignored: both command and commands are set, and command is used",
    ]);
  });

  test("the syntax error is placed where smol-toml found it", () => {
    const errors = errorsOf(join(dir, "edge_cases__test_make_toml_invalid_toml_syntax__1.toml"));
    expect(errors[0]).toMatchObject({ line: 6, column: 9 });
  });
});
