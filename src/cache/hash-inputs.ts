import type { DirReader } from "../runtime/dir-reader.ts";
import { forEachMatchingFile } from "./list-files.ts";
import type { StatMemo } from "./stat-memo.ts";

/**
 * sha256 of every file matched by `inputs` (relative to the place directory), by path, keys in the
 * order of the walk (the order the next check asks the memo in; the fingerprint sorts them). The
 * task's own `outputs` are left out: a build that writes into its inputs would never hit.
 * Unchanged files cost one lstat through the memo. When every file is unchanged and
 * the set is the one the memo's previous inputs hold, that very object is returned (the
 * Fingerprinter then knows the inputs part of the fingerprint is unchanged without re-hashing it).
 */
export function hashInputs(placeDir: string, inputs: readonly string[], outputs: readonly string[], memo: StatMemo, reader?: DirReader): Readonly<Record<string, string>> {
  if (inputs.length === 0) return {};
  const hitsBefore = memo.knownHitCount();
  const paths: string[] = [];
  const digests: string[] = [];
  forEachMatchingFile(placeDir, inputs, reader === undefined ? { exclude: outputs } : { exclude: outputs, reader }, (path, stat) => {
    const digest = memo.digestOf(path, `${placeDir}/${path}`, stat);
    if (digest === undefined) return;
    paths.push(path);
    digests.push(digest);
  }, true);
  const unchanged = memo.unchangedInputs(hitsBefore, paths.length);
  if (unchanged !== undefined) return unchanged;
  const out: Record<string, string> = {};
  for (let i = 0; i < paths.length; i++) out[paths[i]!] = digests[i]!;
  return out;
}
