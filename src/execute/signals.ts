/** The signals that stop a run: 130 / 143 / 129 at exit. */
export type StopSignal = "SIGINT" | "SIGTERM" | "SIGHUP";

const STOP_SIGNALS: readonly StopSignal[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * Routes SIGINT/SIGTERM/SIGHUP to `controller.onSignal`, with `count` the number of stop signals received
 * so far (any kind; 2 = "kill at once"). While installed the process does not die from these signals:
 * the controller decides. Returns the uninstaller.
 */
export function installSignalHandlers(controller: { onSignal(sig: StopSignal, count: number): void }): () => void {
  let count = 0;
  const handlers = STOP_SIGNALS.map((sig) => {
    const handler = (): void => controller.onSignal(sig, ++count);
    process.on(sig, handler);
    return [sig, handler] as const;
  });
  return () => {
    for (const [sig, handler] of handlers) process.off(sig, handler);
  };
}
