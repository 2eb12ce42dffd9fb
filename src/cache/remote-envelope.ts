import type * as Zlib from "node:zlib";
import { err, ok, type Result } from "../shared/result.ts";
import { createSha256, equalInConstantTime, sha256Hex } from "../runtime/hashing.ts";

/**
 * How an artifact travels to and from a remote cache: one ASCII line
 * `LCR1 gzip <sha256 of the payload> <hmac or ->` and the gzip-compressed artifact. The receiver
 * checks the sha256 (a truncated or altered payload is rejected) and, when a signing key is set,
 * the HMAC-SHA256 over `<fingerprint>\n<sha256>` (an artifact made without the key, or for another
 * fingerprint, is rejected). The artifact inside is checked again, file by file, when restored.
 */
const MAGIC = "LCR1";
/** Loaded on first use: node:zlib brings node:stream with it, ~6 ms of every run's start-up, and only remote caches need it. */
const zlib = (): typeof Zlib => process.getBuiltinModule("node:zlib");
const MAX_LINE_BYTES = 256;

export function sealArtifact(artifact: Uint8Array, fingerprint: string, signingKey: string | undefined): Uint8Array<ArrayBuffer> {
  const payload = zlib().gzipSync(artifact, { level: 1 });
  const sha = sha256Hex(payload);
  const mac = signingKey ? signature(signingKey, fingerprint, sha) : "-";
  const line = Buffer.from(`${MAGIC} gzip ${sha} ${mac}\n`, "latin1");
  return Buffer.concat([line, payload]);
}

/** The artifact inside a downloaded envelope, or why it must not be used. */
export function openArtifact(bytes: Uint8Array, fingerprint: string, signingKey: string | undefined): Result<Uint8Array, string> {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const newline = view.indexOf(0x0a);
  if (newline < 0 || newline > MAX_LINE_BYTES) return err("not a lifecycle cache artifact");
  const [magic, encoding, sha, mac] = view.subarray(0, newline).toString("latin1").split(" ");
  if (magic !== MAGIC || encoding !== "gzip" || !/^[0-9a-f]{64}$/.test(sha ?? "") || mac === undefined) return err("not a lifecycle cache artifact");
  const payload = view.subarray(newline + 1);
  const actual = sha256Hex(payload);
  if (actual !== sha) return err("sha256 mismatch (truncated or tampered)");
  if (signingKey) {
    if (mac === "-") return err("artifact is not signed, but LIFECYCLE_CACHE_SIGNING_KEY is set");
    if (!equalHex(mac, signature(signingKey, fingerprint, sha))) return err("signature mismatch (signed with another key, or tampered)");
  }
  try {
    return ok(zlib().gunzipSync(payload));
  } catch {
    return err("payload does not decompress");
  }
}

function signature(key: string, fingerprint: string, sha: string): string {
  return createSha256(key).update(`${fingerprint}\n${sha}`).digest("hex");
}

function equalHex(a: string, b: string): boolean {
  return equalInConstantTime(a, b);
}
