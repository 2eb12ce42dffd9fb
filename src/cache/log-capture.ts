import type { LogLine } from "./artifact.ts";

/** Caps on the output kept with a cache entry, replayed on a hit. */
export const MAX_LOG_LINES = 10_000;
export const MAX_LOG_CHARS = 1 << 20;

/** Keeps a task's output lines, up to the caps; later lines are only counted. */
export class LogCapture {
  readonly lines: LogLine[] = [];
  dropped = 0;
  private chars = 0;

  add(stream: "stdout" | "stderr", line: string): void {
    if (this.lines.length >= MAX_LOG_LINES || this.chars + line.length > MAX_LOG_CHARS) {
      this.dropped++;
      return;
    }
    this.chars += line.length;
    this.lines.push([stream, line]);
  }
}
