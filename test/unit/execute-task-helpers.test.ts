import { expect, test } from "bun:test";
import { commandEnv, snapshotEnv } from "../../src/execute/command-env.ts";
import { abortableSleep } from "../../src/execute/execute-task.ts";

test("commandEnv lays the task env over the parent and drops unset parent values", () => {
  const { env } = commandEnv({ A: "parent", B: "parent", GONE: undefined }, { B: "task", C: "task" });
  expect(env).toEqual({ A: "parent", B: "task", C: "task" });
});

test("commandEnv's secrets are the secret-named values the command sees: a task value replaces the parent's", () => {
  const parent = snapshotEnv({ API_TOKEN: "parent-token", DB_PASSWORD: "hunter22", SHORT_KEY: "ab", PLAIN: "visible" });
  const first = commandEnv(parent, { API_TOKEN: "task-token-long", OTHER_SECRET: "s3cr3t" });
  expect(first.secrets).toEqual(["task-token-long", "hunter22", "s3cr3t"]);
  // The same frozen parent again (its share is reused): nothing of the first task's layer leaks in.
  const second = commandEnv(parent, { PLAIN: "task" });
  expect(second.secrets).toEqual(["parent-token", "hunter22"]);
  expect(second.env).toEqual({ API_TOKEN: "parent-token", DB_PASSWORD: "hunter22", SHORT_KEY: "ab", PLAIN: "task" });
});

test("commandEnv reads a parent that is not frozen afresh on every call", () => {
  const parent: Record<string, string | undefined> = { MY_TOKEN: "first-value" };
  expect(commandEnv(parent, {}).secrets).toEqual(["first-value"]);
  parent.MY_TOKEN = "second-value";
  expect(commandEnv(parent, {})).toEqual({ env: { MY_TOKEN: "second-value" }, secrets: ["second-value"] });
});

test("abortableSleep ends early when the signal aborts", async () => {
  const controller = new AbortController();
  const sleeping = abortableSleep(60_000, controller.signal);
  controller.abort("stop");
  // A timer that ignored the abort would hold this test until its 5 s timeout.
  await expect(sleeping).resolves.toBeUndefined();
}, 5000);

test("abortableSleep resolves at once when already aborted or for 0 ms", async () => {
  await expect(abortableSleep(60_000, AbortSignal.abort())).resolves.toBeUndefined();
  await expect(abortableSleep(0, new AbortController().signal)).resolves.toBeUndefined();
}, 5000);
