import { lstatSync, readFileSync, readlinkSync } from "node:fs";
import { parseHolder, type LockHolder } from "../../src/state/lock-holder.ts";

/** Whether a lock exists at `file`: a lock is usually a symlink to nowhere, which existsSync reports as missing. */
export function lockExists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** Who holds the lock at `file`: a symlink's target, or a lock file's JSON. */
export function lockHolderAt(file: string): LockHolder | null {
  let raw: string;
  try {
    raw = readlinkSync(file);
  } catch {
    raw = readFileSync(file, "utf8");
  }
  return parseHolder(raw);
}
