// A strict reader of the Prometheus text exposition format 0.0.4, for checking --metrics-file output.

export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The value as written (`1.5`, `NaN`, `+Inf`). */
  readonly raw: string;
  readonly value: number;
  readonly timestamp?: string;
}

export interface PromFamily {
  help?: string;
  type?: string;
  readonly samples: PromSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const VALUE = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|NaN|[+-]Inf)$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

/**
 * Parses the whole text or throws naming the line: every sample line must match the format,
 * HELP and TYPE come at most once per family and before its first sample, and a family's lines
 * form one group (a name never comes back after another family's sample).
 */
export function parsePrometheusText(text: string): Map<string, PromFamily> {
  if (text !== "" && !text.endsWith("\n")) throw new Error("the text does not end with a line feed");
  const families = new Map<string, PromFamily>();
  const closed = new Set<string>();
  let current: string | undefined;
  const family = (name: string, at: string): PromFamily => {
    if (closed.has(name)) throw new Error(`${at}: ${name} appears again after another family`);
    if (current !== undefined && current !== name) closed.add(current);
    current = name;
    let f = families.get(name);
    if (!f) families.set(name, (f = { samples: [] }));
    return f;
  };
  text.split("\n").forEach((line, index) => {
    const at = `line ${index + 1} (${JSON.stringify(line)})`;
    if (line.trim() === "") return;
    const meta = /^#\s*(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
    if (meta) {
      const [, keyword, name, rest = ""] = meta;
      if (!METRIC_NAME.test(name!) || METRIC_NAME.exec(name!)![0] !== name) throw new Error(`${at}: bad metric name`);
      const f = family(name!, at);
      if (f.samples.length > 0) throw new Error(`${at}: ${keyword} after the family's samples`);
      if (keyword === "HELP") {
        if (f.help !== undefined) throw new Error(`${at}: second HELP`);
        f.help = unescape(rest, false, at);
      } else {
        if (f.type !== undefined) throw new Error(`${at}: second TYPE`);
        if (!TYPES.has(rest.trim())) throw new Error(`${at}: unknown type`);
        f.type = rest.trim();
      }
      return;
    }
    if (line.startsWith("#")) return; // a comment
    const sample = parseSample(line, at);
    family(sample.name, at).samples.push(sample);
  });
  return families;
}

function parseSample(line: string, at: string): PromSample {
  const name = METRIC_NAME.exec(line)?.[0];
  if (!name) throw new Error(`${at}: no metric name`);
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith("{")) {
    rest = rest.slice(1);
    while (!rest.startsWith("}")) {
      const label = LABEL_NAME.exec(rest)?.[0];
      if (!label || !rest.slice(label.length).startsWith('="')) throw new Error(`${at}: bad label`);
      rest = rest.slice(label.length + 2);
      let value = "";
      let i = 0;
      for (; i < rest.length && rest[i] !== '"'; i++) {
        if (rest[i] === "\\") {
          const next = rest[++i];
          if (next === "\\") value += "\\";
          else if (next === '"') value += '"';
          else if (next === "n") value += "\n";
          else throw new Error(`${at}: bad escape in label ${label}`);
        } else value += rest[i];
      }
      if (i >= rest.length) throw new Error(`${at}: unterminated label value`);
      if (label in labels) throw new Error(`${at}: label ${label} twice`);
      labels[label] = value;
      rest = rest.slice(i + 1);
      if (rest.startsWith(",")) rest = rest.slice(1);
      else if (!rest.startsWith("}")) throw new Error(`${at}: expected , or } after label ${label}`);
    }
    rest = rest.slice(1);
  }
  const fields = /^[ \t]+(\S+)(?:[ \t]+(-?\d+))?[ \t]*$/.exec(rest);
  if (!fields || !VALUE.test(fields[1]!)) throw new Error(`${at}: bad value`);
  const raw = fields[1]!;
  return { name, labels, raw, value: Number(raw.replace("Inf", "Infinity")), ...(fields[2] === undefined ? {} : { timestamp: fields[2] }) };
}

function unescape(text: string, quotes: boolean, at: string): string {
  return text.replace(/\\(.)/g, (_, c: string) => {
    if (c === "\\") return "\\";
    if (c === "n") return "\n";
    if (quotes && c === '"') return '"';
    throw new Error(`${at}: bad escape \\${c}`);
  });
}

/** The samples of one family whose labels include all of `match`. */
export function samplesOf(families: Map<string, PromFamily>, name: string, match: Record<string, string> = {}): PromSample[] {
  return (families.get(name)?.samples ?? []).filter((s) => Object.entries(match).every(([k, v]) => s.labels[k] === v));
}
