import { redactUrlPasswords } from "../shared/redact.ts";
import type { Result } from "../shared/result.ts";

/** Why a remote call did not give an answer: bad credentials, an unreachable/slow/broken server, or anything else. */
export interface RemoteFailure {
  readonly kind: "auth" | "unavailable" | "other";
  readonly message: string;
}

/** One remote cache location, speaking in sealed artifacts (see remote-envelope.ts). */
export interface RemoteBackend {
  /** Shown in messages, e.g. `http://cache.example (team acme)` or `s3://bucket/prefix`. */
  readonly label: string;
  /** ok(undefined) when the remote has no artifact for this fingerprint. */
  get(fingerprint: string, signal: AbortSignal): Promise<Result<Uint8Array | undefined, RemoteFailure>>;
  put(fingerprint: string, sealed: Uint8Array<ArrayBuffer>, durationMs: number, signal: AbortSignal): Promise<Result<void, RemoteFailure>>;
}

/** A thrown network or abort error as a RemoteFailure. */
export function failureFromError(error: unknown, signal: AbortSignal, what: string): RemoteFailure {
  if (signal.aborted) return { kind: "unavailable", message: `${what}: ${typeof signal.reason === "string" ? signal.reason : "timed out"}` };
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e.code === "string" ? e.code : undefined;
  const message = typeof e.message === "string" ? e.message : String(error);
  return { kind: "unavailable", message: redactUrlPasswords(`${what}: ${code && !message.includes(code) ? `${code}: ` : ""}${message}`) }; // the runtime's message may quote the URL
}
