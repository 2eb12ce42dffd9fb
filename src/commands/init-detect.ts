import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parse as parseToml } from "smol-toml";

/** The build tool a starter make.toml calls. */
export type Ecosystem = "npm" | "pnpm" | "yarn" | "bun" | "cargo" | "go" | "none";

/** What `init` found in a directory: the project's name, its tool, and its workspace members. */
export interface DetectedProject {
  readonly name: string;
  readonly ecosystem: Ecosystem;
  /** Directory globs or paths relative to the root, as `[workspace] members` takes them. */
  readonly members: readonly string[];
  /** The file the members came from, e.g. "package.json workspaces"; undefined without members. */
  readonly membersFrom?: string;
  /** Entries not carried over (exclusions, paths outside the root), with the reason. */
  readonly skipped: readonly string[];
  /** Other workspace definitions found but not used (a polyglot repo). */
  readonly alsoFound: readonly string[];
}

interface MemberSource {
  readonly from: string;
  readonly ecosystem: Ecosystem;
  readonly entries: readonly string[];
}

/**
 * Looks at the root's package.json (workspaces), pnpm-workspace.yaml, Cargo.toml ([workspace]
 * members) and go.work (use). The first that has members decides the ecosystem; a file that cannot
 * be parsed counts as absent. Reads only; never throws for a project's files.
 */
export function detectProject(root: string): DetectedProject {
  const pkg = readJson(join(root, "package.json"));
  const cargo = readTomlFile(join(root, "Cargo.toml"));
  const goWork = readText(join(root, "go.work"));
  const goMod = readText(join(root, "go.mod"));
  const nodeTool = pkg !== undefined ? nodePackageManager(root, pkg) : undefined;

  const sources: MemberSource[] = [];
  const pnpm = readText(join(root, "pnpm-workspace.yaml"));
  if (pnpm !== undefined) sources.push({ from: "pnpm-workspace.yaml", ecosystem: "pnpm", entries: pnpmPackages(pnpm) });
  if (pkg !== undefined) sources.push({ from: "package.json workspaces", ecosystem: nodeTool ?? "npm", entries: npmWorkspaces(pkg) });
  if (cargo !== undefined) sources.push({ from: "Cargo.toml [workspace] members", ecosystem: "cargo", entries: cargoMembers(cargo) });
  if (goWork !== undefined) sources.push({ from: "go.work", ecosystem: "go", entries: goWorkUses(goWork) });

  const used = sources.find((s) => s.entries.length > 0);
  const ecosystem: Ecosystem = used?.ecosystem ?? nodeTool ?? (cargo !== undefined ? "cargo" : goMod !== undefined || goWork !== undefined ? "go" : "none");
  const members: string[] = [];
  const skipped: string[] = [];
  for (const entry of used?.entries ?? []) {
    const member = normaliseMember(entry);
    if (typeof member === "string") {
      if (!members.includes(member)) members.push(member);
    } else skipped.push(`${entry} (${member.skip})`);
  }
  return {
    name: projectName(root, pkg, cargo, goMod),
    ecosystem,
    members,
    ...(used ? { membersFrom: used.from } : {}),
    skipped,
    alsoFound: sources.filter((s) => s !== used && s.entries.length > 0).map((s) => `${s.from}: ${s.entries.join(", ")}`),
  };
}

function nodePackageManager(root: string, pkg: Record<string, unknown>): Ecosystem {
  const declared = typeof pkg.packageManager === "string" ? pkg.packageManager.split("@")[0] : undefined;
  if (declared === "pnpm" || declared === "yarn" || declared === "bun" || declared === "npm") return declared;
  if (existsSync(join(root, "pnpm-lock.yaml"))) return "pnpm";
  if (existsSync(join(root, "yarn.lock"))) return "yarn";
  if (existsSync(join(root, "bun.lock")) || existsSync(join(root, "bun.lockb"))) return "bun";
  return "npm";
}

/** `"workspaces": [...]` or `"workspaces": { "packages": [...] }` (yarn classic). */
function npmWorkspaces(pkg: Record<string, unknown>): string[] {
  const ws = pkg.workspaces;
  const list = Array.isArray(ws) ? ws : typeof ws === "object" && ws !== null ? (ws as { packages?: unknown }).packages : undefined;
  return Array.isArray(list) ? list.filter((x): x is string => typeof x === "string") : [];
}

/** The `packages:` list of pnpm-workspace.yaml (block list of scalars; enough for what pnpm documents). */
function pnpmPackages(yaml: string): string[] {
  const out: string[] = [];
  let inPackages = false;
  for (const raw of yaml.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, "");
    if (/^packages\s*:\s*$/.test(line)) {
      inPackages = true;
      continue;
    }
    if (/^[^\s-]/.test(line)) inPackages = false;
    const item = inPackages ? /^\s*-\s*(.+?)\s*$/.exec(line) : null;
    if (item) out.push(item[1]!.replace(/^(['"])(.*)\1$/, "$2"));
  }
  return out;
}

function cargoMembers(cargo: Record<string, unknown>): string[] {
  const workspace = cargo.workspace as { members?: unknown; exclude?: unknown } | undefined;
  const members = Array.isArray(workspace?.members) ? workspace.members.filter((x): x is string => typeof x === "string") : [];
  const exclude = Array.isArray(workspace?.exclude) ? workspace.exclude.filter((x): x is string => typeof x === "string") : [];
  return [...members, ...exclude.map((e) => `!${e}`)];
}

/** `use ./a` and `use ( ./a ./b )` directives of go.work. */
function goWorkUses(text: string): string[] {
  const out: string[] = [];
  let inBlock = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\/\/.*$/, "").trim();
    if (inBlock) {
      if (line === ")") inBlock = false;
      else if (line !== "") out.push(unquote(line));
    } else if (/^use\s*\($/.test(line)) inBlock = true;
    else if (/^use\s+\S/.test(line)) out.push(unquote(line.slice(3).trim()));
  }
  return out;
}

/** A member as `[workspace] members` takes it, or why it is left out. */
function normaliseMember(entry: string): string | { skip: string } {
  if (entry.startsWith("!")) return { skip: "an exclusion: members globs have none, so list the directories to keep instead" };
  const path = entry.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
  if (path === "" || path === ".") return { skip: "the root itself runs the root's phases" };
  if (path.startsWith("/") || path.split("/").includes("..")) return { skip: "outside the project root" };
  return path;
}

function projectName(root: string, pkg: Record<string, unknown> | undefined, cargo: Record<string, unknown> | undefined, goMod: string | undefined): string {
  if (typeof pkg?.name === "string" && pkg.name !== "") return pkg.name.replace(/^@[^/]+\//, "");
  const cargoName = (cargo?.package as { name?: unknown } | undefined)?.name;
  if (typeof cargoName === "string" && cargoName !== "") return cargoName;
  const module = goMod !== undefined ? /^module\s+(\S+)/m.exec(goMod)?.[1] : undefined;
  if (module) return unquote(module).split("/").at(-1)!;
  return basename(root) || "project";
}

function unquote(text: string): string {
  return text.replace(/^(["'`])(.*)\1$/, "$2");
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

function readJson(path: string): Record<string, unknown> | undefined {
  const text = readText(path);
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function readTomlFile(path: string): Record<string, unknown> | undefined {
  const text = readText(path);
  if (text === undefined) return undefined;
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
