import { realpathSync } from "node:fs";
import { join } from "node:path";
import type { CacheSettings } from "../config/config.ts";
import type { Task, TaskId } from "../plan/task.ts";
import { secretValues } from "../shared/redact.ts";
import { appendRunStats } from "./cache-stats.ts";
import { Fingerprinter } from "./fingerprinter.ts";
import { LocalStore } from "./local-store.ts";
import { RemoteCache, type RemoteMode } from "./remote-cache.ts";
import { remoteSetup } from "./remote-config.ts";

/** `[cache] max_size` when not set. */
export const DEFAULT_MAX_SIZE_BYTES = 2 ** 30;

export interface RunCacheOptions {
  readonly rootDir: string;
  readonly settings: CacheSettings;
  readonly shell: string;
  /** The environment lifecycle was started with: remote cache URL, token, credentials. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** --force: never hit; results are still stored. */
  readonly force: boolean;
  readonly remoteMode: RemoteMode;
  /** --explain: say, per task, hit or miss and why. */
  readonly explain: boolean;
  readonly warn: (message: string) => void;
  readonly info: (message: string) => void;
}

/** `<root>/.ggen/cache`. */
export function cacheDirOf(rootDir: string): string {
  return join(rootDir, ".ggen", "cache");
}

/** The root as written and as its realpath (workspace directories are realpaths). */
export function rootDirsOf(rootDir: string): string[] {
  try {
    const real = realpathSync(rootDir);
    return real === rootDir ? [rootDir] : [rootDir, real];
  } catch {
    return [rootDir];
  }
}

/**
 * The cache for one invocation: the local store, the remotes, the fingerprints computed so far,
 * and the run's counts. `finish` waits for uploads, applies the size bound and records the counts.
 */
export class RunCache {
  readonly store: LocalStore;
  readonly fingerprinter: Fingerprinter;
  readonly remote: RemoteCache | undefined;
  readonly rootDirs: readonly string[];
  readonly cacheDir: string;
  readonly counts = { hits: 0, remoteHits: 0, misses: 0, stored: 0 };
  private readonly keys = new Map<TaskId, string>();

  constructor(readonly options: RunCacheOptions) {
    this.cacheDir = cacheDirOf(options.rootDir);
    this.rootDirs = rootDirsOf(options.rootDir);
    this.store = new LocalStore(this.cacheDir);
    this.fingerprinter = new Fingerprinter({ rootDirs: this.rootDirs, shell: options.shell, cacheDir: this.cacheDir, secrets: secretValues(options.env) });
    const setup = remoteSetup(options.settings, options.env);
    for (const problem of setup.problems) options.warn(problem);
    this.remote =
      setup.backends.length > 0 && options.remoteMode !== "off"
        ? new RemoteCache({ backends: setup.backends, mode: options.remoteMode, timeoutMs: setup.timeoutMs, ...(setup.signingKey !== undefined ? { signingKey: setup.signingKey } : {}), warn: options.warn })
        : undefined;
  }

  /** Remembers the fingerprint recorded in state for a cached task. */
  setKey(id: TaskId, fingerprint: string): void {
    this.keys.set(id, fingerprint);
  }

  /** The cache key state records: the fingerprint for `cache = true` tasks, ggen's key for the others. */
  stateKey(task: Task): string {
    return this.keys.get(task.id) ?? task.ggenCacheKey;
  }

  /** Waits for uploads, evicts beyond max_size, sweeps crashed writers' temp files, records the counts. */
  async finish(runId: string): Promise<void> {
    if (this.remote) await this.remote.flush();
    if (this.keys.size === 0) return;
    if (this.counts.stored > 0) {
      this.store.evict(this.options.settings.maxSizeBytes ?? DEFAULT_MAX_SIZE_BYTES);
      this.store.sweepTemps();
    }
    const { hits, remoteHits, misses } = this.counts;
    appendRunStats(this.cacheDir, { time: new Date().toISOString(), run_id: runId, hits, remote_hits: remoteHits, misses });
  }
}
