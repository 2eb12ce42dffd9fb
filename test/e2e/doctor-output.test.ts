// `lifecycle doctor` against real conditions: a port held by a server in this test, lock files with a
// live and a dead holder, a .ggen that is not a directory, a missing shell, an invalid make.toml, and a
// remote cache server on 127.0.0.1 that answers, refuses the token, or is gone.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { withProject } from "./support.ts";

const HEALTHY = `[project]
name = "doc"
[lifecycle.build]
command = "true"
`;

let held: Server;
let heldPort = 0;
let cache: HttpServer;
let cachePort = 0;
const cacheRequests: string[] = [];

function listen<T extends Server | HttpServer>(server: T): Promise<number> {
  return new Promise((ready) => server.listen(0, "127.0.0.1", () => ready((server.address() as AddressInfo).port)));
}

/** A port nothing listens on right now (bound, then released). */
async function freePort(): Promise<number> {
  const s = createServer();
  const port = await listen(s);
  await new Promise<void>((done) => s.close(() => done()));
  return port;
}

beforeAll(async () => {
  held = createServer();
  heldPort = await listen(held);
  // A Turborepo-API cache: a miss (404) for any artifact; 401 for the token "bad".
  cache = createHttpServer((req, res) => {
    cacheRequests.push(`${req.method} ${req.url} ${req.headers.authorization ?? "-"}`);
    res.writeHead(req.headers.authorization === "Bearer bad" ? 401 : 404).end();
  });
  cachePort = await listen(cache);
});
afterAll(async () => {
  await new Promise<void>((done) => held.close(() => done()));
  await new Promise<void>((done) => cache.close(() => done()));
});

/** The check lines of human output, without the header and the variable disk numbers. */
function checkLines(stdout: string): string[] {
  return stdout
    .split("\n")
    .slice(1)
    .filter((l) => l !== "")
    .map((l) => (l.includes("disk space") ? l.replace(/disk space .*/, "disk space  <free>") : l));
}

describe("doctor", () => {
  test("a healthy project: every check passes, exit 0, the header names version and runtime", async () => {
    await withProject(HEALTHY, async (p) => {
      const r = await p.lc("doctor");
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout.split("\n")[0]).toMatch(new RegExp(`^lifecycle \\S+ \\(bun \\S+, ${process.platform}-${process.arch}\\) doctor: ${p.dir}$`));
      expect(checkLines(r.stdout)).toEqual([
        "  ✓ make.toml     valid: 1 phase",
        expect.stringMatching(/^  ✓ shell         sh \(\/.*\/sh\)$/) as unknown as string,
        "  ✓ state dirs    1 writable (//)",
        "  ✓ disk space  <free>",
        "  ✓ locks         none held",
        "  · ports         no phase declares a port",
        "  · remote cache  not configured",
        "All checks passed",
      ]);
    });
  });

  test("a port phase whose port is taken fails (exit 1); a free one passes", async () => {
    const free = await freePort();
    const toml = `${HEALTHY}[lifecycle.dev]\ncommand = "true"\nport = ${heldPort}\nwatch = true\n[lifecycle.docs]\ncommand = "true"\nport = ${free}\n`;
    await withProject(toml, async (p) => {
      const r = await p.lc("doctor");
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(`  ✗ ports         1 of 2 not free\n      ${heldPort} (//#dev): in use\n`);
      expect(r.stdout).toEndWith("1 failed, 0 warnings\n");
    });
    await withProject(`${HEALTHY}[lifecycle.docs]\ncommand = "true"\nport = ${free}\n`, async (p) => {
      const r = await p.lc("doctor");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`  ✓ ports         free: ${free}\n`);
    });
  });

  test("locks: a dead holder is stale, a live one is held; both are warnings (exit 0)", async () => {
    // A pid that surely is gone: a child that has exited and been reaped.
    const dead = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" }).stdout.trim();
    await withProject(HEALTHY, async (p) => {
      // The state lock as lifecycle takes it now (a symlink naming the holder), the store lock as older versions wrote it (JSON).
      mkdirSync(join(p.dir, ".ggen"), { recursive: true });
      symlinkSync(`${dead}:1:${Date.parse("2024-01-01T00:00:00.000Z")}:0a1b2c3d:${hostname()}`, join(p.dir, ".ggen", "state.lock"));
      p.write(".ggen/cache/store.lock", JSON.stringify({ pid: process.pid, host: hostname(), started: "2024-01-02T00:00:00.000Z", procStart: null }));
      const r = await p.lc("doctor");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(
        [
          "  ! locks         1 stale, 1 other",
          `      .ggen/cache/store.lock: held by pid ${process.pid} since 2024-01-02T00:00:00.000Z (a run in progress?)`,
          `      .ggen/state.lock: stale (pid ${dead} is gone); the next run takes it over, or delete it`,
        ].join("\n"),
      );
      expect(r.stdout).toEndWith("0 failed, 1 warning\n");
    });
  });

  test("a .ggen that is not a directory and a missing shell fail", async () => {
    await withProject(`[project]\nname = "x"\n[settings]\nshell = "no-such-shell-for-doctor"\n`, async (p) => {
      p.write(".ggen", "not a directory");
      const r = await p.lc("doctor");
      expect(r.code).toBe(1);
      expect(r.stdout).toContain("  ✗ shell         not found: no-such-shell-for-doctor (settings.shell; PATH=");
      expect(r.stdout).toContain("  ✗ state dirs    1 of 1 not writable\n      .ggen: not a directory\n");
    });
  });

  test("an invalid make.toml fails, and the other checks still run with defaults", async () => {
    await withProject(`[project]\nname = "x"\n[lifecycle.a]\ndepends_on = ["nope"]\n`, async (p) => {
      const r = await p.lc("doctor");
      expect(r.code).toBe(1);
      expect(r.stdout).toContain("  ✗ make.toml     1 problem (lifecycle validate lists them)\n      make.toml");
      expect(r.stdout).toContain("  ✓ state dirs    1 writable (//)");
    });
  });

  test("no make.toml at all is a failure, not a crash", async () => {
    await withProject(undefined, async (p) => {
      const r = await p.lc("doctor");
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(`  ✗ make.toml     1 problem (lifecycle validate lists them)\n      No make.toml found in ${p.dir}\n`);
    });
  });

  test("remote cache: reachable (a miss is fine), token refused, and unreachable are reported; never a failure", async () => {
    const toml = `${HEALTHY}[cache]\nremote_url = "http://127.0.0.1:${cachePort}"\n`;
    await withProject(toml, async (p) => {
      const r = await p.lc("doctor");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`  ✓ remote cache  1 reachable\n      http://127.0.0.1:${cachePort}: reachable\n`);
      expect(cacheRequests.at(-1)).toBe(`GET /v8/artifacts/${"0".repeat(64)} -`);
    });
    await withProject(toml, async (p) => {
      const r = await runCli(["--root", p.dir, "doctor"], { env: { LIFECYCLE_REMOTE_CACHE_TOKEN: "bad" } });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`  ! remote cache  not usable; runs will skip it\n      http://127.0.0.1:${cachePort}: credentials refused:`);
    });
    const gone = await freePort();
    await withProject(`${HEALTHY}[cache]\nremote_url = "http://127.0.0.1:${gone}"\n`, async (p) => {
      const r = await p.lc("doctor");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`  ! remote cache  not usable; runs will skip it\n      http://127.0.0.1:${gone}: unreachable:`);
    });
  });

  test("--json: one object with every check", async () => {
    await withProject(HEALTHY, async (p) => {
      const r = await p.lc("doctor", "--json");
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as { ok: boolean; root: string; checks: Array<{ name: string; status: string }> };
      expect(report.ok).toBe(true);
      expect(report.root).toBe(p.dir);
      expect(report.checks.map((c) => `${c.name}:${c.status}`)).toEqual(["make.toml:ok", "shell:ok", "state dirs:ok", "disk space:ok", "locks:ok", "ports:info", "remote cache:info"]);
    });
  });
});
