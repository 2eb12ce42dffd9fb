import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { appendInPlace } from "../../src/state/append-in-place.ts";
import { appendRuns } from "../../src/state/append-runs.ts";
import { parseStateText } from "../../src/state/parse-state.ts";
import { serializeState } from "../../src/state/serialize-state.ts";
import { recordTasks, stateFilePath } from "../../src/state/state-file.ts";
import type { CacheKeyEntry, RunRecord, StateFile } from "../../src/state/state-types.ts";
import { tempPlaces } from "../helpers/temp-places.ts";

const GGEN_STATE = readFileSync(new URL("../../../shared/ggen/examples/examples__rust-cli-lifecycle.state.json", import.meta.url), "utf8");
const place = tempPlaces("state-append-");

function run(phase: string, success = true, extra: Partial<RunRecord> = {}): RunRecord {
  return { phase, started_ms: 1_800_000_000_000, duration_ms: 12, success, ...extra };
}

/** What a save gives the slow way: parse, append, serialise. */
function parsedAndAppended(text: string, records: readonly RunRecord[], keys: readonly CacheKeyEntry[], options: { historyLimit: number; runId: string }): string {
  const parsed = parseStateText(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return serializeState(appendRuns(parsed.value, records, keys, options));
}

/** A small deterministic generator, so a failure names a case that can be run again. */
function generator(seed: number) {
  let s = seed;
  const next = (): number => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  // Strings that look like the layout the splice relies on, or need escaping.
  const texts = ["build", "test", 'a "quoted" word', "two\nlines", "\n    },\n    {", ',\n  "generated": ', "ünï ☃ 😀", "\\", ""];
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const record = (): RunRecord => {
    const r: Record<string, unknown> = { phase: pick(texts), started_ms: Math.floor(next() * 1e12), duration_ms: Math.floor(next() * 1e4), success: next() < 0.7 };
    if (next() < 0.5) r["run_id"] = pick(texts);
    if (next() < 0.5) r["place"] = pick(texts);
    if (next() < 0.3) r["error"] = pick(texts);
    if (next() < 0.3) r["exit_code"] = next() < 0.5 ? null : 1;
    if (next() < 0.2) r["nested"] = { list: [1, { deeper: pick(texts) }], empty: {}, none: [] };
    return r as unknown as RunRecord;
  };
  const key = (): CacheKeyEntry => ({ phase: pick(texts), key: pick(texts) });
  const some = <T>(max: number, make: () => T): T[] => Array.from({ length: Math.floor(next() * (max + 1)) }, make);
  return { next, pick, record, key, some, texts };
}

describe("appendInPlace", () => {
  test("gives the same bytes as parsing, appending and serialising, for any state a save writes", () => {
    const g = generator(7);
    let inPlace = 0;
    for (let i = 0; i < 600; i++) {
      const extra: Record<string, unknown> = {};
      if (g.next() < 0.3) extra["custom"] = { keep: [1, 2], text: g.pick(g.texts) };
      const integerKey = g.next() < 0.1;
      if (integerKey) extra["7"] = "an integer-like key, which the engine prints first";
      const state: StateFile = {
        last_phase: g.next() < 0.3 ? null : g.pick(g.texts),
        phase_history: g.some(8, g.record),
        generated: g.next() < 0.3 ? [g.pick(g.texts)] : [],
        cache_keys: g.some(4, g.key),
        extra,
        ...(g.next() < 0.2 ? { version: 2 } : {}),
      };
      const text = serializeState(state);
      const records = g.some(3, g.record);
      const keys = g.some(2, g.key);
      const options = { historyLimit: g.pick([0, 1, 2, 3, 5, 100, Infinity]), runId: g.pick(["run-1", "run-2"]) };
      const spliced = appendInPlace(Buffer.from(text), records, keys, options);
      const expected = parsedAndAppended(text, records, keys, options);
      if (integerKey) {
        // Such a key comes before last_phase in the file: not the layout the splice knows, so it declines.
        expect(spliced).toBeNull();
        continue;
      }
      expect({ i, text: spliced === null ? null : Buffer.from(spliced).toString("utf8") }).toEqual({ i, text: expected });
      inPlace++;
    }
    expect(inPlace).toBeGreaterThan(500);
  });

  test("drops the oldest records at the history limit and keeps the newest in order", () => {
    const history = Array.from({ length: 5 }, (_, i) => run(`p${i}`));
    const text = serializeState({ last_phase: "p4", phase_history: history, generated: [], cache_keys: [], extra: {} });
    const spliced = appendInPlace(Buffer.from(text), [run("p5"), run("p6", false)], [], { historyLimit: 5, runId: "run-1" });
    const saved = JSON.parse(Buffer.from(spliced!).toString("utf8"));
    expect(saved.phase_history.map((r: RunRecord) => r.phase)).toEqual(["p2", "p3", "p4", "p5", "p6"]);
    expect(saved.last_phase).toBe("p5");
    expect(saved.checksum).toMatch(/^records=5 keys=0 wyhash=[0-9a-f]{16}$/);
  });

  test("declines a file changed after its save (a byte of it or a count in its checksum), a truncated one, and one without a checksum", () => {
    const text = serializeState({ last_phase: "build", phase_history: [run("build")], generated: [], cache_keys: [], extra: {} });
    const edited = text.replace('"duration_ms": 12', '"duration_ms": 13');
    expect(edited).not.toBe(text);
    const options = { historyLimit: 1000, runId: "run-1" };
    expect(appendInPlace(Buffer.from(edited), [run("test")], [], options)).toBeNull();
    expect(appendInPlace(Buffer.from(text.slice(0, -10)), [run("test")], [], options)).toBeNull();
    expect(text).toContain('"records=1 keys=0 ');
    expect(appendInPlace(Buffer.from(text.replace('"records=1 keys=0 ', '"records=2 keys=0 ')), [run("test")], [], options)).toBeNull();
    expect(appendInPlace(Buffer.from(GGEN_STATE), [run("test")], [], options)).toBeNull();
    expect(appendInPlace(Buffer.from(text), [run("test")], [], options)).not.toBeNull();
  });
});

describe("saving with the splice", () => {
  test("ggen's file is parsed once; the file that save leaves is appended to in place, with nothing lost", async () => {
    const dir = place(GGEN_STATE);
    const options = { historyLimit: 1000, runId: "run-1" };
    expect((await recordTasks(dir, [run("build")], [{ phase: "build", key: "k1" }], options)).ok).toBe(true);
    const afterFirst = readFileSync(stateFilePath(dir));
    expect(appendInPlace(afterFirst, [], [], options)).not.toBeNull();
    expect((await recordTasks(dir, [run("test", false)], [{ phase: "test", key: "k2" }], options)).ok).toBe(true);
    const text = readFileSync(stateFilePath(dir), "utf8");
    expect(text).toBe(parsedAndAppended(afterFirst.toString("utf8"), [run("test", false)], [{ phase: "test", key: "k2" }], options));
    const saved = JSON.parse(text);
    const ggen = JSON.parse(GGEN_STATE);
    expect(saved.phase_history.length).toBe(ggen.phase_history.length + 2);
    expect(saved.phase_history.slice(0, -2)).toEqual(ggen.phase_history);
    expect(saved.cache_keys.slice(-2)).toEqual([{ phase: "build", key: "k1" }, { phase: "test", key: "k2" }]);
    expect(saved.last_phase).toBe("build");
    expect(readFileSync(`${stateFilePath(dir)}.bak`)).toEqual(afterFirst);
  });

  test("a hand edit after a save is kept: the edited file goes through the parser", async () => {
    const options = { historyLimit: 1000, runId: "run-1" };
    const dir = place(serializeState({ last_phase: "build", phase_history: [run("build")], generated: [], cache_keys: [], extra: {} }));
    const edited = readFileSync(stateFilePath(dir), "utf8").replace('"duration_ms": 12', '"duration_ms": 99');
    writeFileSync(stateFilePath(dir), edited);
    expect((await recordTasks(dir, [run("test")], [], options)).ok).toBe(true);
    const saved = JSON.parse(readFileSync(stateFilePath(dir), "utf8"));
    expect(saved.phase_history.map((r: RunRecord) => [r.phase, r.duration_ms])).toEqual([
      ["build", 99],
      ["test", 12],
    ]);
  });
});
