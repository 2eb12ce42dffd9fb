import { closeSync } from "node:fs";
import type { Task } from "../plan/task.ts";
import type { Result } from "../shared/result.ts";
import { bytesSource, readArtifactIndex, type ArtifactHeader } from "./artifact.ts";
import type { LocalStore, OpenEntry } from "./local-store.ts";
import type { RemoteCache } from "./remote-cache.ts";
import { restoreOutputs, type RestoreCount } from "./restore-outputs.ts";
import type { StatMemo } from "./stat-memo.ts";

/** A stored result that was found but could not be used, and why (also said as a warning): a miss for another reason than "not stored". */
export interface UnusableEntry {
  readonly unusable: string;
}

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
 * way (a damaged or tampered entry, an output that cannot be written) is a warning and a miss that
 * says why (UnusableEntry); undefined when nothing is stored.
 */
export async function findAndRestore(task: Task, fingerprint: string, memo: StatMemo, context: HitContext): Promise<CacheHit | UnusableEntry | undefined> {
  const local = open(context, fingerprint);
  let entry = local.entry;
  let unusable = local.unusable;
  let from = "local";
  if (entry === undefined && context.remote?.readable) {
    const fetched = await context.remote.fetch(fingerprint);
    if (fetched !== undefined && "rejected" in fetched) unusable = fetched.rejected;
    else if (fetched !== undefined) {
      const index = readArtifactIndex(bytesSource(fetched.artifact), fingerprint);
      if (!index.ok) {
        context.warn(`remote cache ${fetched.from}: artifact ${fingerprint.slice(0, 12)} for ${task.id} rejected: ${index.error}; running the task`);
        unusable = `the artifact from ${fetched.from} was rejected: ${index.error}`;
      } else {
        const saved = context.store.saveBytes(fingerprint, fetched.artifact);
        if (!saved.ok) context.warn(`${saved.error}; running ${task.id}`);
        else {
          ({ entry, unusable } = open(context, fingerprint));
          from = fetched.from;
        }
      }
    }
  }
  if (entry === undefined) return unusable === undefined ? undefined : { unusable };
  let restored: Result<RestoreCount, string>;
  try {
    restored = restoreOutputs(entry.fd, entry.index, { placeDir: task.place.dir, rootDirs: context.rootDirs, outputs: task.outputs }, memo);
  } finally {
    closeSync(entry.fd);
  }
  if (!restored.ok) {
    context.warn(`cache entry ${fingerprint.slice(0, 12)} for ${task.id} not used: ${restored.error}; running the task`);
    context.store.remove(fingerprint);
    return { unusable: `its outputs could not be restored: ${restored.error}` };
  }
  context.store.touch(entry);
  return { header: entry.index.header, restored: restored.value, from };
}

function open(context: HitContext, fingerprint: string): { entry?: OpenEntry; unusable?: string } {
  const found = context.store.open(fingerprint);
  if (!found.ok) {
    context.warn(found.error);
    return { unusable: found.error };
  }
  return found.value === undefined ? {} : { entry: found.value };
}
