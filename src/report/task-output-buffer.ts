import { closeSync, openSync, readSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type StreamName = "stdout" | "stderr";

/** A run of consecutive lines of one stream, each ending in "\n". */
export interface OutputPiece {
  readonly stream: StreamName;
  readonly text: string;
}

/** Text kept in memory per task before it moves to a temp file. */
export const MEMORY_LIMIT_CHARS = 1024 * 1024;
const FILE_WRITE_CHARS = 64 * 1024;
const PIECE_CHARS = 64 * 1024;
const READ_BYTES = 256 * 1024;

/**
 * One task's output held back for `--output grouped` and written as a block when the task ends. Up to
 * MEMORY_LIMIT_CHARS stay in memory; beyond that the lines go to an anonymous temp file (unlinked at
 * once, so nothing is left behind even after kill -9), so a command printing gigabytes costs disk, not
 * memory. Order across stdout and stderr is kept.
 */
export class TaskOutputBuffer {
  /** Each entry is a tag ("1" stdout, "2" stderr) followed by the line and "\n". */
  private lines: string[] = [];
  private chars = 0;
  private fd: number | null = null;
  private fileText = "";
  /** Set when no temp file could be made (read-only or full /tmp): everything stays in memory. */
  private cannotSpill = false;
  /** Output dropped because the temp file could not be written. */
  private lost: { lines: number; reason: string } | null = null;

  constructor(private readonly memoryLimitChars = MEMORY_LIMIT_CHARS) {}

  push(stream: StreamName, line: string): void {
    const entry = `${stream === "stdout" ? "1" : "2"}${line}\n`;
    if (this.fd === null) {
      this.lines.push(entry);
      this.chars += entry.length;
      if (this.chars > this.memoryLimitChars && !this.cannotSpill) this.spill();
      return;
    }
    this.fileText += entry;
    if (this.fileText.length >= FILE_WRITE_CHARS) this.writeFile();
  }

  /** Whether the lines are (partly) in a temp file. */
  get spilled(): boolean {
    return this.fd !== null;
  }

  /**
   * Hands the lines out in order as pieces (consecutive lines of one stream joined); null at the end,
   * after which the buffer is empty and its temp file closed. Reads the file a slice at a time.
   */
  reader(): () => OutputPiece | null {
    const fd = this.fd;
    const memory = this.lines;
    if (fd !== null) this.writeFile();
    if (this.lost !== null) memory.push(`2[lifecycle: ${this.lost.lines} lines of this output were lost: ${this.lost.reason} writing a temp file]\n`);
    this.lost = null;
    this.fd = null;
    this.lines = [];
    this.chars = 0;
    let at = 0;
    let offset = 0;
    let carry = "";
    let fileDone = false;
    const decoder = new TextDecoder();
    const buffer = fd === null ? null : Buffer.alloc(READ_BYTES);
    const nextEntries = (): string[] => {
      if (fileDone || fd === null || buffer === null) {
        const slice = memory.slice(at, at + 1024);
        at += slice.length;
        return slice;
      }
      for (;;) {
        let read = 0;
        try {
          read = readSync(fd, buffer, 0, READ_BYTES, offset);
        } catch {
          read = 0; // an unreadable temp file ends the block early; nothing else is lost
        }
        offset += read;
        const text = carry + decoder.decode(buffer.subarray(0, read), { stream: read > 0 });
        if (read === 0) {
          closeSync(fd);
          fileDone = true;
          carry = "";
          return text.length > 0 ? text.split(/(?<=\n)/) : nextEntries();
        }
        const cut = text.lastIndexOf("\n") + 1;
        carry = text.slice(cut);
        if (cut > 0) return text.slice(0, cut).split(/(?<=\n)/);
      }
    };
    let pending: string[] = [];
    let next = 0;
    let done = false;
    return () => {
      if (done) return null;
      let stream: StreamName | null = null;
      let text = "";
      for (;;) {
        if (next === pending.length) {
          pending = nextEntries();
          next = 0;
        }
        const entry = pending[next];
        if (entry === undefined) {
          done = true;
          break;
        }
        const entryStream: StreamName = entry.charAt(0) === "1" ? "stdout" : "stderr";
        if (stream !== null && (entryStream !== stream || text.length >= PIECE_CHARS)) break;
        stream = entryStream;
        text += entry.slice(1);
        next++;
      }
      return stream === null ? null : { stream, text };
    };
  }

  private spill(): void {
    const path = join(tmpdir(), `lifecycle-output-${process.pid}-${Math.random().toString(36).slice(2)}`);
    let fd: number;
    try {
      fd = openSync(path, "wx+", 0o600);
    } catch {
      this.cannotSpill = true;
      return;
    }
    try {
      unlinkSync(path); // anonymous from now on: the fd keeps it, the kernel frees it when closed
    } catch {
      // cannot unlink (a platform that forbids it): the file is still ours to read back
    }
    this.fd = fd;
    this.fileText = this.lines.join("");
    this.lines = [];
    this.chars = 0;
    this.writeFile();
  }

  private writeFile(): void {
    if (this.fd === null || this.fileText.length === 0) return;
    const text = this.fileText;
    this.fileText = "";
    if (this.lost !== null) {
      this.lost.lines += countLines(text);
      return;
    }
    const bytes = Buffer.from(text, "utf8");
    let written = 0;
    try {
      while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written);
    } catch (error) {
      // A full /tmp: the rest is dropped, and the block ends with a line saying how much.
      this.lost = { lines: countLines(text), reason: (error as { code?: string }).code ?? String(error) };
    }
  }
}

function countLines(text: string): number {
  let count = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) count++;
  return count;
}
