/** Which runtime runs the sources: the compiled binary and `bun` say "bun"; `deno run` says "deno". */
export const runtimeName: "bun" | "deno" | "node" = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";

/** e.g. "bun 1.4.5", "deno 2.9.6", "node 20.20.2". */
export function runtimeVersion(): string {
  const versions = process.versions as Record<string, string | undefined>;
  return `${runtimeName} ${versions[runtimeName] ?? process.version}`;
}
