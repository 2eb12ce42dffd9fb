import { dirname } from "node:path";
import { parseDuration } from "../shared/duration.ts";
import { DEFAULT_SETTINGS, type CacheSettings, type Config, type Phase, type Settings, type WorkspaceDecl } from "./config.ts";
import { parseSize } from "./parse-size.ts";
import { resolveHooks, toCommand } from "./resolve-hooks.ts";
import { workspaceEntries, workspaceMembers, type RawConfig, type RawPhase } from "./schema.ts";
import { settingSources, type SettingName } from "./setting-sources.ts";
import { isTable } from "./value-schemas.ts";

/**
 * RawConfig -> Config: aliases merged ([settings] over [execution], our key names over ggen's), durations in ms
 * (a timeout of 0 becomes null: no limit; a `watch` phase without a timeout gets null too), hooks normalised,
 * phases in alphabetical order. Env values keep `${NAME}` unexpanded (see expandEnvValue). Pure; trusts parseConfig.
 */
export function resolveConfig(raw: RawConfig, file: string): Config {
  const envProfiles: [string, Record<string, string>][] = [];
  for (const [name, value] of Object.entries(raw.env ?? {})) if (isTable(value)) envProfiles.push([name, stringsOf(value)]);
  const phases = Object.entries(raw.lifecycle ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    file,
    dir: dirname(file),
    project: definedOnly({ ...raw.project }),
    settings: resolveSettings(raw),
    env: stringsOf(raw.env ?? {}),
    envProfiles: Object.fromEntries(envProfiles),
    workspaces: workspaceEntries(raw)
      .map(([name, ws]): WorkspaceDecl => definedOnly({ name, path: ws.path, dependsOn: ws.depends_on ?? [], description: ws.description }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    members: workspaceMembers(raw),
    phases: new Map(phases.map(([name, phase]) => [name, resolvePhase(name, phase)])),
    hooks: resolveHooks(raw.hooks),
    cache: resolveCache(raw),
  };
}

function resolvePhase(name: string, raw: RawPhase): Phase {
  const commands = raw.command !== undefined ? [toCommand(raw.command)] : (raw.commands ?? []).map(toCommand);
  const timeoutMs = raw.timeout !== undefined ? noLimitIfZero(toMs(raw.timeout)) : raw.watch ? null : undefined;
  return definedOnly({
    name,
    description: raw.description,
    commands,
    cwd: raw.cwd,
    env: stringsOf(raw.env ?? {}),
    timeoutMs,
    retries: raw.retries,
    retryDelayMs: raw.retry_delay === undefined ? undefined : toMs(raw.retry_delay),
    parallel: raw.parallel ?? false,
    maxThreads: raw.max_threads ?? raw.concurrency,
    workspaces: raw.workspaces,
    dependsOn: raw.depends_on ?? [],
    cache: raw.cache ?? false,
    inputs: raw.inputs ?? [],
    outputs: raw.outputs ?? [],
    watch: raw.watch !== undefined && raw.watch !== false,
    port: raw.port,
    continueOnError: raw.continue_on_error ?? false,
  });
}

function resolveSettings(raw: RawConfig): Settings {
  const value = (name: SettingName): unknown => settingSources(raw, name)[0]?.value;
  const timeout = value("timeout");
  const retryDelay = value("retry_delay");
  const killGrace = value("kill_grace");
  return definedOnly({
    concurrency: value("concurrency") as number | undefined,
    timeoutMs: timeout === undefined ? DEFAULT_SETTINGS.timeoutMs : noLimitIfZero(toMs(timeout)),
    retries: (value("retries") as number | undefined) ?? DEFAULT_SETTINGS.retries,
    retryDelayMs: retryDelay === undefined ? DEFAULT_SETTINGS.retryDelayMs : toMs(retryDelay),
    killGraceMs: killGrace === undefined ? DEFAULT_SETTINGS.killGraceMs : toMs(killGrace),
    shell: (value("shell") as string | undefined) ?? DEFAULT_SETTINGS.shell,
    historyLimit: (value("history_limit") as number | undefined) ?? DEFAULT_SETTINGS.historyLimit,
  });
}

function resolveCache(raw: RawConfig): CacheSettings {
  const cache = raw.cache ?? {};
  const maxSize = cache.max_size === undefined ? undefined : parseSize(cache.max_size);
  if (maxSize && !maxSize.ok) throw new Error(`resolveConfig: unchecked cache.max_size: ${maxSize.error}`);
  return definedOnly({ maxSizeBytes: maxSize?.ok ? maxSize.value : undefined, remoteUrl: cache.remote_url, remoteTeam: cache.remote_team, s3: cache.s3 });
}

function toMs(value: unknown): number {
  const parsed = parseDuration(value);
  if (!parsed.ok) throw new Error(`resolveConfig: unchecked duration: ${parsed.error}`);
  return parsed.value;
}

function noLimitIfZero(ms: number): number | null {
  return ms === 0 ? null : ms;
}

/** The string entries of an env table (nested tables were warned about and are dropped). */
function stringsOf(table: Readonly<Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(Object.entries(table).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}

/** Drops keys whose value is undefined, so optional fields are absent rather than present-but-undefined. */
function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
