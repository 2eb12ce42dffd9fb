import { describe, expect, test } from "bun:test";
import { parseConfig } from "../../src/config/parse-config.ts";
import type { Diagnostic } from "../../src/shared/diagnostic.ts";

const toml = (...lines: string[]) => lines.join("\n");

/** Every diagnostic of a parse, whether it failed or not. */
function diagnosticsOf(text: string, strict = false): { ok: boolean; list: Diagnostic[] } {
  const result = parseConfig(text, "make.toml", { strict });
  return result.ok ? { ok: true, list: result.value.warnings } : { ok: false, list: result.error };
}

function only(list: Diagnostic[], keyPath: string): Diagnostic {
  const found = list.filter((d) => d.keyPath === keyPath);
  expect(found.map((d) => d.keyPath)).toEqual([keyPath]);
  return found[0]!;
}

describe("TOML syntax and [project]", () => {
  test("a syntax error is reported alone, with line and column from smol-toml", () => {
    const { ok, list } = diagnosticsOf(toml("", "[project", 'name = "test"'));
    expect(ok).toBe(false);
    expect(list).toEqual([{ severity: "error", file: "make.toml", line: 2, column: 9, message: "invalid TOML: illegal character in key" }]);
  });

  test("a redefined table is a syntax error at the second definition", () => {
    const { list } = diagnosticsOf(toml("[project]", 'name = "x"', "[lifecycle.a]", "[lifecycle.a]"));
    expect(list).toHaveLength(1);
    expect(list[0]!.line).toBe(4);
    expect(list[0]!.message).toStartWith("invalid TOML: ");
  });

  test("missing [project] is an error on the key path project", () => {
    const { ok, list } = diagnosticsOf(toml("[lifecycle.build]", 'command = "echo"'));
    expect(ok).toBe(false);
    const d = only(list, "project");
    expect(d.severity).toBe("error");
    expect(d.message).toBe('missing required table [project] (with name = "...")');
    expect(d.line).toBeUndefined();
  });

  test("missing project.name points at the [project] header", () => {
    const { list } = diagnosticsOf(toml("# comment", "[project]", 'type = "app"'));
    const d = only(list, "project.name");
    expect(d).toMatchObject({ severity: "error", line: 2, column: 2, message: "missing required key; expected a non-empty string" });
  });

  test("an empty project.name is an error", () => {
    const d = only(diagnosticsOf(toml("[project]", 'name = ""')).list, "project.name");
    expect(d).toMatchObject({ line: 2, column: 1, message: 'expected a non-empty string, got ""' });
  });

  test("project must be a table", () => {
    const d = only(diagnosticsOf('project = "shop"').list, "project");
    expect(d.message).toBe('expected a table, got "shop"');
  });
});

describe("wrong types: every problem in one pass, each with key path, line and what was expected", () => {
  const text = toml(
    "[project]", //                      1
    'name = "shop"', //                  2
    "[settings]", //                     3
    "concurrency = 0", //                4
    'retry_delay = "soon"', //           5
    "kill_grace = -1", //                6
    "shell = 5", //                      7
    "[execution]", //                    8
    'timeout_seconds = "abc"', //        9
    "[lifecycle.build]", //              10
    "timeout = true", //                 11
    "retries = 1.5", //                  12
    "port = 70000", //                   13
    'parallel = "yes"', //               14
    "watch = 3", //                      15
    "commands = [", //                   16
    '  "ok",', //                        17
    "  3,", //                           18
    '  ["cargo", "build"],', //          19
    "  [],", //                          20
    "]", //                              21
    'depends_on = "generate"', //        22
    "env = { A = 1, B = \"ok\" }", //    23
    "[lifecycle.api]", //                24
    "command = 5", //                    25
    "cache = 1", //                      26
    "[cache]", //                        27
    'max_size = "lots"', //              28
    'remote_url = "ftp://x"', //         29
    's3 = "bucket"', //                  30
    "[state]", //                        31
    "history_limit = 0", //              32
  );
  const { ok, list } = diagnosticsOf(text);

  test("the parse fails and lists all of them, in file order", () => {
    expect(ok).toBe(false);
    expect(list.every((d) => d.severity === "error" && d.file === "make.toml")).toBe(true);
    expect(list.map((d) => [d.line, d.keyPath])).toEqual([
      [4, "settings.concurrency"],
      [5, "settings.retry_delay"],
      [6, "settings.kill_grace"],
      [7, "settings.shell"],
      [9, "execution.timeout_seconds"],
      [11, "lifecycle.build.timeout"],
      [12, "lifecycle.build.retries"],
      [13, "lifecycle.build.port"],
      [14, "lifecycle.build.parallel"],
      [15, "lifecycle.build.watch"],
      [18, "lifecycle.build.commands[1]"],
      [20, "lifecycle.build.commands[3]"],
      [22, "lifecycle.build.depends_on"],
      [23, "lifecycle.build.env.A"],
      [25, "lifecycle.api.command"],
      [26, "lifecycle.api.cache"],
      [28, "cache.max_size"],
      [29, "cache.remote_url"],
      [30, "cache.s3"],
      [32, "state.history_limit"],
    ]);
  });

  test("messages say what was expected and what was found", () => {
    const message = (keyPath: string) => list.find((d) => d.keyPath === keyPath)?.message;
    expect(message("lifecycle.build.timeout")).toBe('expected a duration such as "30s" or a number of seconds, got a boolean');
    expect(message("settings.retry_delay")).toBe('expected a duration such as "500ms", "30s", "5m" or "1h", got "soon"');
    expect(message("settings.kill_grace")).toBe("expected a non-negative number of seconds, got -1");
    expect(message("settings.concurrency")).toBe("expected a whole number >= 1, got 0");
    expect(message("lifecycle.build.retries")).toBe("expected a whole number >= 0, got 1.5");
    expect(message("lifecycle.build.port")).toBe("expected a port number from 0 to 65535, got 70000");
    expect(message("lifecycle.build.parallel")).toBe('expected true or false, got "yes"');
    expect(message("lifecycle.build.watch")).toBe(
      "expected true or false (watch marks a long-running phase such as a dev server), got 3",
    );
    expect(message("lifecycle.build.commands[1]")).toBe(
      "expected a command: a string (run by the shell) or an array of strings (argv, no shell), got 3",
    );
    expect(message("lifecycle.build.commands[3]")).toBe("expected an argv array of strings starting with a program name, got an empty array");
    expect(message("lifecycle.build.depends_on")).toBe('expected an array of phase names, got "generate"');
    expect(message("lifecycle.build.env.A")).toBe('expected a string (quote numbers and booleans: "1"), got 1');
    expect(message("cache.max_size")).toBe('expected a size such as "500MB", "2GB" or "1GiB", got "lots"');
    expect(message("cache.remote_url")).toBe('expected an http(s) URL, got "ftp://x"');
  });
});

describe("names", () => {
  test("phase names: 1-64 of letters, digits, - _ . :", () => {
    const long = "x".repeat(65);
    const { ok, list } = diagnosticsOf(
      toml("[project]", 'name = "x"', '[lifecycle."generate:api"]', '[lifecycle."bad name"]', `[lifecycle.${long}]`, '[lifecycle."v1.2_a-b"]'),
    );
    expect(ok).toBe(false);
    expect(list.map((d) => [d.severity, d.line, d.keyPath])).toEqual([
      ["error", 4, 'lifecycle."bad name"'],
      ["error", 5, `lifecycle.${long}`],
    ]);
    expect(list[0]!.message).toBe('invalid phase name "bad name": use 1-64 letters, digits, "-", "_", "." or ":"');
  });

  test("workspace names are checked the same way; a workspace needs a path", () => {
    const { list } = diagnosticsOf(
      toml("[project]", 'name = "x"', '[workspace."my app"]', 'path = "a"', "[workspace.api]", 'runtime = "node"'),
    );
    expect(list.map((d) => [d.severity, d.line, d.keyPath, d.message])).toEqual([
      ["error", 3, 'workspace."my app"', 'invalid workspace name "my app": use 1-64 letters, digits, "-", "_", "." or ":"'],
      ["error", 5, "workspace.api.path", "missing required key; expected a non-empty string"],
    ]);
  });
});

describe("[workspace] members and tables", () => {
  test("members and [workspace.<name>] tables combine; other scalar keys warn", () => {
    const { ok, list } = diagnosticsOf(
      toml("[project]", 'name = "x"', "[workspace]", 'members = ["apps/*"]', "parallel = true", "[workspace.api]", 'path = "api"'),
    );
    expect(ok).toBe(true);
    const d = only(list, "workspace.parallel");
    expect(d).toMatchObject({ severity: "warning", line: 5, message: "unknown key" });
  });

  test("members must be an array of strings", () => {
    const d = only(diagnosticsOf(toml("[project]", 'name = "x"', "[workspace]", 'members = "apps/*"')).list, "workspace.members");
    expect(d).toMatchObject({ severity: "error", line: 4, message: 'expected an array of directory globs, got "apps/*"' });
  });

  test("workspace fields: depends_on must be a list", () => {
    const d = only(
      diagnosticsOf(toml("[project]", 'name = "x"', "[workspace.api]", 'path = "api"', 'depends_on = "shared"')).list,
      "workspace.api.depends_on",
    );
    expect(d).toMatchObject({ severity: "error", line: 5 });
  });
});

describe("hooks", () => {
  test("all three forms are accepted for any hook key", () => {
    const { ok, list } = diagnosticsOf(
      toml(
        "[project]",
        'name = "x"',
        "[lifecycle.build]",
        "[lifecycle.lint]",
        "[hooks]",
        'before_build = ["lint"]',
        'after_build = "echo done"',
        'on_error = "echo failed"',
        'on_success = ["lint"]',
        "[hooks.before_lint]",
        'commands = ["date", ["uname", "-a"]]',
      ),
    );
    expect(ok).toBe(true);
    expect(list).toEqual([]);
  });

  test("wrong hook types are errors; a hook table needs commands", () => {
    const { list } = diagnosticsOf(
      toml("[project]", 'name = "x"', "[hooks]", "before_all = 5", "after_all = [1]", "[hooks.before_build]", 'command = "x"'),
    );
    expect(list.map((d) => [d.severity, d.line, d.keyPath, d.message])).toEqual([
      ["error", 4, "hooks.before_all", "expected an array of phase names, a shell command string, or a table { commands = [...] }, got 5"],
      ["error", 5, "hooks.after_all[0]", "expected a non-empty string, got 1"],
      ["error", 6, "hooks.before_build.commands", "missing required key; expected an array of commands"],
      ["warning", 7, "hooks.before_build.command", "unknown key"],
    ]);
    expect(list[3]!.hint).toBe('did you mean "commands"?');
  });
});

describe("unknown keys", () => {
  const text = toml(
    "[project]", //                         1
    'name = "x"', //                        2
    'author = "me"', //                     3
    "[settings]", //                        4
    "concurency = 2", //                    5
    "[lifecycle.build]", //                 6
    'comands = ["make"]', //                7
    'cache_key = "{{ hash }}"', //          8
    "first_run_only = true", //             9
    "requires_approval = true", //          10
    "env_sync = true", //                   11
    "[lifecycle.test]", //                  12
    "[hooks]", //                           13
    'befor_build = ["test"]', //            14
    "[scripts]", //                         15
    'start = "x"', //                       16
    "[phases.build]", //                    17
    "[monitoring]", //                      18
    "[deps]", //                            19
    "[security]", //                        20
    "[ci]", //                              21
    "[rdf]", //                             22
  );

  test("are warnings with the key path, line and a suggestion when one is close", () => {
    const { ok, list } = diagnosticsOf(text);
    expect(ok).toBe(true);
    expect(list.every((d) => d.severity === "warning")).toBe(true);
    expect(list.map((d) => [d.line, d.keyPath, d.hint])).toEqual([
      [3, "project.author", undefined],
      [5, "settings.concurency", 'did you mean "concurrency"?'],
      [7, "lifecycle.build.comands", 'did you mean "commands"?'],
      [8, "lifecycle.build.cache_key", undefined],
      [9, "lifecycle.build.first_run_only", undefined],
      [10, "lifecycle.build.requires_approval", undefined],
      [11, "lifecycle.build.env_sync", undefined],
      [14, "hooks.befor_build", 'did you mean "before_build"?'],
      [15, "scripts", undefined],
      [17, "phases", "phases are declared as [lifecycle.<name>]"],
      [18, "monitoring", undefined],
      [19, "deps", undefined],
      [20, "security", undefined],
      [21, "ci", undefined],
      [22, "rdf", undefined],
    ]);
    expect(list.find((d) => d.keyPath === "scripts")!.message).toBe("unknown table [scripts]");
  });

  test("with strict they are errors and the parse fails", () => {
    const { ok, list } = diagnosticsOf(text, true);
    expect(ok).toBe(false);
    expect(list).toHaveLength(15);
    expect(list.every((d) => d.severity === "error")).toBe(true);
  });

  test("tables under env are tolerated with a warning; other non-strings are errors", () => {
    const { list } = diagnosticsOf(
      toml(
        "[project]",
        'name = "x"',
        "[env]",
        'RUST_LOG = "info"',
        "[env.production]",
        'RUST_LOG = "warn"',
        'commands.build = "cargo build"',
        "PORT = 8080",
        "[lifecycle.deploy.env.staging]",
        'description = "x"',
      ),
    );
    expect(list.map((d) => [d.severity, d.line, d.keyPath])).toEqual([
      ["warning", 7, "env.production.commands"],
      ["error", 8, "env.production.PORT"],
      ["warning", 9, "lifecycle.deploy.env.staging"],
    ]);
  });
});

describe("conflicts", () => {
  test("command and commands both set: a warning, command wins", () => {
    const result = parseConfig(toml("[project]", 'name = "x"', "[lifecycle.build]", 'command = "a"', 'commands = ["b"]'), "make.toml");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.warnings).toEqual([
      {
        severity: "warning",
        file: "make.toml",
        line: 5,
        column: 1,
        keyPath: "lifecycle.build.commands",
        message: "ignored: both command and commands are set, and command is used",
      },
    ]);
  });

  test("[settings] over [execution] and names over aliases warn only when the values differ", () => {
    const { ok, list } = diagnosticsOf(
      toml(
        "[project]",
        'name = "x"',
        "[settings]",
        "concurrency = 4",
        'timeout = "5m"',
        "timeout_seconds = 300",
        "retries = 1",
        "retry_attempts = 2",
        "[execution]",
        "max_parallel_phases = 8",
        "timeout_seconds = 300",
        "[lifecycle.build]",
        "max_threads = 2",
        "concurrency = 3",
      ),
    );
    expect(ok).toBe(true);
    expect(list.map((d) => [d.line, d.keyPath, d.message])).toEqual([
      [8, "settings.retry_attempts", "ignored: settings.retries is also set and takes precedence"],
      [10, "execution.max_parallel_phases", "ignored: settings.concurrency is also set and takes precedence"],
      [14, "lifecycle.build.concurrency", "ignored: concurrency is an alias of max_threads, which is also set and takes precedence"],
    ]);
  });
});

test("a full product.md example parses without warnings", () => {
  const result = parseConfig(
    toml(
      "[project]",
      'name = "shop"',
      'type = "monorepo"',
      'version = "1.0.0"',
      'description = "d"',
      "[settings]",
      "concurrency = 8",
      'timeout = "5m"',
      "retries = 0",
      'retry_delay = "1s"',
      'kill_grace = "5s"',
      'shell = "sh"',
      "history_limit = 1000",
      "[env]",
      'RUST_LOG = "info"',
      "[env.production]",
      'RUST_LOG = "warn"',
      "[workspace.api]",
      'path = "apps/api"',
      'depends_on = ["shared"]',
      'framework = "axum"',
      'runtime = "rust"',
      'package_manager = "cargo"',
      'description = "API"',
      'language = "rust"',
      "[workspace.shared]",
      'path = "libs/shared"',
      "[lifecycle.build]",
      'description = "Build"',
      'commands = ["a", ["b", "--x"]]',
      'cwd = "sub"',
      'env = { PROFILE = "release" }',
      'timeout = "10m"',
      "retries = 2",
      'retry_delay = "2s"',
      "parallel = true",
      "max_threads = 4",
      'workspaces = ["api"]',
      'depends_on = ["generate"]',
      "cache = true",
      'inputs = ["src/**"]',
      'outputs = ["dist/**"]',
      "watch = false",
      "port = 3000",
      "continue_on_error = false",
      "[lifecycle.generate]",
      "[hooks]",
      'before_all = ["generate"]',
      'on_error = "echo failed"',
      "[state]",
      "history_limit = 1000",
      "[cache]",
      'max_size = "2GB"',
      'remote_url = "https://cache.example.com"',
      'remote_team = "team"',
      's3 = "s3://bucket/prefix"',
    ),
    "make.toml",
  );
  expect(result.ok && result.value.warnings).toEqual([]);
});
