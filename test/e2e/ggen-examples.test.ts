import { describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";
import { GGEN, runCli, tempProject } from "../helpers/cli.ts";

/** ggen's example make.toml files that are valid TOML with [project] name: every one validates and lists. */
const EXAMPLES = join(GGEN, "examples");

function eligible(text: string): { workspaces: string[] } | undefined {
  try {
    const doc = parse(text) as { project?: { name?: unknown }; workspace?: Record<string, { path?: unknown }> };
    if (typeof doc.project?.name !== "string") return undefined;
    const paths = Object.values(doc.workspace ?? {}).flatMap((w) => (typeof w === "object" && w && typeof w.path === "string" ? [w.path] : []));
    return { workspaces: paths };
  } catch {
    return undefined;
  }
}

describe("ggen examples through the binary", () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith(".make.toml")).sort();
  const usable = files.flatMap((file) => {
    const text = readFileSync(join(EXAMPLES, file), "utf8");
    const found = eligible(text);
    return found ? [{ file, text, ...found }] : [];
  });

  test("most examples are eligible (19 of 26)", () => {
    expect(usable.length).toBe(19);
  });

  for (const { file, text, workspaces } of usable) {
    test(`${file}: validate exits 0 and list shows its phases`, async () => {
      const project = tempProject(text);
      try {
        // The examples come from repositories where the workspace directories exist.
        for (const path of workspaces) mkdirSync(join(project.dir, path), { recursive: true });
        const validate = await runCli(["--root", project.dir, "validate"]);
        expect({ code: validate.code, stderr: validate.stderr.split("\n").filter((l) => l.startsWith("error")) }).toEqual({ code: 0, stderr: [] });
        const list = await runCli(["--root", project.dir, "list"]);
        expect(list.code).toBe(0);
        expect(list.stdout).toContain("Available lifecycle phases");
        const phases = Object.keys((parse(text) as { lifecycle?: Record<string, unknown> }).lifecycle ?? {});
        for (const phase of phases) expect(list.stdout).toContain(`  • ${phase} - `);
      } finally {
        project.cleanup();
      }
    });
  }
});
