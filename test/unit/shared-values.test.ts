import { describe, expect, test } from "bun:test";
import { formatDiagnostic } from "../../src/shared/diagnostic.ts";
import { formatDuration, parseDuration } from "../../src/shared/duration.ts";
import { redactEnv, redactText, redactUrlPasswords, secretValues } from "../../src/shared/redact.ts";
import { closestMatch, didYouMean } from "../../src/shared/suggest.ts";

describe("parseDuration", () => {
  test.each([
    [30, 30_000],
    [0.5, 500],
    ["500ms", 500],
    ["30s", 30_000],
    ["5m", 300_000],
    ["1h", 3_600_000],
    ["1m30s", 90_000],
    ["0", 0],
    [" 2s ", 2000],
  ] as const)("%p is %p ms", (input, ms) => {
    expect(parseDuration(input)).toEqual({ ok: true, value: ms });
  });

  test.each([["soon"], ["5 minutes"], ["1d"], [""], [-1], [true], [["1s"]]] as const)("%p is refused with what was expected", (input) => {
    const result = parseDuration(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/^expected /);
  });
});

test("formatDuration follows ggen's display rules", () => {
  expect(formatDuration(500)).toBe("500ms");
  expect(formatDuration(1500)).toBe("1.50s");
  expect(formatDuration(90_000)).toBe("1m 30s");
});

describe("redaction", () => {
  const env = { API_TOKEN: "tok-123456", db_password: "hunter22", AWS_SECRET_ACCESS_KEY: "abcdefgh", PATH: "/usr/bin", SHORT_KEY: "ab" };

  test("values of TOKEN/SECRET/PASSWORD/KEY/CREDENTIAL keys (any case) are secrets; short values are not masked", () => {
    expect(secretValues(env).sort()).toEqual(["abcdefgh", "hunter22", "tok-123456"]);
  });

  test("every occurrence in a text becomes ***", () => {
    expect(redactText("curl -H tok-123456 -p hunter22 tok-123456", secretValues(env))).toBe("curl -H *** -p *** ***");
  });

  test("a longer secret containing a shorter one is masked whole", () => {
    expect(redactText("x=abcdefgh-long", ["abcdefgh", "abcdefgh-long"].sort((a, b) => b.length - a.length))).toBe("x=***");
  });

  test("redactUrlPasswords masks the password of every URL in a text, and nothing else", () => {
    expect(redactUrlPasswords("GET http://user:hunter2@127.0.0.1:1/v8: ECONNREFUSED (s3://k:s3cr3t@b/p)")).toBe("GET http://user:***@127.0.0.1:1/v8: ECONNREFUSED (s3://k:***@b/p)");
    expect(redactUrlPasswords("http://user@host:8080/a:b@c https://host/x")).toBe("http://user@host:8080/a:b@c https://host/x");
  });

  test("redactEnv masks by key, keeps other values", () => {
    expect(redactEnv({ GITHUB_TOKEN: "x", HOME: "/root" })).toEqual({ GITHUB_TOKEN: "***", HOME: "/root" });
  });
});

describe("did you mean", () => {
  const keys = ["commands", "command", "description", "depends_on", "timeout"];
  test("a typo finds the closest key", () => {
    expect(closestMatch("comands", keys)).toBe("commands");
    expect(closestMatch("timout", keys)).toBe("timeout");
    expect(didYouMean("biuld", ["build", "test"])).toBe('did you mean "build"?');
  });
  test("nothing close: no suggestion", () => {
    expect(closestMatch("zzz", keys)).toBeUndefined();
  });
});

test("formatDiagnostic shows file:line:column, the key path, the message and the hint", () => {
  expect(formatDiagnostic({ severity: "error", file: "make.toml", line: 3, column: 1, keyPath: "lifecycle.build.timeout", message: "expected a duration", hint: 'did you mean "x"?' })).toBe(
    'make.toml:3:1: lifecycle.build.timeout: expected a duration (did you mean "x"?)',
  );
  expect(formatDiagnostic({ severity: "error", message: "Phase 'x' not found" })).toBe("Phase 'x' not found");
});
