import { readFileSync, statSync } from "node:fs";
import { errorDiagnostic, type Diagnostic } from "../shared/diagnostic.ts";
import { err, ok, type Result } from "../shared/result.ts";

/** make.toml files larger than this are refused before being read. */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/**
 * The text of a make.toml: refused when missing or unreadable, over 16 MiB (checked before reading), containing
 * a NUL byte (reported at line:column) or not valid UTF-8 (reported with the byte offset and line:column).
 * A leading UTF-8 BOM is dropped.
 */
export function readConfigText(path: string, displayPath: string): Result<string, Diagnostic[]> {
  const fail = (message: string, at?: { line: number; column: number }) => err([errorDiagnostic({ file: displayPath, ...at, message })]);
  let bytes: Uint8Array;
  try {
    const stats = statSync(path);
    if (stats.isDirectory()) return fail("is a directory, not a make.toml file");
    if (stats.size > MAX_CONFIG_BYTES) return fail(`file is ${stats.size} bytes; make.toml may be at most 16 MiB`);
    bytes = readFileSync(path);
  } catch (error) {
    return fail(readFailure(error));
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) return fail("contains a NUL byte (is this a binary file?)", positionOfByte(bytes, nul));
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    if (offset === -1) return fail("not valid UTF-8");
    return fail(`not valid UTF-8: bad byte 0x${bytes[offset]?.toString(16).padStart(2, "0")} at byte offset ${offset}`, positionOfByte(bytes, offset));
  }
  return ok(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}

function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT") return "file not found";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a directory, not a make.toml file";
  return `cannot read: ${error instanceof Error ? error.message : String(error)}`;
}

/** 1-based line and column (in characters) of a byte whose preceding bytes are valid UTF-8. */
function positionOfByte(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1 && i < offset; i = bytes.indexOf(0x0a, i + 1)) {
    line++;
    lineStart = i + 1;
  }
  const before = new TextDecoder("utf-8").decode(bytes.subarray(lineStart, offset));
  return { line, column: [...before].length + 1 };
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629: no overlongs or surrogates). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead === 0xe0) low = 0xa0;
      if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead === 0xf0) low = 0x90;
      if (lead === 0xf4) high = 0x8f;
    } else return i;
    const second = bytes[i + 1];
    if (second === undefined || second < low || second > high) return i;
    for (let k = 2; k < length; k++) {
      const next = bytes[i + k];
      if (next === undefined || next < 0x80 || next > 0xbf) return i;
    }
    i += length;
  }
  return -1;
}
