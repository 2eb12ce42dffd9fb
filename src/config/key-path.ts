/** One step into a TOML document: a table key, or an index into an array. */
export type KeySegment = string | number;

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

/** `["lifecycle", "generate:api", "commands", 2]` -> `lifecycle."generate:api".commands[2]` (TOML key syntax). */
export function formatKeyPath(segments: readonly KeySegment[]): string {
  let out = "";
  for (const segment of segments) {
    if (typeof segment === "number") {
      out += `[${segment}]`;
      continue;
    }
    if (out.length > 0) out += ".";
    out += BARE_KEY.test(segment) ? segment : JSON.stringify(segment);
  }
  return out;
}

/** The inverse of formatKeyPath; undefined when the text is not such a path. */
export function parseKeyPath(text: string): KeySegment[] | undefined {
  const segments: KeySegment[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "[") {
      const close = text.indexOf("]", i);
      const digits = close === -1 ? "" : text.slice(i + 1, close);
      if (!/^\d+$/.test(digits)) return undefined;
      segments.push(Number(digits));
      i = close + 1;
      continue;
    }
    if (ch === "." && segments.length > 0) i++;
    if (text[i] === '"') {
      const end = closingQuote(text, i);
      if (end === -1) return undefined;
      segments.push(JSON.parse(text.slice(i, end + 1)) as string);
      i = end + 1;
      continue;
    }
    const match = /^[A-Za-z0-9_-]+/.exec(text.slice(i));
    if (!match) return undefined;
    segments.push(match[0]);
    i += match[0].length;
  }
  return segments;
}

function closingQuote(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

/** A map key for a path, unambiguous for any key text and for keys vs indexes. */
export function pathKey(segments: readonly KeySegment[]): string {
  return JSON.stringify(segments);
}
