import type { CacheSettings } from "../config/config.ts";
import { parseDuration } from "../shared/duration.ts";
import { redactUrlPasswords } from "../shared/redact.ts";
import { err, ok, type Result } from "../shared/result.ts";
import type { RemoteBackend } from "./remote-backend.ts";
import { httpRemote } from "./remote-http.ts";
import { s3Remote } from "./remote-s3.ts";

type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULT_REMOTE_TIMEOUT_MS = 10_000;

/** The remote caches configured by `[cache]` and the environment, and how to talk to them. */
export interface RemoteSetup {
  readonly backends: readonly RemoteBackend[];
  readonly timeoutMs: number;
  readonly signingKey?: string;
  /** Configuration problems: each one leaves its remote out (warned, never fatal). */
  readonly problems: readonly string[];
}

/**
 * HTTP (Turborepo API v8): URL from TURBO_API or `[cache] remote_url`, team from TURBO_TEAM or
 * `remote_team`, token from LIFECYCLE_REMOTE_CACHE_TOKEN or TURBO_TOKEN (environment wins).
 * S3: `[cache] s3`, credentials AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN,
 * region AWS_REGION or AWS_DEFAULT_REGION, endpoint AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or S3_ENDPOINT.
 * LIFECYCLE_REMOTE_CACHE_TIMEOUT bounds each request (default 10s); LIFECYCLE_CACHE_SIGNING_KEY signs.
 */
export function remoteSetup(settings: CacheSettings, env: Env): RemoteSetup {
  const problems: string[] = [];
  const backends: RemoteBackend[] = [];
  const url = nonEmpty(env.TURBO_API) ?? settings.remoteUrl;
  if (url !== undefined) {
    const token = nonEmpty(env.LIFECYCLE_REMOTE_CACHE_TOKEN) ?? nonEmpty(env.TURBO_TOKEN);
    const team = nonEmpty(env.TURBO_TEAM) ?? settings.remoteTeam;
    const source = nonEmpty(env.TURBO_API) !== undefined ? "TURBO_API" : "[cache] remote_url";
    if (!/^https?:\/\/\S+$/.test(url)) problems.push(redactUrlPasswords(`remote cache URL "${url}" (from ${source}) is not an http(s) URL`));
    else backends.push(httpRemote({ url, ...(team !== undefined ? { team } : {}), ...(token !== undefined ? { token } : {}) }));
  }
  if (settings.s3 !== undefined) {
    const s3 = s3Remote(settings.s3, definedOnly({
      accessKeyId: nonEmpty(env.AWS_ACCESS_KEY_ID),
      secretAccessKey: nonEmpty(env.AWS_SECRET_ACCESS_KEY),
      sessionToken: nonEmpty(env.AWS_SESSION_TOKEN),
      region: nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION),
      endpoint: nonEmpty(env.AWS_ENDPOINT_URL_S3) ?? nonEmpty(env.AWS_ENDPOINT_URL) ?? nonEmpty(env.S3_ENDPOINT),
    }));
    if (s3.ok) backends.push(s3.value);
    else problems.push(redactUrlPasswords(`remote cache ${settings.s3}: ${s3.error}`));
  }
  const timeout = remoteTimeoutMs(env);
  if (!timeout.ok) problems.push(timeout.error);
  const signingKey = nonEmpty(env.LIFECYCLE_CACHE_SIGNING_KEY);
  return { backends, timeoutMs: timeout.ok ? timeout.value : DEFAULT_REMOTE_TIMEOUT_MS, ...(signingKey !== undefined ? { signingKey } : {}), problems };
}

function remoteTimeoutMs(env: Env): Result<number, string> {
  const text = nonEmpty(env.LIFECYCLE_REMOTE_CACHE_TIMEOUT);
  if (text === undefined) return ok(DEFAULT_REMOTE_TIMEOUT_MS);
  const parsed = parseDuration(text);
  if (!parsed.ok || parsed.value <= 0) return err(`LIFECYCLE_REMOTE_CACHE_TIMEOUT: expected a duration such as "5s", got "${text}"; using 10s`);
  return ok(parsed.value);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function definedOnly<T extends Record<string, unknown>>(record: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
