// Restores write only the task's own outputs (README "Remote cache"): a cache entry, local or from a
// remote, lists the paths it restores, and whoever can write the store or upload an artifact
// chooses them (and computes the sha256 that goes with them). An entry listing anything else is a
// miss with a warning that names the task and the path; the task runs; nothing is written.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { runCli, type CliResult } from "../helpers/cli.ts";
import { startTurboCacheServer, type RunningServer } from "../helpers/cache-servers.ts";
import { show, taskEnd, withProject, type Project } from "./support.ts";

const BUILD = `[project]
name = "confined"

[lifecycle.build]
commands = ["echo run >> runs.log", "mkdir -p dist", "cat src/a.txt > dist/out.txt", "echo built it"]
cache = true
inputs = ["src/**"]
outputs = ["dist/**"]
`;
const PAYLOAD = '[project]\nname = "overwritten by the cache"\n';
const TOKEN = "confined-token";
const TEAM = "team_confined";

let turbo: RunningServer;
let turboStorage: string;

beforeAll(async () => {
  turboStorage = mkdtempSync(join(tmpdir(), "lifecycle-cache-confined-"));
  turbo = await startTurboCacheServer({ token: TOKEN, storageDir: turboStorage });
});

afterAll(async () => {
  await turbo?.stop();
  rmSync(turboStorage, { recursive: true, force: true });
});

const LOCAL_ONLY = { TURBO_API: undefined, LIFECYCLE_CACHE_SIGNING_KEY: undefined };
const httpEnv = () => ({ TURBO_API: turbo.url, TURBO_TEAM: TEAM, LIFECYCLE_REMOTE_CACHE_TOKEN: TOKEN, LIFECYCLE_CACHE_SIGNING_KEY: undefined });

/** `run build --json --explain` in `dir`: the task's status and the streams. */
async function build(dir: string, env: Record<string, string | undefined>): Promise<CliResult & { status: unknown }> {
  const r = await runCli(["--root", dir, "run", "build", "--json", "--explain"], { env });
  if (r.code !== 0) throw new Error(show(r));
  return { ...r, status: taskEnd(r.stdout, "//#build")?.status };
}

/** How many times the build's commands really ran. */
const runs = (p: Project) => (p.exists("runs.log") ? p.read("runs.log").split("\n").filter(Boolean).length : 0);

/**
 * An artifact (the files' bytes, the header JSON, its length as u32 BE, `LCA1`) with one more file
 * listed: its sha256 is computed here, as anyone able to write the store or upload can.
 */
function withExtraFile(artifact: Buffer, path: string, content: string): Buffer {
  const headerBytes = artifact.readUInt32BE(artifact.length - 8);
  const bodiesEnd = artifact.length - 8 - headerBytes;
  const header = JSON.parse(artifact.subarray(bodiesEnd, artifact.length - 8).toString("utf8")) as { files: unknown[] };
  const body = Buffer.from(content);
  header.files.push({ path, kind: "file", mode: 0o644, size: body.length, sha256: createHash("sha256").update(body).digest("hex") });
  const json = Buffer.from(JSON.stringify(header));
  const footer = Buffer.alloc(8);
  footer.writeUInt32BE(json.length, 0);
  footer.write("LCA1", 4, "latin1");
  return Buffer.concat([artifact.subarray(0, bodiesEnd), body, json, footer]);
}

/** The same for a remote artifact (`LCR1 gzip <sha256> <hmac or ->` and the gzip payload), unsigned. */
function sealedWithExtraFile(envelope: Buffer, path: string, content: string): Buffer {
  const newline = envelope.indexOf(0x0a);
  const payload = gzipSync(withExtraFile(gunzipSync(envelope.subarray(newline + 1)), path, content));
  return Buffer.concat([Buffer.from(`LCR1 gzip ${createHash("sha256").update(payload).digest("hex")} -\n`, "latin1"), payload]);
}

function expectRejected(r: CliResult & { status: unknown }, fingerprint: string, path: string): void {
  const short = fingerprint.slice(0, 12);
  const listed = `the entry lists "${path}", which is not among the task's outputs [dist/**]`;
  expect(r.status).toBe("success");
  expect(r.stderr).toContain(`cache entry ${short} for //#build not used: ${listed}; running the task`);
  expect(r.stderr).toContain(`//#build: cache miss ${short}: a stored result was found but not used: its outputs could not be restored: ${listed}`);
  expect(r.stderr).not.toContain("cache hit");
}

describe("a cache entry is restored only into the task's outputs", () => {
  test("a local entry edited to list make.toml, an input or ../x: a miss with a warning naming the path, the task runs, nothing outside dist/ is written", async () => {
    await withProject(BUILD, async (p) => {
      p.write("src/a.txt", "one\n");
      expect((await build(p.dir, LOCAL_ONLY)).status).toBe("success");
      const entries = join(p.dir, ".ggen", "cache", "entries");
      const [fingerprint] = readdirSync(entries);
      const original = readFileSync(join(entries, fingerprint!));
      const escaped = `../${basename(p.dir)}-escaped`;
      for (const path of ["make.toml", "src/a.txt", escaped]) {
        writeFileSync(join(entries, fingerprint!), withExtraFile(original, path, PAYLOAD));
        rmSync(join(p.dir, "dist"), { recursive: true });
        const before = runs(p);
        expectRejected(await build(p.dir, LOCAL_ONLY), fingerprint!, path);
        expect(runs(p)).toBe(before + 1);
        expect(p.read("make.toml")).toBe(BUILD);
        expect(p.read("src/a.txt")).toBe("one\n");
        expect(existsSync(join(p.dir, escaped))).toBe(false);
        expect(p.read("dist/out.txt")).toBe("one\n");
      }
      // The rejected entry was replaced by the task's own result: the next run is a hit.
      expect((await build(p.dir, LOCAL_ONLY)).status).toBe("cached");
    });
  });

  test("an unsigned hand-made remote artifact listing make.toml: a fresh checkout runs the task and keeps its make.toml", async () => {
    let fingerprint = "";
    await withProject(BUILD, async (p) => {
      p.write("src/a.txt", "one\n");
      expect((await build(p.dir, httpEnv())).status).toBe("success");
      [fingerprint] = readdirSync(join(turboStorage, TEAM)) as [string];
      const stored = join(turboStorage, TEAM, fingerprint);
      writeFileSync(stored, sealedWithExtraFile(readFileSync(stored), "make.toml", PAYLOAD));
    });
    await withProject(BUILD, async (p) => {
      p.write("src/a.txt", "one\n");
      expectRejected(await build(p.dir, httpEnv()), fingerprint, "make.toml");
      expect(runs(p)).toBe(1);
      expect(p.read("make.toml")).toBe(BUILD);
      expect(p.read("dist/out.txt")).toBe("one\n");
    });
  });
});
