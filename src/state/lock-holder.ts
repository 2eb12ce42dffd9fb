/** What a lock says about its holder: who owns it, and a token so the owner only ever removes its own lock. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO time the lock was taken. */
  readonly started: string;
  /** /proc/<pid>/stat start time; null where unavailable. Guards against pid reuse. */
  readonly procStart: number | null;
  readonly token: string;
}

/**
 * The holder as a symlink target: `<pid>:<procStart or ->:<started ms>:<token>:<host>`. Short, so on
 * ext4 and most file systems it lives in the inode itself (a "fast" symlink: no data block to
 * allocate when the lock is taken or to free when it is released).
 */
export function encodeHolder(holder: LockHolder): string {
  return `${holder.pid}:${holder.procStart ?? "-"}:${Date.parse(holder.started)}:${holder.token}:${holder.host}`;
}

/** A holder from a symlink target (encodeHolder) or from a lock file's JSON (older versions, file systems without symlinks); null for anything else. */
export function parseHolder(raw: string): LockHolder | null {
  return raw.startsWith("{") ? parseJsonHolder(raw) : parseCompactHolder(raw);
}

function parseCompactHolder(raw: string): LockHolder | null {
  const match = /^(\d+):(\d+|-):(\d+):([0-9a-f]*):(.+)$/.exec(raw);
  if (!match) return null;
  return {
    pid: Number(match[1]),
    procStart: match[2] === "-" ? null : Number(match[2]),
    started: new Date(Number(match[3])).toISOString(),
    token: match[4]!,
    host: match[5]!,
  };
}

function parseJsonHolder(raw: string): LockHolder | null {
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v !== "object" || v === null) return null;
    const h = v as Partial<LockHolder>;
    if (typeof h.pid !== "number" || typeof h.host !== "string") return null;
    return {
      pid: h.pid,
      host: h.host,
      started: typeof h.started === "string" ? h.started : "?",
      procStart: typeof h.procStart === "number" ? h.procStart : null,
      token: typeof h.token === "string" ? h.token : "",
    };
  } catch {
    return null;
  }
}
