/** Longest line kept in a tail; longer lines are cut and marked with "…". */
export const MAX_TAIL_LINE_CHARS = 4096;

/** The last `capacity` lines seen, in order, each cut to MAX_TAIL_LINE_CHARS. Memory is bounded by capacity. */
export class TailBuffer {
  readonly #lines: string[] = [];
  readonly #capacity: number;
  #next = 0;

  constructor(capacity: number) {
    this.#capacity = Math.max(0, Math.floor(capacity));
  }

  push(line: string): void {
    if (this.#capacity === 0) return;
    const kept = line.length > MAX_TAIL_LINE_CHARS ? `${line.slice(0, MAX_TAIL_LINE_CHARS)}…` : line;
    if (this.#lines.length < this.#capacity) this.#lines.push(kept);
    else this.#lines[this.#next] = kept;
    this.#next = (this.#next + 1) % this.#capacity;
  }

  /** Oldest first. */
  lines(): string[] {
    if (this.#lines.length < this.#capacity) return [...this.#lines];
    return [...this.#lines.slice(this.#next), ...this.#lines.slice(0, this.#next)];
  }
}
