/// <reference types="bun-types" />
import { ok, type Result } from "../shared/result.ts";
import type { S3Access, S3Bucket } from "./s3.ts";

/** Presigned URLs live just long enough for the one request made with each. */
const URL_LIFETIME_S = 15 * 60;

/**
 * An S3Bucket over Bun.S3Client's request signing, sent with fetch: the client's own requests take
 * no AbortSignal, so one cut off by the remote timeout kept its socket, and the process, alive for
 * minutes. Only called when running on Bun.
 */
export function openBunS3Bucket(access: S3Access): Result<S3Bucket, string> {
  const client = new Bun.S3Client({
    bucket: access.bucket,
    ...(access.accessKeyId !== undefined ? { accessKeyId: access.accessKeyId } : {}),
    ...(access.secretAccessKey !== undefined ? { secretAccessKey: access.secretAccessKey } : {}),
    ...(access.sessionToken !== undefined ? { sessionToken: access.sessionToken } : {}),
    region: access.region ?? "us-east-1",
    ...(access.endpoint !== undefined ? { endpoint: access.endpoint } : {}),
  });
  return ok({
    async get(key, signal) {
      const response = await fetch(client.presign(key, { method: "GET", expiresIn: URL_LIFETIME_S }), { signal, redirect: "error" });
      if (!response.ok) {
        const error = await s3Error(response, "GET");
        // A missing object is a miss; a missing bucket (NoSuchBucket, also a 404) is a failure.
        if (response.status === 404 && (error.code === "NoSuchKey" || error.code === "HTTP 404")) return undefined;
        throw error;
      }
      return new Uint8Array(await response.arrayBuffer());
    },
    async put(key, bytes, signal) {
      const response = await fetch(client.presign(key, { method: "PUT", expiresIn: URL_LIFETIME_S }), { method: "PUT", body: bytes, signal, redirect: "error" });
      if (!response.ok) throw await s3Error(response, "PUT");
      await response.body?.cancel();
    },
  });
}

/** The service's error as an Error whose `code` is its `<Code>` (AccessDenied, NoSuchBucket, ...). */
async function s3Error(response: Response, method: string): Promise<Error & { code: string }> {
  const body = await response.text().catch(() => "");
  const code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1] ?? `HTTP ${response.status}`;
  const message = /<Message>([^<]+)<\/Message>/.exec(body)?.[1];
  return Object.assign(new Error(`${method} ${response.status} ${code}${message ? `: ${message}` : ""}`), { code });
}
