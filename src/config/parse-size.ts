import { describeType } from "../shared/duration.ts";
import { err, ok, type Result } from "../shared/result.ts";

const UNIT_BYTES: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/**
 * Reads a size from make.toml: a whole number of bytes, or a string such as "500MB", "2GB", "1.5GiB", "4096".
 * KB/MB/GB/TB are decimal (1000^n), KiB/MiB/GiB/TiB binary (1024^n). Returns bytes.
 */
export function parseSize(value: unknown): Result<number, string> {
  if (typeof value === "number") {
    return Number.isInteger(value) && value >= 0 ? ok(value) : err(`expected a whole number of bytes, got ${value}`);
  }
  if (typeof value !== "string") return err(`expected a size such as "2GB" or a number of bytes, got ${describeType(value)}`);
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = match ? UNIT_BYTES[(match[2] || "b").toLowerCase()] : undefined;
  if (!match || unit === undefined) return err(`expected a size such as "500MB", "2GB" or "1GiB", got "${value}"`);
  return ok(Math.round(Number(match[1]) * unit));
}
