import { err, type Result } from "../shared/result.ts";
import { openBunS3Bucket } from "./bun-s3.ts";
import { runtimeName } from "./runtime-name.ts";

/** Where and as whom to reach an S3-compatible service (AWS S3, R2, MinIO, Ceph, s3rver). */
export interface S3Access {
  readonly bucket: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly sessionToken?: string;
  readonly region?: string;
  /** e.g. "http://127.0.0.1:4568"; absent: AWS. Custom endpoints are addressed path-style. */
  readonly endpoint?: string;
}

/**
 * Whole-object reads and writes in one bucket. Failures reject with an Error whose `code` is the
 * service's error code (a missing object is not a failure: `get` resolves undefined) or a network code.
 */
export interface S3Bucket {
  /** `signal` ends the request, its connection included. */
  get(key: string, signal: AbortSignal): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array<ArrayBuffer>, signal: AbortSignal): Promise<void>;
}

/** Bun's built-in S3 client in the binary; other runtimes have no S3 client without a dependency. */
export function openS3Bucket(access: S3Access): Result<S3Bucket, string> {
  if (runtimeName === "bun") return openBunS3Bucket(access);
  return err(`the S3 remote cache needs the Bun runtime (the compiled binary); running on ${runtimeName}`);
}
