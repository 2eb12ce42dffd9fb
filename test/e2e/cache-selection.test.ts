// The cache with a narrowed selection, through the binary: a workspace's dependency that -w or
// --since leaves out does not run, but its last recorded fingerprint still goes into the dependent's.
import { describe, expect, test } from "bun:test";
import { expectExit, show, taskEnd, withProject, type Project } from "./support.ts";

const MONOREPO = `[project]
name = "mono"

[workspace.shared]
path = "libs/shared"

[workspace.api]
path = "apps/api"
depends_on = ["shared"]

[lifecycle.build]
parallel = true
cache = true
inputs = ["src/**"]
outputs = ["out/**"]
commands = ["mkdir -p out", "cat src/* $LIFECYCLE_ROOT/libs/shared/out/* > out/o.txt 2>/dev/null || cat src/* > out/o.txt"]
`;

async function statuses(p: Project, ...args: string[]): Promise<Record<string, unknown>> {
  const r = await p.lc("run", "build", "--json", "--explain", ...args);
  if (r.code !== 0) throw new Error(show(r));
  return Object.fromEntries(["shared#build", "api#build"].map((id) => [id, taskEnd(r.stdout, id)?.status]).filter(([, status]) => status !== undefined));
}

describe("a dependency outside the selection", () => {
  test("-w api after shared was rebuilt on its own: api misses and sees the new output (it hit on shared's old result)", async () => {
    await withProject(MONOREPO, async (p) => {
      p.write("libs/shared/src/s", "s1\n");
      p.write("apps/api/src/a", "a\n");
      expect(await statuses(p)).toEqual({ "shared#build": "success", "api#build": "success" });
      expect(await statuses(p, "-w", "api")).toEqual({ "api#build": "cached" });
      p.write("libs/shared/src/s", "s2\n");
      expect(await statuses(p, "-w", "shared")).toEqual({ "shared#build": "success" });
      const r = await p.lc("run", "build", "-w", "api", "--explain");
      expectExit(r, 0);
      expect(r.stderr + r.stdout).toContain("shared#build");
      expect(p.read("apps/api/out/o.txt")).toBe("a\ns2\n");
      // Unchanged since: -w api and the whole run agree on api's fingerprint.
      expect(await statuses(p, "-w", "api")).toEqual({ "api#build": "cached" });
      expect(await statuses(p)).toEqual({ "shared#build": "cached", "api#build": "cached" });
    });
  }, 60_000);
});
