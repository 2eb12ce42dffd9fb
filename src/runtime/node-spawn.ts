import { spawn } from "node:child_process";
import type { Readable } from "node:stream";
import type { ByteReader, ChildProcess, ExitStatus, SpawnRequest } from "./child-process.ts";

/**
 * Starts a child with node:child_process (Deno, Node): `detached: true` is setsid there too.
 * Resolves once the child started, rejects with the spawn error (ENOENT, EACCES, bad cwd) otherwise.
 */
export function spawnWithNode(request: SpawnRequest): Promise<ChildProcess> {
  const [program, ...args] = request.argv;
  if (program === undefined) return Promise.reject(new Error("empty argv"));
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      cwd: request.cwd,
      env: request.env,
      stdio: ["inherit", "pipe", "pipe"],
      detached: true,
    });
    // "exit" (not "close"): the child itself is gone even when a grandchild still holds the pipes.
    const exited = new Promise<ExitStatus>((done) => child.once("exit", (code, signal) => done({ exitCode: code, signal: signal ?? null })));
    child.once("error", reject);
    child.once("spawn", () => {
      child.off("error", reject);
      // Later errors (a failed kill of a dead pid) are not ours to report: the exit status is.
      child.on("error", () => undefined);
      resolve({ pid: child.pid!, stdout: readerOf(child.stdout!), stderr: readerOf(child.stderr!), exited });
    });
  });
}

function readerOf(stream: Readable): ByteReader {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  return {
    async read() {
      const next = await chunks.next();
      return next.done === true ? { done: true } : { done: false, value: next.value };
    },
    async cancel() {
      stream.destroy();
    },
  };
}
