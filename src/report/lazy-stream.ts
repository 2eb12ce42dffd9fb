import { fstatSync } from "node:fs";
import type { WritableLike } from "./output-sink.ts";

type StreamEvent = "drain" | "close" | "error";
type Listener = (error?: unknown) => void;

/**
 * A WritableLike that opens its stream on first use. On Bun, process.stdout and process.stderr are
 * built on first access and load the runtime's stream modules with them (19 ms in a bare compiled
 * script on the build VM, 5-10 ms of lifecycle's start-up); a run that writes nothing to one (`-q`,
 * stderr in a `--json` run with nothing to report) never pays for it. Listeners added before then
 * are attached when the stream is opened.
 */
export function lazyStream(open: () => WritableLike): WritableLike {
  let stream: WritableLike | undefined;
  const early: Array<readonly [StreamEvent, Listener]> = [];
  const opened = (): WritableLike => {
    if (stream === undefined) {
      stream = open();
      for (const [event, listener] of early) stream.on(event, listener);
      early.length = 0;
    }
    return stream;
  };
  return {
    write: (text) => opened().write(text),
    on(event, listener) {
      if (stream === undefined) early.push([event, listener]);
      else stream.on(event, listener);
      return this;
    },
    off(event, listener) {
      if (stream !== undefined) {
        stream.off(event, listener);
        return this;
      }
      const at = early.findIndex(([e, l]) => e === event && l === listener);
      if (at >= 0) early.splice(at, 1);
      return this;
    },
    get columns() {
      return opened().columns;
    },
  };
}

/**
 * Whether stderr is a terminal, without building process.stderr when it cannot be one: pipes and
 * files (CI, benchmarks, `2>log`) are not character devices. A closed stderr is not a terminal.
 */
export function stderrIsTerminal(): boolean {
  try {
    if (!fstatSync(2).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  return Boolean(process.stderr.isTTY);
}
