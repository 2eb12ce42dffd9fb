import type { TaskOutcome } from "../execute/outcome.ts";
import type { Task, TaskId } from "../plan/task.ts";
import { writeFileAtomic } from "../state/atomic-write.ts";
import { formatJUnit } from "./junit.ts";
import { formatMetrics } from "./metrics-file.ts";
import { formatSummaryFile, summaryDocument, type SelectionInfo } from "./summary-file.ts";
import type { RunSummary } from "./summarize.ts";
import { taskReports } from "./task-reports.ts";
import { formatTraceFile, traceDocument } from "./trace-file.ts";

export interface ReportFilesRequest {
  /** --summary FILE, as given (relative to the working directory). */
  readonly summaryFile?: string;
  /** --junit FILE, as given. */
  readonly junitFile?: string;
  /** --metrics-file FILE, as given. */
  readonly metricsFile?: string;
  /** --trace-file FILE, as given. */
  readonly traceFile?: string;
  /** lifecycle's version, for the metrics' run info and the trace's resource. */
  readonly version?: string;
  readonly summary: RunSummary;
  /** Every task of the run (on_error/on_success included), in graph order, and their outcomes. */
  readonly tasks: ReadonlyMap<TaskId, Task>;
  readonly outcomes: ReadonlyMap<TaskId, TaskOutcome>;
  readonly startedMs: number;
  readonly selection: SelectionInfo;
  readonly secrets: readonly string[];
}

/** Writes the CI report files that were asked for, each atomically; returns one message per file that could not be written. */
export async function writeReportFiles(request: ReportFilesRequest): Promise<string[]> {
  if (request.summaryFile === undefined && request.junitFile === undefined && request.metricsFile === undefined && request.traceFile === undefined) return [];
  const reports = taskReports(request.tasks, request.outcomes);
  const problems: string[] = [];
  const write = async (path: string, text: string, what: string) => {
    const written = await writeFileAtomic(path, text, { keepBackup: false });
    if (!written.ok) problems.push(`${what}: ${written.error}`);
  };
  if (request.summaryFile !== undefined) {
    const document = summaryDocument(request.summary, reports, { startedMs: request.startedMs, selection: request.selection, secrets: request.secrets });
    await write(request.summaryFile, formatSummaryFile(document), "--summary");
  }
  if (request.junitFile !== undefined) {
    await write(request.junitFile, formatJUnit(request.summary, reports, { secrets: request.secrets, timestamp: new Date(request.startedMs).toISOString() }), "--junit");
  }
  const version = request.version ?? "unknown";
  if (request.metricsFile !== undefined) {
    await write(request.metricsFile, formatMetrics(request.summary, reports, { startedMs: request.startedMs, version }), "--metrics-file");
  }
  if (request.traceFile !== undefined) {
    const commandCount = (task: string) => request.tasks.get(task as TaskId)?.commands.length ?? 0;
    await write(request.traceFile, formatTraceFile(traceDocument(request.summary, reports, { startedMs: request.startedMs, version, secrets: request.secrets, commandCount })), "--trace-file");
  }
  return problems;
}
