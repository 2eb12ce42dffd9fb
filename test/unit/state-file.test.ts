import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appendRuns } from "../../src/state/append-runs.ts";
import { parseStateText } from "../../src/state/parse-state.ts";
import { serializeState } from "../../src/state/serialize-state.ts";
import { loadState, pruneState, readStateForDisplay, recordTasks, resetState, stateFilePath } from "../../src/state/state-file.ts";
import { emptyState, type RunRecord } from "../../src/state/state-types.ts";

const GGEN_STATE = readFileSync(new URL("../../../shared/ggen/examples/examples__rust-cli-lifecycle.state.json", import.meta.url), "utf8");
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function place(stateText?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "state-file-"));
  dirs.push(dir);
  if (stateText !== undefined) {
    mkdirSync(join(dir, ".ggen"));
    writeFileSync(stateFilePath(dir), stateText);
  }
  return dir;
}

function run(phase: string, success = true, extra: Partial<RunRecord> = {}): RunRecord {
  return { phase, started_ms: 1_800_000_000_000, duration_ms: 12, success, ...extra };
}

const opts = { historyLimit: 1000, runId: "run-1" };
const ggenFiles = (dir: string) => readdirSync(join(dir, ".ggen")).sort();

describe("ggen's state file", () => {
  test("loads with its records, keys and last_phase, without warnings", async () => {
    const { state, warnings } = await loadState(place(GGEN_STATE));
    expect(warnings).toEqual([]);
    expect(state.last_phase).toBe("docs");
    expect(state.phase_history.map((r) => r.phase).slice(0, 3)).toEqual(["setup", "scaffold", "format"]);
    expect(state.phase_history.length).toBe(JSON.parse(GGEN_STATE).phase_history.length);
    expect(state.cache_keys.length).toBe(JSON.parse(GGEN_STATE).cache_keys.length);
  });

  test("serialises back to the same bytes, plus only our version and checksum fields", () => {
    const parsed = parseStateText(GGEN_STATE);
    if (!parsed.ok) throw new Error(parsed.error);
    const text = serializeState(parsed.value);
    const checksumAt = text.lastIndexOf(',\n  "checksum": ');
    expect(text.slice(0, checksumAt)).toBe(GGEN_STATE.replace(/\n}$/, ',\n  "version": 1'));
    const records = parsed.value.phase_history.length;
    const keys = parsed.value.cache_keys.length;
    expect(text.slice(checksumAt)).toMatch(new RegExp(`^,\\n  "checksum": "records=${records} keys=${keys} wyhash=[0-9a-f]{16}"\\n}$`));
  });

  test("appending keeps every original record and key byte-for-byte, in order, and adds ours after", async () => {
    const dir = place(GGEN_STATE);
    const r = await recordTasks(dir, [run("build", true, { status: "success", exit_code: 0, place: "//" })], [{ phase: "build", key: "k1" }], opts);
    expect(r.ok).toBe(true);
    const text = readFileSync(stateFilePath(dir), "utf8");
    // Everything from phase_history up to its last original record is unchanged text.
    const history = GGEN_STATE.slice(GGEN_STATE.indexOf('"phase_history"'), GGEN_STATE.indexOf("\n  ],\n  \"generated\""));
    expect(text.indexOf(history)).toBe(text.indexOf('"phase_history"'));
    const origKeys = GGEN_STATE.slice(GGEN_STATE.indexOf('"cache_keys"'), GGEN_STATE.lastIndexOf("\n  ]"));
    expect(text).toContain(origKeys);
    const saved = JSON.parse(text);
    expect(Object.keys(saved)).toEqual(["last_phase", "phase_history", "generated", "cache_keys", "version", "checksum"]);
    expect(saved.phase_history.slice(0, -1)).toEqual(JSON.parse(GGEN_STATE).phase_history);
    expect(saved.phase_history.at(-1)).toEqual({ phase: "build", started_ms: 1_800_000_000_000, duration_ms: 12, success: true, run_id: "run-1", place: "//", status: "success", exit_code: 0 });
    expect(saved.cache_keys.at(-1)).toEqual({ phase: "build", key: "k1" });
    expect(saved.last_phase).toBe("build");
    expect(readFileSync(`${stateFilePath(dir)}.bak`, "utf8")).toBe(GGEN_STATE);
  });

  test("unknown top-level and record fields survive a write, after ours and before the checksum", async () => {
    const dir = place(JSON.stringify({ phase_history: [{ ...run("a"), note: "x" }], custom: { keep: [1, 2] }, last_phase: "a" }));
    expect((await recordTasks(dir, [run("b")], [], opts)).ok).toBe(true);
    const saved = JSON.parse(readFileSync(stateFilePath(dir), "utf8"));
    expect(saved.custom).toEqual({ keep: [1, 2] });
    expect(saved.phase_history[0].note).toBe("x");
    expect(Object.keys(saved).slice(-2)).toEqual(["custom", "checksum"]);
  });

  test("a file without the arrays ggen required loads as empty lists", async () => {
    const { state, warnings } = await loadState(place('{"last_phase":"build"}'));
    expect(warnings).toEqual([]);
    expect(state).toEqual({ last_phase: "build", phase_history: [], generated: [], cache_keys: [], extra: {} });
  });
});

describe("last_phase", () => {
  test("is the last successful record appended; failures do not move it", () => {
    const s1 = appendRuns(emptyState(), [run("build"), run("test")], [], opts);
    expect(s1.last_phase).toBe("test");
    const s2 = appendRuns(s1, [run("lint"), run("deploy", false)], [], opts);
    expect(s2.last_phase).toBe("lint");
    expect(s2.phase_history.at(-1)).toMatchObject({ phase: "deploy", success: false, run_id: "run-1" });
    expect(appendRuns(s2, [run("deploy", false)], [], opts).last_phase).toBe("lint");
  });
});

describe("bounds", () => {
  test("history keeps the newest historyLimit records; cache_keys too, but never a phase's newest key", async () => {
    const dir = place();
    for (let i = 0; i < 8; i++) {
      const r = await recordTasks(dir, [run(`p${i}`)], [{ phase: i === 0 ? "rare" : "often", key: `k${i}` }], { historyLimit: 5, runId: `r${i}` });
      expect(r.ok).toBe(true);
    }
    const { state } = await loadState(dir);
    expect(state.phase_history.map((r) => r.phase)).toEqual(["p3", "p4", "p5", "p6", "p7"]);
    expect(state.cache_keys.map((k) => k.key)).toEqual(["k0", "k3", "k4", "k5", "k6", "k7"]);
  });

  test("pruneState keeps the newest entries and says how many went", async () => {
    const dir = place();
    await recordTasks(dir, ["a", "b", "c", "d"].map((p) => run(p)), [], opts);
    const pruned = await pruneState(dir, 1);
    expect(pruned.ok && pruned.value.removed).toBe(3);
    expect((await loadState(dir)).state.phase_history.map((r) => r.phase)).toEqual(["d"]);
  });
});

describe("damaged state files (ggen edge cases and more)", () => {
  const corrupt = {
    "invalid JSON": '{ "invalid json syntax"',
    "partial write": '{"last_phase":"build","phase_history":[{',
    "wrong shape: history not an array": '{"phase_history": 5, "generated": [], "cache_keys": []}',
    "wrong shape: record missing success": '{"phase_history": [{"phase":"a","started_ms":1,"duration_ms":1}]}',
    "wrong shape: top-level array": "[]",
  };
  for (const [name, text] of Object.entries(corrupt)) {
    test(`${name}: moved aside, empty state, warning`, async () => {
      const dir = place(text);
      const { state, warnings } = await loadState(dir);
      expect(state).toEqual(emptyState());
      expect(warnings[0]).toMatch(/^\.ggen\/state\.json is corrupt \(.+\); moved to \.ggen\/state\.json\.corrupt-\d+$/);
      const aside = ggenFiles(dir).filter((f) => f.startsWith("state.json.corrupt-"));
      expect(aside.length).toBe(1);
      expect(readFileSync(join(dir, ".ggen", aside[0]!), "utf8")).toBe(text);
      expect(existsSync(stateFilePath(dir))).toBe(false);
    });
  }

  for (const [name, text] of [["0-byte", ""], ["whitespace-only", " \n\t\n"]] as const) {
    test(`${name} file: empty state with a warning, nothing to keep`, async () => {
      const dir = place(text);
      const { state, warnings } = await loadState(dir);
      expect(state).toEqual(emptyState());
      expect(warnings).toEqual([".ggen/state.json was empty", "starting with an empty state"]);
      expect(ggenFiles(dir)).toEqual([]);
    });
  }

  test("an empty state file with a valid backup (a non-durable writer lost its data) uses the backup", async () => {
    const dir = place("");
    writeFileSync(`${stateFilePath(dir)}.bak`, GGEN_STATE);
    const { state, warnings } = await loadState(dir);
    expect(state.last_phase).toBe("docs");
    expect(warnings[0]).toBe(".ggen/state.json was empty");
    expect(warnings[1]).toStartWith("using the backup .ggen/state.json.bak");
  });

  test("the backup is used when the state is corrupt, and the next write builds on it", async () => {
    const dir = place('{"last_phase":"build","phase_history":[{');
    writeFileSync(`${stateFilePath(dir)}.bak`, GGEN_STATE);
    const { state, warnings } = await loadState(dir);
    expect(state.last_phase).toBe("docs");
    expect(warnings[1]).toBe(`using the backup .ggen/state.json.bak (${JSON.parse(GGEN_STATE).phase_history.length} history entries)`);

    writeFileSync(stateFilePath(dir), "{ broken");
    const r = await recordTasks(dir, [run("again")], [], opts);
    expect(r.ok && r.value.warnings.length).toBe(2);
    const saved = JSON.parse(readFileSync(stateFilePath(dir), "utf8"));
    expect(saved.phase_history.length).toBe(JSON.parse(GGEN_STATE).phase_history.length + 1);
    // the corrupt file never becomes the backup
    expect(readFileSync(`${stateFilePath(dir)}.bak`, "utf8")).toBe(GGEN_STATE);
  });

  test("corrupt state and corrupt backup: empty state, both named", async () => {
    const dir = place("nope");
    writeFileSync(`${stateFilePath(dir)}.bak`, "{");
    const { state, warnings } = await loadState(dir);
    expect(state).toEqual(emptyState());
    expect(warnings[1]).toMatch(/^the backup \.ggen\/state\.json\.bak is unusable too \(invalid JSON/);
  });

  test("an unreadable state (a directory) is moved aside too", async () => {
    const dir = place();
    mkdirSync(stateFilePath(dir), { recursive: true });
    const { state, warnings } = await loadState(dir);
    expect(state).toEqual(emptyState());
    expect(warnings[0]).toMatch(/is corrupt \(unreadable: it is a directory\); moved to/);
  });

  test("only the newest five corrupt copies are kept", async () => {
    const dir = place("x");
    for (let i = 0; i < 7; i++) writeFileSync(join(dir, ".ggen", `state.json.corrupt-${1000 + i}`), "x");
    await loadState(dir);
    const copies = ggenFiles(dir).filter((f) => f.includes("corrupt"));
    expect(copies.length).toBe(5);
    expect(copies).not.toContain("state.json.corrupt-1000");
  });

  test("readStateForDisplay shows the backup but moves nothing", () => {
    const dir = place("{ bad");
    writeFileSync(`${stateFilePath(dir)}.bak`, GGEN_STATE);
    const shown = readStateForDisplay(dir);
    expect(shown.source).toBe("backup");
    expect(shown.state.last_phase).toBe("docs");
    expect(readFileSync(stateFilePath(dir), "utf8")).toBe("{ bad");
  });
});

describe("reset and backup", () => {
  test("each write keeps the previous file as state.json.bak", async () => {
    const dir = place();
    await recordTasks(dir, [run("a")], [], opts);
    const first = readFileSync(stateFilePath(dir), "utf8");
    await recordTasks(dir, [run("b")], [], opts);
    expect(readFileSync(`${stateFilePath(dir)}.bak`, "utf8")).toBe(first);
  });

  test("resetState removes state.json and keeps it as the backup", async () => {
    const dir = place(GGEN_STATE);
    const r = await resetState(dir);
    expect(r).toEqual({ ok: true, value: { existed: true } });
    expect(existsSync(stateFilePath(dir))).toBe(false);
    expect(readFileSync(`${stateFilePath(dir)}.bak`, "utf8")).toBe(GGEN_STATE);
    expect(await loadState(dir)).toEqual({ state: emptyState(), warnings: [] });
    expect(await resetState(dir)).toEqual({ ok: true, value: { existed: false } });
  });

  test("messages name paths relative to rootDir", async () => {
    const root = place();
    const ws = join(root, "apps", "api");
    mkdirSync(join(ws, ".ggen"), { recursive: true });
    writeFileSync(stateFilePath(ws), "{");
    expect((await loadState(ws, { rootDir: root })).warnings[0]).toMatch(/^apps\/api\/\.ggen\/state\.json is corrupt/);
  });
});
