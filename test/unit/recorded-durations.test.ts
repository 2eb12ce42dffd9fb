import { describe, expect, test } from "bun:test";
import { serializeState } from "../../src/state/serialize-state.ts";
import type { RunRecord } from "../../src/state/state-types.ts";
import { recordedDurationMs } from "../../src/workspace/recorded-durations.ts";
import { tempPlaces } from "../helpers/temp-places.ts";

const place = tempPlaces("recorded-durations-");

/** The same state written by a save (with its checksum: read from the newest records) and without it (parsed whole). */
function bothWays(history: RunRecord[]): { readonly saved: string; readonly parsed: string } {
  const text = serializeState({ last_phase: null, phase_history: history, generated: [], cache_keys: [], extra: {} });
  const withoutChecksum = `${text.slice(0, text.lastIndexOf(',\n  "checksum": '))}\n}`;
  expect(withoutChecksum).not.toContain("checksum");
  return { saved: place(text), parsed: place(withoutChecksum) };
}

describe("recordedDurationMs", () => {
  test("a file as a save left it gives what parsing the whole file gives", () => {
    let seed = 11;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const phases = ["build", "test", "lint", "deploy", "never"];
    const pick = (): string => phases[Math.floor(next() * (phases.length - 1))]!;
    for (let i = 0; i < 60; i++) {
      // Up to 200 records: past the 64 newest that are looked at first, so a phase last run long ago is found by parsing the rest.
      const history = Array.from({ length: Math.floor(next() * 200) }, (): RunRecord => ({
        phase: next() < 0.02 ? "deploy" : pick(),
        started_ms: 1_800_000_000_000,
        duration_ms: Math.floor(next() * 5000),
        success: next() < 0.8,
        ...(next() < 0.2 ? { status: "cancelled" } : {}),
      }));
      const { saved, parsed } = bothWays(history);
      const asked = Array.from({ length: 1 + Math.floor(next() * 3) }, () => phases[Math.floor(next() * phases.length)]!);
      expect({ i, ms: recordedDurationMs(saved, asked) }).toEqual({ i, ms: recordedDurationMs(parsed, asked) });
    }
  });

  test("a phase whose last run is older than the newest records is still found", () => {
    const history: RunRecord[] = [{ phase: "deploy", started_ms: 1, duration_ms: 700, success: true }];
    for (let i = 0; i < 100; i++) history.push({ phase: "build", started_ms: 2 + i, duration_ms: 10, success: true });
    const { saved } = bothWays(history);
    expect(recordedDurationMs(saved, ["build"])).toBe(10);
    expect(recordedDurationMs(saved, ["deploy", "build"])).toBe(710);
    expect(recordedDurationMs(saved, ["never"])).toBeUndefined();
  });
});
