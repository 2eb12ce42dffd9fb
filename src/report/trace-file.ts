import { emptyCounts, type RunSummary } from "./summarize.ts";
import type { TaskReport } from "./task-reports.ts";
import { redactText } from "../shared/redact.ts";
import { spanIdFor, traceIdFor } from "./trace-ids.ts";
import type { TaskStatus } from "../execute/outcome.ts";

/** An attribute as OTLP JSON writes it; int64 values are decimal strings (the proto3 JSON mapping). */
export interface OtlpAttribute {
  readonly key: string;
  readonly value: { readonly stringValue: string } | { readonly intValue: string };
}

/** OTLP status: 0 unset, 1 ok, 2 error (with a message). */
export interface OtlpStatus {
  readonly code: 0 | 1 | 2;
  readonly message?: string;
}

/** One span of an OTLP JSON trace; ids are lowercase hex, times are Unix nanoseconds as decimal strings. */
export interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** Absent on the run's root span. */
  readonly parentSpanId?: string;
  readonly name: string;
  /** 1 = SPAN_KIND_INTERNAL. */
  readonly kind: 1;
  readonly startTimeUnixNano: string;
  readonly endTimeUnixNano: string;
  readonly attributes: readonly OtlpAttribute[];
  readonly status: OtlpStatus;
}

/** The `--trace-file FILE` document: the JSON shape of OTLP's ExportTraceServiceRequest. */
export interface OtlpTraceRequest {
  readonly resourceSpans: readonly {
    readonly resource: { readonly attributes: readonly OtlpAttribute[] };
    readonly scopeSpans: readonly { readonly scope: { readonly name: string; readonly version: string }; readonly spans: readonly OtlpSpan[] }[];
  }[];
}

export interface TraceInfo {
  readonly startedMs: number;
  readonly version: string;
  readonly secrets: readonly string[];
  /** How many commands a task has (by task id); 0 when unknown. */
  readonly commandCount: (task: string) => number;
}

/**
 * Pure: the run as OpenTelemetry spans. One root span for the run (name `run <phases>`), one child
 * span per task in graph order (name = task id), all of kind INTERNAL, in one trace whose id is
 * the run id (see trace-ids.ts). Success and cached tasks are OK, failed, timed-out and cancelled
 * ones ERROR with their (masked) error; skipped tasks never started, so they are zero-length
 * spans at the run's end with status UNSET. The root span covers every task span.
 */
export function traceDocument(summary: RunSummary, reports: readonly TaskReport[], info: TraceInfo): OtlpTraceRequest {
  const mask = (text: string) => redactText(text, info.secrets);
  const traceId = traceIdFor(summary.runId);
  const rootSpanId = spanIdFor(summary.runId, "run");
  // The root span covers every task span, also when clocks moved (a loop: no spread of 10,000 arguments).
  let runStartMs = info.startedMs;
  let runEndMs = info.startedMs + summary.durationMs;
  for (const r of reports) {
    if (r.started_ms === null) continue;
    runStartMs = Math.min(runStartMs, r.started_ms);
    runEndMs = Math.max(runEndMs, r.started_ms + r.duration_ms);
  }
  const taskSpans = reports.map((r): OtlpSpan => {
    const startMs = r.started_ms ?? runEndMs;
    return {
      traceId,
      spanId: spanIdFor(summary.runId, r.task),
      parentSpanId: rootSpanId,
      name: r.task,
      kind: 1,
      startTimeUnixNano: unixNanos(startMs),
      endTimeUnixNano: unixNanos(r.started_ms === null ? runEndMs : startMs + r.duration_ms),
      attributes: taskAttributes(r, info.commandCount(r.task), mask),
      status: taskStatus(r, mask),
    };
  });
  const root: OtlpSpan = {
    traceId,
    spanId: rootSpanId,
    name: `run ${summary.phases.join(" ")}`.trim(),
    kind: 1,
    startTimeUnixNano: unixNanos(runStartMs),
    endTimeUnixNano: unixNanos(runEndMs),
    attributes: runAttributes(summary),
    status: runStatus(summary),
  };
  return {
    resourceSpans: [
      {
        resource: { attributes: [str("service.name", "lifecycle"), str("service.version", info.version)] },
        scopeSpans: [{ scope: { name: "lifecycle", version: info.version }, spans: [root, ...taskSpans] }],
      },
    ],
  };
}

/** The document as the file's text: compact JSON and a final newline (one request per file, as collectors' file receivers read it). */
export function formatTraceFile(document: OtlpTraceRequest): string {
  return JSON.stringify(document) + "\n";
}

function taskAttributes(r: TaskReport, commandCount: number, mask: (text: string) => string): OtlpAttribute[] {
  const attributes = [str("lifecycle.task", r.task), str("lifecycle.phase", r.phase), str("lifecycle.place", r.place)];
  if (r.workspace !== null) attributes.push(str("lifecycle.workspace", r.workspace));
  attributes.push(str("lifecycle.task.kind", r.kind), str("lifecycle.status", r.status));
  if (r.exit_code !== null) attributes.push(int("lifecycle.exit_code", r.exit_code));
  if (r.signal !== null) attributes.push(str("lifecycle.signal", r.signal));
  attributes.push(str("lifecycle.cache", r.cache), int("lifecycle.retries", r.retries), int("lifecycle.command_count", commandCount));
  if (r.error !== null) attributes.push(str("lifecycle.error", mask(r.error)));
  return attributes;
}

function taskStatus(r: TaskReport, mask: (text: string) => string): OtlpStatus {
  switch (r.status) {
    case "success":
    case "cached":
      return { code: 1 };
    case "failed":
    case "timed-out":
    case "cancelled":
      return { code: 2, message: mask(r.error ?? r.status) };
    case "skipped":
      return { code: 0 };
  }
}

function runAttributes(summary: RunSummary): OtlpAttribute[] {
  const attributes = [str("lifecycle.run_id", summary.runId), str("lifecycle.phases", summary.phases.join(" ")), str("lifecycle.status", summary.status)];
  if (summary.interruptedBy !== undefined) attributes.push(str("lifecycle.interrupted_by", summary.interruptedBy));
  for (const status of Object.keys(emptyCounts()) as TaskStatus[]) attributes.push(int(`lifecycle.tasks.${status.replace("-", "_")}`, summary.counts[status]));
  return attributes;
}

function runStatus(summary: RunSummary): OtlpStatus {
  if (summary.status === "success") return { code: 1 };
  if (summary.interruptedBy !== undefined) return { code: 2, message: `interrupted by ${summary.interruptedBy}` };
  const failed = summary.failures.slice(0, 10).map((f) => f.task.id);
  const more = summary.failures.length - failed.length;
  return { code: 2, message: failed.length === 0 ? "failed" : `failed: ${failed.join(", ")}${more > 0 ? ` and ${more} more` : ""}` };
}

/** Milliseconds since the epoch as nanoseconds, exactly (a float would lose digits past 2^53). */
function unixNanos(ms: number): string {
  return (BigInt(Math.round(ms)) * 1_000_000n).toString();
}

function str(key: string, value: string): OtlpAttribute {
  return { key, value: { stringValue: value } };
}

function int(key: string, value: number): OtlpAttribute {
  return { key, value: { intValue: String(Math.trunc(value)) } };
}
