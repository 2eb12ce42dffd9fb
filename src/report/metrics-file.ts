import type { TaskStatus } from "../execute/outcome.ts";
import { emptyCounts, type RunSummary } from "./summarize.ts";
import type { TaskReport } from "./task-reports.ts";

/** One metric family: its metadata and samples, written together as the text format requires. */
interface Family {
  readonly name: string;
  readonly help: string;
  readonly samples: readonly Sample[];
}

interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * The `--metrics-file FILE` text: Prometheus text exposition format 0.0.4, for node_exporter's
 * textfile collector. The file describes one run, the last one, so every family is a gauge
 * (a value that can go down between runs is not a counter, and `_total` is kept for counters).
 * Run-level series carry no task labels; per-task series are labelled {phase, place}; the run id
 * appears only on `lifecycle_run_info`. No sample has a timestamp (the textfile collector
 * rejects them). Families without samples are left out. Label values are escaped (`\`, `"`, newline).
 */
export function formatMetrics(summary: RunSummary, reports: readonly TaskReport[], info: { startedMs: number; version: string }): string {
  const started = reports.filter((r) => r.started_ms !== null);
  const cacheable = reports.filter((r) => r.cache !== "off");
  const where = (r: TaskReport) => ({ phase: r.phase, place: r.place });
  const families: Family[] = [
    {
      name: "lifecycle_run_info",
      help: "The last run: its id, the phases asked for, how it ended and the lifecycle version; always 1.",
      samples: [{ labels: { run_id: summary.runId, phases: summary.phases.join(" "), status: summary.status, version: info.version }, value: 1 }],
    },
    { name: "lifecycle_run_success", help: "1 when the last run succeeded, 0 when it failed or was interrupted.", samples: [{ labels: {}, value: summary.status === "success" ? 1 : 0 }] },
    { name: "lifecycle_run_duration_seconds", help: "Wall-clock duration of the last run.", samples: [{ labels: {}, value: summary.durationMs / 1000 }] },
    { name: "lifecycle_run_timestamp_seconds", help: "When the last run ended, in seconds since the Unix epoch.", samples: [{ labels: {}, value: (info.startedMs + summary.durationMs) / 1000 }] },
    {
      name: "lifecycle_run_tasks",
      help: "Tasks of the last run by status (every status listed, zeros included).",
      samples: (Object.keys(emptyCounts()) as TaskStatus[]).map((status) => ({ labels: { status }, value: summary.counts[status] })),
    },
    { name: "lifecycle_tasks", help: "Tasks of the last run by phase, place and status (one task per phase and place).", samples: countBy(reports) },
    {
      name: "lifecycle_task_duration_seconds",
      help: "How long each task of the last run took (tasks that never started are left out).",
      samples: started.map((r) => ({ labels: { ...where(r), status: r.status }, value: r.duration_ms / 1000 })),
    },
    { name: "lifecycle_cache_hits", help: "1 when a cacheable task of the last run was restored from the cache, else 0.", samples: cacheable.map((r) => ({ labels: where(r), value: r.cache === "hit" ? 1 : 0 })) },
    { name: "lifecycle_cache_misses", help: "1 when a cacheable task of the last run had to run, else 0.", samples: cacheable.map((r) => ({ labels: where(r), value: r.cache === "miss" ? 1 : 0 })) },
    { name: "lifecycle_task_retries", help: "Commands run again after a failure, per task of the last run (tasks that never started are left out).", samples: started.map((r) => ({ labels: where(r), value: r.retries })) },
  ];
  return families.filter((f) => f.samples.length > 0).map(formatFamily).join("");
}

/** Tasks counted by (phase, place, status), in the order each combination first appears. */
function countBy(reports: readonly TaskReport[]): Sample[] {
  const counts = new Map<string, { labels: Record<string, string>; value: number }>();
  for (const r of reports) {
    const key = JSON.stringify([r.phase, r.place, r.status]);
    const entry = counts.get(key);
    if (entry) entry.value++;
    else counts.set(key, { labels: { phase: r.phase, place: r.place, status: r.status }, value: 1 });
  }
  return [...counts.values()];
}

function formatFamily(family: Family): string {
  const lines = [`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} gauge`];
  for (const sample of family.samples) lines.push(`${family.name}${formatLabels(sample.labels)} ${formatValue(sample.value)}`);
  return lines.join("\n") + "\n";
}

function formatLabels(labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabelValue(value)}"`);
  return pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
}

/** A label value as the text format wants it: backslash, double quote and line feed escaped. */
export function escapeLabelValue(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

/** HELP text: backslash and line feed escaped (double quotes are allowed as they are). */
function escapeHelp(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

/** A sample value: a Go-parsable float, with the format's spellings for infinities and NaN. */
function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  return String(value);
}
