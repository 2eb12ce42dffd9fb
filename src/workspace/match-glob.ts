import { expandBraces, segmentRegex } from "../cache/glob-pattern.ts";

/**
 * Converts a path glob into a RegExp over `/`-separated relative paths: `*` and `?` within a segment,
 * `**` across segments, `[abc]`, `[a-z]` and `[!abc]` classes, and `{a,b}` alternatives (the same
 * syntax as the cache's inputs and outputs).
 */
export function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^(?:${expandBraces(pattern).map(alternativeSource).join("|")})$`);
}

function alternativeSource(pattern: string): string {
  let source = "";
  const segments = pattern.replace(/\/+$/, "").split("/");
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === "**") {
      source += last ? ".*" : "(?:[^/]+/)*";
      return;
    }
    source += segmentRegex(segment);
    if (!last) source += "/";
  });
  return source;
}

export function hasGlobChars(text: string): boolean {
  return /[*?[{]/.test(text);
}

/**
 * Whether a path strictly below directory `relDir` could match `pattern`: lets a directory walk skip
 * subtrees no pattern reaches (`pkgs/*` never needs to list `pkgs/a`). Conservative: true when unsure.
 */
export function globReachesBelow(pattern: string, relDir: string): boolean {
  return expandBraces(pattern).some((alternative) => alternativeReachesBelow(alternative, relDir));
}

function alternativeReachesBelow(pattern: string, relDir: string): boolean {
  const segments = pattern.replace(/\/+$/, "").split("/");
  const parts = relDir === "" ? [] : relDir.split("/");
  for (let i = 0; i < parts.length; i++) {
    const segment = segments[i];
    if (segment === undefined) return false;
    if (segment === "**") return true;
    if (!new RegExp(`^${segmentRegex(segment)}$`).test(parts[i]!)) return false;
  }
  return segments.length > parts.length;
}
