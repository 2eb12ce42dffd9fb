import { closeSync, openSync, readlinkSync, readSync } from "node:fs";
import { createSha256, sha256Hex } from "../runtime/hashing.ts";

const CHUNK_BYTES = 1 << 20;
let buffer: Buffer | undefined;

/** sha256 (hex) of a file's bytes, read in 1 MiB chunks into one reused buffer (large files never sit in memory). */
export function sha256File(path: string): string {
  const hash = createSha256();
  buffer ??= Buffer.allocUnsafe(CHUNK_BYTES);
  const fd = openSync(path, "r");
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK_BYTES, null);
      if (n === 0) break;
      hash.update(n === CHUNK_BYTES ? buffer : buffer.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

/** The digest of a symlink is that of its target text: links are recorded, never followed. */
export function sha256Symlink(path: string): string {
  return sha256Bytes(`symlink:${readlinkSync(path)}`);
}

export function sha256Bytes(data: string | Uint8Array): string {
  return sha256Hex(data);
}
