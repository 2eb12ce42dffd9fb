// The installer end to end: scripts/release.ts makes a release (host target), a static HTTP server on
// 127.0.0.1 serves it, and each case runs `curl -fsSL <base>/<tag>/install.sh | sh` as a user would.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, normalize, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const TAG = `v${VERSION}`;
const HOST_ASSET = `lifecycle-${process.platform}-${process.arch}${(process.platform === "linux" && readdirSync("/lib").some((f) => f.startsWith("ld-musl-"))) ? "-musl" : ""}.gz`;

let work = "";
let server: Server;
let base = "";
const requests: string[] = [];

/** Serves files under `root` (symlinks followed); anything else is a 404. */
function staticServer(root: string): Server {
  return createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? "/").split("?")[0]!));
    requests.push(path);
    const file = join(root, path);
    if (!file.startsWith(root + "/") || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end("not found\n");
      return;
    }
    res.writeHead(200, { "content-length": statSync(file).size });
    createReadStream(file).pipe(res);
  });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "lifecycle-dist-install-"));
  const releases = join(work, "releases");
  server = staticServer(releases);
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The release's install.sh gets this server as its default base, as a published one gets the real URL.
  const made = spawnSync(process.execPath, ["scripts/release.ts", "--targets", "host", "--gzip-level", "1", "--out", releases, "--base-url", base], { cwd: ROOT, encoding: "utf8" });
  if (made.status !== 0) throw new Error(`release failed: ${made.stdout}${made.stderr}`);
  // A release whose SHA256SUMS does not match its asset (the asset itself is the real one).
  const tampered = join(releases, "v0.0.1-tampered");
  mkdirSync(tampered);
  symlinkSync(join(releases, TAG, HOST_ASSET), join(tampered, HOST_ASSET));
  writeFileSync(join(tampered, "SHA256SUMS"), `${"0".repeat(64)}  ${HOST_ASSET}\n`);
  // A uname that reports a CPU no release is built for.
  const fakeBin = join(work, "fake-uname");
  mkdirSync(fakeBin);
  writeFileSync(join(fakeBin, "uname"), '#!/bin/sh\ncase "$1" in -s) echo "${FAKE_OS:-Linux}" ;; -m) echo "${FAKE_CPU:-riscv64}" ;; *) echo "${FAKE_OS:-Linux}" ;; esac\n');
  chmodSync(join(fakeBin, "uname"), 0o755);
}, 120_000);

afterAll(async () => {
  await new Promise<void>((done) => server.close(() => done()));
  rmSync(work, { recursive: true, force: true });
});

interface Installed {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly home: string;
  readonly tmp: string;
}

let caseCount = 0;
/** `curl -fsSL <base>/<TAG>/install.sh | sh` with a fresh HOME and TMPDIR; `env` adds settings. */
function install(env: Record<string, string> = {}, pathPrefix = ""): Promise<Installed> {
  const home = join(work, `home-${++caseCount}`);
  const tmp = join(work, `tmp-${caseCount}`);
  mkdirSync(home);
  mkdirSync(tmp);
  const script = `curl -fsSL "${base}/${TAG}/install.sh" | sh`;
  return new Promise((done, fail) => {
    const child = spawn("sh", ["-c", script], {
      env: { PATH: `${pathPrefix}${process.env.PATH}`, HOME: home, TMPDIR: tmp, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr, home, tmp }));
  });
}

const listDir = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).sort() : []);

test("the installer is POSIX sh (dash -n) and the release copy names the release's base URL", () => {
  expect(spawnSync("dash", ["-n", join(ROOT, "scripts/install.sh")]).status).toBe(0);
  expect(readFileSync(join(work, "releases", TAG, "install.sh"), "utf8")).toContain(`DEFAULT_BASE_URL='${base}'`);
});

describe("curl | sh", () => {
  test("installs the latest release into ~/.local/bin with mode 755, prints the version and a PATH hint", async () => {
    const r = await install();
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const bin = join(r.home, ".local/bin/lifecycle");
    expect(statSync(bin).mode & 0o777).toBe(0o755);
    expect(r.stdout).toContain(`Installed lifecycle ${VERSION} to ${bin}\n`);
    expect(r.stdout).toContain(`${join(r.home, ".local/bin")} is not on your PATH`);
    expect(r.stdout).toContain(`export PATH="${join(r.home, ".local/bin")}:$PATH"`);
    expect(requests).toContain(`/latest/${HOST_ASSET}`);
    // The installed binary needs nothing from the environment.
    expect(spawnSync(bin, ["--version"], { env: {}, encoding: "utf8" }).stdout).toBe(`lifecycle ${VERSION}\n`);
    expect(listDir(join(r.home, ".local/bin"))).toEqual(["lifecycle"]);
    expect(listDir(r.tmp)).toEqual([]);
  }, 60_000);

  test("LIFECYCLE_VERSION and LIFECYCLE_INSTALL_DIR (on PATH: no hint) replace an existing binary", async () => {
    const dir = join(work, "custom-bin");
    mkdirSync(dir);
    writeFileSync(join(dir, "lifecycle"), "#!/bin/sh\necho old\n", { mode: 0o755 });
    const r = await install({ LIFECYCLE_VERSION: TAG, LIFECYCLE_INSTALL_DIR: dir }, `${dir}:`);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Installed lifecycle ${VERSION} to ${dir}/lifecycle`);
    expect(r.stdout).not.toContain("is not on your PATH");
    expect(requests).toContain(`/${TAG}/${HOST_ASSET}`);
    expect(spawnSync(join(dir, "lifecycle"), ["--version"], { encoding: "utf8" }).stdout).toBe(`lifecycle ${VERSION}\n`);
    expect(listDir(dir)).toEqual(["lifecycle"]);
  }, 60_000);

  test("a checksum mismatch installs nothing, keeps the old binary and leaves no temp files", async () => {
    const dir = join(work, "kept-bin");
    mkdirSync(dir);
    writeFileSync(join(dir, "lifecycle"), "old binary\n");
    const r = await install({ LIFECYCLE_VERSION: "v0.0.1-tampered", LIFECYCLE_INSTALL_DIR: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`lifecycle install: error: checksum mismatch for ${HOST_ASSET}: expected ${"0".repeat(64)}`);
    expect(readFileSync(join(dir, "lifecycle"), "utf8")).toBe("old binary\n");
    expect(listDir(dir)).toEqual(["lifecycle"]);
    expect(listDir(r.tmp)).toEqual([]);
  }, 60_000);

  test("an unknown version (404) fails naming the URL, and creates nothing", async () => {
    const r = await install({ LIFECYCLE_VERSION: "v0.0.404" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`lifecycle install: error: download failed: ${base}/v0.0.404/SHA256SUMS`);
    expect(existsSync(join(r.home, ".local"))).toBe(false);
    expect(listDir(r.tmp)).toEqual([]);
  }, 60_000);

  test("an unsupported architecture or system fails before downloading anything", async () => {
    const fake = `${join(work, "fake-uname")}:`;
    const before = requests.length;
    const cpu = await install({}, fake);
    expect(cpu.code).toBe(1);
    expect(cpu.stderr).toContain("lifecycle install: error: unsupported architecture: riscv64 on Linux (supported: x86_64, arm64)");
    const os = await install({ FAKE_OS: "FreeBSD", FAKE_CPU: "amd64" }, fake);
    expect(os.code).toBe(1);
    expect(os.stderr).toContain("lifecycle install: error: unsupported operating system: FreeBSD (supported: Linux, macOS)");
    // Only the installer itself was fetched (by curl), no release asset.
    expect(requests.slice(before)).toEqual([`/${TAG}/install.sh`, `/${TAG}/install.sh`]);
    for (const r of [cpu, os]) {
      expect(existsSync(join(r.home, ".local"))).toBe(false);
      expect(listDir(r.tmp)).toEqual([]);
    }
  }, 60_000);

  test.skipIf(process.platform !== "linux")("a musl libc (as ldd reports it) selects the -musl asset", async () => {
    const fakeLdd = join(work, "fake-ldd");
    mkdirSync(fakeLdd, { recursive: true });
    writeFileSync(join(fakeLdd, "ldd"), "#!/bin/sh\necho 'musl libc (x86_64)' >&2\necho 'Version 1.2.4' >&2\nexit 1\n", { mode: 0o755 });
    const r = await install({ LIFECYCLE_VERSION: TAG }, `${fakeLdd}:`);
    const musl = HOST_ASSET.includes("-musl") ? HOST_ASSET : HOST_ASSET.replace(/\.gz$/, "-musl.gz");
    expect(r.stdout).toContain(`Downloading lifecycle ${TAG} for ${musl.slice("lifecycle-".length, -".gz".length)}\n`);
    if (musl !== HOST_ASSET) {
      // This release has only the host's asset: the musl one is a 404, reported with its URL.
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`download failed: ${base}/${TAG}/${musl}`);
      expect(existsSync(join(r.home, ".local"))).toBe(false);
    }
  }, 60_000);

  test("a bad LIFECYCLE_VERSION is refused", async () => {
    const r = await install({ LIFECYCLE_VERSION: "../../etc" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("LIFECYCLE_VERSION must be a release tag like v0.1.0 or latest, got: ../../etc");
  }, 60_000);
});
