/// <reference types="bun-types" />
import type { ByteReader, ChildProcess, SpawnRequest } from "./child-process.ts";

/** Starts a child with Bun.spawn (detached: setsid). Only called when running on Bun. */
export async function spawnWithBun(request: SpawnRequest): Promise<ChildProcess> {
  // Bun.spawn throws synchronously when exec or chdir fails; inside an async function that is a rejection.
  const proc = Bun.spawn([...request.argv], {
    cwd: request.cwd,
    env: request.env,
    stdin: "inherit",
    stdout: "pipe",
    stderr: "pipe",
    detached: true,
  });
  return {
    pid: proc.pid,
    stdout: readerOf(proc.stdout),
    stderr: readerOf(proc.stderr),
    // `exited` resolves to 128+n on a signal death; exitCode/signalCode tell the two apart.
    exited: proc.exited.then(() => ({
      exitCode: proc.exitCode,
      signal: typeof proc.signalCode === "number" ? `signal ${proc.signalCode}` : (proc.signalCode ?? null),
    })),
  };
}

function readerOf(stream: ReadableStream<Uint8Array>): ByteReader {
  const reader = stream.getReader();
  return {
    read: () => reader.read(),
    cancel: () => reader.cancel().catch(() => undefined),
  };
}
