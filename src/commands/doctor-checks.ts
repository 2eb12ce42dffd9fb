import { accessSync, closeSync, constants, existsSync, openSync, readdirSync, statfsSync, statSync, unlinkSync } from "node:fs";
import type * as Net from "node:net";
import { hostname } from "node:os";
import { join } from "node:path";
import type { CacheSettings } from "../config/config.ts";
import { remoteSetup } from "../cache/remote-config.ts";
import type { PlaceConfig } from "../plan/build-graph.ts";
import { findExecutable } from "../shared/find-executable.ts";
import { readLockHolder } from "../state/lock.ts";
import { isProcessAlive, processStartTicks } from "../state/process-identity.ts";
import { displayPath } from "../workspace/discover.ts";
import { formatBytes } from "../shared/format-bytes.ts";

/** ok: fine; warn: worth a look, runs still work; fail: runs will fail; info: nothing to check. */
export type CheckStatus = "ok" | "warn" | "fail" | "info";

/** One line of `doctor` output, with optional detail lines below it. */
export interface Check {
  readonly name: string;
  readonly status: CheckStatus;
  readonly summary: string;
  readonly details: readonly string[];
}

type Env = Readonly<Record<string, string | undefined>>;

/** Below this much free space state and cache writes are at risk (fail); below the second, a warning. */
export const DISK_FAIL_BYTES = 100 * 1024 * 1024;
export const DISK_WARN_BYTES = 1024 * 1024 * 1024;
const REMOTE_PROBE_TIMEOUT_MS = 5000;

const check = (name: string, status: CheckStatus, summary: string, details: readonly string[] = []): Check => ({ name, status, summary, details });
const placeLabel = (p: PlaceConfig): string => (p.place.workspace === undefined ? "//" : p.place.name);

/** Every shell the places' settings name can be found on PATH (or as a path). */
export function checkShells(places: readonly PlaceConfig[], env: Env, rootDir: string): Check {
  const shells = [...new Set(places.map((p) => p.config.settings.shell))];
  const found = shells.map((shell) => ({ shell, path: findExecutable(shell, rootDir, env.PATH) }));
  const missing = found.filter((f) => f.path === undefined);
  if (missing.length > 0) return check("shell", "fail", `not found: ${missing.map((m) => m.shell).join(", ")} (settings.shell; PATH=${env.PATH ?? "(unset)"})`);
  return check("shell", "ok", found.map((f) => `${f.shell} (${f.path})`).join(", "));
}

/** Each place's `.ggen` can be written: an existing one by creating and removing a probe file; a missing one by its parent. */
export function checkStateDirs(places: readonly PlaceConfig[], rootDir: string): Check {
  const problems: string[] = [];
  for (const p of places) {
    const dir = join(p.place.dir, ".ggen");
    const shown = displayPath(dir, rootDir);
    try {
      if (!existsSync(dir)) {
        accessSync(p.place.dir, constants.W_OK | constants.X_OK);
        continue;
      }
      if (!statSync(dir).isDirectory()) {
        problems.push(`${shown}: not a directory`);
        continue;
      }
      const probe = join(dir, `.doctor-${process.pid}.tmp`);
      closeSync(openSync(probe, "wx"));
      unlinkSync(probe);
    } catch (e) {
      problems.push(`${shown}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  if (problems.length > 0) return check("state dirs", "fail", `${problems.length} of ${places.length} not writable`, problems);
  return check("state dirs", "ok", `${places.length} writable (${places.map(placeLabel).join(", ")})`);
}

/** Free space on the file system holding the root (where state and the local cache live). */
export function checkDiskSpace(rootDir: string): Check {
  let free: number;
  let total: number;
  try {
    const s = statfsSync(rootDir);
    free = Number(s.bavail) * Number(s.bsize);
    total = Number(s.blocks) * Number(s.bsize);
  } catch (e) {
    return check("disk space", "warn", `cannot tell: ${(e as Error).message}`);
  }
  const summary = `${formatBytes(free)} free of ${formatBytes(total)}`;
  if (free < DISK_FAIL_BYTES) return check("disk space", "fail", `${summary}: state and cache writes may fail`);
  if (free < DISK_WARN_BYTES) return check("disk space", "warn", `${summary}: running low`);
  return check("disk space", "ok", summary);
}

/** Lock files under each place's `.ggen` (one level of subdirectories too): held, stale or damaged. */
export function checkLocks(places: readonly PlaceConfig[], rootDir: string): Check {
  const notes: string[] = [];
  let stale = 0;
  for (const file of places.flatMap((p) => lockFiles(join(p.place.dir, ".ggen")))) {
    const shown = displayPath(file, rootDir);
    const holder = readLockHolder(file);
    if (holder === null) {
      notes.push(`${shown}: unreadable lock (being written, or damaged; delete it if no lifecycle is running)`);
    } else if (holder.host !== hostname()) {
      notes.push(`${shown}: held by pid ${holder.pid} on ${holder.host} since ${holder.started}`);
    } else if (!isProcessAlive(holder.pid) || (holder.procStart !== null && processStartTicks(holder.pid) !== holder.procStart)) {
      stale++;
      notes.push(`${shown}: stale (pid ${holder.pid} is gone); the next run takes it over, or delete it`);
    } else {
      notes.push(`${shown}: held by pid ${holder.pid} since ${holder.started} (a run in progress?)`);
    }
  }
  if (notes.length === 0) return check("locks", "ok", "none held");
  return check("locks", "warn", stale > 0 ? `${stale} stale, ${notes.length - stale} other` : `${notes.length} held`, notes);
}

/** The `port` of every phase can be bound right now (on 127.0.0.1 and on all interfaces). */
export async function checkPorts(places: readonly PlaceConfig[]): Promise<Check> {
  const users = new Map<number, string[]>();
  for (const p of places) {
    if (p.place.workspace !== undefined && !p.ownConfig) continue; // the root's phases, listed once
    for (const phase of p.config.phases.values()) {
      if (phase.port === undefined) continue;
      const who = `${placeLabel(p)}#${phase.name}`;
      users.set(phase.port, [...(users.get(phase.port) ?? []), who]);
    }
  }
  if (users.size === 0) return check("ports", "info", "no phase declares a port");
  const busy: string[] = [];
  const free: string[] = [];
  for (const [port, who] of [...users].sort((a, b) => a[0] - b[0])) {
    const result = (await tryBind(port, "127.0.0.1")) ?? (await tryBind(port, undefined));
    if (result === null) free.push(`${port}`);
    else busy.push(`${port} (${who.join(", ")}): ${result}`);
  }
  if (busy.length > 0) return check("ports", "fail", `${busy.length} of ${users.size} not free`, busy);
  return check("ports", "ok", `free: ${free.join(", ")}`);
}

/** The remote cache answers a lookup (a miss is fine); unconfigured is not a problem. */
export async function checkRemoteCache(settings: CacheSettings, env: Env): Promise<Check> {
  const setup = remoteSetup(settings, env);
  if (setup.backends.length === 0 && setup.problems.length === 0) return check("remote cache", "info", "not configured");
  const notes = [...setup.problems];
  let failed = setup.problems.length > 0;
  for (const backend of setup.backends) {
    const signal = AbortSignal.timeout(Math.min(setup.timeoutMs, REMOTE_PROBE_TIMEOUT_MS));
    const answer = await backend.get("0".repeat(64), signal);
    if (answer.ok) notes.push(`${backend.label}: reachable`);
    else {
      failed = true;
      notes.push(`${backend.label}: ${answer.error.kind === "auth" ? "credentials refused" : "unreachable"}: ${answer.error.message}`);
    }
  }
  // A failing remote never fails a run (it is skipped with a warning), so this is a warning too.
  return check("remote cache", failed ? "warn" : "ok", failed ? "not usable; runs will skip it" : `${setup.backends.length} reachable`, notes);
}

/** null when the port could be bound (and was released), else why not. */
function tryBind(port: number, host: string | undefined): Promise<string | null> {
  return new Promise((done) => {
    // Loaded here, not imported: node:net brings the stream modules with it, milliseconds of every command's start-up.
    const server = (process.getBuiltinModule("node:net") as typeof Net).createServer();
    server.once("error", (e: NodeJS.ErrnoException) => done(e.code === "EADDRINUSE" ? "in use" : `cannot bind: ${e.code ?? e.message}`));
    server.listen({ port, ...(host === undefined ? {} : { host }), exclusive: true }, () => server.close(() => done(null)));
  });
}

function lockFiles(ggen: string): string[] {
  const out: string[] = [];
  const scan = (dir: string, depth: number): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      // A lock is a symlink naming its holder (a file in older versions).
      if ((e.isFile() || e.isSymbolicLink()) && e.name.endsWith(".lock")) out.push(join(dir, e.name));
      else if (e.isDirectory() && depth < 1) scan(join(dir, e.name), depth + 1);
    }
  };
  scan(ggen, 0);
  return out.sort();
}

