import { runtimeName } from "../runtime/runtime-name.ts";
import { StateRecorder, type RunStateRecorder, type StateRecorderOptions } from "./state-recorder.ts";
import { ThreadStateRecorder } from "./thread-state-recorder.ts";

/**
 * From this many places on, a run's saves go to the state writer thread: it costs a thread's start
 * (about 30 ms, in parallel with the run) and pays back with one syncfs per batch instead of an
 * fsync pair per state file. Smaller runs save on this thread (fsyncs on the I/O threads).
 */
export const THREAD_MIN_PLACES = 16;

/** The state recorder for a run that records into `placeCount` places. */
export function createStateRecorder(options: StateRecorderOptions, placeCount: number): RunStateRecorder {
  // syncfs and the worker entry are Linux + Bun only; elsewhere the in-thread recorder does it all.
  if (runtimeName === "bun" && process.platform === "linux" && placeCount >= THREAD_MIN_PLACES) return new ThreadStateRecorder(options);
  return new StateRecorder(options);
}
