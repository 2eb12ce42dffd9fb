import { fanOutOf, type Task } from "../plan/task.ts";
import { IndexHeap } from "./index-heap.ts";

/**
 * Tasks whose dependencies are done, one queue per fan-out (a phase and its inline hooks: the tasks
 * one eligibility rule covers) in graph order; a task whose place is busy
 * waits aside until that place frees. Choosing the next task costs O(phases + log n), never a scan
 * of every ready task, so 10,000 workspaces blocked by a phase cap schedule in near-linear time.
 */
export class ReadyQueues {
  private readonly byFanOut = new Map<string, IndexHeap>();
  private readonly parkedByPlace = new Map<string, IndexHeap>();

  /** `tasks[i]` is the task at graph position i; `busyPlaces` is read live (the scheduler owns it). */
  constructor(
    private readonly tasks: readonly Task[],
    private readonly busyPlaces: ReadonlySet<string>,
  ) {}

  /** A task whose dependencies have all succeeded. */
  add(position: number): void {
    const task = this.tasks[position]!;
    if (this.busyPlaces.has(task.place.name)) this.park(position, task.place.name);
    else this.queueOf(fanOutOf(task)).push(position);
  }

  /** The scheduler freed a place: its waiting tasks become candidates again. */
  placeFreed(place: string): void {
    const parked = this.parkedByPlace.get(place);
    if (!parked) return;
    this.parkedByPlace.delete(place);
    for (const position of parked.drain()) this.queueOf(fanOutOf(this.tasks[position]!)).push(position);
  }

  /**
   * Removes and returns the position of the first task in graph order, among the queue heads that
   * `eligible` accepts and whose place is free; undefined when no task may start now.
   */
  take(eligible: (task: Task) => boolean): number | undefined {
    let best: number | undefined;
    let bestQueue: IndexHeap | undefined;
    for (const queue of this.byFanOut.values()) {
      let head = queue.peek();
      while (head !== undefined && this.busyPlaces.has(this.tasks[head]!.place.name)) {
        queue.pop();
        this.park(head, this.tasks[head]!.place.name);
        head = queue.peek();
      }
      if (head === undefined || !eligible(this.tasks[head]!)) continue;
      if (best === undefined || head < best) {
        best = head;
        bestQueue = queue;
      }
    }
    bestQueue?.pop();
    return best;
  }

  private park(position: number, place: string): void {
    let heap = this.parkedByPlace.get(place);
    if (!heap) this.parkedByPlace.set(place, (heap = new IndexHeap()));
    heap.push(position);
  }

  private queueOf(fanOut: string): IndexHeap {
    let heap = this.byFanOut.get(fanOut);
    if (!heap) this.byFanOut.set(fanOut, (heap = new IndexHeap()));
    return heap;
  }
}
