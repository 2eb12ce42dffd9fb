/** Converts a path glob (`apps/*`, `libs/**`, `pkg-?`) into a RegExp over `/`-separated relative paths. */
export function globToRegExp(pattern: string): RegExp {
  let source = "";
  const segments = pattern.replace(/\/+$/, "").split("/");
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === "**") {
      source += last ? ".*" : "(?:[^/]+/)*";
      return;
    }
    source += segmentSource(segment);
    if (!last) source += "/";
  });
  return new RegExp(`^${source}$`);
}

export function hasGlobChars(text: string): boolean {
  return /[*?]/.test(text);
}

/**
 * Whether a path strictly below directory `relDir` could match `pattern`: lets a directory walk skip
 * subtrees no pattern reaches (`pkgs/*` never needs to list `pkgs/a`). Conservative: true when unsure.
 */
export function globReachesBelow(pattern: string, relDir: string): boolean {
  const segments = pattern.replace(/\/+$/, "").split("/");
  const parts = relDir === "" ? [] : relDir.split("/");
  for (let i = 0; i < parts.length; i++) {
    const segment = segments[i];
    if (segment === undefined) return false;
    if (segment === "**") return true;
    if (!new RegExp(`^${segmentSource(segment)}$`).test(parts[i]!)) return false;
  }
  return segments.length > parts.length;
}

function segmentSource(segment: string): string {
  return segment.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", "[^/]*").replaceAll("?", "[^/]");
}
