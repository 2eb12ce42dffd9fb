// Real remote-cache servers for the cache tests, on 127.0.0.1 with random ports: the npm
// `turborepo-remote-cache` server (local-disk storage) as a child process, `s3rver` in process,
// and a server that accepts connections and never answers (a hung remote).
import { spawn } from "node:child_process";
import { createServer, type Server, type Socket } from "node:net";
import { resolve } from "node:path";
import S3rver from "s3rver";

const TURBO_CLI = resolve(import.meta.dir, "../../node_modules/turborepo-remote-cache/dist/cli.js");

export interface RunningServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** turborepo-remote-cache with static token auth, storing artifacts as files `<storageDir>/<team>/<hash>`. */
export function startTurboCacheServer(options: { token: string; storageDir: string }): Promise<RunningServer> {
  const child = spawn("node", [TURBO_CLI], {
    env: { PATH: process.env.PATH, HOST: "127.0.0.1", PORT: "0", STORAGE_PROVIDER: "local", STORAGE_PATH: options.storageDir, STORAGE_PATH_USE_TMP_FOLDER: "false", TURBO_TOKEN: options.token, LOG_LEVEL: "info", NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`turborepo-remote-cache did not start:\n${log}`)), 20_000);
    const onData = (chunk: Buffer) => {
      log += chunk.toString("utf8");
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off("data", onData);
      child.stdout.resume();
      child.stderr.resume();
      done({
        url: match[1]!,
        stop: () =>
          new Promise<void>((stopped) => {
            if (child.exitCode !== null || child.signalCode !== null) return stopped();
            child.once("exit", () => stopped());
            child.kill("SIGKILL");
          }),
      });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (chunk: Buffer) => (log += chunk.toString("utf8")));
    child.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`turborepo-remote-cache exited (${code}):\n${log}`));
    });
  });
}

/** s3rver with one bucket; it accepts the access key id "S3RVER" (any secret) and rejects others. */
export async function startS3Server(options: { directory: string; bucket: string }): Promise<RunningServer> {
  const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: options.directory, configureBuckets: [{ name: options.bucket, configs: [] }] });
  const address = (await server.run()) as unknown as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, stop: async () => void (await server.close()) };
}

/** Accepts connections and never answers: a remote that is up but hung. */
export async function startSilentServer(): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}

/** A loopback port nothing listens on (bound, then released). */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}
