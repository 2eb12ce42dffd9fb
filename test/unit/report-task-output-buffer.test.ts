import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { TaskOutputBuffer, type OutputPiece } from "../../src/report/task-output-buffer.ts";

function readAll(buffer: TaskOutputBuffer): OutputPiece[] {
  const next = buffer.reader();
  const pieces: OutputPiece[] = [];
  for (let piece = next(); piece !== null; piece = next()) pieces.push(piece);
  expect(next()).toBeNull();
  return pieces;
}

const ourTempFiles = () => readdirSync(tmpdir()).filter((name) => name.startsWith(`lifecycle-output-${process.pid}-`));

describe("TaskOutputBuffer", () => {
  test("small output stays in memory; consecutive lines of a stream come out joined, order across streams kept", () => {
    const buffer = new TaskOutputBuffer();
    buffer.push("stdout", "a");
    buffer.push("stdout", "b");
    buffer.push("stderr", "c");
    buffer.push("stdout", "d");
    expect(buffer.spilled).toBe(false);
    expect(readAll(buffer)).toEqual([
      { stream: "stdout", text: "a\nb\n" },
      { stream: "stderr", text: "c\n" },
      { stream: "stdout", text: "d\n" },
    ]);
  });

  test("past its memory limit the lines go to an anonymous temp file and still come back whole and in order", () => {
    const buffer = new TaskOutputBuffer(1000);
    const expected: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const stream = i % 7 === 0 ? "stderr" : "stdout";
      const line = `${i}:${"é".repeat(i % 50)}`; // multi-byte characters across read boundaries
      buffer.push(stream, line);
      expected.push(`${stream}|${line}`);
    }
    expect(buffer.spilled).toBe(true);
    expect(ourTempFiles()).toEqual([]); // unlinked as soon as it was opened
    const lines = readAll(buffer).flatMap((piece) => piece.text.slice(0, -1).split("\n").map((line) => `${piece.stream}|${line}`));
    expect(lines).toEqual(expected);
  });

  test("an empty buffer yields nothing", () => {
    expect(readAll(new TaskOutputBuffer())).toEqual([]);
  });
});
