// Helpers for the process-supervision e2e tests: a live handle on a running binary (read its output
// while it runs, signal it), and /proc probes for leftover processes and zombies.
import { readdirSync, readFileSync } from "node:fs";
import { BINARY } from "../helpers/cli.ts";

/** A running `lifecycle` (or a wrapper around it) whose output the test can watch while it runs. */
export interface LiveRun {
  readonly pid: number;
  /** Resolves with the first stdout/stderr line matching `pattern`; rejects if the process ends first. */
  waitFor(pattern: RegExp, stream?: "stdout" | "stderr"): Promise<string>;
  /** Resolves once the text so far (an unfinished line included: a terminal status line) matches. */
  waitForText(pattern: RegExp): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  /** Exit code (128+n when killed by a signal) once the process and its pipes are done. */
  readonly done: Promise<{ code: number; stdout: string; stderr: string }>;
  stdout(): string;
  stderr(): string;
}

/**
 * Starts argv with pipes, the environment pinned as in the other e2e tests. Signals are sent from here
 * (Bun.spawn gives the child default dispositions; a shell `&` would start it with SIGINT ignored).
 */
export function startLive(argv: readonly string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): LiveRun {
  const env = { ...process.env, NO_COLOR: "1", TZ: "UTC", NODE_ENV: "test", LIFECYCLE_LOG_FORMAT: undefined, ...options.env };
  const proc = Bun.spawn([...argv], { cwd: options.cwd, env: env as unknown as Record<string, string>, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const text = { stdout: "", stderr: "" };
  const waiters: Array<{ pattern: RegExp; stream?: "stdout" | "stderr"; partial?: boolean; resolve: (line: string) => void; reject: (e: Error) => void }> = [];
  const check = (): void => {
    for (const w of [...waiters]) {
      if (w.partial) {
        if (w.pattern.test(text.stdout) || w.pattern.test(text.stderr)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve("");
        }
        continue;
      }
      const streams = w.stream ? [w.stream] : (["stdout", "stderr"] as const);
      for (const s of streams) {
        const line = text[s].split("\n").find((l, i, all) => i < all.length - 1 && w.pattern.test(l));
        if (line !== undefined) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
          break;
        }
      }
    }
  };
  const pump = async (stream: ReadableStream<Uint8Array>, name: "stdout" | "stderr"): Promise<void> => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      text[name] += decoder.decode(chunk, { stream: true });
      check();
    }
  };
  const done = Promise.all([pump(proc.stdout, "stdout"), pump(proc.stderr, "stderr"), proc.exited]).then(([, , code]) => {
    for (const w of waiters.splice(0)) w.reject(new Error(`process ended (exit ${code}) before ${w.pattern}\n--- stdout ---\n${text.stdout}\n--- stderr ---\n${text.stderr}`));
    return { code, stdout: text.stdout, stderr: text.stderr };
  });
  return {
    pid: proc.pid,
    waitFor: (pattern, stream) =>
      new Promise((resolve, reject) => {
        waiters.push({ pattern, ...(stream ? { stream } : {}), resolve, reject });
        check();
      }),
    waitForText: (pattern) =>
      new Promise((resolve, reject) => {
        waiters.push({ pattern, partial: true, resolve: () => resolve(), reject });
        check();
      }),
    kill: (signal) => proc.kill(signal),
    done,
    stdout: () => text.stdout,
    stderr: () => text.stderr,
  };
}

/** `lifecycle --root <dir> ...args`, live. */
export function startLifecycle(dir: string, ...args: string[]): LiveRun {
  return startLive([BINARY, "--root", dir, ...args]);
}

/** Pids of processes whose command line contains `marker` (this test's unique word), zombies excluded. */
export function processesWithMarker(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmdline.includes(marker)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Children of `pid` (all threads) with their state letter and command name. */
export function childrenWithState(pid: number): Array<{ pid: number; state: string; comm: string }> {
  const out: Array<{ pid: number; state: string; comm: string }> = [];
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    let words: string[] = [];
    try {
      words = readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").split(" ").filter(Boolean);
    } catch {
      continue;
    }
    for (const child of words.map(Number)) {
      try {
        const stat = readFileSync(`/proc/${child}/stat`, "utf8");
        const close = stat.lastIndexOf(")");
        out.push({ pid: child, state: stat.charAt(close + 2), comm: stat.slice(stat.indexOf("(") + 1, close) });
      } catch {
        // reaped meanwhile
      }
    }
  }
  return out;
}

/**
 * Polls `probe` until it returns true; fails after `limitMs` (a generous bound that only matters when
 * the behaviour is broken; the test never waits for time to pass otherwise).
 */
export async function eventually(what: string, probe: () => boolean, limitMs = 10_000): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (!probe()) {
    if (performance.now() > deadline) throw new Error(`never happened within ${limitMs} ms: ${what}`);
    await Bun.sleep(20);
  }
}

/** A word unique to one test, put into command lines so /proc scans find only that test's processes. */
export function uniqueMarker(label: string): string {
  return `lcmark-${label}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Whether this machine lets us make a PID namespace (root, or user namespaces allowed). */
export function canUnsharePid(): { ok: true } | { ok: false; reason: string } {
  const probe = Bun.spawnSync(["unshare", "--pid", "--fork", "--mount-proc", "true"], { stdout: "ignore", stderr: "pipe" });
  if (probe.exitCode === 0) return { ok: true };
  return { ok: false, reason: `unshare --pid --fork --mount-proc is not permitted here: ${probe.stderr.toString().trim()}` };
}
