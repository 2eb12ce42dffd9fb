import { readdirSync, readFileSync } from "node:fs";
import { runtimeName } from "../runtime/runtime-name.ts";
import { isLiveGroup } from "./process-group.ts";

/**
 * Zombie reaping for `lifecycle` running as PID 1 (a container entrypoint without --init). The kernel
 * re-parents every orphan in the namespace to PID 1, and nobody else will wait for it, so its zombie
 * would stay in the process table for the life of the container. The reaper waits for those, and only
 * those: a process the runtime spawned itself (its exit status is a task's result) is never touched.
 */

export interface ReaperDeps {
  /** Whose children are scanned: 1 in a container; tests use a subreaper's own pid. */
  readonly selfPid: number;
  /** True for a child the runtime waits for itself (a running command's leader). */
  readonly isOwnChild: (pid: number) => boolean;
  /** libc waitpid(pid, WNOHANG): pid when reaped, 0 when running, -1 when not ours. */
  readonly reapNoHang: (pid: number) => number;
  /** Safety-net scan period; SIGCHLD triggers scans in between. Default 1000. */
  readonly intervalMs?: number;
}

export interface Reaper {
  /** One scan now; returns how many zombies it reaped. */
  scan(): number;
  /** Total zombies reaped so far. */
  readonly reaped: number;
  /** Removes the SIGCHLD handler and timers. Idempotent. */
  stop(): void;
}

/** Delay between a SIGCHLD and the scan it triggers, and before re-checking a zombie seen once. */
const SETTLE_MS = 50;

/**
 * Starts scanning `selfPid`'s children on SIGCHLD and every `intervalMs`. A zombie is reaped only when
 * it is still a zombie at a later scan: a child the runtime waits for itself is collected by the runtime
 * within one event-loop turn, so a zombie that lingers is nobody's (this also covers children spawned
 * outside spawn.ts). Its timers are unref'd: the reaper never keeps the process alive.
 */
export function startReaper(deps: ReaperDeps): Reaper {
  let seen = new Set<number>();
  let reaped = 0;
  let pending: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const scan = (): number => {
    let count = 0;
    let fresh = 0;
    const zombies = new Set<number>();
    for (const pid of childrenOf(deps.selfPid)) {
      if (deps.isOwnChild(pid) || processState(pid) !== "Z") continue;
      if (!seen.has(pid)) fresh++;
      else if (deps.reapNoHang(pid) === pid) {
        count++;
        continue;
      }
      zombies.add(pid);
    }
    seen = zombies;
    reaped += count;
    // A zombie seen for the first time is re-checked soon, not at the next interval.
    if (fresh > 0) later(SETTLE_MS);
    return count;
  };

  const later = (ms: number): void => {
    if (stopped || pending !== undefined) return;
    pending = setTimeout(() => {
      pending = undefined;
      scan();
    }, ms);
    pending.unref?.();
  };

  const onChild = (): void => later(SETTLE_MS);
  process.on("SIGCHLD", onChild);
  const interval = setInterval(scan, deps.intervalMs ?? 1000);
  interval.unref?.();

  return {
    scan,
    get reaped() {
      return reaped;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      process.off("SIGCHLD", onChild);
      clearInterval(interval);
      clearTimeout(pending);
    },
  };
}

/**
 * When this process is PID 1 on Bun, starts the reaper for it and returns its stop function; otherwise
 * (or where libc cannot be loaded) does nothing. Bun as PID 1 reaps only its own children.
 */
export async function startReaperIfInit(pid: number = process.pid): Promise<() => void> {
  if (pid !== 1 || runtimeName !== "bun" || process.platform !== "linux") return () => {};
  const { openLibc } = await import("../runtime/libc.ts");
  const libc = openLibc();
  if (libc === null) return () => {};
  const reaper = startReaper({ selfPid: pid, isOwnChild: isLiveGroup, reapNoHang: libc.reapNoHang });
  return () => reaper.stop();
}

/** Children of every thread of `pid` (an orphan is re-parented to whichever thread is the reaper). */
export function childrenOf(pid: number): number[] {
  const pids: number[] = [];
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return pids;
  }
  for (const tid of threads) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8");
    } catch {
      continue; // the thread ended meanwhile
    }
    for (const word of text.split(" ")) if (word.length > 0) pids.push(Number(word));
  }
  return pids;
}

/** The state letter of /proc/<pid>/stat ("R", "S", "Z"...), or null when the process is gone. */
export function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses: the state follows the last ")".
    return stat.charAt(stat.lastIndexOf(")") + 2) || null;
  } catch {
    return null;
  }
}
