import { posix } from "node:path";

/** One `inputs`/`outputs` glob, ready to match paths relative to the place directory. */
export interface GlobPattern {
  /** As written in make.toml. */
  readonly source: string;
  /** Written with a leading `!`: excludes what it matches. */
  readonly negated: boolean;
  /** The leading segments without glob characters, normalised (`src`, `../shared`, `.` for none). */
  readonly base: string;
  /** No glob characters at all: `base` names one file, or a directory taken whole. */
  readonly literal: boolean;
  /** Matches `/`-separated paths relative to the place directory (`src/a.ts`, `../shared/x`). */
  readonly regex: RegExp;
  /** `base/**`: every file under `base` matches, so a walk from `base` need not test `regex`. */
  readonly all: boolean;
}

const GLOB_CHARS = /[*?[{]/;

/**
 * Compiles a pattern: `*` and `?` within a segment, `**` for any depth, `[abc]`/`[!abc]`,
 * `{a,b}` alternatives, a trailing `/` for "everything under this directory", `!` to exclude.
 * Leading `./` is dropped. Returns one GlobPattern per brace alternative.
 */
export function compileGlob(source: string): readonly GlobPattern[] {
  let compiled = COMPILED.get(source);
  if (compiled === undefined) {
    const negated = source.startsWith("!");
    const body = negated ? source.slice(1) : source;
    compiled = expandBraces(body).map((alternative) => compileOne(source, negated, alternative));
    COMPILED.set(source, compiled);
  }
  return compiled;
}

/** Every workspace repeats the same few patterns: compile each once per process. */
const COMPILED = new Map<string, readonly GlobPattern[]>();

function compileOne(source: string, negated: boolean, text: string): GlobPattern {
  let pattern = text.replace(/^(\.\/)+/, "");
  if (pattern.endsWith("/")) pattern += "**";
  const segments = pattern.split("/").filter((segment, i) => segment !== "" || i === 0);
  const firstGlob = segments.findIndex((segment) => GLOB_CHARS.test(segment));
  const staticSegments = firstGlob < 0 ? segments : segments.slice(0, firstGlob);
  const base = posix.normalize(staticSegments.join("/") || ".");
  const literal = firstGlob < 0;
  const parts = [...(base === "." ? [] : base.split("/").map((segment) => ({ segment, literal: true }))), ...(literal ? [] : segments.slice(firstGlob).map((segment) => ({ segment, literal: false })))];
  let regexSource = "";
  parts.forEach(({ segment, literal: plain }, i) => {
    const last = i === parts.length - 1;
    // Every segment but the last ends in "/", so `**` in the middle is "zero or more directories".
    if (!plain && segment === "**") regexSource += last ? ".+" : "(?:[^/]+/)*";
    else regexSource += (plain ? escapeRegex(segment) : segmentRegex(segment)) + (last ? "" : "/");
  });
  const all = !literal && segments.length === firstGlob + 1 && segments[firstGlob] === "**";
  return { source, negated, base, literal, regex: new RegExp(`^${regexSource}$`), all };
}

/**
 * One path segment's glob (no `/`) as regex source: `*`, `?`, `[abc]`, `[a-z]`, `[!abc]` (also
 * `[^abc]`); nothing matches `/`, and an unclosed `[` is literal. Shared with workspace globs.
 */
export function segmentRegex(segment: string): string {
  let out = "";
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    const close = c === "[" ? segment.indexOf("]", i + 2) : -1;
    if (c === "*") {
      while (segment[i + 1] === "*") i++;
      out += "[^/]*";
    } else if (c === "?") out += "[^/]";
    else if (close >= 0) {
      let inner = segment.slice(i + 1, close);
      const negated = inner.startsWith("!") || inner.startsWith("^");
      if (negated) inner = inner.slice(1);
      out += `[${negated ? "^/" : ""}${inner.replace(/[\\\]^]/g, "\\$&")}]`;
      i = close;
    } else out += escapeRegex(c);
  }
  return out;
}

function escapeRegex(text: string): string {
  return text.replace(/[.+^${}()|[\]\\*?]/g, "\\$&");
}

/** `{a,b}c` -> [`ac`, `bc`]; nested braces expand too; an unmatched `{` is literal. */
export function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf("{");
  if (open < 0) return [pattern];
  let depth = 0;
  const commas: number[] = [];
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "{") depth++;
    else if (c === "}") {
      depth--;
      if (depth === 0) {
        if (commas.length === 0) {
          return expandBraces(pattern.slice(i + 1)).map((rest) => pattern.slice(0, i + 1) + rest);
        }
        const head = pattern.slice(0, open);
        const tail = pattern.slice(i + 1);
        const bounds = [open, ...commas, i];
        const out: string[] = [];
        for (let k = 0; k < bounds.length - 1; k++) {
          for (const expanded of expandBraces(head + pattern.slice(bounds[k]! + 1, bounds[k + 1]) + tail)) out.push(expanded);
        }
        return out;
      }
    } else if (c === "," && depth === 1) commas.push(i);
  }
  return [pattern];
}
