import { closeSync, existsSync, fstatSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { errnoCode } from "./fs-error.ts";
import { parseHolder, type LockHolder } from "./lock-holder.ts";
import { isProcessAlive } from "./process-identity.ts";
import { unlinkQuietly } from "./temp-files.ts";

/** What one link attempt did: the lock taken (a link to the holder file with inode `ino`), someone holds it, or links are not supported here. */
export type LinkAttempt = { readonly ino: number } | "exists" | "unsupported";

interface HolderFile {
  readonly path: string;
  readonly ino: number;
  readonly dev: number;
}

const HOLDER_PREFIX = ".lock-holder.";
const LINKS_UNSUPPORTED = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "EMLINK", "ENOSYS"]);

/**
 * Locks taken as hard links to a holder file this writer keeps (one per file system), for writers that
 * take hundreds of locks in a row: a symlink lock is a new inode per lock, and ext4 searches past every
 * recently deleted inode to allocate one. A link is a name only. The lock reads like an older JSON lock
 * file (the holder file's content), so every reader of locks understands it; close() removes the holder
 * files once no lock is held. Holder files of dead writers are removed when a new one is made beside them.
 */
export class LockLinks {
  private files: HolderFile[] = [];

  /**
   * `homeDir`: where holder files go when it is on the lock's file system (else beside the lock). A fixed
   * home means the next writer makes its holder where a killed one left its own, and so removes it.
   */
  constructor(
    readonly holder: LockHolder,
    private readonly homeDir?: string,
  ) {}

  /** Takes the lock at `lockFile` (its directory is made if missing). Throws file-system errors other than the three outcomes. */
  link(lockFile: string): LinkAttempt {
    const dir = dirname(lockFile);
    let file = this.files[0] ?? this.create(this.homeDir ?? dir);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(file.path, lockFile);
        return { ino: file.ino };
      } catch (e) {
        const code = errnoCode(e);
        if (code === "EEXIST") return "exists";
        if (code !== undefined && LINKS_UNSUPPORTED.has(code)) return "unsupported";
        if (code === "EXDEV") file = this.onDevice(statSync(dir).dev) ?? this.create(dir);
        else if (code !== "ENOENT") throw e;
        else if (!existsSync(file.path)) file = this.replace(file, this.homeDir ?? dir); // removed by hand
        else mkdirSync(dir, { recursive: true });
      }
    }
    return "unsupported"; // the holder file keeps vanishing: the caller's other kind of lock does not need one
  }

  /** Removes the holder files. Call only when no lock taken through link() is still held. */
  close(): void {
    for (const file of this.files) unlinkQuietly(file.path);
    this.files = [];
  }

  private onDevice(dev: number): HolderFile | undefined {
    return this.files.find((file) => file.dev === dev);
  }

  private replace(gone: HolderFile, dir: string): HolderFile {
    this.files = this.files.filter((file) => file !== gone);
    return this.create(dir);
  }

  private create(dir: string): HolderFile {
    mkdirSync(dir, { recursive: true });
    removeDeadHolders(dir, this.holder.host);
    const path = join(dir, `${HOLDER_PREFIX}${this.holder.pid}.${this.holder.token}`);
    const fd = openSync(path, "w", 0o644);
    try {
      writeFileSync(fd, JSON.stringify(this.holder));
      const stat = fstatSync(fd);
      const file = { path, ino: stat.ino, dev: stat.dev };
      this.files.push(file);
      return file;
    } finally {
      closeSync(fd);
    }
  }
}

/** Removes holder files in `dir` whose process is gone (same host only: another host's pid says nothing here). */
export function removeDeadHolders(dir: string, host: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(HOLDER_PREFIX)) continue;
    const path = join(dir, name);
    try {
      const holder = parseHolder(readFileSync(path, "utf8"));
      if (holder !== null && holder.pid !== process.pid && !isProcessAlive(holder.pid) && holder.host === host) unlinkQuietly(path);
    } catch {
      // gone meanwhile, or unreadable: left for its owner
    }
  }
}

