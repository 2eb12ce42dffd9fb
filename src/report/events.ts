import type { TaskStatus } from "../execute/outcome.ts";

/** The NDJSON events of `--json`: one object per line on stdout. Field names are part of the contract. */
export type RunEvent =
  | { readonly event: "run-start"; readonly run_id: string; readonly phases: readonly string[]; readonly tasks: number }
  | { readonly event: "task-start"; readonly task: string; readonly place: string; readonly phase: string }
  | { readonly event: "task-output"; readonly task: string; readonly stream: "stdout" | "stderr"; readonly line: string }
  | {
      readonly event: "task-end";
      readonly task: string;
      readonly status: TaskStatus;
      readonly exit_code: number | null;
      readonly signal: string | null;
      readonly duration_ms: number;
      readonly error?: string;
      readonly stderr_tail?: readonly string[];
    }
  | {
      readonly event: "run-end";
      readonly run_id: string;
      readonly status: "success" | "failed" | "interrupted";
      readonly duration_ms: number;
      readonly counts: Readonly<Record<TaskStatus, number>>;
    };

export type Emit = (event: RunEvent) => void;
