import { openArtifact, sealArtifact } from "./remote-envelope.ts";
import type { RemoteBackend, RemoteFailure } from "./remote-backend.ts";

/** `--remote-cache`: read and write, read only, or not at all. */
export type RemoteMode = "rw" | "r" | "off";

export interface RemoteCacheOptions {
  readonly backends: readonly RemoteBackend[];
  readonly mode: RemoteMode;
  /** Bound on each request; a slower remote is treated as down. */
  readonly timeoutMs: number;
  readonly signingKey?: string;
  readonly warn: (message: string) => void;
}

/** A remote had an artifact for the fingerprint that failed verification (for --explain). */
export interface RejectedArtifact {
  readonly rejected: string;
}

/** A verified artifact fetched from a remote. */
export interface RemoteHit {
  readonly artifact: Uint8Array;
  readonly from: string;
}

/**
 * The remote caches of one run. A remote that fails on credentials or is down/slow is switched
 * off for the rest of the run after one warning (so a dead server costs one timeout, not one per
 * task); the task then runs as on a miss. An artifact that fails verification is a miss with a
 * warning. Nothing here ever fails a run. Uploads run in the background; `flush` waits for them.
 */
export class RemoteCache {
  private readonly disabled = new Set<RemoteBackend>();
  private readonly pending = new Set<Promise<void>>();
  uploads = 0;

  constructor(private readonly options: RemoteCacheOptions) {}

  get readable(): boolean {
    return this.options.mode !== "off" && this.live().length > 0;
  }

  get writable(): boolean {
    return this.options.mode === "rw" && this.live().length > 0;
  }

  /** The first verified artifact any remote has for `fingerprint`; else why the first one found was rejected, or undefined. */
  async fetch(fingerprint: string): Promise<RemoteHit | RejectedArtifact | undefined> {
    if (this.options.mode === "off") return undefined;
    let rejected: RejectedArtifact | undefined;
    for (const backend of this.live()) {
      const got = await backend.get(fingerprint, AbortSignal.timeout(this.options.timeoutMs));
      if (!got.ok) {
        this.fail(backend, got.error);
        continue;
      }
      if (got.value === undefined) continue;
      const opened = openArtifact(got.value, fingerprint, this.options.signingKey);
      if (!opened.ok) {
        this.options.warn(`remote cache ${backend.label}: artifact ${fingerprint.slice(0, 12)} rejected: ${opened.error}; running the task`);
        rejected ??= { rejected: `the artifact from ${backend.label} was rejected: ${opened.error}` };
        continue;
      }
      return { artifact: opened.value, from: backend.label };
    }
    return rejected;
  }

  /** Seals and uploads an artifact to every writable remote, in the background. */
  upload(fingerprint: string, artifact: Uint8Array, durationMs: number): void {
    if (!this.writable) return;
    const sealed = sealArtifact(artifact, fingerprint, this.options.signingKey);
    for (const backend of this.live()) {
      const job = backend.put(fingerprint, sealed, durationMs, AbortSignal.timeout(this.options.timeoutMs)).then((put) => {
        if (put.ok) this.uploads++;
        else this.fail(backend, put.error);
      });
      this.pending.add(job);
      void job.finally(() => this.pending.delete(job));
    }
  }

  /** Resolves when every upload started so far has finished or timed out. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private live(): RemoteBackend[] {
    return this.options.backends.filter((b) => !this.disabled.has(b));
  }

  private fail(backend: RemoteBackend, failure: RemoteFailure): void {
    if (this.disabled.has(backend)) return;
    this.disabled.add(backend);
    const why = failure.kind === "auth" ? "authentication failed" : failure.kind === "unavailable" ? "unavailable" : "request failed";
    this.options.warn(`remote cache ${backend.label}: ${why} (${failure.message}); not used for the rest of this run`);
  }
}
