import { redactUrlPasswords } from "../shared/redact.ts";
import { err, ok } from "../shared/result.ts";
import { failureFromError, type RemoteBackend, type RemoteFailure } from "./remote-backend.ts";

export interface HttpRemoteOptions {
  /** Server base URL, e.g. `https://cache.example.com` (a path prefix is kept). */
  readonly url: string;
  /** Sent as `teamId` when it looks like a Vercel team id (`team_...`), else as `slug`. */
  readonly team?: string;
  readonly token?: string;
}

/**
 * A client of the Turborepo remote cache HTTP API, v8: `GET`/`PUT /v8/artifacts/<hash>` with
 * `Authorization: Bearer <token>`. 404 is a miss; 401/403 an auth failure; 5xx, network errors
 * and timeouts mean the server is unavailable.
 */
export function httpRemote(options: HttpRemoteOptions): RemoteBackend {
  const base = options.url.replace(/\/+$/, "");
  const query = options.team ? `?${options.team.startsWith("team_") ? "teamId" : "slug"}=${encodeURIComponent(options.team)}` : "";
  const headers: Record<string, string> = options.token ? { Authorization: `Bearer ${options.token}` } : {};
  const label = `${redactUrlPasswords(base)}${options.team ? ` (team ${options.team})` : ""}`;
  const urlOf = (fingerprint: string) => `${base}/v8/artifacts/${fingerprint}${query}`;
  return {
    label,
    async get(fingerprint, signal) {
      try {
        const response = await fetch(urlOf(fingerprint), { headers, signal });
        if (response.status === 404) {
          await response.body?.cancel();
          return ok(undefined);
        }
        if (!response.ok) return err(await statusFailure(response, "GET"));
        return ok(new Uint8Array(await response.arrayBuffer()));
      } catch (e) {
        return err(failureFromError(e, signal, `GET ${label}`));
      }
    },
    async put(fingerprint, sealed, durationMs, signal) {
      try {
        const response = await fetch(urlOf(fingerprint), {
          method: "PUT",
          headers: { ...headers, "Content-Type": "application/octet-stream", "x-artifact-duration": String(Math.round(durationMs)) },
          body: sealed,
          signal,
        });
        if (!response.ok) return err(await statusFailure(response, "PUT"));
        await response.body?.cancel();
        return ok(undefined);
      } catch (e) {
        return err(failureFromError(e, signal, `PUT ${label}`));
      }
    },
  };
}

async function statusFailure(response: Response, method: string): Promise<RemoteFailure> {
  let detail = "";
  try {
    detail = (await response.text()).slice(0, 200).trim();
  } catch {
    // no body
  }
  const kind = response.status === 401 || response.status === 403 ? "auth" : response.status >= 500 ? "unavailable" : "other";
  return { kind, message: `${method} answered ${response.status} ${response.statusText}${detail ? `: ${detail}` : ""}` };
}
