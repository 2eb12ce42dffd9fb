import { closeSync } from "node:fs";
import type { Task } from "../plan/task.ts";
import type { Result } from "../shared/result.ts";
import { bytesSource, readArtifactIndex, type ArtifactHeader } from "./artifact.ts";
import type { LocalStore, OpenEntry } from "./local-store.ts";
import type { RemoteCache } from "./remote-cache.ts";
import { restoreOutputs, type RestoreCount } from "./restore-outputs.ts";
import type { StatMemo } from "./stat-memo.ts";

/** A usable cache entry whose outputs are now in place. */
export interface CacheHit {
  readonly header: ArtifactHeader;
  readonly restored: RestoreCount;
  /** "local", or the label of the remote it came from. */
  readonly from: string;
}

export interface HitContext {
  readonly store: LocalStore;
  readonly remote?: RemoteCache;
  readonly rootDirs: readonly string[];
  readonly warn: (message: string) => void;
}

/**
 * Looks for `fingerprint` in the local store, then in the remotes (a remote artifact is checked
 * and saved locally first), and restores the task's outputs from it. Anything unusable along the
 * way (a damaged or tampered entry, an output that cannot be written) is a warning and a miss.
 */
export async function findAndRestore(task: Task, fingerprint: string, memo: StatMemo, context: HitContext): Promise<CacheHit | undefined> {
  let entry = open(context, fingerprint);
  let from = "local";
  if (entry === undefined && context.remote?.readable) {
    const fetched = await context.remote.fetch(fingerprint);
    if (fetched !== undefined) {
      const index = readArtifactIndex(bytesSource(fetched.artifact), fingerprint);
      if (!index.ok) context.warn(`remote cache ${fetched.from}: artifact ${fingerprint.slice(0, 12)} for ${task.id} rejected: ${index.error}; running the task`);
      else {
        const saved = context.store.saveBytes(fingerprint, fetched.artifact);
        if (!saved.ok) context.warn(`${saved.error}; running ${task.id}`);
        else {
          entry = open(context, fingerprint);
          from = fetched.from;
        }
      }
    }
  }
  if (entry === undefined) return undefined;
  let restored: Result<RestoreCount, string>;
  try {
    restored = restoreOutputs(entry.fd, entry.index, { placeDir: task.place.dir, rootDirs: context.rootDirs }, memo);
  } finally {
    closeSync(entry.fd);
  }
  if (!restored.ok) {
    context.warn(`cache entry ${fingerprint.slice(0, 12)} for ${task.id} not used: ${restored.error}; running the task`);
    context.store.remove(fingerprint);
    return undefined;
  }
  context.store.touch(entry);
  return { header: entry.index.header, restored: restored.value, from };
}

function open(context: HitContext, fingerprint: string): OpenEntry | undefined {
  const found = context.store.open(fingerprint);
  if (!found.ok) {
    context.warn(found.error);
    return undefined;
  }
  return found.value;
}
