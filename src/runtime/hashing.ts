/// <reference types="bun-types" />
import { createRequire } from "node:module";

/** An incremental SHA-256 (an HMAC when made with a key). */
export interface Sha256 {
  update(data: string | Uint8Array): Sha256;
  digest(encoding: "hex" | "base64"): string;
}

type NodeCrypto = typeof import("node:crypto");
let nodeCrypto: NodeCrypto | undefined;

/**
 * SHA-256 through Bun's native hasher on Bun, node:crypto elsewhere (loaded on first use). Importing
 * node:crypto took 12 ms in a compiled binary of its own (it brings Node's streams with it), and every
 * run hashes from planning on, in the main thread and the state writer thread alike.
 */
export function createSha256(hmacKey?: string): Sha256 {
  if (typeof Bun !== "undefined") return new Bun.CryptoHasher("sha256", hmacKey);
  const crypto = loadNodeCrypto();
  return hmacKey === undefined ? crypto.createHash("sha256") : crypto.createHmac("sha256", hmacKey);
}

/** sha256(data) as lowercase hex. */
export function sha256Hex(data: string | Uint8Array): string {
  return createSha256().update(data).digest("hex");
}

/** A 64-bit non-cryptographic hash (wyhash) of a string's UTF-8 bytes or of bytes, as 16 hex digits; null off Bun. For checksums, not security. */
export function fastHash64(data: string | Uint8Array): string | null {
  if (typeof Bun === "undefined") return null;
  return Bun.hash.wyhash(data).toString(16).padStart(16, "0");
}

/** `bytes` random bytes as hex, from the Web Crypto API every runtime has. */
export function randomHex(bytes: number): string {
  const values = crypto.getRandomValues(new Uint8Array(bytes));
  let hex = "";
  for (const value of values) hex += value.toString(16).padStart(2, "0");
  return hex;
}

/** A random UUID (v4). */
export function randomId(): string {
  return crypto.randomUUID();
}

/** Whether two strings are equal, in a time that depends only on their length (for signatures). */
export function equalInConstantTime(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

function loadNodeCrypto(): NodeCrypto {
  return (nodeCrypto ??= createRequire(import.meta.url)("node:crypto") as NodeCrypto);
}
