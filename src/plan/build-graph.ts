import type { Config, HookEntry, Phase } from "../config/config.ts";
import { errorDiagnostic, type Diagnostic } from "../shared/diagnostic.ts";
import { err, ok, type Result } from "../shared/result.ts";
import { didYouMean } from "../shared/suggest.ts";
import { formatChain } from "./find-cycle.ts";
import { cwdEscape, resolveHookTask, resolvePhaseTask, type TaskOptions } from "./resolve-task.ts";
import { ROOT_PLACE, taskId, type Place, type Task, type TaskGraph, type TaskId } from "./task.ts";

/** A place and the make.toml that defines its phases (a workspace's own, or the root's). */
export interface PlaceConfig {
  readonly place: Place;
  readonly config: Config;
  /** The workspace has its own make.toml: its own hooks apply inside it. */
  readonly ownConfig: boolean;
  /** Workspaces whose task for the same phase must succeed first. */
  readonly dependsOn?: readonly string[];
}

export interface GraphRequest extends TaskOptions {
  readonly phases: readonly string[];
  readonly root: PlaceConfig;
  /** Selected workspaces; empty for a project without workspaces. */
  readonly workspaces: readonly PlaceConfig[];
}

/**
 * Seals the task graph for one invocation. Every edge points from a newly added task to tasks added
 * before it, so the map's order is a topological order and the graph is acyclic by construction;
 * a phase reached again while it is being expanded is a cycle, reported with the full chain.
 */
export function buildGraph(request: GraphRequest): Result<TaskGraph, Diagnostic[]> {
  const problems = checkPhasesExist(request);
  if (problems.length > 0) return err(problems);
  const builder = new GraphBuilder(request);
  try {
    builder.addInvocation();
    const onError = new GraphBuilder(request);
    onError.addHookList(request.root, "on_error", request.root.config.hooks.onError, []);
    const onSuccess = new GraphBuilder(request);
    onSuccess.addHookList(request.root, "on_success", request.root.config.hooks.onSuccess, []);
    return ok({ tasks: builder.tasks, phases: request.phases, onError: onError.tasks, onSuccess: onSuccess.tasks });
  } catch (error) {
    if (error instanceof PlanError) return err([error.diagnostic]);
    throw error;
  }
}

class PlanError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

class GraphBuilder {
  readonly tasks = new Map<TaskId, Task>();
  private readonly expanding: string[] = [];

  constructor(private readonly request: GraphRequest) {}

  addInvocation(): void {
    const { root, workspaces, phases } = this.request;
    const globalFloor = this.addHookList(root, "before_all", root.config.hooks.beforeAll, []);
    if (workspaces.length === 0) {
      this.addPipeline(root, phases, globalFloor, true);
    } else {
      this.addWorkspacePipelines(phases, globalFloor);
    }
    this.addHookList(root, "after_all", root.config.hooks.afterAll, this.sinks());
  }

  /** `run a b c` in one place: each phase's new tasks wait for everything the previous phase added. */
  private addPipeline(pc: PlaceConfig, phases: readonly string[], floor: TaskId[], withHooks: boolean): void {
    let previousFloor = floor;
    for (const phase of phases) {
      if (!pc.config.phases.has(phase)) continue;
      const before = new Set(this.tasks.keys());
      this.expand(pc, phase, previousFloor, withHooks);
      const added = [...this.tasks.keys()].filter((id) => !before.has(id));
      previousFloor = added.length > 0 ? this.sinksOf(added) : previousFloor;
    }
  }

  /** Root before-hooks once, the phase in each workspace, root after-hooks once (product.md section 3). */
  private addWorkspacePipelines(phases: readonly string[], floor: TaskId[]): void {
    const root = this.request.root;
    for (const phase of phases) {
      const beforeFloor = this.addHookList(root, `before_${phase}`, root.config.hooks.before[phase] ?? [], floor);
      const placeTasks: TaskId[] = [];
      const only = root.config.phases.get(phase)?.workspaces;
      for (const ws of dependencyOrder(this.request.workspaces)) {
        if (!ws.config.phases.has(phase)) continue;
        if (only && !only.includes(ws.place.name)) continue;
        const before = new Set(this.tasks.keys());
        const upstream = (ws.dependsOn ?? []).map((dep) => taskId(dep, phase)).filter((id) => this.tasks.has(id));
        const id = this.expand(ws, phase, [...beforeFloor, ...upstream], ws.ownConfig);
        this.applyRootFanOut(id, root.config.phases.get(phase));
        placeTasks.push(...[...this.tasks.keys()].filter((id) => !before.has(id)));
      }
      floor = this.addHookList(root, `after_${phase}`, root.config.hooks.after[phase] ?? [], placeTasks.length > 0 ? this.sinksOf(placeTasks) : beforeFloor);
    }
  }

  /** As in ggen, the root's definition of a phase decides whether its fan-out runs in parallel, even in workspaces with their own make.toml. */
  private applyRootFanOut(id: TaskId, rootPhase: Phase | undefined): void {
    const task = this.tasks.get(id);
    if (!task || !rootPhase || (task.parallel === rootPhase.parallel && task.maxThreads === rootPhase.maxThreads)) return;
    this.tasks.set(id, { ...task, parallel: rootPhase.parallel, maxThreads: rootPhase.maxThreads });
  }

  /** Entries run in listed order; returns the floor that follows the list. */
  addHookList(pc: PlaceConfig, hookKey: string, entries: readonly HookEntry[], floor: TaskId[]): TaskId[] {
    let current = floor;
    entries.forEach((entry, index) => {
      if (entry.kind === "phase") {
        current = [this.expand(pc, entry.phase, current, true)];
        return;
      }
      const name = entries.length > 1 ? `${hookKey}[${index}]` : hookKey;
      const id = taskId(pc.place.name, name);
      if (!this.tasks.has(id)) this.tasks.set(id, resolveHookTask(name, entry.commands, pc.place, pc.config, this.request, [...current]));
      current = [id];
    });
    return current;
  }

  /** Adds `<place>#<phase>` with its before-hooks, depends_on and after-hooks; returns the phase's task id. */
  private expand(pc: PlaceConfig, phaseName: string, floor: TaskId[], withHooks: boolean): TaskId {
    const id = taskId(pc.place.name, phaseName);
    if (this.expanding.includes(id)) {
      const chain = [...this.expanding.slice(this.expanding.indexOf(id)), id].map((t) => t.slice(t.indexOf("#") + 1));
      throw new PlanError(errorDiagnostic({ keyPath: "hooks", message: `cycle through hooks and depends_on: ${formatChain(chain)}` }));
    }
    if (this.tasks.has(id)) return id;
    const phase = pc.config.phases.get(phaseName);
    if (!phase) throw new PlanError(phaseNotFound(phaseName, pc.config));
    const escape = cwdEscape(phase, pc.place, this.request.rootDir);
    if (escape) throw new PlanError(errorDiagnostic({ file: pc.config.file, keyPath: `lifecycle.${phaseName}.cwd`, message: escape }));

    this.expanding.push(id);
    const hooks = pc.config.hooks;
    const beforeFloor = withHooks ? this.addHookList(pc, `before_${phaseName}`, hooks.before[phaseName] ?? [], floor) : floor;
    const depIds = phase.dependsOn.map((dep) => this.expand(pc, dep, floor, withHooks));
    const deps = unique([...beforeFloor, ...depIds]);
    this.tasks.set(id, resolvePhaseTask(phase, pc.place, pc.config, this.request, deps));
    if (withHooks) this.addHookList(pc, `after_${phaseName}`, hooks.after[phaseName] ?? [], [id]);
    this.expanding.pop();
    return id;
  }

  /** Tasks nothing else depends on. */
  private sinks(): TaskId[] {
    return this.sinksOf([...this.tasks.keys()]);
  }

  private sinksOf(ids: readonly TaskId[]): TaskId[] {
    const depended = new Set<TaskId>();
    for (const id of ids) for (const dep of this.tasks.get(id)?.deps ?? []) depended.add(dep);
    return ids.filter((id) => !depended.has(id));
  }
}

/** Workspaces after the ones they depend on, otherwise by name (the input is sorted by name; cycles were rejected at load). */
function dependencyOrder(workspaces: readonly PlaceConfig[]): PlaceConfig[] {
  const byName = new Map(workspaces.map((w) => [w.place.name, w] as const));
  const ordered: PlaceConfig[] = [];
  const placed = new Set<string>();
  const place = (ws: PlaceConfig) => {
    if (placed.has(ws.place.name)) return;
    placed.add(ws.place.name);
    for (const dep of ws.dependsOn ?? []) {
      const upstream = byName.get(dep);
      if (upstream) place(upstream);
    }
    ordered.push(ws);
  };
  for (const ws of workspaces) place(ws);
  return ordered;
}

function checkPhasesExist(request: GraphRequest): Diagnostic[] {
  const configs = [request.root.config, ...request.workspaces.map((w) => w.config)];
  return request.phases
    .filter((phase) => !configs.some((c) => c.phases.has(phase)))
    .map((phase) => phaseNotFound(phase, request.root.config));
}

function phaseNotFound(phase: string, config: Config): Diagnostic {
  return errorDiagnostic({ message: `Phase '${phase}' not found`, hint: didYouMean(phase, config.phases.keys()) });
}

function unique(ids: readonly TaskId[]): TaskId[] {
  return [...new Set(ids)];
}

export { ROOT_PLACE };
