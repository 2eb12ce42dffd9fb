import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { openLibcKill } from "../../src/runtime/libc-kill.ts";

/** The state letter of `pid` in /proc ("Z" for a zombie), or null once it has been reaped. */
function procState(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "")[0] ?? null;
  } catch {
    return null;
  }
}

describe.if(process.platform === "linux")("kill(2) through bun:ffi", () => {
  const kill = openLibcKill();

  test("signals a whole process group: the leader and its child both die", async () => {
    expect(kill).not.toBeNull();
    const leader = Bun.spawn(["sh", "-c", "sleep 1000 & echo $!; wait"], { detached: true, stdio: ["ignore", "pipe", "ignore"] });
    const reader = leader.stdout.getReader();
    const first = await reader.read(); // the child's pid: it exists before the group is signalled
    const childPid = Number(new TextDecoder().decode(first.value).trim());
    expect(childPid).toBeGreaterThan(0);
    expect(kill!(-leader.pid, "SIGKILL")).toBe(true);
    await leader.exited;
    expect(leader.signalCode).toBe("SIGKILL");
    // The orphaned child is reaped by whoever adopts it, whenever that runs: wait for it to be dead, not gone.
    const deadline = Date.now() + 10_000;
    while (procState(childPid) !== null && procState(childPid) !== "Z" && Date.now() < deadline) await Bun.sleep(5);
    expect([null, "Z"]).toContain(procState(childPid));
  });

  test("says false (without throwing) once the group is gone", async () => {
    const leader = Bun.spawn(["sleep", "1000"], { detached: true, stdio: ["ignore", "ignore", "ignore"] });
    expect(kill!(-leader.pid, "SIGKILL")).toBe(true);
    await leader.exited; // reaped by us: the group had no other member, so it is gone now
    expect(kill!(-leader.pid, "SIGKILL")).toBe(false);
  });

  test("an unknown signal name is a bug, not a silent no-op", () => {
    expect(() => kill!(-1, "SIGNOPE")).toThrow("unknown signal SIGNOPE");
  });
});
