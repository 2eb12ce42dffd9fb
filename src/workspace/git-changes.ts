import { spawnSync } from "node:child_process";
import { err, ok, type Result } from "../shared/result.ts";

/**
 * Files changed since `ref` in the git work tree that holds `dir`, as paths relative to `dir` (files
 * outside it are left out): commits in `ref...HEAD` (since the merge base, as CI "affected" checks
 * expect), staged and unstaged changes, and untracked files that are not ignored. Renames count as
 * both paths. err: not a git work tree, an unknown ref, or git missing; the message is for the user.
 */
export function changedFilesSince(dir: string, ref: string): Result<string[], string> {
  if (ref === "" || ref.startsWith("-")) return err(`--since: "${ref}" is not a git ref`);
  const inside = git(dir, ["rev-parse", "--is-inside-work-tree"]);
  if (!inside.ok) return inside.error.startsWith("could not run git") ? inside : err(`--since needs a git repository: ${dir} is not inside a git work tree`);
  const resolved = git(dir, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
  if (!resolved.ok) return err(`--since: unknown git ref "${ref}"`);
  const files = new Set<string>();
  for (const args of [
    ["diff", "--name-only", "--relative", "--no-renames", "-z", `${ref}...HEAD`],
    ["diff", "--name-only", "--relative", "--no-renames", "-z", "HEAD"],
    ["ls-files", "--others", "--exclude-standard", "-z"],
  ]) {
    const listed = git(dir, args);
    if (!listed.ok) return err(`--since ${ref}: ${listed.error}`);
    for (const file of listed.value.split("\0")) if (file !== "") files.add(file);
  }
  return ok([...files].sort());
}

function git(cwd: string, args: readonly string[]): Result<string, string> {
  const result = spawnSync("git", args, { cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (result.error) return err(`could not run git: ${result.error.message}`);
  if (result.status !== 0) return err(`git ${args[0]} failed: ${(result.stderr || "").trim() || `exit ${result.status}`}`);
  return ok(result.stdout);
}
