import type { DirReader } from "../runtime/dir-reader.ts";
import { forEachMatchingFile } from "./list-files.ts";
import type { RecordedInputs } from "./recorded-inputs.ts";
import type { StatMemo } from "./stat-memo.ts";

/**
 * sha256 of every file matched by `inputs` (relative to the place directory), by path, keys in the
 * order of the walk (the order the next check asks the memo in; the fingerprint sorts them). The
 * task's own `outputs` are left out: a build that writes into its inputs would never hit.
 * Unchanged files cost one lstat through the memo. When every file is unchanged and
 * the set is the one the memo's previous inputs hold, that very object is returned.
 */
export function hashInputs(placeDir: string, inputs: readonly string[], outputs: readonly string[], memo: StatMemo, reader?: DirReader): Readonly<Record<string, string>> {
  const digests = digestInputs(placeDir, inputs, outputs, memo, reader);
  return isRecorded(digests) ? digests.toRecord() : digests;
}

/**
 * hashInputs, but an unchanged set comes back as the memo's RecordedInputs themselves, without
 * building their path → digest object (the Fingerprinter then reuses the recorded fingerprint).
 */
export function digestInputs(placeDir: string, inputs: readonly string[], outputs: readonly string[], memo: StatMemo, reader?: DirReader): Readonly<Record<string, string>> | RecordedInputs {
  if (inputs.length === 0) return {};
  const hitsBefore = memo.knownHitCount();
  const paths: string[] = [];
  // A digest, or the file's position among the memo's previous inputs (decoded only if needed).
  const found: (string | number)[] = [];
  forEachMatchingFile(placeDir, inputs, reader === undefined ? { exclude: outputs } : { exclude: outputs, reader }, (path, stat) => {
    const digest = memo.lookup(path, `${placeDir}/${path}`, stat);
    if (digest === undefined) return;
    paths.push(path);
    found.push(digest);
  }, true);
  const unchanged = memo.unchangedInputs(hitsBefore, paths.length);
  if (unchanged !== undefined) return unchanged;
  const out: Record<string, string> = {};
  for (let i = 0; i < paths.length; i++) {
    const digest = found[i]!;
    out[paths[i]!] = typeof digest === "number" ? memo.knownDigestAt(digest) : digest;
  }
  return out;
}

/** True for the RecordedInputs digestInputs returns for an unchanged set. */
export function isRecorded(digests: Readonly<Record<string, string>> | RecordedInputs): digests is RecordedInputs {
  return typeof (digests as RecordedInputs).toRecord === "function" && typeof (digests as RecordedInputs).digestAt === "function";
}
