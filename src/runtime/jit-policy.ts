/// <reference types="bun-types" />
/**
 * How many times more reluctant than normal the JIT is to compile (Bun's JIT policy scale). lifecycle
 * runs for seconds: the per-task code runs a few thousand times at most, so the optimising tiers
 * rarely pay back their compile time, and the compiler threads' CPU competes with the commands for
 * the cores. 64 cut the JIT threads' CPU from ~140 to ~40 ms in a 500-workspace run without slowing
 * a 600,000-line output run; 1,000 (interpreter only) made that run 15-30% slower. The build bakes it
 * into the binary's main thread (--compile-jit-policy); the state writer thread sets its own.
 */
export const JIT_POLICY = 64;

/** Applies JIT_POLICY to the calling thread's engine (a Worker starts with the normal policy). No-op off Bun. */
export function applyJitPolicy(): void {
  if ("Bun" in globalThis) Bun.unsafe.setJITPolicy?.(JIT_POLICY);
}
