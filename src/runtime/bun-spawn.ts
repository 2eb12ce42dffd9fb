/// <reference types="bun-types" />
import type { ByteReader, ChildProcess, SpawnRequest } from "./child-process.ts";
import { openPipeMaker, type PolledPipe } from "./polled-pipe.ts";

/** Starts a child with Bun.spawn (detached: setsid). Only called when running on Bun. */
export async function spawnWithBun(request: SpawnRequest): Promise<ChildProcess> {
  // Bun.spawn throws synchronously when exec or chdir fails; inside an async function that is a rejection.
  const [program = "", ...args] = request.argv;
  const path = resolveProgram(program, request.env.PATH);
  const pipes = polledPipes();
  let proc;
  try {
    proc = Bun.spawn([path ?? program, ...args], {
      // The program sees the name it was given as argv[0] ("sh: 1: x: not found"), not the resolved path.
      ...(path === undefined ? {} : { argv0: program }),
      cwd: request.cwd,
      env: request.env,
      stdin: "inherit",
      stdout: pipes?.stdout.writeFd ?? "pipe",
      stderr: pipes?.stderr.writeFd ?? "pipe",
      detached: true,
    });
  } catch (error) {
    if (pipes) for (const pipe of [pipes.stdout, pipes.stderr]) void pipe.reader.cancel();
    throw error;
  } finally {
    pipes?.stdout.closeWriteEnd();
    pipes?.stderr.closeWriteEnd();
  }
  const exited = proc.exited.then(() => ({
    exitCode: proc.exitCode,
    // `exited` resolves to 128+n on a signal death; exitCode/signalCode tell the two apart.
    signal: typeof proc.signalCode === "number" ? `signal ${proc.signalCode}` : (proc.signalCode ?? null),
  }));
  if (pipes === null) return { pid: proc.pid, stdout: readerOf(proc.stdout as ReadableStream<Uint8Array>), stderr: readerOf(proc.stderr as ReadableStream<Uint8Array>), exited };
  // The child's exit usually closes the pipes' last writers: look now instead of at the next poll.
  void exited.then(() => {
    pipes.stdout.reader.wake();
    pipes.stderr.reader.wake();
  });
  return { pid: proc.pid, stdout: pipes.stdout.reader, stderr: pipes.stderr.reader, exited };
}

/** A polled pipe for stdout and one for stderr, or null to use Bun's own pipes (not Linux, or no pipe to be had). */
function polledPipes(): { readonly stdout: PolledPipe; readonly stderr: PolledPipe } | null {
  const maker = openPipeMaker();
  const stdout = maker?.create() ?? null;
  const stderr = stdout === null ? null : maker!.create();
  if (stdout === null || stderr === null) {
    if (stdout !== null) {
      stdout.closeWriteEnd();
      void stdout.reader.cancel();
    }
    return null;
  }
  return { stdout, stderr };
}

function readerOf(stream: ReadableStream<Uint8Array>): ByteReader {
  const reader = stream.getReader();
  return {
    read: () => reader.read(),
    cancel: () => reader.cancel().catch(() => undefined),
  };
}

/** Per PATH (null: it has relative entries), the programs found on it: a run spawns the same shell thousands of times. */
const found = new Map<string, Map<string, string> | null>();

/**
 * The absolute path Bun would exec for a bare program name, looked up once per PATH instead of on every
 * spawn (each lookup is a stat per PATH entry). undefined leaves the lookup to Bun: a name with a "/",
 * a PATH with relative entries (those depend on the cwd), or a name not found (Bun reports it).
 * Keyed by the PATH string itself, whose hash the engine keeps: no string is built per spawn.
 */
function resolveProgram(program: string, path: string | undefined): string | undefined {
  if (path === undefined || program.includes("/")) return undefined;
  let programs = found.get(path);
  if (programs === undefined) {
    programs = path.split(":").every((dir) => dir.startsWith("/")) ? new Map() : null;
    found.set(path, programs);
  }
  if (programs === null) return undefined;
  let resolved = programs.get(program);
  if (resolved === undefined) {
    resolved = Bun.which(program, { PATH: path }) ?? undefined;
    if (resolved !== undefined) programs.set(program, resolved);
  }
  return resolved;
}
