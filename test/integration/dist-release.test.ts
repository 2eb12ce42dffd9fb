// scripts/release.ts for the host target (no network): the layout of dist/release/<tag>/, SHA256SUMS in
// sha256sum's own format, the installer copy, the `latest` link, and an asset that runs as shipped.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { createReadStream, createWriteStream, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";

const ROOT = resolve(import.meta.dir, "../..");
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const TAG = `v${VERSION}`;
const HOST = `${process.platform}-${process.arch}${(process.platform === "linux" && readdirSync("/lib").some((f) => f.startsWith("ld-musl-"))) ? "-musl" : ""}`;

let out = "";
let made: SpawnSyncReturns<string>;

const release = (...args: string[]) => spawnSync(process.execPath, ["scripts/release.ts", ...args], { cwd: ROOT, encoding: "utf8" });

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), "lifecycle-dist-release-"));
  made = release("--targets", "host", "--gzip-level", "1", "--out", out, "--base-url", "https://downloads.example.invalid/lifecycle/");
}, 120_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

test("a host release builds, smoke-runs the shipped asset and says where it is", () => {
  expect(made.stderr).not.toContain("release:");
  expect(made.status).toBe(0);
  expect(made.stdout).toContain(`release: smoke-ran lifecycle-${HOST}.gz (lifecycle ${VERSION}, env -i)`);
  expect(made.stdout).toContain(`release: ${join(out, TAG)} ready, 1 target(s)`);
});

test("the tag directory holds the asset, the installer and SHA256SUMS, and `latest` points at it", () => {
  expect(readdirSync(join(out, TAG)).sort()).toEqual(["SHA256SUMS", "install.sh", `lifecycle-${HOST}.gz`]);
  expect(lstatSync(join(out, "latest")).isSymbolicLink()).toBe(true);
  expect(readlinkSync(join(out, "latest"))).toBe(TAG);
});

test("SHA256SUMS is in sha256sum format and verifies with sha256sum -c", () => {
  const sums = readFileSync(join(out, TAG, "SHA256SUMS"), "utf8");
  expect(sums).toMatch(new RegExp(`^[0-9a-f]{64}  install\\.sh\\n[0-9a-f]{64}  lifecycle-${HOST}\\.gz\\n$`));
  const check = spawnSync("sha256sum", ["-c", "SHA256SUMS"], { cwd: join(out, TAG), encoding: "utf8" });
  expect(check.stdout).toBe(`install.sh: OK\nlifecycle-${HOST}.gz: OK\n`);
  expect(check.status).toBe(0);
});

test("the published installer is scripts/install.sh with the release's base URL (trailing slash dropped)", () => {
  const published = readFileSync(join(out, TAG, "install.sh"), "utf8");
  const source = readFileSync(join(ROOT, "scripts/install.sh"), "utf8");
  expect(published).toContain("DEFAULT_BASE_URL='https://downloads.example.invalid/lifecycle'\n");
  expect(published.replace(/^DEFAULT_BASE_URL=.*$/m, "")).toBe(source.replace(/^DEFAULT_BASE_URL=.*$/m, ""));
  expect(lstatSync(join(out, TAG, "install.sh")).mode & 0o777).toBe(0o755);
});

test("the asset unpacks to a binary that runs with an empty environment", async () => {
  const bin = join(out, "unpacked-lifecycle");
  await pipeline(createReadStream(join(out, TAG, `lifecycle-${HOST}.gz`)), createGunzip(), createWriteStream(bin, { mode: 0o755 }));
  const run = spawnSync("env", ["-i", bin, "--version"], { encoding: "utf8" });
  expect(run.stdout).toBe(`lifecycle ${VERSION}\n`);
  rmSync(bin);
});

test("an unknown target or a bad gzip level is refused before anything is built", () => {
  const unknown = release("--targets", "plan9-mips", "--out", join(out, "never"));
  expect(unknown.status).toBe(1);
  expect(unknown.stderr).toContain("release: unknown target plan9-mips (host is");
  const level = release("--gzip-level", "11", "--out", join(out, "never"));
  expect(level.status).toBe(1);
  expect(level.stderr).toBe("release: --gzip-level: expected 1-9\n");
  expect(readdirSync(out)).not.toContain("never");
});
