/**
 * One `pods/log` request, as a stream of bytes or an API error with its Status message.
 *
 * Why not client-node's `Log`: it throws a bare "Error occurred in log request" for a 400/403
 * (the Status body with "container … is waiting to start" or "… is forbidden: User …" is never
 * read) and pipes the body without telling a clean end from a dropped connection — both matter
 * here. So the request is made with node:https and the TLS material and credentials client-node
 * derives from the kubeconfig (`KubeConfig.applyToHTTPSOptions`: client certificates, bearer and
 * exec-plugin tokens, proxies), obtained through kubeApi's {@link KubeClient.kubeConfig}; no
 * client-node value is imported here.
 *
 * vscode-free; tests and the benchmark use it against the test API server.
 */
import http from "node:http";
import https from "node:https";
import type { Readable } from "node:stream";
import type { KubeConfigHandle } from "../kubeApi";

/** The `PodLogOptions` of one request (always with timestamps: the reconnect needs them). */
export interface LogRequest {
  namespace: string;
  pod: string;
  container: string;
  follow: boolean;
  previous?: boolean;
  sinceSeconds?: number;
  /** RFC 3339. */
  sinceTime?: string;
  tailLines?: number;
}

/** An answered request: 200 with a body stream, or an error status with the Status message. */
export type LogResponse =
  | { ok: true; body: Readable; /** true when the body ended with the chunked terminator (not dropped). */ complete(): boolean }
  | { ok: false; status: number; reason?: string; message: string };

/** Opens log streams (a fake in tests, HTTPS to the API server otherwise). */
export interface LogTransport {
  /** Sends the request; rejects only when no HTTP answer came (network error, aborted). */
  open(req: LogRequest, signal: AbortSignal): Promise<LogResponse>;
}

/** The query string of a `pods/log` request. */
export function logQuery(r: LogRequest): URLSearchParams {
  const q = new URLSearchParams();
  q.set("container", r.container);
  if (r.follow) q.set("follow", "true");
  if (r.previous) q.set("previous", "true");
  q.set("timestamps", "true");
  if (r.sinceTime) q.set("sinceTime", r.sinceTime);
  else if (r.sinceSeconds !== undefined) q.set("sinceSeconds", String(r.sinceSeconds));
  if (r.tailLines !== undefined) q.set("tailLines", String(r.tailLines));
  return q;
}

/** The path of a `pods/log` request. */
export function logPath(r: LogRequest): string {
  return `/api/v1/namespaces/${encodeURIComponent(r.namespace)}/pods/${encodeURIComponent(r.pod)}/log?${logQuery(r).toString()}`;
}

const MAX_ERROR_BODY = 64 * 1024;

/** A transport over the kubeconfig's current context (what {@link KubeClient.kubeConfig} returns). */
export function kubeConfigTransport(kc: KubeConfigHandle): LogTransport {
  return {
    async open(r, signal) {
      const server = kc.getCurrentCluster()?.server;
      if (!server) throw new Error("The kubeconfig context has no cluster server.");
      const url = new URL(server.replace(/\/+$/, "") + logPath(r));
      const o: https.RequestOptions = { method: "GET", headers: {} };
      await kc.applyToHTTPSOptions(o);
      if (signal.aborted) throw abortError();
      const headers = { ...(o.headers as Record<string, string>), Accept: "*/*", "User-Agent": "spinkube-vscode" };
      const mod = url.protocol === "http:" ? http : https;
      return new Promise<LogResponse>((resolve, reject) => {
        const req = mod.request(url, { ...o, headers, signal }, (res) => {
          const status = res.statusCode ?? 0;
          if (status === 200) {
            resolve({ ok: true, body: res, complete: () => res.complete });
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (c: Buffer) => {
            if (size < MAX_ERROR_BODY) chunks.push(c);
            size += c.length;
          });
          res.on("error", () => resolve(statusOf(status, Buffer.concat(chunks))));
          res.on("end", () => resolve(statusOf(status, Buffer.concat(chunks))));
        });
        req.on("socket", (s) => {
          // Detect a dead peer on quiet streams (no data for minutes is normal for logs).
          s.setKeepAlive(true, 30_000);
        });
        req.on("error", reject);
        req.end();
      });
    },
  };
}

function abortError(): Error {
  return Object.assign(new Error("aborted"), { name: "AbortError" });
}

/** The Status message of an error answer (the text itself when it is not a Status). */
export function statusOf(status: number, body: Buffer): LogResponse {
  let message = body.toString("utf8").trim();
  let reason: string | undefined;
  try {
    const st = JSON.parse(message) as { message?: unknown; reason?: unknown };
    if (typeof st.message === "string") message = st.message;
    if (typeof st.reason === "string") reason = st.reason;
  } catch {
    // Not JSON: keep the text.
  }
  return { ok: false, status, reason, message: message || `HTTP ${status}` };
}
