// spawnCommand's outputReady (backpressure from lifecycle's own stdout): while it holds, the pipes are
// not read; output left in a pipe when the command exits is still delivered; a stop never hangs on it.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnCommand, type SpawnOptions } from "../../src/execute/spawn.ts";
import { spawnOptions } from "../helpers/spawn-options.ts";

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "lifecycle-exec-backpressure-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function options(script: string, extra: Partial<SpawnOptions>): SpawnOptions {
  return spawnOptions(dir, { kind: "shell", script }, extra);
}

/** Resolves once `path` exists, checking every 10 ms. */
async function fileAppears(path: string): Promise<void> {
  while (!existsSync(path)) await Bun.sleep(10);
}

test("output still in the pipe when the command exits is delivered in full, however long our reader is held up", async () => {
  // ~29 KB: fits in the pipe, so the command exits while most of it is unread.
  const exited = join(dir, "exited-1");
  const lines: string[] = [];
  let held: Promise<void> | undefined;
  const result = await spawnCommand(
    options(`seq 1 6000; touch ${exited}`, {
      onLine: (_stream, line) => lines.push(line),
      // The reader is held until well after the command exited (longer than any drain allowance).
      outputReady: () => (held ??= fileAppears(exited).then(() => Bun.sleep(1500))),
    }),
  );
  expect(result.exitCode).toBe(0);
  expect(lines.length).toBe(6000);
  expect(lines.at(-1)).toBe("6000");
}, 20_000);

test("while outputReady holds, the command is blocked on its full pipe: it cannot run ahead of our output", async () => {
  const finished = join(dir, "finished-2");
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let sawFirst!: () => void;
  const first = new Promise<void>((resolve) => (sawFirst = resolve));
  const done = spawnCommand(
    options(`seq 1 200000; touch ${finished}`, {
      onLine: (_stream, line) => line === "1" && sawFirst(),
      outputReady: () => gate,
    }),
  );
  await first;
  // 1.3 MB of output cannot fit in a pipe: with the reader held, the command never reaches its end.
  // (Unthrottled, seq finishes in milliseconds; half a second of absence is the bound of this check.)
  await Promise.race([fileAppears(finished), Bun.sleep(500)]);
  expect(existsSync(finished)).toBe(false);
  release();
  const result = await done;
  expect(result.exitCode).toBe(0);
  expect(existsSync(finished)).toBe(true);
}, 20_000);

test("a stop while our output is stalled forever still ends the command and returns", async () => {
  const controller = new AbortController();
  const result = await spawnCommand(
    options("seq 1 1000000", {
      signal: controller.signal,
      killGraceMs: 100,
      onLine: () => controller.abort("SIGTERM"),
      outputReady: () => new Promise<void>(() => {}), // never drains
    }),
  );
  expect(result.cancelled).toBe(true);
}, 20_000);
