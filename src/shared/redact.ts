/** Env keys whose values never appear in output, logs, audit lines or errors. */
const SECRET_KEY = /TOKEN|SECRET|PASSWORD|KEY|CREDENTIAL/i;

export const MASK = "***";

export function isSecretKey(name: string): boolean {
  return SECRET_KEY.test(name);
}

/** Whether the env variable's value is masked wherever it appears: a secret key, and a value long enough (1-2 chars would be too noisy). */
export function isMaskedSecret(name: string, value: string): boolean {
  return value.length >= 3 && isSecretKey(name);
}

/** The values to hide, taken from the env a command will see. */
export function secretValues(env: Readonly<Record<string, string | undefined>>): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && isMaskedSecret(name, value)) values.add(value);
  }
  return longestFirst(values);
}

/** Distinct secret values in the order redactText needs: longest first, so a secret inside another is never masked first. */
export function longestFirst(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of a secret value with `***`. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(MASK);
  return out;
}

/** A copy of an env map with secret keys' values masked. */
export function redactEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) out[name] = isSecretKey(name) ? MASK : value;
  return out;
}

/** `https://user:pass@host` → `https://user:***@host` wherever a URL with a password appears in `text`. */
export function redactUrlPasswords(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*):[^\s/@]*@/gi, `$1:${MASK}@`);
}
