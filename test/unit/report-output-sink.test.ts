import { describe, expect, test } from "bun:test";
import { Writable } from "node:stream";
import { lazyStream } from "../../src/report/lazy-stream.ts";
import { createOutputSink } from "../../src/report/output-sink.ts";

/** A real Writable that records what reaches it; `hold` keeps each write pending until release(). */
function recorder(log: string[], name: string, options: { highWaterMark?: number; hold?: boolean; columns?: number } = {}) {
  const pending: Array<() => void> = [];
  const stream = new Writable({
    highWaterMark: options.highWaterMark ?? 1024 * 1024,
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      log.push(`${name}:${chunk.toString()}`);
      if (options.hold) pending.push(callback);
      else callback();
    },
  });
  if (options.columns !== undefined) Object.assign(stream, { columns: options.columns });
  return { stream, release: () => pending.splice(0).forEach((done) => done()) };
}

const tick = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe("createOutputSink", () => {
  test("writes made in one go leave as one write per stream run, in order", async () => {
    const log: string[] = [];
    const sink = createOutputSink(recorder(log, "out").stream, recorder(log, "err").stream);
    sink.stdout("a\n");
    sink.stdout("b\n");
    sink.stderr("c\n");
    sink.stdout("d\n");
    await tick();
    expect(log).toEqual(["out:a\nb\n", "err:c\n", "out:d\n"]);
  });

  test("ready() is undefined until a stream's buffer is full, then a promise that resolves on drain", async () => {
    const log: string[] = [];
    const out = recorder(log, "out", { highWaterMark: 4, hold: true });
    const sink = createOutputSink(out.stream, recorder(log, "err").stream);
    expect(sink.ready()).toBeUndefined();
    sink.stdout("more than four\n");
    const ready = sink.ready();
    expect(ready).toBeInstanceOf(Promise);
    let resolved = false;
    void ready!.then(() => (resolved = true));
    await tick();
    expect(resolved).toBe(false);
    out.release();
    await ready;
    expect(sink.ready()).toBeUndefined();
  });

  test("a stream that fails (EPIPE) never blocks: waiting ends, later writes are dropped without throwing", async () => {
    const log: string[] = [];
    const out = recorder(log, "out", { highWaterMark: 4, hold: true });
    const sink = createOutputSink(out.stream, recorder(log, "err").stream);
    sink.stdout("more than four\n");
    const ready = sink.ready()!;
    out.stream.destroy(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
    await ready;
    sink.stdout("dropped\n");
    await tick();
    expect(log).toEqual(["out:more than four\n"]);
    expect(sink.ready()).toBeUndefined();
  });

  test("the status line is erased before any other write and redrawn only when asked; it never exceeds the width", async () => {
    const log: string[] = [];
    const sink = createOutputSink(recorder(log, "out").stream, recorder(log, "err", { columns: 20 }).stream);
    sink.status("[0/1] 0.1s  running: //#a-very-long-task-id");
    await tick();
    expect(log).toEqual(["err:\r\x1b[2K[0/1] 0.1s  runnin…"]); // 19 characters: one less than the 20 columns
    expect(sink.needsStatus()).toBe(false);
    sink.stdout("line\n");
    await tick();
    expect(log.slice(1)).toEqual(["err:\r\x1b[2K", "out:line\n"]);
    expect(sink.needsStatus()).toBe(true);
    sink.status(null);
    expect(sink.needsStatus()).toBe(false);
  });

  test("a block is written piece by piece at the reader's pace, and later writes wait behind it", async () => {
    const log: string[] = [];
    const out = recorder(log, "out", { highWaterMark: 4, hold: true });
    const sink = createOutputSink(out.stream, recorder(log, "err").stream);
    const pieces = [
      { stream: "stdout" as const, text: "one\ntwo\n" },
      { stream: "stderr" as const, text: "three\n" },
      { stream: "stdout" as const, text: "four\n" },
    ];
    let pulled = 0;
    sink.writeBlock(() => (pulled < pieces.length ? pieces[pulled++]! : null));
    sink.stdout("after\n");
    await tick();
    // The first piece filled stdout's buffer: the block waits for drain before pulling more.
    expect(pulled).toBe(1);
    expect(sink.ready()).toBeInstanceOf(Promise);
    for (let i = 0; i < 5; i++) {
      out.release();
      await tick();
      await tick();
    }
    await sink.settled();
    out.release();
    await tick();
    expect(log).toEqual(["out:one\ntwo\n", "err:three\n", "out:four\n", "out:after\n"]);
  });
});

describe("lazyStream", () => {
  test("the stream is opened by the first write, not before; listeners added earlier are attached to it", async () => {
    const log: string[] = [];
    let opened = 0;
    const out = recorder(log, "out", { highWaterMark: 4, hold: true });
    const lazy = lazyStream(() => {
      opened++;
      return out.stream;
    });
    const sink = createOutputSink(lazy, recorder(log, "err").stream);
    await tick();
    expect(opened).toBe(0);
    sink.stdout("more than four\n");
    expect(sink.ready()).toBeInstanceOf(Promise); // the sink's drain listener reached the real stream
    expect(opened).toBe(1);
    expect(out.stream.listenerCount("error")).toBe(2); // the EPIPE guard the sink added before the stream existed, and the drain wait
    out.release();
    await sink.ready();
    expect(log).toEqual(["out:more than four\n"]);
    expect(opened).toBe(1);
  });

  test("a listener removed before the stream opens is never attached", () => {
    const out = recorder([], "out");
    const lazy = lazyStream(() => out.stream);
    const listener = () => {};
    lazy.on("error", listener);
    lazy.off("error", listener);
    lazy.write("x");
    expect(out.stream.listenerCount("error")).toBe(0);
  });
});
