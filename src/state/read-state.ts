import { closeSync, fstatSync, openSync, readFileSync } from "node:fs";
import { errnoCode, fsReason, isErrnoError } from "./fs-error.ts";
import { parseStateText } from "./parse-state.ts";
import type { StateFile } from "./state-types.ts";

/** What one state file (state.json or its .bak) holds, read without changing anything. */
export type StateRead =
  | { readonly kind: "missing" }
  /** 0 bytes or whitespace only. `ino` identifies the file that was read. */
  | { readonly kind: "empty"; readonly ino: number }
  | { readonly kind: "valid"; readonly state: StateFile }
  /** Unreadable, invalid JSON or the wrong shape; `reason` says which. */
  | { readonly kind: "damaged"; readonly reason: string; readonly ino: number | null };

/**
 * A damaged read is read again this many more times: writers swap `.bak` into place and later rewrite
 * the swapped-out file as the next `.bak` (reuseBackup), so a reader that opened a file two saves ago
 * and reads it while it is rewritten sees a mix, which a second read does not.
 */
const REREADS = 2;

/** Reads and checks one state file, blocking (for `state show`, `list` and planning). Never throws for bad content or an unreadable file. */
export function readStateFile(file: string): StateRead {
  let read = readOnce(file);
  for (let again = 0; again < REREADS && read.kind === "damaged"; again++) read = readOnce(file);
  return read;
}

function readOnce(file: string): StateRead {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (e) {
    return openFailure(e);
  }
  try {
    // The inode only matters for a file that is acted on (empty or damaged): a valid read skips the fstat.
    return classify(readFileSync(fd, "utf8"), () => fstatSync(fd).ino);
  } catch (e) {
    return readFailure(e);
  } finally {
    closeSync(fd);
  }
}

function classify(text: string, inoOf: () => number): StateRead {
  if (text.trim() === "") return { kind: "empty", ino: inoOf() };
  const parsed = parseStateText(text);
  return parsed.ok ? { kind: "valid", state: parsed.value } : { kind: "damaged", reason: parsed.error, ino: inoOf() };
}

function openFailure(e: unknown): StateRead {
  if (errnoCode(e) === "ENOENT") return { kind: "missing" };
  return readFailure(e);
}

function readFailure(e: unknown): StateRead {
  if (!isErrnoError(e)) throw e;
  return { kind: "damaged", reason: `unreadable: ${fsReason(e)}`, ino: null };
}
