/// <reference types="bun-types" />
import { ok, type Result } from "../shared/result.ts";
import type { S3Access, S3Bucket } from "./s3.ts";

/** An S3Bucket over Bun.S3Client. Only called when running on Bun. */
export function openBunS3Bucket(access: S3Access): Result<S3Bucket, string> {
  const client = new Bun.S3Client({
    bucket: access.bucket,
    ...(access.accessKeyId !== undefined ? { accessKeyId: access.accessKeyId } : {}),
    ...(access.secretAccessKey !== undefined ? { secretAccessKey: access.secretAccessKey } : {}),
    ...(access.sessionToken !== undefined ? { sessionToken: access.sessionToken } : {}),
    region: access.region ?? "us-east-1",
    ...(access.endpoint !== undefined ? { endpoint: access.endpoint } : {}),
    // The caller bounds each request with its own timeout and falls back to running the task.
    retry: 0,
  });
  return ok({
    async get(key) {
      try {
        return new Uint8Array(await client.file(key).arrayBuffer());
      } catch (e) {
        if ((e as { code?: unknown }).code === "NoSuchKey") return undefined;
        throw e;
      }
    },
    async put(key, bytes) {
      await client.write(key, bytes, { type: "application/octet-stream" });
    },
  });
}
