import type { Command, HookEntry, Hooks } from "./config.ts";
import { isHookKey, type RawCommand, type RawHook } from "./schema.ts";

/** A written command as the runner sees it: a string goes through the shell, an array is argv. */
export function toCommand(raw: RawCommand): Command {
  return typeof raw === "string" ? { kind: "shell", script: raw } : { kind: "argv", argv: [...raw] };
}

/**
 * One hook value in all three written forms: a list names phases (in order), a string is one shell command,
 * a table `{ commands = [...] }` is a list of inline commands run as one step list.
 */
export function hookEntries(raw: RawHook): HookEntry[] {
  if (typeof raw === "string") return [{ kind: "commands", commands: [toCommand(raw)] }];
  if (Array.isArray(raw)) return raw.map((phase: string) => ({ kind: "phase", phase }));
  const commands = (raw as { readonly commands: readonly RawCommand[] }).commands.map(toCommand);
  return commands.length > 0 ? [{ kind: "commands", commands }] : [];
}

/** The `[hooks]` table normalised: fixed hooks by name, `before_<x>`/`after_<x>` keyed by phase x. */
export function resolveHooks(raw: Readonly<Record<string, RawHook>> | undefined): Hooks {
  let beforeAll: HookEntry[] = [];
  let afterAll: HookEntry[] = [];
  let onError: HookEntry[] = [];
  let onSuccess: HookEntry[] = [];
  const before: [string, HookEntry[]][] = [];
  const after: [string, HookEntry[]][] = [];
  for (const [key, value] of Object.entries(raw ?? {})) {
    if (!isHookKey(key)) continue;
    const entries = hookEntries(value);
    if (key === "before_all") beforeAll = entries;
    else if (key === "after_all") afterAll = entries;
    else if (key === "on_error") onError = entries;
    else if (key === "on_success") onSuccess = entries;
    else if (key.startsWith("before_")) before.push([key.slice("before_".length), entries]);
    else after.push([key.slice("after_".length), entries]);
  }
  // fromEntries, not assignment: a phase may legally be called "__proto__".
  return { beforeAll, afterAll, before: Object.fromEntries(before), after: Object.fromEntries(after), onError, onSuccess };
}
