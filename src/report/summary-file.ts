import type { TaskStatus } from "../execute/outcome.ts";
import { redactText } from "../shared/redact.ts";
import type { Selection } from "../workspace/select-workspaces.ts";
import type { RunSummary } from "./summarize.ts";
import type { TaskReport } from "./task-reports.ts";

/** Format version of the `--summary` file; bumped when a field changes meaning or goes away. */
export const SUMMARY_VERSION = 1;

/** How the run's workspaces were chosen, as the summary file records it. */
export interface SelectionInfo {
  readonly workspaces: readonly string[];
  readonly since?: { readonly ref: string; readonly changed_files: number; readonly affected: readonly string[] };
  readonly shard?: { readonly index: number; readonly count: number; readonly own: readonly string[]; readonly dependencies: readonly string[] };
}

/** The `--summary FILE` document: the run, its counts, how workspaces were chosen, and every task. */
export interface SummaryDocument {
  readonly version: number;
  readonly run_id: string;
  readonly status: RunSummary["status"];
  readonly started_at: string;
  readonly duration_ms: number;
  readonly phases: readonly string[];
  readonly counts: Readonly<Record<TaskStatus, number>>;
  readonly interrupted_by: string | null;
  readonly selection: SelectionInfo;
  readonly tasks: readonly TaskReport[];
}

/** Pure: the run and its task reports as the summary document; secrets in errors and stderr tails are masked. */
export function summaryDocument(summary: RunSummary, reports: readonly TaskReport[], info: { startedMs: number; selection: SelectionInfo; secrets: readonly string[] }): SummaryDocument {
  const mask = (text: string) => redactText(text, info.secrets);
  return {
    version: SUMMARY_VERSION,
    run_id: summary.runId,
    status: summary.status,
    started_at: new Date(info.startedMs).toISOString(),
    duration_ms: summary.durationMs,
    phases: summary.phases,
    counts: summary.counts,
    interrupted_by: summary.interruptedBy ?? null,
    selection: info.selection,
    tasks: reports.map((r) => ({ ...r, error: r.error === null ? null : mask(r.error), stderr_tail: r.stderr_tail.map(mask) })),
  };
}

/** The document as the file's text: indented JSON and a final newline. */
export function formatSummaryFile(document: SummaryDocument): string {
  return JSON.stringify(document, null, 2) + "\n";
}

/** The selection as the summary file records it (snake_case, names only). */
export function selectionInfo(selection: Selection): SelectionInfo {
  return {
    workspaces: selection.workspaces.map((w) => w.place.name),
    ...(selection.since ? { since: { ref: selection.since.ref, changed_files: selection.since.changedFiles, affected: selection.since.affected } } : {}),
    ...(selection.shard ? { shard: selection.shard } : {}),
  };
}
