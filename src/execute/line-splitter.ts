/** Longest line kept whole; a longer run of bytes without "\n" is delivered in pieces of this size (bounded memory). */
export const MAX_LINE_CHARS = 1024 * 1024;

/** Turns a byte stream into lines: streaming UTF-8 decode, "\n" removed, a final line without "\n" still delivered. */
export interface LineSplitter {
  push(chunk: Uint8Array): void;
  /** Flushes the decoder and the last partial line. Call once, after the last push. */
  end(): void;
}

/**
 * Lines are never split mid-line, whatever the chunking of the writes, except a line longer than
 * MAX_LINE_CHARS, which always arrives in MAX_LINE_CHARS pieces. Only the current partial line is held.
 */
export function createLineSplitter(onLine: (line: string) => void, maxLineChars = MAX_LINE_CHARS): LineSplitter {
  // Made on the first chunk: most commands of a big run never write to one of their two streams.
  let decoder: TextDecoder | undefined;
  let pending = "";

  const emit = (line: string): void => {
    if (line.length <= maxLineChars) return onLine(line);
    for (let start = 0; start < line.length; start += maxLineChars) onLine(line.slice(start, start + maxLineChars));
  };

  const feed = (text: string): void => {
    const buffer = pending.length === 0 ? text : pending + text;
    let start = 0;
    let newline = buffer.indexOf("\n");
    while (newline !== -1) {
      emit(buffer.slice(start, newline));
      start = newline + 1;
      newline = buffer.indexOf("\n", start);
    }
    pending = start === 0 ? buffer : buffer.slice(start);
    while (pending.length > maxLineChars) {
      onLine(pending.slice(0, maxLineChars));
      pending = pending.slice(maxLineChars);
    }
  };

  return {
    push(chunk) {
      decoder ??= new TextDecoder("utf-8");
      const text = decoder.decode(chunk, { stream: true });
      if (text.length > 0) feed(text);
    },
    end() {
      const rest = decoder?.decode() ?? "";
      if (rest.length > 0) feed(rest);
      if (pending.length > 0) emit(pending);
      pending = "";
    },
  };
}
