/**
 * The result type of the spin toolchain: every CLI, registry and cluster step returns a
 * {@link Result} instead of throwing, and a failure carries one line that names what to fix
 * ({@link SpinFailure.message}) plus the raw output behind it ({@link SpinFailure.detail}) for the
 * log. vscode-free.
 */

/** What kind of thing went wrong; the UI picks buttons (install spin, log in, diagnose) from it. */
export type FailureKind =
  | "spinMissing"
  | "spinUnusable"
  | "pluginMissing"
  | "noManifest"
  | "manifestInvalid"
  | "unknownComponent"
  | "buildFailed"
  | "unauthorized"
  | "registryUnreachable"
  | "pushFailed"
  | "loginFailed"
  | "scaffoldFailed"
  | "manifestFile"
  | "noCluster"
  | "namespaceMissing"
  | "rejected"
  | "applyFailed"
  | "rolloutFailed"
  | "timeout"
  | "cancelled"
  | "untrusted"
  | "failed";

/** A failed step: one clear message, and what the tool printed. */
export interface SpinFailure {
  kind: FailureKind;
  /** One sentence naming what to fix (shown in the notification). */
  message: string;
  /** The tool's own output or the server's message (logged, never shown as the headline). */
  detail?: string;
  /** A file (and 1-based line/column) the failure points at, when there is one. */
  file?: string;
  line?: number;
  column?: number;
  /** The sandbox could not be created: the runtime diagnosis can explain why. */
  runtimeProblem?: boolean;
}

/** Success with a value, or a {@link SpinFailure}. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: SpinFailure };

/** A successful result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** A failed result. */
export function fail<T = never>(kind: FailureKind, message: string, extra: Omit<SpinFailure, "kind" | "message"> = {}): Result<T> {
  return { ok: false, error: { kind, message, ...extra } };
}

/** The failure every step returns when its AbortSignal fired. */
export function cancelled<T = never>(what: string): Result<T> {
  return fail("cancelled", `${what} was cancelled.`);
}

/** Re-types a failed result (the error is the same object). */
export function propagate<T>(r: { ok: false; error: SpinFailure }): Result<T> {
  return r;
}
