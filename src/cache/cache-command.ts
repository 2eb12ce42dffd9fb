import { rmSync } from "node:fs";
import type { AppContext } from "../context.ts";
import type { GlobalOptions } from "../invocation.ts";
import { loadProject } from "../workspace/load-project.ts";
import { findConfig } from "../config/find-config.ts";
import { printDiagnostics } from "../commands/print-diagnostics.ts";
import type { CacheSettings } from "../config/config.ts";
import { recentRunStats } from "./cache-stats.ts";
import { LocalStore } from "./local-store.ts";
import { remoteSetup } from "./remote-config.ts";
import { cacheDirOf, DEFAULT_MAX_SIZE_BYTES } from "./run-cache.ts";
import { formatBytes } from "../shared/format-bytes.ts";

/** Runs over which `cache status` reports the hit rate. */
const RECENT_RUNS = 20;

/**
 * `cache status`: entries, size against max_size, hit rate over recent runs, remotes.
 * `cache clean`: removes the whole store (entries, task records, statistics).
 * `cache prune`: evicts least recently used entries beyond max_size and crashed writers' temp files.
 */
export async function cacheCommand(ctx: AppContext, global: GlobalOptions, action: "status" | "clean" | "prune"): Promise<number> {
  // status and prune go by the settings: a make.toml that does not load is exit 2, not the defaults in silence.
  // clean reads none, so it works even then; without any make.toml the defaults hold.
  const project = findConfig(global.root, global.file).exists ? loadProject(global.root, global.file, { strict: false }) : undefined;
  if (project !== undefined && !project.ok && action !== "clean") {
    printDiagnostics(ctx, project.error);
    return 2;
  }
  const settings: CacheSettings = project?.ok ? project.value.root.config.cache : {};
  const maxBytes = settings.maxSizeBytes ?? DEFAULT_MAX_SIZE_BYTES;
  const cacheDir = cacheDirOf(global.root);
  const store = new LocalStore(cacheDir);
  switch (action) {
    case "status": {
      const entries = store.list();
      const sizeBytes = entries.reduce((sum, e) => sum + e.sizeBytes, 0);
      const runs = recentRunStats(cacheDir, RECENT_RUNS);
      const hits = runs.reduce((sum, r) => sum + r.hits, 0);
      const remoteHits = runs.reduce((sum, r) => sum + r.remote_hits, 0);
      const misses = runs.reduce((sum, r) => sum + r.misses, 0);
      const remotes = remoteSetup(settings, ctx.env).backends.map((b) => b.label);
      const hitRate = hits + misses > 0 ? hits / (hits + misses) : null;
      if (global.json) {
        ctx.output.stdout(JSON.stringify({ dir: ".ggen/cache", entries: entries.length, size_bytes: sizeBytes, max_size_bytes: maxBytes, runs: runs.length, hits, remote_hits: remoteHits, misses, hit_rate: hitRate, remotes }) + "\n");
        return 0;
      }
      const rate = hitRate === null ? "no cached tasks run yet" : `${Math.round(hitRate * 100)}% over the last ${runs.length} run${runs.length === 1 ? "" : "s"} (${hits} hit${hits === 1 ? "" : "s"}${remoteHits > 0 ? `, ${remoteHits} from a remote` : ""}, ${misses} miss${misses === 1 ? "" : "es"})`;
      ctx.output.stdout(
        [`Local cache: .ggen/cache`, `  entries: ${entries.length}, ${formatBytes(sizeBytes)} of ${formatBytes(maxBytes)} max`, `  hit rate: ${rate}`, `  remote: ${remotes.length > 0 ? remotes.join(", ") : "none configured"}`].join("\n") + "\n",
      );
      return 0;
    }
    case "clean": {
      const entries = store.list();
      const freed = entries.reduce((sum, e) => sum + e.sizeBytes, 0);
      try {
        rmSync(cacheDir, { recursive: true, force: true });
      } catch (e) {
        ctx.logger.error(`cannot remove .ggen/cache: ${(e as Error).message}`);
        return 1;
      }
      ctx.output.stdout(`Removed ${entries.length} cache entr${entries.length === 1 ? "y" : "ies"} (${formatBytes(freed)}) and the cache records in .ggen/cache\n`);
      return 0;
    }
    case "prune": {
      const evicted = store.evict(maxBytes);
      const swept = store.sweepTemps();
      ctx.output.stdout(
        `Removed ${evicted.removed} least recently used entr${evicted.removed === 1 ? "y" : "ies"} (${formatBytes(evicted.freedBytes)})${swept > 0 ? ` and ${swept} unfinished write${swept === 1 ? "" : "s"}` : ""}; ${formatBytes(evicted.keptBytes)} of ${formatBytes(maxBytes)} max in use\n`,
      );
      return 0;
    }
  }
}
