// The remote cache through the binary against real servers on 127.0.0.1 (product.md 3b; README
// "Cache"): the npm turborepo-remote-cache server (Turborepo HTTP API v8) and s3rver (S3 API).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, type CliResult } from "../helpers/cli.ts";
import { startS3Server, startSilentServer, startTurboCacheServer, unusedPort, type RunningServer } from "../helpers/cache-servers.ts";
import { eventsOf, show, taskEnd } from "./support.ts";

const TOKEN = "test-token-123";
const TEAM = "team_lifecycle";
let base: string;
let turbo: RunningServer;
let turboStorage: string;
let s3: RunningServer;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), "lifecycle-cache-remote-"));
  turboStorage = join(base, "turbo-storage");
  mkdirSync(turboStorage);
  mkdirSync(join(base, "s3"));
  [turbo, s3] = await Promise.all([startTurboCacheServer({ token: TOKEN, storageDir: turboStorage }), startS3Server({ directory: join(base, "s3"), bucket: "cache" })]);
});

afterAll(async () => {
  await Promise.all([turbo?.stop(), s3?.stop()]);
  rmSync(base, { recursive: true, force: true });
});

const PROJECT = (extra = "") => `[project]
name = "remote"
${extra}
[workspace.a]
path = "pkgs/a"

[workspace.b]
path = "pkgs/b"

[lifecycle.build]
commands = ["echo built >> $LIFECYCLE_ROOT/runs.log", "mkdir -p dist", "cp src/main.txt dist/main.out", "echo output of $LIFECYCLE_WORKSPACE"]
cache = true
inputs = ["src/**"]
outputs = ["dist/**"]
`;

let counter = 0;
/** A fresh checkout of the same project (same files, another directory). */
function checkout(toml: string): string {
  const dir = join(base, `checkout-${++counter}`);
  for (const ws of ["a", "b"]) {
    mkdirSync(join(dir, "pkgs", ws, "src"), { recursive: true });
    writeFileSync(join(dir, "pkgs", ws, "src", "main.txt"), `source of ${ws}\n`);
  }
  writeFileSync(join(dir, "make.toml"), toml);
  return dir;
}

const runsIn = (dir: string) => (existsSync(join(dir, "runs.log")) ? readFileSync(join(dir, "runs.log"), "utf8").split("\n").filter(Boolean).length : 0);

async function build(dir: string, env: Record<string, string | undefined>, ...args: string[]): Promise<CliResult & { statuses: unknown[] }> {
  const r = await runCli(["--root", dir, "run", "build", "--json", "--explain", ...args], { env });
  if (r.code !== 0) throw new Error(show(r));
  return { ...r, statuses: ["a#build", "b#build"].map((id) => taskEnd(r.stdout, id)?.status) };
}

const httpEnv = (overrides: Record<string, string | undefined> = {}) => ({ TURBO_API: turbo.url, TURBO_TEAM: TEAM, LIFECYCLE_REMOTE_CACHE_TOKEN: TOKEN, LIFECYCLE_CACHE_SIGNING_KEY: undefined, ...overrides });

describe("remote cache over the Turborepo HTTP API (turborepo-remote-cache server)", () => {
  test("a second clean checkout pulls the first one's results and skips the work", async () => {
    const first = checkout(PROJECT());
    const one = await build(first, httpEnv());
    expect(one.statuses).toEqual(["success", "success"]);
    expect(readdirSync(join(turboStorage, TEAM)).length).toBe(2);
    const second = checkout(PROJECT());
    const two = await build(second, httpEnv());
    expect(two.statuses).toEqual(["cached", "cached"]);
    expect(runsIn(second)).toBe(0);
    expect(readFileSync(join(second, "pkgs/b/dist/main.out"), "utf8")).toBe("source of b\n");
    expect(eventsOf(two.stdout, "task-output").map((e) => e.line).sort()).toEqual(["output of a", "output of b"]);
    expect(two.stderr).toContain(`a#build: cache hit (remote ${turbo.url} (team ${TEAM}))`);
    expect(two.stderr).not.toContain("warning");
    // The remote result is now in the local store too: the server is not needed any more.
    const three = await build(second, httpEnv({ TURBO_API: `http://127.0.0.1:${await unusedPort()}` }));
    expect(three.statuses).toEqual(["cached", "cached"]);
  });

  test("[cache] remote_url / remote_team in make.toml work the same as TURBO_API / TURBO_TEAM; TURBO_TOKEN is honoured", async () => {
    const toml = PROJECT(`\n[cache]\nremote_url = "${turbo.url}"\nremote_team = "from-config"\n`);
    const env = { TURBO_API: undefined, TURBO_TEAM: undefined, LIFECYCLE_REMOTE_CACHE_TOKEN: undefined, TURBO_TOKEN: TOKEN };
    expect((await build(checkout(toml), env)).statuses).toEqual(["success", "success"]);
    expect(readdirSync(join(turboStorage, "from-config")).length).toBe(2);
    expect((await build(checkout(toml), env)).statuses).toEqual(["cached", "cached"]);
  });

  test("a 404 is a plain miss: the task runs, no warning, and its result is uploaded", async () => {
    const dir = checkout(PROJECT().replace("echo output", "echo fresh output"));
    const r = await build(dir, httpEnv());
    expect(r.statuses).toEqual(["success", "success"]);
    expect(r.stderr).not.toContain("warning");
  });

  test("a wrong token: one warning, the tasks run, the run succeeds", async () => {
    const r = await build(checkout(PROJECT().replace("echo output", "echo auth")), httpEnv({ LIFECYCLE_REMOTE_CACHE_TOKEN: "wrong" }));
    expect(r.statuses).toEqual(["success", "success"]);
    expect(r.stderr.match(/authentication failed/g)?.length).toBe(1);
    expect(r.stderr).toContain("401");
  });

  test("a server that is down: one warning, the tasks run, the run succeeds", async () => {
    const r = await build(checkout(PROJECT().replace("echo output", "echo down")), httpEnv({ TURBO_API: `http://127.0.0.1:${await unusedPort()}` }));
    expect(r.statuses).toEqual(["success", "success"]);
    expect(r.stderr.match(/unavailable/g)?.length).toBe(1);
  });

  test("a server that accepts and never answers: bounded by LIFECYCLE_REMOTE_CACHE_TIMEOUT, one warning, the run succeeds", async () => {
    const silent = await startSilentServer();
    try {
      const r = await build(checkout(PROJECT().replace("echo output", "echo slow")), httpEnv({ TURBO_API: silent.url, LIFECYCLE_REMOTE_CACHE_TIMEOUT: "300ms" }));
      expect(r.statuses).toEqual(["success", "success"]);
      expect(r.stderr.match(/unavailable/g)?.length).toBe(1);
    } finally {
      await silent.stop();
    }
  });

  test("a tampered artifact on the server is a miss with a warning, never restored", async () => {
    const toml = PROJECT().replace("echo output", "echo tamper");
    expect((await build(checkout(toml), httpEnv())).statuses).toEqual(["success", "success"]);
    const stored = readdirSync(join(turboStorage, TEAM)).map((name) => join(turboStorage, TEAM, name));
    for (const file of stored) {
      const bytes = readFileSync(file);
      bytes[bytes.length - 20] = bytes[bytes.length - 20]! ^ 0xff;
      writeFileSync(file, bytes);
    }
    const dir = checkout(toml);
    const r = await build(dir, httpEnv());
    expect(r.statuses).toEqual(["success", "success"]);
    expect(r.stderr).toContain("sha256 mismatch");
    // --explain says why, not "no previous run recorded".
    expect(r.stderr + r.stdout).toMatch(/a#build: cache miss [0-9a-f]+: a stored result was found but not used: the artifact from .* was rejected: sha256 mismatch/);
    expect(runsIn(dir)).toBe(2);
  });

  test("with LIFECYCLE_CACHE_SIGNING_KEY: same key hits; another key or no signature is rejected with a warning", async () => {
    const toml = PROJECT().replace("echo output", "echo signed");
    expect((await build(checkout(toml), httpEnv({ LIFECYCLE_CACHE_SIGNING_KEY: "k1" }))).statuses).toEqual(["success", "success"]);
    expect((await build(checkout(toml), httpEnv({ LIFECYCLE_CACHE_SIGNING_KEY: "k1" }))).statuses).toEqual(["cached", "cached"]);
    const other = await build(checkout(toml), httpEnv({ LIFECYCLE_CACHE_SIGNING_KEY: "k2" }));
    expect(other.statuses).toEqual(["success", "success"]);
    expect(other.stderr).toContain("signature mismatch");
    const unsignedToml = PROJECT().replace("echo output", "echo unsigned");
    expect((await build(checkout(unsignedToml), httpEnv())).statuses).toEqual(["success", "success"]);
    const strict = await build(checkout(unsignedToml), httpEnv({ LIFECYCLE_CACHE_SIGNING_KEY: "k1" }));
    expect(strict.statuses).toEqual(["success", "success"]);
    expect(strict.stderr).toContain("not signed");
  });

  test("--remote-cache r reads but never uploads; off never contacts the server", async () => {
    const toml = PROJECT().replace("echo output", "echo modes");
    const before = readdirSync(join(turboStorage, TEAM)).length;
    expect((await build(checkout(toml), httpEnv(), "--remote-cache", "r")).statuses).toEqual(["success", "success"]);
    expect(readdirSync(join(turboStorage, TEAM)).length).toBe(before);
    const off = await build(checkout(toml), httpEnv({ TURBO_API: `http://127.0.0.1:${await unusedPort()}` }), "--remote-cache", "off");
    expect(off.stderr).not.toContain("unavailable");
    const usage = await runCli(["--root", checkout(toml), "run", "build", "--remote-cache", "sometimes"]);
    expect(usage.code).toBe(2);
  });
});

describe("remote cache in S3-compatible storage (s3rver)", () => {
  const s3Env = (overrides: Record<string, string | undefined> = {}) => ({ TURBO_API: undefined, AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_REGION: "us-east-1", AWS_ENDPOINT_URL: s3.url, LIFECYCLE_CACHE_SIGNING_KEY: undefined, ...overrides });
  const S3_PROJECT = () => PROJECT(`\n[cache]\ns3 = "s3://cache/team/builds"\n`);

  test("a second clean checkout pulls the first one's results from the bucket", async () => {
    const first = await build(checkout(S3_PROJECT()), s3Env());
    expect(first.statuses).toEqual(["success", "success"]);
    expect(first.stderr).not.toContain("warning");
    const dir = checkout(S3_PROJECT());
    const second = await build(dir, s3Env());
    expect(second.statuses).toEqual(["cached", "cached"]);
    expect(second.stderr).toContain("cache hit (remote s3://cache/team/builds)");
    expect(runsIn(dir)).toBe(0);
    expect(readFileSync(join(dir, "pkgs/a/dist/main.out"), "utf8")).toBe("source of a\n");
  });

  test("an endpoint that accepts and never answers: one warning, the run succeeds, and the process exits (the abandoned request does not keep it alive)", async () => {
    const silent = await startSilentServer();
    try {
      const r = await build(checkout(S3_PROJECT().replace("echo output", "echo s3slow")), s3Env({ AWS_ENDPOINT_URL: silent.url, LIFECYCLE_REMOTE_CACHE_TIMEOUT: "300ms" }));
      expect(r.statuses).toEqual(["success", "success"]);
      expect(r.stderr.match(/unavailable/g)?.length).toBe(1);
    } finally {
      await silent.stop();
    }
  });

  test("unknown credentials, a missing bucket or an unreachable endpoint: one warning, the tasks run, the run succeeds", async () => {
    const denied = await build(checkout(S3_PROJECT().replace("echo output", "echo denied")), s3Env({ AWS_ACCESS_KEY_ID: "nobody" }));
    expect(denied.statuses).toEqual(["success", "success"]);
    expect(denied.stderr.match(/authentication failed/g)?.length).toBe(1);
    const noBucket = await build(checkout(S3_PROJECT().replace("echo output", "echo nobucket").replace("s3://cache/", "s3://no-such-bucket/")), s3Env());
    expect(noBucket.statuses).toEqual(["success", "success"]);
    expect(noBucket.stderr.match(/NoSuchBucket/g)?.length).toBe(1);
    const down = await build(checkout(S3_PROJECT().replace("echo output", "echo s3down")), s3Env({ AWS_ENDPOINT_URL: `http://127.0.0.1:${await unusedPort()}` }));
    expect(down.statuses).toEqual(["success", "success"]);
    expect(down.stderr.match(/unavailable/g)?.length).toBe(1);
  });
});

test("a copied checkout (cp -r, new mtimes and inodes) still hits its local store", async () => {
  const dir = checkout(PROJECT().replace("echo output", "echo copied"));
  expect((await build(dir, { TURBO_API: undefined })).statuses).toEqual(["success", "success"]);
  const copy = join(base, "copied");
  cpSync(dir, copy, { recursive: true });
  expect((await build(copy, { TURBO_API: undefined })).statuses).toEqual(["cached", "cached"]);
});
