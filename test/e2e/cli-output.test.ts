// `--output stream|prefix|grouped` (product.md 5, README): raw lines, `<task> | line`, or one block per task when it ends.
import { describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { expectExit, withProject } from "./support.ts";

const ROOT = `[project]
name = "out"

[lifecycle.build]
commands = ["echo first line", "echo to-stderr >&2", "echo second line"]
`;

const TWO_WS = `[project]
name = "out"

[workspace.ws1]
path = "ws1"

[workspace.ws2]
path = "ws2"

[lifecycle.build]
parallel = true
commands = ["echo one-$LIFECYCLE_WORKSPACE", "echo two-$LIFECYCLE_WORKSPACE"]
`;

describe("--output", () => {
  test("prefix: every child line looks like `//#build | line`, on the stream it was written to", async () => {
    await withProject(ROOT, async (p) => {
      const r = await p.lc("run", "build", "--output", "prefix");
      expectExit(r, 0);
      const out = r.stdout.split("\n");
      expect(out).toContain("//#build | first line");
      expect(out).toContain("//#build | second line");
      expect(r.stderr.split("\n")).toContain("//#build | to-stderr");
      expect(out.indexOf("//#build | first line")).toBeLessThan(out.indexOf("//#build | second line"));
      expect(out).not.toContain("first line");
    });
  });

  test("stream: raw child lines with no prefix, after the Running phase line", async () => {
    await withProject(ROOT, async (p) => {
      const r = await p.lc("run", "build", "--output", "stream");
      expectExit(r, 0);
      expect(r.stdout).toBe("Running phase: build\nfirst line\nsecond line\n");
      expect(r.stderr).toBe("to-stderr\n");
    });
  });

  test("stream is the default when tasks run one at a time", async () => {
    await withProject(ROOT, async (p) => {
      const r = await p.lc("run", "build");
      expectExit(r, 0);
      expect(r.stdout).toBe("Running phase: build\nfirst line\nsecond line\n");
    });
  });

  test("grouped: the task's lines come as one block after its end header, in order", async () => {
    await withProject(ROOT, async (p) => {
      const r = await p.lc("run", "build", "--output", "grouped");
      expectExit(r, 0);
      expect(r.stdout).toContain("── //#build (success) ──\nfirst line\nsecond line\n");
      expect(r.stdout.indexOf("Running phase: build")).toBeLessThan(r.stdout.indexOf("── //#build"));
      expect(r.stderr).toContain("to-stderr");
    });
  });

  test("grouped with two parallel workspaces: each block is contiguous even though the tasks overlapped", async () => {
    // Each workspace prints one line, then waits for the other's first line before printing its second:
    // the raw output necessarily interleaves, so contiguous blocks prove grouping.
    const gate = "echo one-$LIFECYCLE_WORKSPACE; touch ../$LIFECYCLE_WORKSPACE.one; while [ ! -f ../ws1.one ] || [ ! -f ../ws2.one ]; do sleep 0.01; done; echo two-$LIFECYCLE_WORKSPACE";
    const toml = TWO_WS.replace(/commands = .*\n/, `command = "${gate}"\ntimeout = "20s"\n`);
    await withProject(toml, async (p) => {
      mkdirSync(join(p.dir, "ws1"));
      mkdirSync(join(p.dir, "ws2"));
      const r = await p.lc("run", "build", "--output", "grouped", "--concurrency", "2");
      expectExit(r, 0);
      for (const ws of ["ws1", "ws2"]) expect(r.stdout).toContain(`── ${ws}#build (success) ──\none-${ws}\ntwo-${ws}\n`);
    });
  }, 30_000);

  test("prefix is the default with parallel workspaces: `ws1#build | one-ws1`", async () => {
    await withProject(TWO_WS, async (p) => {
      mkdirSync(join(p.dir, "ws1"));
      mkdirSync(join(p.dir, "ws2"));
      const r = await p.lc("run", "build", "--concurrency", "2");
      expectExit(r, 0);
      const lines = r.stdout.split("\n");
      for (const ws of ["ws1", "ws2"]) {
        expect(lines).toContain(`${ws}#build | one-${ws}`);
        expect(lines).toContain(`${ws}#build | two-${ws}`);
        expect(lines.indexOf(`${ws}#build | one-${ws}`)).toBeLessThan(lines.indexOf(`${ws}#build | two-${ws}`));
      }
    });
  });

  test("--output stream overrides the parallel default: raw lines without prefixes", async () => {
    await withProject(TWO_WS, async (p) => {
      mkdirSync(join(p.dir, "ws1"));
      mkdirSync(join(p.dir, "ws2"));
      const r = await p.lc("run", "build", "--concurrency", "2", "--output", "stream");
      expectExit(r, 0);
      const lines = r.stdout.split("\n");
      for (const ws of ["ws1", "ws2"]) expect(lines).toContain(`one-${ws}`);
      expect(r.stdout).not.toContain(" | ");
    });
  });

  test("-q hides the Running phase lines but keeps the child output", async () => {
    await withProject(ROOT, async (p) => {
      const r = await p.lc("-q", "run", "build");
      expectExit(r, 0);
      expect(r.stdout).toBe("first line\nsecond line\n");
    });
  });
});
