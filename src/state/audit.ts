import { constants } from "node:fs";
import { mkdir, open, rename, stat } from "node:fs/promises";
import { hostname, userInfo } from "node:os";
import { join } from "node:path";
import { isSecretKey, MASK, redactText } from "../shared/redact.ts";
import { err, ok, type Result } from "../shared/result.ts";
import { describeFsError, errnoCode, shownPath } from "./fs-error.ts";
import { withLock } from "./lock.ts";

/** One task in an audit line. `commands` arrive already redacted. */
export interface AuditTask {
  readonly task: string;
  readonly commands: readonly string[];
  readonly status: string;
  readonly exit_code: number | null;
}

/** One line of `.ggen/audit.jsonl`: one run. time/user/host default to now and this process. */
export interface AuditEntry {
  readonly time?: string;
  readonly user?: string;
  readonly host?: string;
  readonly argv: readonly string[];
  readonly run_id: string;
  readonly phases: readonly string[];
  readonly tasks: readonly AuditTask[];
  readonly status: string;
  readonly duration_ms?: number;
}

export interface AuditOptions {
  /** Secret values to mask wherever they appear (from redact.ts secretValues). */
  readonly secrets?: readonly string[];
  /** Rotate to audit.jsonl.1 when the file would grow past this (default 5 MiB). */
  readonly maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
/** A single command longer than this is cut in the audit line; the line stays readable. */
const MAX_COMMAND_CHARS = 4096;

/**
 * Appends one JSON line to `<root>/.ggen/audit.jsonl` with a single O_APPEND write, so lines
 * from concurrent processes never interleave. Masks secret-looking argv values (`--token x`,
 * `--api-key=x`, `GITHUB_TOKEN=x`) and any known secret value as a safety net. Keeps one older
 * generation (audit.jsonl.1): at most about twice maxBytes on disk.
 */
export async function appendAudit(rootDir: string, entry: AuditEntry, options: AuditOptions = {}): Promise<Result<void, string>> {
  const file = join(rootDir, ".ggen", "audit.jsonl");
  const shown = shownPath(file, rootDir);
  const secrets = options.secrets ?? [];
  const line = `${JSON.stringify(auditLine(entry, secrets))}\n`;
  const bytes = Buffer.from(line, "utf8");
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  try {
    await mkdir(join(rootDir, ".ggen"), { recursive: true });
    if ((await sizeOf(file)) + bytes.length > maxBytes) {
      // Rotation is the one step that is not a plain append: one process at a time.
      const rotated = await withLock(rootDir, () => rotate(file, bytes.length, maxBytes), { name: "audit.lock", rootDir });
      if (!rotated.ok) return rotated;
    }
    const handle = await open(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
    try {
      await handle.write(bytes, 0, bytes.length); // one write(2) with O_APPEND: lines never interleave
    } finally {
      await handle.close();
    }
    return ok(undefined);
  } catch (e) {
    return err(describeFsError(e, "write", shown));
  }
}

function auditLine(entry: AuditEntry, secrets: readonly string[]): Record<string, unknown> {
  const clean = (text: string) => redactText(text, secrets);
  return {
    time: entry.time ?? new Date().toISOString(),
    user: entry.user ?? currentUser(),
    host: entry.host ?? hostname(),
    argv: redactArgv(entry.argv).map(clean),
    run_id: entry.run_id,
    phases: entry.phases,
    tasks: entry.tasks.map((t) => ({
      task: t.task,
      commands: t.commands.map((c) => clean(c.length > MAX_COMMAND_CHARS ? `${c.slice(0, MAX_COMMAND_CHARS)}…` : c)),
      status: t.status,
      exit_code: t.exit_code,
    })),
    status: entry.status,
    ...(entry.duration_ms !== undefined ? { duration_ms: entry.duration_ms } : {}),
  };
}

/** Masks the value of `NAME=value`, `--name=value` and `--name value` when the name looks secret. */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let maskNext = false;
  for (const arg of argv) {
    if (maskNext) {
      out.push(MASK);
      maskNext = false;
      continue;
    }
    const eq = arg.indexOf("=");
    if (eq > 0 && isSecretKey(arg.slice(0, eq))) {
      out.push(`${arg.slice(0, eq + 1)}${MASK}`);
    } else {
      out.push(arg);
      maskNext = /^--?[A-Za-z]/.test(arg) && eq < 0 && isSecretKey(arg);
    }
  }
  return out;
}

async function rotate(file: string, incomingBytes: number, maxBytes: number): Promise<void> {
  if ((await sizeOf(file)) + incomingBytes <= maxBytes) return; // another process rotated meanwhile
  try {
    await rename(file, `${file}.1`);
  } catch (e) {
    if (errnoCode(e) !== "ENOENT") throw e;
  }
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return 0;
    throw e;
  }
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? "unknown");
  }
}
