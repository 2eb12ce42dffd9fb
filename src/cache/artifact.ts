import { closeSync, lstatSync, openSync, readlinkSync, readSync, writeSync } from "node:fs";
import { err, ok, type Result } from "../shared/result.ts";
import { CACHE_FORMAT_VERSION } from "./fingerprint.ts";
import { createSha256, sha256Hex } from "../runtime/hashing.ts";

/** One saved output: a regular file (its bytes are in the body) or a symlink (its target text). */
export interface ArtifactFile {
  /** `/`-separated, relative to the place directory. */
  readonly path: string;
  readonly kind: "file" | "symlink";
  /** Permission bits (e.g. 0o755). */
  readonly mode: number;
  readonly size: number;
  /** sha256 hex of the bytes (files) or of `symlink:<target>` (symlinks). */
  readonly sha256: string;
  readonly target?: string;
}

export type LogLine = readonly ["stdout" | "stderr", string];

/** What an artifact says about itself; stored after the bodies, so it is written last. */
export interface ArtifactHeader {
  readonly format: number;
  readonly fingerprint: string;
  readonly task: string;
  readonly createdMs: number;
  readonly durationMs: number;
  readonly files: readonly ArtifactFile[];
  /** The task's output lines, replayed on a hit. */
  readonly log: readonly LogLine[];
  /** Lines left out of `log` because it reached its cap. */
  readonly logDropped: number;
}

const MAGIC = Buffer.from("LCA1", "latin1");
const FOOTER_BYTES = 8;
const MAX_HEADER_BYTES = 64 * 1024 * 1024;
const CHUNK_BYTES = 1 << 20;

/**
 * Writes an artifact to `fd`: each file's bytes in order, then the header JSON, its length (u32 BE)
 * and the magic `LCA1`. Files are hashed while copied, so the header describes exactly the bytes
 * written even if a file changes meanwhile. A reader checks the footer first: a truncated write
 * never parses.
 */
export function writeArtifact(fd: number, meta: Omit<ArtifactHeader, "files" | "format">, files: readonly { path: string; abs: string }[]): ArtifactHeader {
  const written: ArtifactFile[] = [];
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  for (const file of files) {
    const stat = lstatSync(file.abs, { throwIfNoEntry: false });
    if (!stat) continue; // vanished since it was listed
    const mode = stat.mode & 0o7777;
    if (stat.isSymbolicLink()) {
      const target = readlinkSync(file.abs);
      const sha256 = sha256Hex(`symlink:${target}`);
      written.push({ path: file.path, kind: "symlink", mode, size: 0, sha256, target });
      continue;
    }
    if (!stat.isFile()) continue;
    const hash = createSha256();
    const source = openSync(file.abs, "r");
    let size = 0;
    try {
      for (;;) {
        const n = readSync(source, buffer, 0, CHUNK_BYTES, null);
        if (n === 0) break;
        const chunk = buffer.subarray(0, n);
        hash.update(chunk);
        writeAll(fd, chunk);
        size += n;
      }
    } finally {
      closeSync(source);
    }
    written.push({ path: file.path, kind: "file", mode, size, sha256: hash.digest("hex") });
  }
  const header: ArtifactHeader = { format: CACHE_FORMAT_VERSION, ...meta, files: written };
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const footer = Buffer.alloc(FOOTER_BYTES);
  footer.writeUInt32BE(json.length, 0);
  MAGIC.copy(footer, 4);
  writeAll(fd, json);
  writeAll(fd, footer);
  return header;
}

/** A parsed artifact: its header and where each file's bytes start. */
export interface ArtifactIndex {
  readonly header: ArtifactHeader;
  readonly offsets: readonly number[];
}

/** Random access to an artifact's bytes: a file descriptor or a buffer. */
export interface ByteSource {
  readonly size: number;
  /** Fills `into` from `position`; throws if the source ends first. */
  read(into: Buffer, position: number): void;
}

export function bytesSource(bytes: Uint8Array): ByteSource {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    size: view.length,
    read(into, position) {
      if (position + into.length > view.length) throw new Error("unexpected end of data");
      view.copy(into, 0, position, position + into.length);
    },
  };
}

/** Reads and checks an artifact's header; a bad magic, size, shape or fingerprint is an error. */
export function readArtifactIndex(source: ByteSource, expectedFingerprint: string): Result<ArtifactIndex, string> {
  const size = source.size;
  if (size < FOOTER_BYTES) return err("truncated (no footer)");
  const footer = Buffer.alloc(FOOTER_BYTES);
  source.read(footer, size - FOOTER_BYTES);
  if (!footer.subarray(4).equals(MAGIC)) return err("not a lifecycle cache artifact (bad magic)");
  const headerBytes = footer.readUInt32BE(0);
  if (headerBytes > MAX_HEADER_BYTES || headerBytes > size - FOOTER_BYTES) return err("truncated (header length out of range)");
  const json = Buffer.alloc(headerBytes);
  source.read(json, size - FOOTER_BYTES - headerBytes);
  let header: ArtifactHeader;
  try {
    header = JSON.parse(json.toString("utf8")) as ArtifactHeader;
  } catch {
    return err("unreadable header");
  }
  if (!isHeader(header)) return err("malformed header");
  if (header.format !== CACHE_FORMAT_VERSION) return err(`format ${header.format}, expected ${CACHE_FORMAT_VERSION}`);
  if (header.fingerprint !== expectedFingerprint) return err("artifact belongs to another fingerprint");
  const offsets: number[] = [];
  let offset = 0;
  for (const file of header.files) {
    offsets.push(offset);
    offset += file.size;
  }
  if (offset + headerBytes + FOOTER_BYTES !== size) return err("size does not match its header");
  return ok({ header, offsets });
}

function isHeader(value: unknown): value is ArtifactHeader {
  if (typeof value !== "object" || value === null) return false;
  const h = value as Record<string, unknown>;
  return (
    typeof h.format === "number" &&
    typeof h.fingerprint === "string" &&
    typeof h.task === "string" &&
    Array.isArray(h.files) &&
    Array.isArray(h.log) &&
    h.files.every((f: unknown) => {
      const file = f as Record<string, unknown>;
      return typeof f === "object" && f !== null && typeof file.path === "string" && (file.kind === "file" || file.kind === "symlink") && Number.isSafeInteger(file.size) && (file.size as number) >= 0 && typeof file.sha256 === "string" && typeof file.mode === "number";
    })
  );
}

function writeAll(fd: number, data: Uint8Array): void {
  let offset = 0;
  while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
}
