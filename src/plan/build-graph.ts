import type { Config, HookEntry, Phase } from "../config/config.ts";
import { errorDiagnostic, type Diagnostic } from "../shared/diagnostic.ts";
import { err, ok, type Result } from "../shared/result.ts";
import { didYouMean } from "../shared/suggest.ts";
import { displayPath } from "../workspace/discover.ts";
import { formatChain } from "./find-cycle.ts";
import { cwdEscape, resolveHookTask, resolvePhaseTask, withFanOut, type FanOut, type TaskOptions } from "./resolve-task.ts";
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
  /** Workspaces the selection left out: never run, named in `outsideDeps`. */
  readonly unselected?: readonly PlaceConfig[];
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
  /** Task ids in the order they were added: `added.slice(mark)` is what one step added, without copying the map. */
  private readonly added: TaskId[] = [];
  private readonly expanding: string[] = [];

  /** Unselected workspaces by name. */
  private readonly unselected: ReadonlyMap<string, PlaceConfig>;

  constructor(private readonly request: GraphRequest) {
    this.unselected = new Map((request.unselected ?? []).map((w) => [w.place.name, w] as const));
  }

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
      const mark = this.added.length;
      this.expand(pc, phase, previousFloor, withHooks);
      if (this.added.length > mark) previousFloor = this.sinksOf(this.added.slice(mark));
    }
  }

  /**
   * Root before-hooks once, the phase in each workspace, root after-hooks once (product.md section 3).
   * Each workspace runs its own pipeline: its `b` waits for its own `a` and the upstream workspaces'
   * `b`, never for other workspaces' `a` (no lockstep). Root hooks keep the order they have in one
   * place and so are barriers: `before_b` runs after everything added so far and every `b` waits
   * for it; `after_a` runs after every workspace's `a`, and every later task waits for it.
   */
  private addWorkspacePipelines(phases: readonly string[], floor: TaskId[]): void {
    const root = this.request.root;
    const ordered = dependencyOrder(this.request.workspaces);
    /** Per workspace: the tasks its next phase waits for (the sinks of what its last phase added). */
    const ownFloor = new Map<string, TaskId[]>();
    let rootChain = floor;
    for (const phase of phases) {
      const rootPhase = root.config.phases.get(phase);
      const before = root.config.hooks.before[phase] ?? [];
      const beforeFloor = before.length > 0 ? this.addHookList(root, `before_${phase}`, before, this.sinks()) : rootChain;
      /** Per workspace: what a dependent workspace's task for this phase waits for (passed through workspaces without the phase). */
      const phaseSinks = new Map<string, TaskId[]>();
      const fanOut: TaskId[] = [];
      for (const ws of ordered) {
        const name = ws.place.name;
        const upstream = (ws.dependsOn ?? []).flatMap((dep) => phaseSinks.get(dep) ?? []);
        if (!runsPhase(ws, phase, rootPhase)) {
          if (upstream.length > 0) phaseSinks.set(name, unique(upstream));
          continue;
        }
        const mark = this.added.length;
        const id = this.expand(ws, phase, unique([...beforeFloor, ...(ownFloor.get(name) ?? []), ...upstream]), ws.ownConfig, rootPhase && fanOutOfPhase(rootPhase));
        this.addOutsideDeps(id, ws, phase, rootPhase);
        const sinks = this.added.length > mark ? this.sinksOf(this.added.slice(mark)) : [id];
        ownFloor.set(name, sinks);
        phaseSinks.set(name, sinks);
        fanOut.push(...sinks);
      }
      const after = root.config.hooks.after[phase] ?? [];
      rootChain = after.length > 0 ? this.addHookList(root, `after_${phase}`, after, fanOut.length > 0 ? fanOut : beforeFloor) : beforeFloor;
    }
  }

  /** Names the unselected upstream workspaces' tasks for `phase` (through those without it) on the task. */
  private addOutsideDeps(id: TaskId, ws: PlaceConfig, phase: string, rootPhase: Phase | undefined): void {
    const unselected = this.unselected;
    if (unselected.size === 0) return;
    const outside: TaskId[] = [];
    const seen = new Set<string>();
    const queue = [...(ws.dependsOn ?? [])];
    while (queue.length > 0) {
      const name = queue.pop()!;
      const upstream = unselected.get(name);
      if (!upstream || seen.has(name)) continue;
      seen.add(name);
      if (runsPhase(upstream, phase, rootPhase)) outside.push(taskId(name, phase));
      else queue.push(...(upstream.dependsOn ?? []));
    }
    const task = this.tasks.get(id);
    if (task && outside.length > 0) this.tasks.set(id, { ...task, outsideDeps: outside.sort() });
  }

  /** Entries run in listed order; returns the floor that follows the list. Inline commands join `fanOut` when given. */
  addHookList(pc: PlaceConfig, hookKey: string, entries: readonly HookEntry[], floor: TaskId[], fanOut?: FanOut): TaskId[] {
    let current = floor;
    entries.forEach((entry, index) => {
      if (entry.kind === "phase") {
        current = [this.expand(pc, entry.phase, current, true)];
        return;
      }
      const name = entries.length > 1 ? `${hookKey}[${index}]` : hookKey;
      const id = taskId(pc.place.name, name);
      if (!this.tasks.has(id)) this.add(resolveHookTask(name, entry.commands, pc.place, pc.config, this.request, [...current], fanOut));
      current = [id];
    });
    return current;
  }

  /**
   * Adds `<place>#<phase>` with its before-hooks, depends_on and after-hooks; returns the phase's task id.
   * `fanOut` replaces the phase's own parallel/max_threads (a workspace fan-out follows the root's
   * definition, as in ggen, even where the workspace has its own make.toml); its inline hooks share it.
   */
  private expand(pc: PlaceConfig, phaseName: string, floor: TaskId[], withHooks: boolean, fanOut?: FanOut): TaskId {
    const id = taskId(pc.place.name, phaseName);
    if (this.expanding.includes(id)) {
      const chain = [...this.expanding.slice(this.expanding.indexOf(id)), id].map((t) => t.slice(t.indexOf("#") + 1));
      throw new PlanError(errorDiagnostic({ keyPath: "hooks", message: `cycle through hooks and depends_on: ${formatChain(chain)}` }));
    }
    const existing = this.tasks.get(id);
    if (existing) {
      // Added earlier as a hook or dependency: a fan-out reaching it later still decides its bounds.
      if (fanOut) this.tasks.set(id, withFanOut(existing, fanOut));
      return id;
    }
    const phase = pc.config.phases.get(phaseName);
    if (!phase) throw new PlanError(phaseNotFound(phaseName, pc.config));
    const escape = cwdEscape(phase, pc.place, this.request.rootDir);
    if (escape) throw new PlanError(errorDiagnostic({ file: displayPath(pc.config.file, this.request.rootDir), keyPath: `lifecycle.${phaseName}.cwd`, message: escape }));

    this.expanding.push(id);
    const hooks = pc.config.hooks;
    const ownFanOut = fanOut ?? fanOutOfPhase(phase);
    const beforeFloor = withHooks ? this.addHookList(pc, `before_${phaseName}`, hooks.before[phaseName] ?? [], floor, ownFanOut) : floor;
    const depIds = phase.dependsOn.map((dep) => this.expand(pc, dep, floor, withHooks));
    const deps = unique([...beforeFloor, ...depIds]);
    this.add(withFanOut(resolvePhaseTask(phase, pc.place, pc.config, this.request, deps), ownFanOut));
    if (withHooks) this.addHookList(pc, `after_${phaseName}`, hooks.after[phaseName] ?? [], [id], ownFanOut);
    this.expanding.pop();
    return id;
  }

  private add(task: Task): void {
    this.tasks.set(task.id, task);
    this.added.push(task.id);
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

/**
 * Workspaces after the ones they depend on, otherwise by name (the input is sorted by name; cycles
 * were rejected at load). Iterative post-order, so a 100,000-deep dependency chain is fine.
 */
function dependencyOrder(workspaces: readonly PlaceConfig[]): PlaceConfig[] {
  const byName = new Map(workspaces.map((w) => [w.place.name, w] as const));
  const ordered: PlaceConfig[] = [];
  const placed = new Set<string>();
  for (const first of workspaces) {
    if (placed.has(first.place.name)) continue;
    placed.add(first.place.name);
    const frames = [{ ws: first, next: 0 }];
    while (frames.length > 0) {
      const top = frames[frames.length - 1]!;
      const deps = top.ws.dependsOn ?? [];
      if (top.next < deps.length) {
        const upstream = byName.get(deps[top.next++]!);
        if (upstream && !placed.has(upstream.place.name)) {
          placed.add(upstream.place.name);
          frames.push({ ws: upstream, next: 0 });
        }
        continue;
      }
      frames.pop();
      ordered.push(top.ws);
    }
  }
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

/** The workspace defines `phase` and the root's `workspaces` list for it, if any, names the workspace. */
function runsPhase(ws: PlaceConfig, phase: string, rootPhase: Phase | undefined): boolean {
  return ws.config.phases.has(phase) && (!rootPhase?.workspaces || rootPhase.workspaces.includes(ws.place.name));
}

function fanOutOfPhase(phase: Phase): FanOut {
  return { phase: phase.name, parallel: phase.parallel, maxThreads: phase.maxThreads };
}

function unique(ids: readonly TaskId[]): TaskId[] {
  return [...new Set(ids)];
}

export { ROOT_PLACE };
