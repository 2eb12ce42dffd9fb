import { describe, expect, test } from "bun:test";
import { createHash, createHmac } from "node:crypto";
import { createSha256, equalInConstantTime, randomHex, randomId, sha256Hex } from "../../src/runtime/hashing.ts";

describe("hashing", () => {
  test("SHA-256 and its HMAC give node:crypto's digests, for strings and bytes fed in pieces", () => {
    const bytes = new TextEncoder().encode("é and bytes");
    expect(sha256Hex("abc")).toBe(createHash("sha256").update("abc").digest("hex"));
    expect(createSha256().update("é and ").update(bytes.subarray(7)).digest("base64")).toBe(createHash("sha256").update("é and bytes").digest("base64"));
    expect(createSha256("key").update("message").digest("hex")).toBe(createHmac("sha256", "key").update("message").digest("hex"));
  });

  test("random hex has two digits per byte and random ids are UUIDs, never repeated", () => {
    expect(randomHex(6)).toMatch(/^[0-9a-f]{12}$/);
    const ids = new Set(Array.from({ length: 100 }, randomId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test("constant-time comparison tells equal from different strings of any length", () => {
    expect(equalInConstantTime("abc", "abc")).toBe(true);
    expect(equalInConstantTime("abc", "abd")).toBe(false);
    expect(equalInConstantTime("abc", "abcd")).toBe(false);
    expect(equalInConstantTime("", "")).toBe(true);
  });
});
