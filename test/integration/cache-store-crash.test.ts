// The local store under concurrent writers and under kill -9 (README "Cache"): a reader sees a whole
// entry or none; a crashed writer leaves nothing restorable, only a temp file that is swept later.
import { afterEach, describe, expect, test } from "bun:test";
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { LocalStore } from "../../src/cache/local-store.ts";
import { restoreOutputs } from "../../src/cache/restore-outputs.ts";
import { StatMemo } from "../../src/cache/stat-memo.ts";

const STORE_MODULE = resolve(import.meta.dir, "../../src/cache/local-store.ts");
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), "lifecycle-cache-crash-"));
  dirs.push(dir);
  return dir;
}

/** A bun process running `body` with `LocalStore` imported; `args` are in `argv`. */
function worker(dir: string, name: string, body: string, args: string[]): ChildProcess {
  const script = join(dir, `${name}.ts`);
  writeFileSync(script, `import { LocalStore } from ${JSON.stringify(STORE_MODULE)};\nimport { existsSync, writeFileSync } from "node:fs";\nconst argv = process.argv.slice(2);\n${body}\n`);
  const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "inherit", "inherit"] });
  children.push(child);
  return child;
}

const exited = (child: ChildProcess) => new Promise<number | null>((done) => (child.exitCode !== null || child.signalCode !== null ? done(child.exitCode) : child.once("exit", (code) => done(code))));

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(1);
  }
}

function restoreInto(store: LocalStore, fingerprint: string, placeDir: string) {
  const found = store.lookup(fingerprint);
  if (!found.ok || !found.value) return found.ok ? "missing" : found.error;
  const fd = openSync(found.value.path, "r");
  try {
    const restored = restoreOutputs(fd, found.value.index, { placeDir, rootDirs: [placeDir], outputs: ["out/**"] }, new StatMemo());
    return restored.ok ? "ok" : restored.error;
  } finally {
    closeSync(fd);
  }
}

describe("local store: concurrent writers and crashes", () => {
  test("four processes writing overlapping fingerprints at once leave only whole, verifiable entries", async () => {
    const root = temp();
    const cacheDir = join(root, ".ggen", "cache");
    const gate = join(root, "go");
    const body = `
const [cacheDir, gate, id, payloadDir] = argv;
const store = new LocalStore(cacheDir);
const payload = payloadDir + "/payload-" + id;
writeFileSync(payload, Buffer.alloc(256 * 1024, Number(id)));
while (!existsSync(gate)) await Bun.sleep(1);
for (let i = 0; i < 12; i++) {
  // Half the fingerprints are shared by every writer, half are this writer's own.
  const fp = (i % 2 === 0 ? "0" + String(i).padStart(2, "0") : id + String(i).padStart(2, "0")).padEnd(64, "c");
  const meta = { fingerprint: fp, task: "//#build", createdMs: Date.now(), durationMs: 1, log: [], logDropped: 0 };
  const saved = store.save(fp, meta, [{ path: "out/data.bin", abs: payload }]);
  if (!saved.ok) { console.error(saved.error); process.exit(2); }
  const back = store.lookup(fp);
  if (!back.ok) { console.error(back.error); process.exit(3); }
}
`;
    const writers = ["1", "2", "3", "4"].map((id) => worker(root, `writer-${id}`, body, [cacheDir, gate, id, root]));
    writeFileSync(gate, "");
    expect(await Promise.all(writers.map(exited))).toEqual([0, 0, 0, 0]);
    const store = new LocalStore(cacheDir);
    const entries = store.list();
    expect(entries.length).toBe(6 + 4 * 6);
    for (const entry of entries) {
      const place = join(root, "restore", entry.fingerprint);
      mkdirSync(place, { recursive: true });
      expect(restoreInto(store, entry.fingerprint, place)).toBe("ok");
    }
    expect(readdirSync(join(cacheDir, "tmp"))).toEqual([]);
  });

  test("kill -9 during a store leaves no entry to restore; the temp file is swept and the next store works", async () => {
    const root = temp();
    const cacheDir = join(root, ".ggen", "cache");
    const fingerprint = "d".repeat(64);
    const payload = join(root, "big.bin");
    writeFileSync(payload, Buffer.alloc(96 * 1024 * 1024, 7));
    const body = `
const [cacheDir, fp, payload] = argv;
const meta = { fingerprint: fp, task: "//#build", createdMs: Date.now(), durationMs: 1, log: [], logDropped: 0 };
new LocalStore(cacheDir).save(fp, meta, [{ path: "out/big.bin", abs: payload }]);
`;
    const tmp = join(cacheDir, "tmp");
    const entries = join(cacheDir, "entries");
    const child = worker(root, "writer", body, [cacheDir, fingerprint, payload]);
    await until(() => existsSync(tmp) && readdirSync(tmp).length > 0, "the writer's temp file");
    const completedBeforeKill = existsSync(entries) && readdirSync(entries).length > 0;
    child.kill("SIGKILL");
    await exited(child);
    expect(completedBeforeKill).toBe(false);
    const store = new LocalStore(cacheDir);
    expect(store.lookup(fingerprint)).toEqual({ ok: true, value: undefined });
    expect(readdirSync(tmp).length).toBe(1);
    expect(store.sweepTemps()).toBe(1);
    expect(readdirSync(tmp)).toEqual([]);
    const meta = { fingerprint, task: "//#build", createdMs: 1, durationMs: 1, log: [], logDropped: 0 };
    expect(store.save(fingerprint, meta, [{ path: "out/big.bin", abs: payload }]).ok).toBe(true);
    const place = join(root, "place");
    mkdirSync(place);
    expect(restoreInto(store, fingerprint, place)).toBe("ok");
  });
});
