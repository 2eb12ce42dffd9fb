import { openS3Bucket, type S3Access } from "../runtime/s3.ts";
import { err, ok, type Result } from "../shared/result.ts";
import { failureFromError, type RemoteBackend, type RemoteFailure } from "./remote-backend.ts";

const AUTH_CODES = new Set(["AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "ERR_S3_MISSING_CREDENTIALS", "ERR_S3_INVALID_SIGNATURE"]);

/** `s3://bucket/prefix` -> bucket and prefix (no leading or trailing slash). */
export function parseS3Url(url: string): Result<{ bucket: string; prefix: string }, string> {
  const match = /^s3:\/\/([^/\s]+)\/?(.*)$/.exec(url);
  if (!match) return err(`"${url}" is not an S3 URL such as s3://bucket/prefix`);
  return ok({ bucket: match[1]!, prefix: match[2]!.replace(/^\/+|\/+$/g, "") });
}

/** Artifacts as objects `<prefix>/<fingerprint>` in an S3-compatible bucket, through the runtime's S3 client. */
export function s3Remote(url: string, access: Omit<S3Access, "bucket">): Result<RemoteBackend, string> {
  const parsed = parseS3Url(url);
  if (!parsed.ok) return parsed;
  const bucket = openS3Bucket({ ...access, bucket: parsed.value.bucket });
  if (!bucket.ok) return bucket;
  const keyOf = (fingerprint: string) => (parsed.value.prefix ? `${parsed.value.prefix}/${fingerprint}` : fingerprint);
  const label = url;
  return ok({
    label,
    async get(fingerprint, signal) {
      try {
        return ok(await bucket.value.get(keyOf(fingerprint), signal));
      } catch (e) {
        return err(s3Failure(e, signal, `GET ${label}`));
      }
    },
    async put(fingerprint, sealed, _durationMs, signal) {
      try {
        await bucket.value.put(keyOf(fingerprint), sealed, signal);
        return ok(undefined);
      } catch (e) {
        return err(s3Failure(e, signal, `PUT ${label}`));
      }
    },
  });
}

function s3Failure(error: unknown, signal: AbortSignal, what: string): RemoteFailure {
  const code = (error as { code?: unknown }).code;
  if (!signal.aborted && typeof code === "string" && AUTH_CODES.has(code)) return { kind: "auth", message: `${what}: ${code}` };
  return failureFromError(error, signal, what);
}
