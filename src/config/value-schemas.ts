import * as z from "zod/mini";
import { describeType, parseDuration } from "../shared/duration.ts";
import { parseSize } from "./parse-size.ts";

/** The zod/mini building blocks of the make.toml schema; every failure message says what was expected and what was found. */

type Issue = { readonly input?: unknown };
type AnySchema = z.ZodMiniType;

/** A TOML value's kind, as the schema dispatches on it. */
export function tomlKind(value: unknown): "string" | "number" | "boolean" | "array" | "table" | "date" | "other" {
  if (typeof value === "string") return "string";
  if (typeof value === "number" || typeof value === "bigint") return "number";
  if (typeof value === "boolean") return "boolean";
  if (Array.isArray(value)) return "array";
  if (value instanceof Date) return "date";
  if (typeof value === "object" && value !== null) return "table";
  return "other";
}

/** A TOML table (not an array, not a date). */
export function isTable(value: unknown): value is Record<string, unknown> {
  return tomlKind(value) === "table";
}

/** How a found value is named in a message: literal for numbers and short strings, by type otherwise. */
export function describeValue(value: unknown): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return value.length <= 40 ? JSON.stringify(value) : "a string";
  if (Array.isArray(value) && value.length === 0) return "an empty array";
  return describeType(value);
}

/** "expected <what>, got <found>", or "missing required key; expected <what>" when absent. */
export function expectedMessage(what: string, input: unknown): string {
  return input === undefined ? `missing required key; expected ${what}` : `expected ${what}, got ${describeValue(input)}`;
}

function expecting(what: string) {
  return { error: (issue: Issue) => expectedMessage(what, issue.input) };
}

/** A value accepted when `test` holds, with the standard message otherwise. */
export function valueWhere<T>(what: string, test: (value: unknown) => boolean) {
  return z.custom<T>((value) => test(value), expecting(what));
}

/** Any string. */
export const text = z.string(expecting("a string"));
/** A string with at least one character. */
export const nonEmptyText = valueWhere<string>("a non-empty string", (v) => typeof v === "string" && v.length > 0);
/** A boolean. */
export const flag = z.boolean(expecting("true or false"));

/** An integer in [min, max]; `what` replaces the generated description. */
export function wholeNumber(min: number, max?: number, what?: string) {
  const description = what ?? (max === undefined ? `a whole number >= ${min}` : `a whole number from ${min} to ${max}`);
  return valueWhere<number>(description, (v) => Number.isInteger(v) && (v as number) >= min && (max === undefined || (v as number) <= max));
}

/** A number of seconds or a string such as "30s"; kept as written (resolveConfig converts to ms). */
export const duration = z.custom<number | string>((value) => parseDuration(value).ok, {
  error: (issue: Issue) => {
    if (issue.input === undefined) return expectedMessage('a duration such as "30s"', undefined);
    const parsed = parseDuration(issue.input);
    if (parsed.ok) return "invalid duration";
    return parsed.error.includes(", got ") ? parsed.error : `${parsed.error}, got ${describeValue(issue.input)}`;
  },
});

/** A number of bytes or a string such as "2GB"; kept as written. */
export const size = z.custom<number | string>((value) => parseSize(value).ok, {
  error: (issue: Issue) => {
    const parsed = parseSize(issue.input);
    return parsed.ok ? "invalid size" : parsed.error;
  },
});

/** An array of non-empty strings; a bad element is reported at its own index. */
export function stringList(what: string) {
  return z.array(nonEmptyText, expecting(`an array of ${what}`));
}

/**
 * A value checked by the schema its kind selects (`string`, `array`, `table`...); any other kind fails with
 * `expected <what>`. Unlike z.union, the chosen schema's own issues (with their deeper paths) are kept.
 */
export function byKind<T>(what: string, options: Partial<Record<ReturnType<typeof tomlKind>, AnySchema>>) {
  return z.custom<T>().check(
    z.superRefine((value, ctx) => {
      const schema = options[tomlKind(value)];
      if (!schema) {
        ctx.addIssue({ code: "custom", message: expectedMessage(what, value), input: value });
        return;
      }
      forwardIssues(schema, value, [], ctx);
    }),
  );
}

/**
 * A table whose keys are free-form: `pick` chooses the schema for each entry (undefined: not checked here, e.g. a
 * key the unknown-key pass reports); `checkKey` may reject a key itself (a bad phase name).
 */
export function tableOf<V>(
  what: string,
  pick: (key: string, value: unknown) => AnySchema | undefined,
  checkKey?: (key: string, value: unknown) => string | undefined,
) {
  return z.custom<Readonly<Record<string, V>>>().check(
    z.superRefine((value, ctx) => {
      if (!isTable(value)) {
        ctx.addIssue({ code: "custom", message: expectedMessage(what, value), input: value });
        return;
      }
      for (const [key, entry] of Object.entries(value)) {
        const keyProblem = checkKey?.(key, entry);
        if (keyProblem) ctx.addIssue({ code: "custom", message: keyProblem, path: [key], input: entry });
        const schema = pick(key, entry);
        if (schema) forwardIssues(schema, entry, [key], ctx);
      }
    }),
  );
}

function forwardIssues(schema: AnySchema, value: unknown, prefix: PropertyKey[], ctx: z.core.$RefinementCtx) {
  const result = schema.safeParse(value);
  if (result.success) return;
  for (const issue of result.error.issues) {
    ctx.addIssue({ code: "custom", message: issue.message, path: [...prefix, ...issue.path], input: value });
  }
}

/** A table with a fixed set of keys; other keys are dropped from the output (the unknown-key pass reports them). */
export function section<S extends z.core.$ZodLooseShape>(shape: S, what: string) {
  return z.object(shape, expecting(what));
}
