import { expect, test } from "bun:test";
import { abortableSleep, mergeEnv } from "../../src/execute/execute-task.ts";

test("mergeEnv lays the task env over the parent and drops unset parent values", () => {
  const env = mergeEnv({ A: "parent", B: "parent", GONE: undefined }, { B: "task", C: "task" });
  expect(env).toEqual({ A: "parent", B: "task", C: "task" });
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
