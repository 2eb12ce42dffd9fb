import { listMatchingFiles } from "./list-files.ts";
import type { StatMemo } from "./stat-memo.ts";

/**
 * sha256 of every file matched by `inputs` (relative to the place directory), sorted by path.
 * The task's own `outputs` are left out: a build that writes into its inputs would never hit.
 * Unchanged files cost one lstat through the memo.
 */
export function hashInputs(placeDir: string, inputs: readonly string[], outputs: readonly string[], memo: StatMemo): Record<string, string> {
  const digests: Record<string, string> = {};
  if (inputs.length === 0) return digests;
  for (const path of listMatchingFiles(placeDir, inputs, { exclude: outputs })) {
    const digest = memo.digest(path, `${placeDir}/${path}`);
    if (digest !== undefined) digests[path] = digest;
  }
  return digests;
}
