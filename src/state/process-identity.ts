import { readFileSync } from "node:fs";
import { errnoCode } from "./fs-error.ts";

/**
 * Start time of a process in clock ticks since boot (field 22 of /proc/<pid>/stat), so a
 * reused pid can be told apart. null where /proc is not available (macOS, Windows).
 */
export function processStartTicks(pid: number): number | null {
  const stat = readProcStat(pid);
  if (stat === null) return null;
  const value = Number(stat.fields[19]);
  return Number.isFinite(value) ? value : null;
}

/** Whether a process with this pid exists and is not a zombie. Permission errors mean alive. */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if (errnoCode(e) === "ESRCH") return false;
    if (errnoCode(e) !== "EPERM") throw e;
  }
  // A killed process stays visible until its parent reaps it; it holds nothing any more.
  return readProcStat(pid)?.state !== "Z";
}

interface ProcStat {
  /** One-letter state: R, S, D, Z, ... */
  readonly state: string;
  /** Fields 3.. of the stat line (after "pid (comm)"), so field N is fields[N - 3]. */
  readonly fields: readonly string[];
}

function readProcStat(pid: number): ProcStat | null {
  if (process.platform !== "linux") return null;
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // comm may contain spaces and parentheses: the fields start after the last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).trim().split(" ");
  return { state: fields[0] ?? "", fields };
}
