// A password written into a remote cache URL never reaches a message: labels, failures and config problems.
import { expect, test } from "bun:test";
import { remoteSetup } from "../../src/cache/remote-config.ts";

test("a remote URL's password is masked in the backend's label and in the failure of a request to it", async () => {
  const setup = remoteSetup({}, { TURBO_API: "http://user:hunter2@127.0.0.1:1/" });
  expect(setup.problems).toEqual([]);
  const backend = setup.backends[0]!;
  expect(backend.label).toBe("http://user:***@127.0.0.1:1");
  const answer = await backend.get("a".repeat(64), AbortSignal.timeout(5_000)); // port 1 on loopback: refused
  expect(answer.ok).toBe(false);
  if (!answer.ok) {
    expect(answer.error.message).toContain("user:***@127.0.0.1:1");
    expect(answer.error.message).not.toContain("hunter2");
  }
  const bad = remoteSetup({ remoteUrl: "ftp://user:hunter2@host" }, {});
  expect(bad.problems).toEqual(['remote cache URL "ftp://user:***@host" (from [cache] remote_url) is not an http(s) URL']);
});
