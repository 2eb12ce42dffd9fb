// scripts/container/Dockerfile cannot be built here (no Docker engine): it is linted, and what it
// copies from the repository and runs is checked against the repository.
import { expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
const DOCKERFILE = join(ROOT, "scripts/container/Dockerfile");
const LINTER = join(ROOT, "node_modules/.bin/dockerfile-utils");

test("the Dockerfile lints clean (dockerfile-utils: no errors, no warnings)", () => {
  const lint = Bun.spawnSync([LINTER, "lint", "--json", DOCKERFILE], { stdout: "pipe", stderr: "pipe" });
  expect(lint.stderr.toString()).toBe("");
  expect(JSON.parse(lint.stdout.toString())).toEqual([]);
  expect(lint.exitCode).toBe(0);
});

test("the linter does report a broken Dockerfile (the check above can fail)", () => {
  const dir = mkdtempSync(join(tmpdir(), "lifecycle-dockerfile-"));
  try {
    writeFileSync(join(dir, "Dockerfile"), "FROM debian:bookworm-slim\nCOPY --frm=build a b\nentrypoint x\n");
    const lint = Bun.spawnSync([LINTER, "lint", "--json", join(dir, "Dockerfile")], { stdout: "pipe" });
    const messages = (JSON.parse(lint.stdout.toString()) as Array<{ message: string }>).map((d) => d.message);
    expect(messages).toEqual(["Unknown flag: frm", "Instructions should be written in uppercase letters"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("it copies only files that exist, builds with scripts/build.ts, and runs the binary as the entrypoint", () => {
  const text = readFileSync(DOCKERFILE, "utf8");
  const sources = [...text.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(" "));
  expect(sources.length).toBeGreaterThan(0);
  for (const source of sources) expect(existsSync(join(ROOT, source))).toBe(true);
  expect(text).toContain("RUN ./node_modules/.bin/bun scripts/build.ts --outfile dist/lifecycle");
  expect(text).toMatch(/^ENTRYPOINT \["\/usr\/local\/bin\/lifecycle"\]$/m);
  // Two stages: the runtime image carries the binary only.
  expect([...text.matchAll(/^FROM /gm)].length).toBe(2);
});
