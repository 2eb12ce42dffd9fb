import { taskId, type Task, type TaskId } from "../../src/plan/task.ts";

/** A resolved Task for unit tests: `//` is the root, any other place a workspace; override any field. */
export function makeTask(place: string, phase: string, fields: Partial<Omit<Task, "deps">> & { deps?: readonly string[] } = {}): Task {
  const dir = fields.place?.dir ?? `/tmp/${place === "//" ? "root" : place}`;
  const { deps, ...rest } = fields;
  return {
    id: taskId(place, phase),
    place: { name: place, dir, ...(place === "//" ? {} : { workspace: place }) },
    phase,
    kind: "phase",
    commands: [],
    cwd: dir,
    env: {},
    timeoutMs: null,
    retries: 0,
    retryDelayMs: 0,
    continueOnError: false,
    parallel: true,
    cache: false,
    inputs: [],
    outputs: [],
    ggenCacheKey: "",
    ...rest,
    deps: (deps ?? []) as TaskId[],
  };
}
