const REFERENCE = /\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Expands `${NAME}` in an env value from the parent environment (an unset name becomes ""), and
 * `${NAME:-fallback}` (the fallback when NAME is unset or empty). `$${NAME}` stays as the literal `${NAME}`.
 * Anything else, `$NAME` included, is left as written; values are never expanded twice.
 */
export function expandEnvValue(value: string, parentEnv: Readonly<Record<string, string | undefined>>): string {
  if (!value.includes("${")) return value;
  return value.replace(REFERENCE, (match, escaped: string | undefined, name: string, fallback: string | undefined) => {
    if (escaped) return match.slice(1);
    const found = Object.hasOwn(parentEnv, name) ? parentEnv[name] : undefined;
    if (fallback !== undefined) return found ? found : fallback;
    return found ?? "";
  });
}
