// The server's action engine: `POST /api/actions/execute` runs a sequence; a run still
// going (202) is polled at `GET /api/actions/runs/{run_id}` until it finishes.

import { getJson, request } from "./client";

export interface ServerEffect {
  type: string;
  [key: string]: unknown;
}

export interface ActionContext {
  controls: Record<string, unknown>;
  selection?: { rows: Record<string, unknown>[]; element_id: string };
  element_id: string;
}

export interface ActionRun {
  run_id: string;
  status: string;
  effects?: ServerEffect[];
  error?: unknown;
  finished_at?: string | null;
}

export interface ActionOutcome {
  success: boolean;
  status: string;
  error?: unknown;
  effects: ServerEffect[];
  run?: ActionRun;
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => window.setTimeout(resolve, ms));
}

export async function executeSequence(
  body: { sequence_id: string; app_id: string; context: ActionContext },
  poll = 400,
): Promise<ActionOutcome> {
  const response = await request<ActionOutcome>("/api/actions/execute", { method: "POST", body });
  let outcome = response.data;
  if (response.status !== 202 || !outcome.run?.run_id) return outcome;
  const runId = outcome.run.run_id;
  for (;;) {
    await wait(poll);
    const run = await getJson<ActionRun>(`/api/actions/runs/${encodeURIComponent(runId)}`);
    if (run.finished_at || (run.status !== "running" && run.status !== "paused")) {
      outcome = {
        success: run.status === "completed",
        status: run.status,
        error: run.error,
        effects: run.effects ?? [],
        run,
      };
      return outcome;
    }
  }
}

/** The error of a run as a sentence. */
export function runError(error: unknown): string {
  if (!error) return "The action failed.";
  if (typeof error === "string") return error;
  if (typeof error === "object") {
    const record = error as Record<string, unknown>;
    if (typeof record.message === "string") return record.message;
  }
  return JSON.stringify(error);
}
