import { pathKey, type KeySegment } from "./key-path.ts";

/** 1-based line and column of a key in the source text. */
export interface KeyPosition {
  readonly line: number;
  readonly column: number;
}

/** Where keys are in a TOML text; a path not found falls back to its nearest located ancestor. */
export interface KeyLocations {
  locate(segments: readonly KeySegment[]): KeyPosition | undefined;
}

const BARE_KEY = /[A-Za-z0-9_-]+/y;
const SCALAR_END = new Set([",", "]", "}", "\n", "\r", "#"]);

/**
 * Maps key paths to positions by a light scan of text that smol-toml already accepted: table and array-of-tables
 * headers, dotted and quoted keys, inline tables and array elements (by index). Best effort: it never throws, and
 * a path it cannot place is simply absent.
 */
export function scanKeyLocations(text: string): KeyLocations {
  const offsets = new Map<string, number>();
  const arrayCounts = new Map<string, number>();
  const n = text.length;
  let i = 0;

  const record = (path: readonly KeySegment[], offset: number) => {
    const key = pathKey(path);
    if (!offsets.has(key)) offsets.set(key, offset);
  };
  const skipSpaces = () => {
    while (i < n && (text[i] === " " || text[i] === "\t")) i++;
  };
  const skipToLineEnd = () => {
    while (i < n && text[i] !== "\n") i++;
  };
  const skipBlank = () => {
    for (;;) {
      skipSpaces();
      if (text[i] === "\n" || text[i] === "\r") i++;
      else if (text[i] === "#") skipToLineEnd();
      else return;
    }
  };
  const basicStringEnd = (open: number): number => {
    let j = open + 1;
    while (j < n && text[j] !== '"' && text[j] !== "\n") j += text[j] === "\\" ? 2 : 1;
    return Math.min(j + 1, n);
  };
  const parseKey = (): { name: string; offset: number }[] => {
    const parts: { name: string; offset: number }[] = [];
    for (;;) {
      skipSpaces();
      const start = i;
      let name: string;
      if (text[i] === '"') {
        i = basicStringEnd(i);
        name = decodeBasicString(text.slice(start, i));
      } else if (text[i] === "'") {
        const end = text.indexOf("'", i + 1);
        i = end === -1 ? n : end + 1;
        name = text.slice(start + 1, i - 1);
      } else {
        BARE_KEY.lastIndex = i;
        const match = BARE_KEY.exec(text);
        if (!match) return parts;
        name = match[0];
        i += name.length;
      }
      parts.push({ name, offset: start });
      skipSpaces();
      if (text[i] !== ".") return parts;
      i++;
    }
  };
  const recordKey = (base: readonly KeySegment[], parts: { name: string; offset: number }[]): KeySegment[] => {
    const path = [...base];
    for (const part of parts) {
      path.push(part.name);
      record(path, part.offset);
    }
    return path;
  };
  const skipMultiline = (quote: string) => {
    let j = i + 3;
    for (;;) {
      if (j >= n) break;
      if (quote === '"' && text[j] === "\\") j += 2;
      else if (text.startsWith(quote.repeat(3), j)) break;
      else j++;
    }
    j += 3;
    for (let extra = 0; extra < 2 && text[j] === quote; extra++) j++;
    i = Math.min(j, n);
  };
  const parseValue = (path: KeySegment[]): void => {
    skipSpaces();
    const c = text[i];
    if (text.startsWith('"""', i)) skipMultiline('"');
    else if (text.startsWith("'''", i)) skipMultiline("'");
    else if (c === '"') i = basicStringEnd(i);
    else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      i = end === -1 ? n : end + 1;
    } else if (c === "[") parseArray(path);
    else if (c === "{") parseInlineTable(path);
    else while (i < n && !SCALAR_END.has(text[i]!)) i++;
  };
  const parseArray = (path: KeySegment[]) => {
    i++;
    for (let index = 0; i < n; index++) {
      skipBlank();
      if (text[i] === "]") break;
      const before = i;
      record([...path, index], i);
      parseValue([...path, index]);
      skipBlank();
      if (text[i] === ",") i++;
      else if (text[i] !== "]" && i === before) i++;
    }
    i++;
  };
  const parseInlineTable = (path: KeySegment[]) => {
    i++;
    while (i < n) {
      skipBlank();
      if (text[i] === "}") break;
      if (text[i] === ",") {
        i++;
        continue;
      }
      const before = i;
      const parts = parseKey();
      if (parts.length === 0) {
        i = Math.max(i, before + 1);
        continue;
      }
      const full = recordKey(path, parts);
      skipSpaces();
      if (text[i] === "=") i++;
      parseValue(full);
    }
    i++;
  };
  const parseHeader = (isArray: boolean): KeySegment[] => {
    i += isArray ? 2 : 1;
    const parts = parseKey();
    const path: KeySegment[] = [];
    parts.forEach((part, index) => {
      path.push(part.name);
      record(path, part.offset);
      const key = pathKey(path);
      if (isArray && index === parts.length - 1) {
        const next = (arrayCounts.get(key) ?? -1) + 1;
        arrayCounts.set(key, next);
        path.push(next);
        record(path, part.offset);
      } else if (arrayCounts.has(key)) {
        path.push(arrayCounts.get(key)!);
      }
    });
    return path;
  };

  try {
    let table: KeySegment[] = [];
    while (i < n) {
      const before = i;
      skipBlank();
      if (i >= n) break;
      if (text[i] === "[") {
        table = parseHeader(text[i + 1] === "[");
      } else {
        const parts = parseKey();
        if (parts.length > 0) {
          const full = recordKey(table, parts);
          skipSpaces();
          if (text[i] === "=") i++;
          parseValue(full);
        }
      }
      skipToLineEnd();
      if (i === before) i++;
    }
  } catch {
    // Best effort: keep what was found.
  }

  const lineStarts = computeLineStarts(text);
  return {
    locate(segments) {
      for (let length = segments.length; length > 0; length--) {
        const offset = offsets.get(pathKey(segments.slice(0, length)));
        if (offset !== undefined) return positionOf(lineStarts, offset);
      }
      return undefined;
    },
  };
}

function decodeBasicString(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted.slice(1, -1);
  }
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

function positionOf(lineStarts: readonly number[], offset: number): KeyPosition {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (lineStarts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low + 1, column: offset - lineStarts[low]! + 1 };
}
