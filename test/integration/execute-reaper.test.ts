// The zombie reaper for real, without a PID namespace: a child Bun process makes itself a child
// subreaper (prctl), so orphans are re-parented to it exactly as they would be to PID 1.
import { expect, test } from "bun:test";
import { resolve } from "node:path";

const SRC = resolve(import.meta.dir, "../../src");
const BUN = process.execPath;

const CHILD = `
import { dlopen, FFIType } from "bun:ffi";
import { startReaper, childrenOf, processState } from ${JSON.stringify(`${SRC}/execute/reaper.ts`)};
import { isLiveGroup } from ${JSON.stringify(`${SRC}/execute/process-group.ts`)};
import { openLibc } from ${JSON.stringify(`${SRC}/runtime/libc.ts`)};
import { spawnCommand } from ${JSON.stringify(`${SRC}/execute/spawn.ts`)};

const PR_SET_CHILD_SUBREAPER = 36;
const { symbols } = dlopen("libc.so.6", { prctl: { args: [FFIType.i32, FFIType.u64, FFIType.u64, FFIType.u64, FFIType.u64], returns: FFIType.i32 } });
if (symbols.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) !== 0) throw new Error("prctl failed");

const zombies = () => childrenOf(process.pid).filter((pid) => processState(pid) === "Z").length;
const mode = process.env.REAPER_MODE;
const reaper = mode === "reap" ? startReaper({ selfPid: process.pid, isOwnChild: isLiveGroup, reapNoHang: openLibc().reapNoHang, intervalMs: 100 }) : null;
// Five orphans end while the command still runs; the command then ends with 7 (its status is ours to report).
const result = await spawnCommand({
  command: { kind: "shell", script: "for i in 1 2 3 4 5; do (true &); done; sleep 0.5; exit 7" },
  shell: "sh", cwd: process.cwd(), env: { PATH: process.env.PATH ?? "" }, timeoutMs: null, killGraceMs: 1000,
  signal: new AbortController().signal, onLine: () => {},
});
const deadline = Date.now() + 5000;
while (reaper && zombies() > 0 && Date.now() < deadline) await Bun.sleep(20);
console.log(JSON.stringify({ exitCode: result.exitCode, zombies: zombies(), reaped: reaper?.reaped ?? 0 }));
reaper?.stop();
`;

async function runChild(mode: "reap" | "none"): Promise<{ exitCode: number; zombies: number; reaped: number }> {
  const child = Bun.spawn([BUN, "-e", CHILD], { env: { ...process.env, REAPER_MODE: mode }, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new Error(`child failed (${code}): ${err}`);
  return JSON.parse(out.trim().split("\n").at(-1)!);
}

test.if(process.platform === "linux")("orphans re-parented to us are reaped; the command's exit status still reaches spawnCommand", async () => {
  const result = await runChild("reap");
  expect(result).toEqual({ exitCode: 7, zombies: 0, reaped: 5 });
}, 20_000);

test.if(process.platform === "linux")("without the reaper the same orphans stay zombies (the runtime waits only for its own child)", async () => {
  const result = await runChild("none");
  expect(result.exitCode).toBe(7);
  expect(result.zombies).toBe(5);
}, 20_000);
