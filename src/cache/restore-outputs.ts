import { chmodSync, closeSync, constants, fchmodSync, lstatSync, mkdirSync, openSync, readlinkSync, readSync, realpathSync, renameSync, symlinkSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, isAbsolute, join, posix, resolve } from "node:path";
import { err, ok, type Result } from "../shared/result.ts";
import { describeFsError } from "../state/fs-error.ts";
import type { ArtifactFile, ArtifactIndex } from "./artifact.ts";
import { isInside } from "./cache-paths.ts";
import type { StatMemo } from "./stat-memo.ts";
import { createSha256, randomHex } from "../runtime/hashing.ts";

export interface RestoreTarget {
  /** The task's place directory: artifact paths are relative to it. */
  readonly placeDir: string;
  /** The root as written and as its realpath: nothing is written outside. */
  readonly rootDirs: readonly string[];
}

export interface RestoreCount {
  readonly restored: number;
  readonly unchanged: number;
}

const CHUNK_BYTES = 1 << 20;

/**
 * Puts back each output of an artifact that is missing or differs (content, symlink target or mode),
 * byte-identical and with its recorded mode; unchanged files are left alone. Every restored byte is
 * checked against the recorded sha256 before the file is renamed into place, so a damaged or
 * tampered entry restores nothing wrong: it is an error and the caller runs the task instead.
 * Paths that would land outside the root (also through a symlinked directory) are refused.
 */
export function restoreOutputs(artifactFd: number, index: ArtifactIndex, target: RestoreTarget, memo: StatMemo): Result<RestoreCount, string> {
  let restored = 0;
  let unchanged = 0;
  const files = index.header.files;
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const abs = safeTarget(file.path, target);
    if (abs === undefined) return err(`refusing to restore "${file.path}": outside the project root`);
    try {
      if (isUnchanged(file, abs, memo)) {
        unchanged++;
        continue;
      }
      const written = writeOne(file, abs, artifactFd, index.offsets[i]!, target);
      if (!written.ok) return written;
      memo.remember(file.path, lstatSync(abs), file.sha256);
      restored++;
    } catch (e) {
      return err(describeFsError(e, "restore", file.path));
    }
  }
  return ok({ restored, unchanged });
}

function safeTarget(path: string, target: RestoreTarget): string | undefined {
  if (path === "" || isAbsolute(path) || path.includes("\0") || path.includes("\\") || posix.normalize(path) !== path) return undefined;
  const abs = resolve(target.placeDir, path);
  return target.rootDirs.some((root) => isInside(root, abs) && abs !== root) ? abs : undefined;
}

function isUnchanged(file: ArtifactFile, abs: string, memo: StatMemo): boolean {
  const stat = lstatSync(abs, { throwIfNoEntry: false });
  if (!stat) return false;
  if (file.kind === "symlink") return stat.isSymbolicLink() && readlinkSync(abs) === file.target;
  if (!stat.isFile() || stat.size !== file.size || memo.digest(file.path, abs) !== file.sha256) return false;
  if ((stat.mode & 0o7777) !== file.mode) chmodSync(abs, file.mode);
  return true;
}

function writeOne(file: ArtifactFile, abs: string, artifactFd: number, offset: number, target: RestoreTarget): Result<void, string> {
  const parent = dirname(abs);
  mkdirSync(parent, { recursive: true });
  const realParent = realpathSync(parent);
  if (!target.rootDirs.some((root) => isInside(safeRealpath(root), realParent))) return err(`refusing to restore "${file.path}": its directory leads outside the project root`);
  const existing = lstatSync(abs, { throwIfNoEntry: false });
  if (existing?.isDirectory()) return err(`cannot restore "${file.path}": a directory is in the way`);
  const temp = join(parent, `.${basename(abs)}.lc-${randomHex(6)}.tmp`);
  if (file.kind === "symlink") {
    symlinkSync(file.target ?? "", temp);
    renameSync(temp, abs);
    return ok(undefined);
  }
  const out = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  let good = false;
  try {
    const hash = createSha256();
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(file.size, 1)));
    let done = 0;
    while (done < file.size) {
      const n = readSync(artifactFd, buffer, 0, Math.min(buffer.length, file.size - done), offset + done);
      if (n === 0) break;
      const chunk = buffer.subarray(0, n);
      hash.update(chunk);
      let written = 0;
      while (written < n) written += writeSync(out, chunk, written, n - written);
      done += n;
    }
    if (done !== file.size || hash.digest("hex") !== file.sha256) return err(`"${file.path}" in the cache entry does not match its recorded sha256 (damaged or tampered)`);
    fchmodSync(out, file.mode);
    good = true;
  } finally {
    closeSync(out);
    if (!good) unlinkSync(temp);
  }
  renameSync(temp, abs);
  return ok(undefined);
}

function safeRealpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
