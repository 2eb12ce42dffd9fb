import { describe, expect, test } from "bun:test";
import { DEFAULT_SETTINGS, type Config } from "../../src/config/config.ts";
import { parseConfig } from "../../src/config/parse-config.ts";
import { parseSize } from "../../src/config/parse-size.ts";
import { resolveConfig } from "../../src/config/resolve-config.ts";

const toml = (...lines: string[]) => lines.join("\n");

function resolved(...lines: string[]): Config {
  const parsed = parseConfig(toml('[project]', 'name = "p"', ...lines), "make.toml");
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return resolveConfig(parsed.value.config, "/repo/make.toml");
}

describe("resolveConfig", () => {
  test("file, dir, project and defaults", () => {
    const config = resolved();
    expect(config.file).toBe("/repo/make.toml");
    expect(config.dir).toBe("/repo");
    expect(config.project).toEqual({ name: "p" });
    expect(config.settings).toEqual(DEFAULT_SETTINGS);
    expect(config.phases.size).toBe(0);
    expect(config.hooks).toEqual({ beforeAll: [], afterAll: [], before: {}, after: {}, onError: [], onSuccess: [] });
    expect(config.cache).toEqual({});
    expect(config.workspaces).toEqual([]);
    expect(config.members).toEqual([]);
  });

  test("phases come out in alphabetical order, whatever the file order", () => {
    const config = resolved("[lifecycle.test]", "[lifecycle.build]", '[lifecycle."ci:prepare"]', "[lifecycle.Zeta]", "[lifecycle.api]");
    expect([...config.phases.keys()]).toEqual(["Zeta", "api", "build", "ci:prepare", "test"]);
  });

  test("a phase with every field", () => {
    const config = resolved(
      "[lifecycle.build]",
      'description = "Build"',
      'commands = ["make", ["cargo", "build"], ""]',
      'cwd = "sub"',
      'env = { PROFILE = "release", HOME_COPY = "${HOME}" }',
      'timeout = "10m"',
      "retries = 2",
      'retry_delay = "500ms"',
      "parallel = true",
      "concurrency = 4",
      'workspaces = ["api"]',
      'depends_on = ["gen"]',
      "cache = true",
      'inputs = ["src/**"]',
      'outputs = ["dist/**"]',
      "port = 3000",
      "continue_on_error = true",
      "[lifecycle.gen]",
    );
    expect(config.phases.get("build")).toEqual({
      name: "build",
      description: "Build",
      commands: [
        { kind: "shell", script: "make" },
        { kind: "argv", argv: ["cargo", "build"] },
        { kind: "shell", script: "" },
      ],
      cwd: "sub",
      env: { PROFILE: "release", HOME_COPY: "${HOME}" },
      timeoutMs: 600_000,
      retries: 2,
      retryDelayMs: 500,
      parallel: true,
      maxThreads: 4,
      workspaces: ["api"],
      dependsOn: ["gen"],
      cache: true,
      inputs: ["src/**"],
      outputs: ["dist/**"],
      watch: false,
      port: 3000,
      continueOnError: true,
    });
    expect(config.phases.get("gen")).toEqual({
      name: "gen",
      commands: [],
      env: {},
      parallel: false,
      dependsOn: [],
      cache: false,
      inputs: [],
      outputs: [],
      watch: false,
      continueOnError: false,
    });
  });

  test("command wins over commands; an array command is argv", () => {
    const config = resolved("[lifecycle.a]", 'command = "one"', 'commands = ["two"]', "[lifecycle.b]", 'command = ["ls", "-la"]');
    expect(config.phases.get("a")!.commands).toEqual([{ kind: "shell", script: "one" }]);
    expect(config.phases.get("b")!.commands).toEqual([{ kind: "argv", argv: ["ls", "-la"] }]);
  });

  test("timeouts: seconds as numbers, 0 and \"0\" mean no limit, watch phases default to no limit", () => {
    const config = resolved(
      "[lifecycle.a]",
      "timeout = 1.5",
      "[lifecycle.b]",
      "timeout = 0",
      "[lifecycle.c]",
      'timeout = "0"',
      "[lifecycle.dev]",
      "watch = true",
      "[lifecycle.dev2]",
      "watch = true",
      'timeout = "1h"',
      "[lifecycle.e]",
    );
    const timeout = (name: string) => config.phases.get(name)!.timeoutMs;
    expect(timeout("a")).toBe(1500);
    expect(timeout("b")).toBeNull();
    expect(timeout("c")).toBeNull();
    expect(timeout("dev")).toBeNull();
    expect(timeout("dev2")).toBe(3_600_000);
    expect(timeout("e")).toBeUndefined();
    expect(config.phases.get("dev")!.watch).toBe(true);
  });

  test("max_threads wins over its alias concurrency", () => {
    const config = resolved("[lifecycle.a]", "max_threads = 2", "concurrency = 3");
    expect(config.phases.get("a")!.maxThreads).toBe(2);
  });
});

describe("settings", () => {
  test("[settings] with our names", () => {
    const config = resolved(
      "[settings]",
      "concurrency = 8",
      'timeout = "5m"',
      "retries = 3",
      'retry_delay = "2s"',
      'kill_grace = "250ms"',
      'shell = "bash"',
      "history_limit = 10",
    );
    expect(config.settings).toEqual({
      concurrency: 8,
      timeoutMs: 300_000,
      retries: 3,
      retryDelayMs: 2000,
      killGraceMs: 250,
      shell: "bash",
      historyLimit: 10,
    });
  });

  test("[execution] with ggen's names is an alias of [settings]", () => {
    const config = resolved("[execution]", "max_parallel_phases = 6", "timeout_seconds = 1800", "retry_attempts = 3", "retry_delay_seconds = 10");
    expect(config.settings).toMatchObject({ concurrency: 6, timeoutMs: 1_800_000, retries: 3, retryDelayMs: 10_000 });
  });

  test("ggen's names inside [settings] work too, and [settings] wins over [execution]", () => {
    const config = resolved("[settings]", "max_parallel_phases = 2", "timeout = 0", "[execution]", "max_parallel_phases = 6", "timeout_seconds = 60", "retries = 4");
    expect(config.settings).toMatchObject({ concurrency: 2, timeoutMs: null, retries: 4 });
  });

  test("[state] history_limit applies unless [settings] sets one", () => {
    expect(resolved("[state]", "history_limit = 5").settings.historyLimit).toBe(5);
    expect(resolved("[settings]", "history_limit = 7", "[state]", "history_limit = 5").settings.historyLimit).toBe(7);
  });
});

describe("hooks", () => {
  test("all three forms normalise into HookEntry lists", () => {
    const config = resolved(
      "[lifecycle.build]",
      "[lifecycle.lint]",
      "[lifecycle.notify]",
      "[hooks]",
      'before_all = ["lint"]',
      "after_all = []",
      'before_build = ["lint", "notify"]',
      'after_build = "echo built"',
      'on_error = "echo failed"',
      'on_success = ["notify"]',
      "[hooks.before_lint]",
      'commands = ["date", ["uname", "-a"]]',
      "[hooks.after_lint]",
      "commands = []",
    );
    expect(config.hooks).toEqual({
      beforeAll: [{ kind: "phase", phase: "lint" }],
      afterAll: [],
      before: {
        build: [
          { kind: "phase", phase: "lint" },
          { kind: "phase", phase: "notify" },
        ],
        lint: [
          {
            kind: "commands",
            commands: [
              { kind: "shell", script: "date" },
              { kind: "argv", argv: ["uname", "-a"] },
            ],
          },
        ],
      },
      after: { build: [{ kind: "commands", commands: [{ kind: "shell", script: "echo built" }] }], lint: [] },
      onError: [{ kind: "commands", commands: [{ kind: "shell", script: "echo failed" }] }],
      onSuccess: [{ kind: "phase", phase: "notify" }],
    });
  });

  test("a phase called __proto__ is an ordinary key", () => {
    const config = resolved("[lifecycle.__proto__]", "[lifecycle.a]", "[hooks]", 'before___proto__ = ["a"]');
    expect(Object.keys(config.hooks.before)).toEqual(["__proto__"]);
    expect(config.hooks.before["__proto__"]).toEqual([{ kind: "phase", phase: "a" }]);
  });
});

describe("env, workspaces, cache", () => {
  test("[env] strings and [env.<profile>] tables; nested tables dropped; ${NAME} kept as written", () => {
    const config = resolved("[env]", 'A = "${HOME}/x"', "[env.production]", 'A = "prod"', 'commands.build = "x"', "[env.staging]");
    expect(config.env).toEqual({ A: "${HOME}/x" });
    expect(config.envProfiles).toEqual({ production: { A: "prod" }, staging: {} });
  });

  test("workspace tables sorted by name, with members", () => {
    const config = resolved(
      "[workspace]",
      'members = ["apps/*", "libs/*"]',
      "[workspace.web]",
      'path = "web"',
      'depends_on = ["api"]',
      'framework = "react"',
      "[workspace.api]",
      'path = "api"',
      'description = "API"',
    );
    expect(config.workspaces).toEqual([
      { name: "api", path: "api", dependsOn: [], description: "API" },
      { name: "web", path: "web", dependsOn: ["api"] },
    ]);
    expect(config.members).toEqual(["apps/*", "libs/*"]);
  });

  test("[cache] settings", () => {
    const config = resolved("[cache]", 'max_size = "2GB"', 'remote_url = "https://c.example"', 'remote_team = "t"', 's3 = "s3://b/p"');
    expect(config.cache).toEqual({ maxSizeBytes: 2e9, remoteUrl: "https://c.example", remoteTeam: "t", s3: "s3://b/p" });
  });
});

test("parseSize: bytes, decimal and binary units", () => {
  expect(parseSize(1024)).toEqual({ ok: true, value: 1024 });
  expect(parseSize("1GiB")).toEqual({ ok: true, value: 2 ** 30 });
  expect(parseSize("1.5 MB")).toEqual({ ok: true, value: 1_500_000 });
  expect(parseSize("512kib")).toEqual({ ok: true, value: 512 * 1024 });
  expect(parseSize("4096")).toEqual({ ok: true, value: 4096 });
  expect(parseSize("2 parsecs").ok).toBe(false);
  expect(parseSize(-1).ok).toBe(false);
  expect(parseSize(true)).toEqual({ ok: false, error: 'expected a size such as "2GB" or a number of bytes, got a boolean' });
});
