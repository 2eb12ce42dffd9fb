import { chmodSync, closeSync, constants, fchmodSync, lstatSync, mkdirSync, openSync, readlinkSync, readSync, realpathSync, renameSync, symlinkSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, isAbsolute, join, posix, resolve } from "node:path";
import { err, ok, type Result } from "../shared/result.ts";
import { describeFsError } from "../state/fs-error.ts";
import type { ArtifactFile, ArtifactIndex } from "./artifact.ts";
import { isInside } from "./cache-paths.ts";
import { compileGlob, type GlobPattern } from "./glob-pattern.ts";
import { walksInto } from "./list-files.ts";
import type { StatMemo } from "./stat-memo.ts";
import { createSha256, randomHex } from "../runtime/hashing.ts";

export interface RestoreTarget {
  /** The task's place directory: artifact paths are relative to it. */
  readonly placeDir: string;
  /** The root as written and as its realpath: nothing is written outside. */
  readonly rootDirs: readonly string[];
  /** The task's `outputs` patterns: an entry listing a path they could not have listed is rejected whole. */
  readonly outputs: readonly string[];
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
 * Every path is checked before anything is written (checkPaths): an entry listing one that is not
 * the task's output, or that would land outside the root (also through a symlinked directory), is
 * refused whole.
 */
export function restoreOutputs(artifactFd: number, index: ArtifactIndex, target: RestoreTarget, memo: StatMemo): Result<RestoreCount, string> {
  const files = index.header.files;
  const checked = checkPaths(files, target);
  if (!checked.ok) return checked;
  let restored = 0;
  let unchanged = 0;
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const abs = checked.value[i]!;
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

/**
 * Where each file of an entry goes, or why the entry must not be restored at all. An entry says
 * what to write where, and its sha256 (and signature, when a key is set) only show it arrived as
 * its writer made it: whoever can write to the store or the remote chooses the paths. So each path
 * must be one the task's `outputs` could have listed (isOutput), inside the root, listed once and
 * not below another listed file, and the nearest directory of it that exists must not lead outside
 * the root (a symlink). Nothing is written before every path passed.
 */
function checkPaths(files: readonly ArtifactFile[], target: RestoreTarget): Result<string[], string> {
  const outputs = target.outputs.flatMap(compileGlob);
  const listed = new Set<string>();
  for (const { path } of files) {
    if (listed.has(path)) return err(`the entry lists "${path}" twice`);
    listed.add(path);
  }
  const realRoots = target.rootDirs.map(safeRealpath);
  const dirsInside = new Map<string, boolean>();
  const targets: string[] = [];
  for (const { path } of files) {
    if (!isOutput(path, outputs)) return err(`the entry lists "${path}", which is not among the task's outputs [${target.outputs.join(", ")}]`);
    const abs = safeTarget(path, target);
    if (abs === undefined) return err(`refusing to restore "${path}": outside the project root`);
    for (let slash = path.indexOf("/"); slash >= 0; slash = path.indexOf("/", slash + 1)) {
      if (listed.has(path.slice(0, slash))) return err(`the entry lists "${path}" below "${path.slice(0, slash)}", which it also lists`);
    }
    if (!leadsInside(dirname(abs), realRoots, dirsInside)) return err(`refusing to restore "${path}": its directory leads outside the project root`);
    targets.push(abs);
  }
  return ok(targets);
}

/**
 * Whether `path` is one that listMatchingFiles could have listed for these patterns: a plain,
 * normalised relative path that a pattern matches, with only ordinary directory names below the
 * pattern's fixed part (`*` and `**` also match `..`; `.git`, `.ggen` and, unless the pattern names
 * it, `node_modules` are never walked: compared ignoring case, as a case-insensitive file system
 * would), and that no `!pattern` excludes.
 */
function isOutput(path: string, outputs: readonly GlobPattern[]): boolean {
  if (!isPlainRelative(path)) return false;
  if (outputs.some((pattern) => pattern.negated && pattern.regex.test(path))) return false;
  return outputs.some((pattern) => !pattern.negated && matchesOutput(pattern, path));
}

function matchesOutput(pattern: GlobPattern, path: string): boolean {
  if (pattern.literal && path === pattern.base) return true;
  const prefix = pattern.base === "." ? "" : `${pattern.base}/`;
  if (!path.startsWith(prefix) || (!pattern.literal && !pattern.regex.test(path))) return false;
  const below = path.slice(prefix.length).split("/");
  return below.every((segment, i) => {
    if (segment === ".." || segment === ".") return false;
    return i === below.length - 1 || walksInto(segment.toLowerCase(), pattern);
  });
}

/** Normalised, relative, naming a file: not "", ".", or ending in "..". */
function isPlainRelative(path: string): boolean {
  return path !== "" && path !== "." && path !== ".." && !path.endsWith("/..") && !isAbsolute(path) && !path.includes("\0") && !path.includes("\\") && posix.normalize(path) === path;
}

function safeTarget(path: string, target: RestoreTarget): string | undefined {
  if (!isPlainRelative(path)) return undefined;
  const abs = resolve(target.placeDir, path);
  return target.rootDirs.some((root) => isInside(root, abs) && abs !== root) ? abs : undefined;
}

/**
 * Whether `dir`, or its nearest ancestor that exists (the rest is created by the restore), is
 * really inside one of `realRoots`. A symlink that leads nowhere counts as leading outside.
 */
function leadsInside(dir: string, realRoots: readonly string[], known: Map<string, boolean>): boolean {
  let inside = known.get(dir);
  if (inside !== undefined) return inside;
  let exists: boolean;
  try {
    exists = lstatSync(dir, { throwIfNoEntry: false }) !== undefined;
  } catch {
    exists = false; // below a file (ENOTDIR): writing there fails later, with its own error
  }
  if (!exists) inside = dirname(dir) !== dir && leadsInside(dirname(dir), realRoots, known);
  else {
    const real = realpathOrUndefined(dir);
    inside = real !== undefined && realRoots.some((root) => isInside(root, real));
  }
  known.set(dir, inside);
  return inside;
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
  return realpathOrUndefined(path) ?? path;
}

function realpathOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}
