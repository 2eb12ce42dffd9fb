// Builds the release assets of lifecycle: one compiled binary per target, gzipped, with SHA256SUMS and
// the installer, under dist/release/<tag>/ (tag = "v" + package.json version), and smoke-runs the host binary.
//
//   bun scripts/release.ts                      every target (by hand; fetches Bun runtimes with npm pack)
//   bun scripts/release.ts --targets host       only this machine's target, no network (CI)
//
// Options: --targets all|host|<t1,t2>   --out DIR (default dist/release)   --gzip-level 1-9 (default 9)
//          --base-url URL (the installer's default download base)   --runtimes DIR (npm pack cache)
//
// Cross-compiling never lets `bun build` download anything: each foreign target's runtime comes from
// `npm pack @oven/bun-<target>@<the bun devDependency version>` and is passed as --compile-executable-path.
// The host target uses the bun in node_modules and needs no network at all.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";

/** Where releases are published: GitHub release assets, `<base>/<tag>/<asset>`; `latest` is a rolling release. */
export const DEFAULT_BASE_URL = "https://github.com/lifecycle-runner/lifecycle/releases/download";

interface Target {
  /** Our name, in asset file names: lifecycle-<name>.gz */
  readonly name: string;
  /** npm package (without @oven/) that holds this target's Bun runtime. */
  readonly runtimePackage: string;
  readonly exe: string;
}

/** Every target a full release builds; the installer picks among the non-Windows ones. */
const TARGETS: readonly Target[] = [
  { name: "linux-x64", runtimePackage: "bun-linux-x64", exe: "" },
  { name: "linux-x64-baseline", runtimePackage: "bun-linux-x64-baseline", exe: "" },
  { name: "linux-arm64", runtimePackage: "bun-linux-aarch64", exe: "" },
  { name: "linux-x64-musl", runtimePackage: "bun-linux-x64-musl", exe: "" },
  { name: "linux-arm64-musl", runtimePackage: "bun-linux-aarch64-musl", exe: "" },
  { name: "darwin-x64", runtimePackage: "bun-darwin-x64", exe: "" },
  { name: "darwin-arm64", runtimePackage: "bun-darwin-aarch64", exe: "" },
  { name: "windows-x64", runtimePackage: "bun-windows-x64", exe: ".exe" },
];

const ROOT = resolve(import.meta.dir, "..");

function main(): Promise<number> | number {
  const args = process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(readFileSync(import.meta.path, "utf8").split("\n").filter((l) => l.startsWith("//")).map((l) => l.slice(3)).join("\n") + "\n");
    return 0;
  }
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string; devDependencies: Record<string, string> };
  const bunVersion = pkg.devDependencies.bun;
  if (!bunVersion || !/^\d+\.\d+\.\d+$/.test(bunVersion)) return fail(`package.json must pin bun to an exact version (found ${bunVersion})`);
  const gzipLevel = Number(flag("--gzip-level") ?? 9);
  if (!Number.isInteger(gzipLevel) || gzipLevel < 1 || gzipLevel > 9) return fail("--gzip-level: expected 1-9");
  const host = hostTarget();
  const wanted = flag("--targets") ?? "all";
  const targets = wanted === "all" ? TARGETS : wanted.split(",").map((n) => TARGETS.find((t) => t.name === (n === "host" ? host : n)));
  const unknown = wanted.split(",").filter((n, i) => wanted !== "all" && targets[i] === undefined);
  if (unknown.length > 0) return fail(`unknown target ${unknown.join(", ")} (host is ${host ?? "unsupported"}; targets: ${TARGETS.map((t) => t.name).join(", ")})`);
  return release({
    tag: `v${pkg.version}`,
    version: pkg.version,
    bunVersion,
    targets: targets as Target[],
    host,
    outDir: resolve(flag("--out") ?? join(ROOT, "dist/release")),
    runtimesDir: resolve(flag("--runtimes") ?? join(ROOT, "dist/release/.runtimes")),
    baseUrl: (flag("--base-url") ?? DEFAULT_BASE_URL).replace(/\/+$/, ""),
    gzipLevel,
  });
}

interface ReleasePlan {
  readonly tag: string;
  readonly version: string;
  readonly bunVersion: string;
  readonly targets: readonly Target[];
  readonly host: string | undefined;
  readonly outDir: string;
  readonly runtimesDir: string;
  readonly baseUrl: string;
  readonly gzipLevel: number;
}

async function release(plan: ReleasePlan): Promise<number> {
  const tagDir = join(plan.outDir, plan.tag);
  rmSync(tagDir, { recursive: true, force: true });
  mkdirSync(tagDir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), "lifecycle-release-"));
  const started = performance.now();
  let problem: string | null;
  try {
    problem = await buildAssets(plan, tagDir, work);
  } catch (e) {
    problem = e instanceof Error ? e.message : String(e);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (problem !== null) {
    // A half-made release must never be published by mistake.
    rmSync(tagDir, { recursive: true, force: true });
    return fail(`${problem}; nothing kept in ${tagDir}`);
  }
  const latest = join(plan.outDir, "latest");
  rmSync(latest, { force: true, recursive: true });
  symlinkSync(plan.tag, latest);
  process.stdout.write(`release: ${tagDir.startsWith(process.cwd() + "/") ? relative(process.cwd(), tagDir) : tagDir} ready, ${plan.targets.length} target(s) in ${seconds(started)}\n`);
  return 0;
}

/** Builds, compresses and checksums every target into tagDir, then smoke-runs the host asset. null when all went well. */
async function buildAssets(plan: ReleasePlan, tagDir: string, work: string): Promise<string | null> {
  for (const target of plan.targets) {
    const t0 = performance.now();
    const outfile = join(work, target.name, `lifecycle${target.exe}`);
    const buildArgs = ["scripts/build.ts", "--outfile", outfile];
    // The host build runs with the bun in node_modules (and build.ts smoke-runs it); others get their runtime.
    if (target.name !== plan.host) buildArgs.push("--target", `bun-${target.name}`, "--executable-path", runtimeFor(target, plan));
    const built = spawnSync(process.execPath, buildArgs, { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
    if (built.status !== 0) return `build of ${target.name} failed (exit ${built.status})`;
    const asset = join(tagDir, assetName(target));
    await pipeline(createReadStream(outfile), createGzip({ level: plan.gzipLevel }), createWriteStream(asset));
    rmSync(join(work, target.name), { recursive: true, force: true });
    process.stdout.write(`release: ${assetName(target)} ${mib(asset)} (${seconds(t0)})\n`);
  }
  writeInstaller(join(tagDir, "install.sh"), plan.baseUrl);
  writeChecksums(tagDir);
  const host = plan.targets.find((t) => t.name === plan.host);
  if (!host) {
    process.stdout.write(`release: host target (${plan.host ?? "unsupported"}) not built: nothing smoke-ran\n`);
    return null;
  }
  const smoke = await smokeRun(join(tagDir, assetName(host)), plan.version, work);
  if (smoke !== null) return `smoke run of ${assetName(host)} failed: ${smoke}`;
  process.stdout.write(`release: smoke-ran ${assetName(host)} (lifecycle ${plan.version}, env -i)\n`);
  return null;
}

/** lifecycle-<target>.gz; Windows keeps its .exe inside the name so the unpacked file runs. */
function assetName(target: Target): string {
  return `lifecycle-${target.name}${target.exe}.gz`;
}

/** The Bun runtime binary for a foreign target: from the cache, else fetched once with `npm pack` (pinned). */
function runtimeFor(target: Target, plan: ReleasePlan): string {
  const dir = join(plan.runtimesDir, `${target.runtimePackage}-${plan.bunVersion}`);
  const bin = join(dir, "package", "bin", `bun${target.exe}`);
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const spec = `@oven/${target.runtimePackage}@${plan.bunVersion}`;
  process.stdout.write(`release: npm pack ${spec}\n`);
  const packed = spawnSync("npm", ["pack", spec, "--silent", "--pack-destination", dir], { encoding: "utf8" });
  const tarball = packed.stdout?.trim().split("\n").at(-1);
  if (packed.status !== 0 || !tarball) throw new Error(`npm pack ${spec} failed (is the npm registry reachable? --runtimes DIR takes pre-fetched runtimes): ${packed.stderr?.trim()}`);
  const unpacked = spawnSync("tar", ["xzf", join(dir, tarball), "-C", dir], { stdio: "inherit" });
  if (unpacked.status !== 0 || !existsSync(bin)) throw new Error(`unpacking ${tarball} gave no ${bin}`);
  rmSync(join(dir, tarball));
  chmodSync(bin, 0o755);
  return bin;
}

/** Copies scripts/install.sh with its default download base set to `baseUrl`. */
function writeInstaller(path: string, baseUrl: string): void {
  const source = readFileSync(join(ROOT, "scripts/install.sh"), "utf8");
  const line = /^DEFAULT_BASE_URL=.*$/m;
  if (!line.test(source)) throw new Error("scripts/install.sh has no DEFAULT_BASE_URL= line");
  writeFileSync(path, source.replace(line, `DEFAULT_BASE_URL='${baseUrl.replaceAll("'", "")}'`), { mode: 0o755 });
}

/** SHA256SUMS in `sha256sum` format (two spaces, text mode), sorted by file name. */
function writeChecksums(dir: string): void {
  const lines = readdirSync(dir)
    .filter((f) => f !== "SHA256SUMS")
    .sort()
    .map((f) => `${createHash("sha256").update(readFileSync(join(dir, f))).digest("hex")}  ${f}`);
  writeFileSync(join(dir, "SHA256SUMS"), lines.join("\n") + "\n");
}

/** Unpacks the host asset as a user would and runs it with an empty environment. null when it works. */
async function smokeRun(asset: string, version: string, work: string): Promise<string | null> {
  const bin = join(work, "smoke", "lifecycle");
  const project = join(work, "smoke", "project");
  mkdirSync(project, { recursive: true });
  await pipeline(createReadStream(asset), createGunzip(), createWriteStream(bin, { mode: 0o755 }));
  writeFileSync(join(project, "make.toml"), '[project]\nname = "smoke"\n[lifecycle.hello]\ncommand = ["echo", "hello from lifecycle"]\n');
  const versionRun = spawnSync(bin, ["--version"], { encoding: "utf8", env: {} });
  if (versionRun.stdout !== `lifecycle ${version}\n`) return `--version printed ${JSON.stringify(versionRun.stdout + versionRun.stderr)}`;
  const run = spawnSync(bin, ["--root", project, "run", "hello"], { encoding: "utf8", env: {} });
  if (run.status !== 0 || !run.stdout.includes("hello from lifecycle")) return `run hello exited ${run.status}: ${run.stdout}${run.stderr}`;
  return null;
}

/** This machine's target name, or undefined when no release target runs here. */
function hostTarget(): string | undefined {
  const arch = process.arch === "x64" ? "x64" : process.arch === "arm64" ? "arm64" : undefined;
  if (!arch) return undefined;
  if (process.platform === "darwin") return `darwin-${arch}`;
  if (process.platform === "win32") return arch === "x64" ? "windows-x64" : undefined;
  if (process.platform !== "linux") return undefined;
  const musl = readdirSync("/lib").some((f) => f.startsWith("ld-musl-"));
  return `linux-${arch}${musl ? "-musl" : ""}`;
}

function mib(path: string): string {
  return `${(statSync(path).size / 1048576).toFixed(1)} MiB`;
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

function fail(message: string): number {
  process.stderr.write(`release: ${message}\n`);
  return 1;
}

if (import.meta.main) process.exitCode = await main();
