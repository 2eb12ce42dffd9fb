import { closeSync, fstatSync, openSync, readFileSync } from "node:fs";
import { errnoCode, fsReason, isErrnoError } from "./fs-error.ts";
import { parseStateText } from "./parse-state.ts";
import type { StateFile } from "./state-types.ts";

/** What one state file (state.json or its .bak) holds, read without changing anything. */
export type StateRead =
  | { readonly kind: "missing" }
  /** 0 bytes or whitespace only. `ino` identifies the file that was read. */
  | { readonly kind: "empty"; readonly ino: number }
  | { readonly kind: "valid"; readonly state: StateFile; readonly ino: number }
  /** Unreadable, invalid JSON or the wrong shape; `reason` says which. */
  | { readonly kind: "damaged"; readonly reason: string; readonly ino: number | null };

/** Reads and checks one state file. Never throws for bad content or an unreadable file. */
export function readStateFile(file: string): StateRead {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return { kind: "missing" };
    if (!isErrnoError(e)) throw e;
    return { kind: "damaged", reason: `unreadable: ${fsReason(e)}`, ino: null };
  }
  let text: string;
  let ino: number;
  try {
    ino = fstatSync(fd).ino;
    text = readFileSync(fd, "utf8");
  } catch (e) {
    if (!isErrnoError(e)) throw e;
    return { kind: "damaged", reason: `unreadable: ${fsReason(e)}`, ino: null };
  } finally {
    closeSync(fd);
  }
  if (text.trim() === "") return { kind: "empty", ino };
  const parsed = parseStateText(text);
  return parsed.ok ? { kind: "valid", state: parsed.value, ino } : { kind: "damaged", reason: parsed.error, ino };
}
