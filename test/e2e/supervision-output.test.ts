// Child output through the binary (product.md 5, --output): the three modes, whole lines under
// concurrency, live streaming, bounded memory for huge output, and backpressure from a slow reader.
import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY } from "../helpers/cli.ts";
import { expectExit, withProject, type Project } from "./support.ts";
import { startLifecycle, startLive } from "./supervision-support.ts";

const LINES = 3000;
/** Line i of workspace w: `w-i-xxxx…`, 100 to ~8,000 characters long, so lines straddle pipe chunks. */
const lengthOf = (i: number) => 100 + ((i * 7919) % 7900);

/**
 * Two workspaces that wait for each other (gate files), then both print LINES long lines at once.
 * awk writes through its own buffer, so the bytes reach lifecycle in chunks that cut lines anywhere.
 */
const EMITTER = `[project]
name = "out"
[workspace.a]
path = "a"
[workspace.b]
path = "b"
[lifecycle.emit]
parallel = true
command = '''
touch "$LIFECYCLE_ROOT/ready-$LIFECYCLE_WORKSPACE"
while [ ! -f "$LIFECYCLE_ROOT/ready-a" ] || [ ! -f "$LIFECYCLE_ROOT/ready-b" ]; do sleep 0.02; done
awk -v w="$LIFECYCLE_WORKSPACE" -v n=${LINES} 'BEGIN { pad = sprintf("%8000s", ""); gsub(/ /, "x", pad); for (i = 0; i < n; i++) { if (i % 2 == 0) print w "-" i "-" substr(pad, 1, 100 + (i * 7919) % 7900); else print w "-" i "-" substr(pad, 1, 100 + (i * 7919) % 7900) > "/dev/stderr" } }'
'''
`;

function emitterProject(p: Project): void {
  mkdirSync(join(p.dir, "a"));
  mkdirSync(join(p.dir, "b"));
}

/** Checks one payload `w-i-xxx` and returns [w, i]; throws naming the broken line otherwise. */
function parsePayload(payload: string): [string, number] {
  const m = /^([ab])-(\d+)-(x+)$/.exec(payload);
  if (!m) throw new Error(`broken line: ${JSON.stringify(payload.slice(0, 120))}… (${payload.length} chars)`);
  const i = Number(m[2]);
  if (m[3]!.length !== lengthOf(i)) throw new Error(`line ${m[1]}-${i} has ${m[3]!.length} x, expected ${lengthOf(i)}`);
  return [m[1]!, i];
}

/** Every line of both workspaces arrived exactly once, whole, in each workspace's own order per stream. */
function expectAllLines(seen: Array<[string, number]>): void {
  for (const w of ["a", "b"]) {
    const mine = seen.filter(([x]) => x === w).map(([, i]) => i);
    expect(mine.length).toBe(LINES);
    const evens = mine.filter((i) => i % 2 === 0);
    const odds = mine.filter((i) => i % 2 === 1);
    expect(evens).toEqual([...evens].sort((x, y) => x - y));
    expect(odds).toEqual([...odds].sort((x, y) => x - y));
  }
}

describe("--output modes with two workspaces printing at the same time", () => {
  test("prefix (the default for parallel workspaces): every line whole, prefixed with its own task id", async () => {
    await withProject(EMITTER, async (p) => {
      emitterProject(p);
      const r = await p.lc("run", "emit", "--concurrency", "2");
      expectExit(r, 0);
      const seen: Array<[string, number]> = [];
      for (const line of (r.stdout + r.stderr).split("\n")) {
        const m = /^([ab])#emit \| (.*)$/.exec(line);
        if (!m) continue;
        const [w, i] = parsePayload(m[2]!);
        expect(w).toBe(m[1]!);
        seen.push([w, i]);
      }
      expectAllLines(seen);
    });
  }, 60_000);

  test("stream: raw lines, each still whole (never two tasks' bytes on one line)", async () => {
    await withProject(EMITTER, async (p) => {
      emitterProject(p);
      const r = await p.lc("run", "emit", "--concurrency", "2", "--output", "stream");
      expectExit(r, 0);
      const payloads = (r.stdout + r.stderr).split("\n").filter((line) => /^[ab]-\d/.test(line) || line.includes("xxxx"));
      expectAllLines(payloads.map(parsePayload));
    });
  }, 60_000);

  test("grouped: each task's lines form one block after its header, stdout and stderr lines on their streams", async () => {
    await withProject(EMITTER, async (p) => {
      emitterProject(p);
      const r = await p.lc("run", "emit", "--concurrency", "2", "--output", "grouped");
      expectExit(r, 0);
      const lines = r.stdout.split("\n");
      for (const w of ["a", "b"]) {
        const header = lines.indexOf(`── ${w}#emit (success) ──`);
        expect(header).toBeGreaterThanOrEqual(0);
        const block = lines.slice(header + 1, header + 1 + LINES / 2);
        expect(block.map((line) => parsePayload(line))).toEqual(Array.from({ length: LINES / 2 }, (_, k) => [w, 2 * k]));
      }
      const errs = r.stderr.split("\n").filter((line) => line.includes("xxxx")).map(parsePayload);
      for (const w of ["a", "b"]) expect(errs.filter(([x]) => x === w).map(([, i]) => i)).toEqual(Array.from({ length: LINES / 2 }, (_, k) => 2 * k + 1));
    });
  }, 60_000);
});

describe("live output", () => {
  // The command prints a line, then waits for a file that the test creates only after it has seen
  // that line on lifecycle's stdout: if output were held back until the command ends, this never finishes.
  const GATED = `[project]
name = "live"
[lifecycle.serve]
timeout = "20s"
command = "echo first-line; while [ ! -f gate ]; do sleep 0.02; done; echo after-gate"
`;
  for (const args of [[], ["--output", "prefix"], ["--json"]]) {
    test(`a line appears while its command still runs (${args.join(" ") || "stream"})`, async () => {
      await withProject(GATED, async (p) => {
        const run = startLifecycle(p.dir, ...args, "run", "serve");
        await run.waitFor(/first-line/, "stdout");
        writeFileSync(join(p.dir, "gate"), "");
        const done = await run.done;
        expect(done.code).toBe(0);
        expect(done.stdout).toContain("after-gate");
      });
    }, 30_000);
  }
});

describe("huge output, bounded memory", () => {
  // 200 MB in 2,000,000 lines; the next phase prints lifecycle's peak resident memory (VmHWM of its parent).
  const BIG = `[project]
name = "big"
[lifecycle.big]
command = "yes 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789 | head -n 2000000"
[lifecycle.hwm]
depends_on = ["big"]
command = "grep VmHWM /proc/$PPID/status > hwm.txt"
`;
  const peakMb = (p: Project): number => Number(/VmHWM:\s+(\d+) kB/.exec(p.read("hwm.txt"))![1]) / 1024;

  for (const mode of ["stream", "prefix", "grouped"]) {
    test(`200 MB of output (--output ${mode}) leaves lifecycle's peak memory far below the output size`, async () => {
      await withProject(BIG, async (p) => {
        const run = startLive(["sh", "-c", `"${BINARY}" --root "${p.dir}" run hwm --output ${mode} | wc -l`]);
        const done = await run.done;
        expect(done.code).toBe(0);
        // 2,000,000 lines plus the `Running phase:` lines (and the grouped header).
        expect(Number(done.stdout.trim())).toBeGreaterThanOrEqual(2_000_000);
        console.log(`--output ${mode}: peak RSS ${peakMb(p).toFixed(1)} MB for 200 MB of output`);
        expect(peakMb(p)).toBeLessThan(160);
      });
    }, 120_000);
  }

  test("a reader that stalls (lifecycle's stdout is a full pipe) slows the command instead of growing memory", async () => {
    await withProject(BIG, async (p) => {
      // The reader does not read for 2 s, then reads everything. Without backpressure lifecycle would
      // have taken in the whole 200 MB meanwhile (it reads it in about 1 s); the bound is on memory only.
      const run = startLive(["sh", "-c", `"${BINARY}" --root "${p.dir}" run hwm | { sleep 2; wc -l; }`]);
      const done = await run.done;
      expect(done.code).toBe(0);
      expect(Number(done.stdout.trim())).toBeGreaterThanOrEqual(2_000_000);
      console.log(`stalled reader: peak RSS ${peakMb(p).toFixed(1)} MB for 200 MB of output`);
      expect(peakMb(p)).toBeLessThan(160);
    });
  }, 120_000);

  test("a reader that goes away (`| head -1`) does not hang or crash the run: the rest of the output is dropped", async () => {
    await withProject(BIG, async (p) => {
      const run = startLive(["sh", "-c", `"${BINARY}" --root "${p.dir}" run hwm | head -n 1`]);
      const done = await run.done;
      expect(done.code).toBe(0);
      expect(readFileSync(join(p.dir, "hwm.txt"), "utf8")).toContain("VmHWM");
    });
  }, 120_000);
});
