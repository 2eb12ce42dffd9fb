import type { SpawnChild } from "./child-process.ts";
import { spawnWithBun } from "./bun-spawn.ts";
import { spawnWithNode } from "./node-spawn.ts";
import { runtimeName } from "./runtime-name.ts";

/** Starts a child in its own process group: Bun.spawn on Bun, node:child_process elsewhere (same semantics). */
export const spawnChild: SpawnChild = runtimeName === "bun" ? spawnWithBun : spawnWithNode;
