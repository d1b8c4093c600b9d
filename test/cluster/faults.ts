// Fault injection for reliability tests (an API the tests call, not a resource): drop every open
// watch/log connection, refuse TCP connections for a while, answer the next requests with an
// error status (500, 429 with Retry-After, ...), add latency to every response, and expire
// resourceVersions (open watches get an ERROR 410 event; old resourceVersions and continue
// tokens get 410 Gone).

import { ApiError } from "./types";

/** One queued failure. */
interface PendingFailure {
  status: number;
  retryAfter?: number;
  remaining: number;
  match?: RegExp;
}

/** Options of {@link Faults.failNext}. */
export interface FailOptions {
  /** Seconds for the Retry-After header (and Status details.retryAfterSeconds). */
  retryAfter?: number;
  /** How many matching requests fail (default 1). */
  count?: number;
  /** Only requests whose path (with query) matches fail; default: every request. */
  path?: RegExp;
}

const REASONS: Record<number, [string, string]> = {
  400: ["BadRequest", "injected fault: bad request"],
  403: ["Forbidden", "injected fault: forbidden"],
  404: ["NotFound", "the server could not find the requested resource"],
  409: ["Conflict", "injected fault: conflict"],
  410: ["Expired", "injected fault: expired"],
  429: ["TooManyRequests", "Too many requests, please try again later."],
  500: ["InternalError", "Internal error occurred: injected fault"],
  503: ["ServiceUnavailable", "The server is currently unable to handle the request"],
  504: ["Timeout", "The server was unable to return a response in the time allotted, but may still be processing the request"],
};

/** The fault state the server consults on every request. */
export class FaultState {
  /** Extra latency for every response. */
  delayMs = 0;
  private readonly failures: PendingFailure[] = [];

  /** Queues failures for the next matching requests. */
  failNext(status: number, opts: FailOptions = {}): void {
    this.failures.push({ status, retryAfter: opts.retryAfter, remaining: opts.count ?? 1, match: opts.path });
  }

  /** Clears queued failures and latency. */
  reset(): void {
    this.failures.length = 0;
    this.delayMs = 0;
  }

  /** The injected error for this request, if one is due (consumes it). */
  take(pathWithQuery: string): ApiError | undefined {
    const f = this.failures.find((x) => !x.match || x.match.test(pathWithQuery));
    if (!f) return undefined;
    f.remaining--;
    if (f.remaining <= 0) this.failures.splice(this.failures.indexOf(f), 1);
    const [reason, message] = REASONS[f.status] ?? ["", `injected fault: HTTP ${f.status}`];
    const details: Record<string, unknown> = {};
    if (f.retryAfter !== undefined) details.retryAfterSeconds = f.retryAfter;
    if (f.status === 500) details.causes = [{ message: "injected fault" }];
    const e = new ApiError(f.status, reason, message, Object.keys(details).length ? details : undefined);
    return e;
  }
}
