import { describe, expect, test } from "bun:test";
import { openLibcKill } from "../../src/runtime/libc-kill.ts";

describe.if(process.platform === "linux")("kill(2) through bun:ffi", () => {
  const kill = openLibcKill();

  test("signals a whole process group, and says false (without throwing) once the group is gone", async () => {
    expect(kill).not.toBeNull();
    const leader = Bun.spawn(["sh", "-c", "sleep 1000 & wait"], { detached: true, stdio: ["ignore", "ignore", "ignore"] });
    expect(kill!(-leader.pid, "SIGKILL")).toBe(true);
    await leader.exited;
    expect(leader.signalCode).toBe("SIGKILL");
    expect(kill!(-leader.pid, "SIGKILL")).toBe(false);
  });

  test("an unknown signal name is a bug, not a silent no-op", () => {
    expect(() => kill!(-1, "SIGNOPE")).toThrow("unknown signal SIGNOPE");
  });
});
