import { describe, expect, test } from "bun:test";
import { commandFailedMessage, formatTimeout, missingCommand, timedOutMessage } from "../../src/execute/failure-message.ts";
import type { ProcessResult } from "../../src/execute/outcome.ts";

const result = (fields: Partial<ProcessResult>): ProcessResult => ({
  exitCode: null,
  signal: null,
  timedOut: false,
  cancelled: false,
  durationMs: 5,
  stderrTail: [],
  ...fields,
});

describe("commandFailedMessage", () => {
  test("keeps ggen's two lines, with the real phase, then the stderr tail", () => {
    const message = commandFailedMessage("build", "make all", result({ exitCode: 3, stderrTail: ["oops", "bad"] }));
    expect(message).toBe(
      "Command failed in phase 'build': make all\n  Exit code: 3\n  Stderr (last lines):\n    oops\n    bad",
    );
  });

  test("names the signal when the process was killed", () => {
    const message = commandFailedMessage("test", "run", result({ signal: "SIGSEGV" }));
    expect(message).toBe("Command failed in phase 'test': run\n  Signal: SIGSEGV");
  });

  test("says what could not be started", () => {
    const message = commandFailedMessage("build", "nope --x", result({ exitCode: 127, spawnError: "command not found: nope" }));
    expect(message).toBe("Command failed in phase 'build': nope --x\n  Error: command not found: nope\n  Exit code: 127");
  });

  test("turns a shell's exit 127 complaint into 'command not found'", () => {
    const message = commandFailedMessage("lint", "nope --x", result({ exitCode: 127, stderrTail: ["sh: 1: nope: not found"] }));
    expect(message).toContain("  Error: command not found: nope\n  Exit code: 127");
  });
});

test("timedOutMessage names the limit, the phase and the command", () => {
  const message = timedOutMessage("build", "sleep 9", 5000, result({ signal: "SIGTERM", stderrTail: ["slow"] }));
  expect(message).toBe(
    "Command timed out after 5s in phase 'build': sleep 9\n  Stopped with: SIGTERM\n  Stderr (last lines):\n    slow",
  );
});

test("formatTimeout", () => {
  expect(formatTimeout(250)).toBe("250ms");
  expect(formatTimeout(5000)).toBe("5s");
  expect(formatTimeout(1500)).toBe("1.5s");
  expect(formatTimeout(300_000)).toBe("300s");
});

test("missingCommand understands dash, bash and zsh", () => {
  expect(missingCommand(["sh: 1: frobnicate: not found"])).toBe("frobnicate");
  expect(missingCommand(["bash: line 1: frobnicate: command not found"])).toBe("frobnicate");
  expect(missingCommand(["zsh:1: command not found: frobnicate"])).toBe("frobnicate");
  expect(missingCommand(["error: file not found somewhere"])).toBeUndefined();
  expect(missingCommand([])).toBeUndefined();
});
