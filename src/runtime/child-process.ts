/**
 * The runtime-neutral shape of a started command. Bun and the node: built-ins (Deno, Node) each
 * provide one; the rest of the code never names a runtime API for processes.
 */

/** Where a command starts and with what environment; the runtime adds nothing to it. */
export interface SpawnRequest {
  /** Program and arguments; argv[0] is looked up on the env's PATH (or the parent's) when it has no "/". */
  readonly argv: readonly string[];
  readonly cwd: string;
  /** The complete environment of the child: it replaces the parent's. */
  readonly env: Readonly<Record<string, string>>;
}

/** One read from a pipe: a chunk of bytes, or the end of the stream. */
export type ReadResult = { readonly done: true; readonly value?: Uint8Array | undefined } | { readonly done: false; readonly value: Uint8Array };

/** The reading end of a child's stdout or stderr. */
export interface ByteReader {
  /** The next chunk; `done` once every writer has closed the pipe (grandchildren included) or after cancel. */
  read(): Promise<ReadResult>;
  /** Stops reading and closes our end; a pending read ends. Never rejects. */
  cancel(): Promise<void>;
}

/** How the child itself ended. Exactly one of the two is set. */
export interface ExitStatus {
  readonly exitCode: number | null;
  /** e.g. "SIGTERM" when a signal ended it. */
  readonly signal: string | null;
}

/**
 * A started child. It is the leader of a new session and process group (setsid), so its group id is
 * its pid and `process.kill(-pid, sig)` reaches everything it starts. stdin is inherited.
 */
export interface ChildProcess {
  readonly pid: number;
  readonly stdout: ByteReader;
  readonly stderr: ByteReader;
  /** Resolves when the child itself has exited, even while others in its group still hold the pipes. */
  readonly exited: Promise<ExitStatus>;
}

/** Starts a child; rejects (with the system error, `code` set: ENOENT, EACCES...) when it cannot be started. */
export type SpawnChild = (request: SpawnRequest) => Promise<ChildProcess>;
