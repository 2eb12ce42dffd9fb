/**
 * Process groups started by spawnCommand (each command is a group leader via setsid). A group's id is
 * its leader's pid; signalling `-pgid` reaches every process in it, grandchildren included.
 */

import { openLibcKill } from "../runtime/libc-kill.ts";
import { runtimeName } from "../runtime/runtime-name.ts";

export type KillSignal = "SIGTERM" | "SIGKILL" | "SIGINT" | "SIGHUP";

const liveGroups = new Set<number>();

/** Sends `sig` to every process in the group. Returns false when the group no longer exists. Never throws. */
export function signalGroup(pgid: number, sig: KillSignal): boolean {
  const libcKill = runtimeName === "bun" ? openLibcKill() : null; // opened on first use, then cached
  if (libcKill !== null) return libcKill(-pgid, sig);
  try {
    process.kill(-pgid, sig);
    return true;
  } catch {
    return false;
  }
}

/** Whether any process is still in the group (a zombie not yet reaped counts). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

/** Records a group as ours until untrackGroup; only spawn.ts calls this. */
export function trackGroup(pgid: number): void {
  liveGroups.add(pgid);
}

export function untrackGroup(pgid: number): void {
  liveGroups.delete(pgid);
}

/**
 * Sends `sig` to every group whose command has not finished yet; returns how many were signalled.
 * For a second Ctrl-C ("kill at once") and last-chance exit paths; spawnCommand still reports each result.
 */
export function signalLiveGroups(sig: KillSignal = "SIGKILL"): number {
  let count = 0;
  for (const pgid of liveGroups) if (signalGroup(pgid, sig)) count++;
  return count;
}

/** Whether `pid` leads a group whose command has not finished: a child the runtime itself waits for. */
export function isLiveGroup(pid: number): boolean {
  return liveGroups.has(pid);
}

/** How many commands are running right now. */
export function liveGroupCount(): number {
  return liveGroups.size;
}
