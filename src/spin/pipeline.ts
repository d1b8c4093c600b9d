/**
 * Runs named steps in order (Build & Deploy: build → push → manifest → apply and wait), timing
 * each, reporting start/progress/end, and stopping at the first failure or cancellation: a step
 * after a failed or cancelled one never starts, so nothing is applied after a failed step. One
 * AbortSignal is shared by all steps; aborting stops the running step (its process tree or its
 * watches) and the pipeline reports which step was cancelled. vscode-free.
 */
import type { Result, SpinFailure } from "./result";

/** One step. */
export interface PipelineStep<C> {
  id: string;
  /** Shown in the progress notification ("Building", "Pushing" …). */
  title: string;
  /** Runs the step; `ctx` carries what earlier steps produced. */
  run(ctx: C, signal: AbortSignal, report: (message: string) => void): Promise<Result<unknown>>;
}

/** How one step went. */
export interface StepTiming {
  id: string;
  title: string;
  ms: number;
  status: "ok" | "failed" | "cancelled";
}

/** The pipeline's outcome. */
export interface PipelineResult {
  ok: boolean;
  steps: StepTiming[];
  totalMs: number;
  /** The failed (or cancelled) step's id and failure. */
  failedStep?: string;
  error?: SpinFailure;
  /** Steps never started because an earlier one failed. */
  skipped: string[];
}

/** Listener of pipeline progress. */
export interface PipelineListener {
  stepStarted?(step: { id: string; title: string; index: number; count: number }): void;
  stepProgress?(step: { id: string; title: string }, message: string): void;
  stepEnded?(timing: StepTiming): void;
}

/** Runs `steps` in order with a shared context. */
export async function runPipeline<C>(steps: readonly PipelineStep<C>[], ctx: C, signal: AbortSignal, listener: PipelineListener = {}, now: () => number = Date.now): Promise<PipelineResult> {
  const t0 = now();
  const timings: StepTiming[] = [];
  for (const [index, step] of steps.entries()) {
    if (signal.aborted) {
      return { ok: false, steps: timings, totalMs: now() - t0, failedStep: step.id, error: { kind: "cancelled", message: `Cancelled before ${step.title.toLowerCase()}.` }, skipped: steps.slice(index).map((s) => s.id) };
    }
    listener.stepStarted?.({ id: step.id, title: step.title, index, count: steps.length });
    const s0 = now();
    let r: Result<unknown>;
    try {
      r = await step.run(ctx, signal, (m) => listener.stepProgress?.({ id: step.id, title: step.title }, m));
    } catch (err) {
      r = { ok: false, error: { kind: "failed", message: `${step.title} failed unexpectedly: ${err instanceof Error ? err.message : String(err)}`, detail: err instanceof Error ? err.stack : undefined } };
    }
    const cancelled = !r.ok && (r.error.kind === "cancelled" || signal.aborted);
    const timing: StepTiming = { id: step.id, title: step.title, ms: now() - s0, status: r.ok ? "ok" : cancelled ? "cancelled" : "failed" };
    timings.push(timing);
    listener.stepEnded?.(timing);
    if (!r.ok) {
      const error: SpinFailure = cancelled && r.error.kind !== "cancelled" ? { kind: "cancelled", message: `${step.title} was cancelled.`, detail: r.error.message } : r.error;
      return { ok: false, steps: timings, totalMs: now() - t0, failedStep: step.id, error, skipped: steps.slice(index + 1).map((s) => s.id) };
    }
  }
  return { ok: true, steps: timings, totalMs: now() - t0, skipped: [] };
}

/** `1.2 s` / `850 ms`. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** `Build 21.3 s · Push 0.8 s · … (total 25.1 s)`. */
export function formatTimings(r: Pick<PipelineResult, "steps" | "totalMs">): string {
  return `${r.steps.map((s) => `${s.title} ${formatDuration(s.ms)}${s.status === "ok" ? "" : ` (${s.status})`}`).join(" · ")} (total ${formatDuration(r.totalMs)})`;
}
