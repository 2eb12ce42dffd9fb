import { Buffer } from "node:buffer";
import type { FingerprintInput } from "./fingerprint.ts";

/** Bytes of one sha256 digest. */
const DIGEST_BYTES = 32;
const DIGEST_HEX = /^[0-9a-f]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * How a task record stores its input digests: the paths "\n"-joined (an array if a path holds
 * "\n"), and the raw 32-byte digests concatenated, in the same order, as base64 (43 characters a
 * file instead of 64 as hex: the record of 10,000 inputs is read, page by fresh page, on every check).
 */
export interface CompactInputs {
  readonly inputPaths: string | readonly string[];
  readonly inputDigests: string;
}

/**
 * The input digests of a task's previous run, as read from its record: paths in the order of the
 * walk that produced them, each with its sha256. A cache check that finds every file unchanged
 * only compares paths by position (pathAt) and decodes no digest; the path → digest object (what
 * the fingerprint input and `--explain` hold) is built on first need and then kept.
 */
export class RecordedInputs {
  private record: Readonly<Record<string, string>> | undefined;

  private constructor(
    private readonly paths: readonly string[],
    /** The base64 of the concatenated digests, or (made from an object) the object's values. */
    private readonly digests: string | readonly unknown[],
    record?: Readonly<Record<string, string>>,
  ) {
    this.record = record;
  }

  private bytes: Buffer | undefined;

  /** The digests of a path → digest object, in its key order (the object itself is kept as the map). */
  static fromRecord(record: Readonly<Record<string, string>>): RecordedInputs {
    return new RecordedInputs(Object.keys(record), Object.values(record), record);
  }

  /** The inputs a record stored compactly, or undefined when they are damaged (counts disagree, not hex). */
  static fromCompact(compact: CompactInputs): RecordedInputs | undefined {
    const { inputPaths, inputDigests } = compact;
    if (typeof inputDigests !== "string" || !BASE64.test(inputDigests)) return undefined;
    let paths: readonly string[];
    if (typeof inputPaths === "string") paths = inputPaths === "" ? [] : inputPaths.split("\n");
    else if (Array.isArray(inputPaths) && inputPaths.every((path) => typeof path === "string")) paths = inputPaths;
    else return undefined;
    if (base64Length(paths.length * DIGEST_BYTES) !== inputDigests.length) return undefined;
    return new RecordedInputs(paths, inputDigests);
  }

  /** The compact form of a path → digest object, for writing. Throws if a digest is not sha256 hex (a bug). */
  static compact(record: Readonly<Record<string, string>>): CompactInputs {
    const paths = Object.keys(record);
    const bytes = Buffer.alloc(paths.length * DIGEST_BYTES);
    let newline = false;
    for (let i = 0; i < paths.length; i++) {
      const path = paths[i]!;
      const digest = record[path]!;
      if (!DIGEST_HEX.test(digest)) throw new Error(`not a sha256 digest for ${path}: ${digest}`);
      bytes.write(digest, i * DIGEST_BYTES, "hex");
      if (path.includes("\n")) newline = true;
    }
    return { inputPaths: newline ? paths : paths.join("\n"), inputDigests: bytes.toString("base64") };
  }

  /** How many inputs. */
  get count(): number {
    return this.paths.length;
  }

  /** The i-th path, in the order of the walk that recorded it. */
  pathAt(i: number): string | undefined {
    return this.paths[i];
  }

  /** The digest (hex) of the i-th path (i within count); undefined only for a damaged object's non-string value. */
  digestAt(i: number): string | undefined {
    const digests = this.digests;
    if (typeof digests === "string") return this.decoded().toString("hex", i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES);
    const digest = digests[i];
    return typeof digest === "string" ? digest : undefined;
  }

  /** True when digestAt(i) has a digest to give. */
  hasDigestAt(i: number): boolean {
    return typeof this.digests === "string" ? i < this.paths.length : typeof this.digests[i] === "string";
  }

  /** The digest recorded for `path`, or undefined. Builds the map on first use. */
  get(path: string): string | undefined {
    const record = this.toRecord();
    return Object.hasOwn(record, path) ? record[path] : undefined;
  }

  /** Path → digest, keys in the recorded order; built once. */
  toRecord(): Readonly<Record<string, string>> {
    if (this.record === undefined) {
      const out: Record<string, string> = {};
      const hex = typeof this.digests === "string" ? this.decoded().toString("hex") : undefined;
      for (let i = 0; i < this.paths.length; i++) out[this.paths[i]!] = hex === undefined ? this.digestAt(i)! : hex.slice(i * 2 * DIGEST_BYTES, (i + 1) * 2 * DIGEST_BYTES);
      this.record = out;
    }
    return this.record;
  }

  private decoded(): Buffer {
    if (this.bytes === undefined) this.bytes = Buffer.from(this.digests as string, "base64");
    return this.bytes;
  }
}

/** Characters of the padded base64 of `bytes` bytes. */
function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

/**
 * `input` with its `inputs` taken from `recorded`, built only when something reads them (an
 * enumerable getter, so serialising or spreading the input sees an ordinary object).
 */
export function withRecordedInputs(input: FingerprintInput, recorded: RecordedInputs): FingerprintInput {
  const out = { ...input } as { inputs: Readonly<Record<string, string>> } & FingerprintInput;
  Object.defineProperty(out, "inputs", { get: () => recorded.toRecord(), enumerable: true, configurable: true });
  return out;
}
