import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ByteReader } from "../../src/runtime/child-process.ts";
import { spawnWithBun } from "../../src/runtime/bun-spawn.ts";
import { openPipeMaker } from "../../src/runtime/polled-pipe.ts";

const maker = openPipeMaker();

async function readAll(reader: ByteReader): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks);
    chunks.push(value);
  }
}

/** Our open file descriptors that point at `target` (e.g. "pipe:[1234]"). */
function ourFdsTo(target: string): string[] {
  return readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === target;
    } catch {
      return false;
    }
  });
}

const sh = (script: string) => spawnWithBun({ argv: ["sh", "-c", script], cwd: "/", env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });

describe.if(process.platform === "linux")("polled pipes (Bun on Linux)", () => {
  test("are what commands' output goes through here", () => {
    expect(maker).not.toBeNull();
  });

  test("the child's ends are blocking (a command writing more than a pipe holds must wait, not fail with EAGAIN)", async () => {
    // fdinfo flags are octal; O_NONBLOCK is 04000. Only our read end is non-blocking, and it is a file description of its own.
    const child = await sh("grep flags /proc/self/fdinfo/1; grep flags /proc/self/fdinfo/2 >&2");
    const [out, err] = await Promise.all([readAll(child.stdout), readAll(child.stderr)]);
    await child.exited;
    for (const text of [out.toString(), err.toString()]) {
      const flags = parseInt(/flags:\s*(\d+)/.exec(text)![1]!, 8);
      expect(flags & 0o4000).toBe(0);
    }
  });

  test("every byte of a large output arrives in order, stdout and stderr apart", async () => {
    const child = await sh("seq 1 200000; seq 1 1000 >&2");
    const [out, err, status] = await Promise.all([readAll(child.stdout), readAll(child.stderr), child.exited]);
    expect(status.exitCode).toBe(0);
    const lines = out.toString().trimEnd().split("\n");
    expect(lines.length).toBe(200_000);
    expect(lines[0]).toBe("1");
    expect(lines[199_999]).toBe("200000");
    expect(lines.every((line, i) => line === String(i + 1))).toBe(true);
    expect(err.toString().trimEnd().split("\n").length).toBe(1000);
  });

  test("we keep no copy of the child's end: the read end of a finished command's pipe ends", async () => {
    const pipe = maker!.create()!;
    const target = readlinkSync(`/proc/self/fd/${pipe.writeFd}`);
    pipe.closeWriteEnd();
    pipe.closeWriteEnd(); // twice is harmless
    expect(ourFdsTo(target).length).toBe(1); // only the read end is left
    expect((await pipe.reader.read()).done).toBe(true);
    expect(ourFdsTo(target).length).toBe(0); // and the end of the stream closed it
  });

  test("a read waiting on a pipe whose writer is still open never blocks the thread, ends at cancel, and closes the read end", async () => {
    const pipe = maker!.create()!;
    const target = readlinkSync(`/proc/self/fd/${pipe.writeFd}`);
    const pending = pipe.reader.read();
    await pipe.reader.cancel();
    expect((await pending).done).toBe(true);
    expect(ourFdsTo(target).length).toBe(1); // the write end we still hold
    pipe.closeWriteEnd();
    expect(ourFdsTo(target).length).toBe(0);
  });

  test("output written after a silence still arrives (the reader polls while the command runs)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lifecycle-polled-pipe-"));
    try {
      const gate = join(dir, "gate");
      const child = await sh(`echo early; until [ -e '${gate}' ]; do sleep 0.01; done; echo late`);
      expect(new TextDecoder().decode((await child.stdout.read()).value)).toBe("early\n");
      const next = child.stdout.read(); // nothing to read until the gate opens: the reader keeps polling
      for (let turn = 0; turn < 10; turn++) await new Promise((resolve) => setTimeout(resolve, 5));
      writeFileSync(gate, "");
      expect(new TextDecoder().decode((await next).value)).toBe("late\n");
      expect((await child.stdout.read()).done).toBe(true);
      await Promise.all([readAll(child.stderr), child.exited]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
