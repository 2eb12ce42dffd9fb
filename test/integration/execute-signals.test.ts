import { expect, test } from "bun:test";
import { resolve } from "node:path";

const SIGNALS_MODULE = resolve(import.meta.dir, "../../src/execute/signals.ts");
const BUN = process.execPath;

// The child installs the handlers, reports each signal with its count, uninstalls after the second,
// then waits; the third signal must therefore kill it the default way.
const CHILD = `
import { installSignalHandlers } from ${JSON.stringify(SIGNALS_MODULE)};
const uninstall = installSignalHandlers({
  onSignal(sig, count) {
    console.log(sig + " " + count);
    if (count === 2) { uninstall(); console.log("uninstalled"); }
  },
});
console.log("ready");
setInterval(() => {}, 1000);
`;

test("handlers receive each stop signal with a running count, and uninstall restores the default", async () => {
  const child = Bun.spawn([BUN, "-e", CHILD], { stdout: "pipe", stderr: "inherit" });
  const seen: string[] = [];
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const next = async (): Promise<string> => {
    while (!buffer.includes("\n")) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`child output ended; saw ${JSON.stringify(seen)}`);
      buffer += value;
    }
    const line = buffer.slice(0, buffer.indexOf("\n"));
    buffer = buffer.slice(line.length + 1);
    seen.push(line);
    return line;
  };

  expect(await next()).toBe("ready");
  child.kill("SIGINT");
  expect(await next()).toBe("SIGINT 1");
  child.kill("SIGTERM");
  expect(await next()).toBe("SIGTERM 2");
  expect(await next()).toBe("uninstalled");
  child.kill("SIGHUP");
  await child.exited;
  expect(child.signalCode).toBe("SIGHUP");
}, 20_000);
