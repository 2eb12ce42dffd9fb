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
    source += segment.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", "[^/]*").replaceAll("?", "[^/]");
    if (!last) source += "/";
  });
  return new RegExp(`^${source}$`);
}

export function hasGlobChars(text: string): boolean {
  return /[*?]/.test(text);
}
