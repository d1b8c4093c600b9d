// The HTTPS front end of the test API server: TLS, authentication and authorization, request
// logging, fault injection, routing of discovery/OpenAPI/health paths and of resource paths
// (`/api/v1[/namespaces/<ns>]/<resource>[/<name>[/<sub>]]`, `/apis/<group>/<version>/...`, legacy
// `/watch/` paths) to list/watch/get/create/update/patch/delete/deletecollection, Table output,
// chunked watch streams (bookmarks, timeouts, 410 Gone as an ERROR event, selector transitions),
// pod log streams, and `Status` objects for every error.

import https from "node:https";
import { parse as parseYaml } from "yaml";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { AddressInfo } from "node:net";
import type { Api, DeleteOptions, WriteContext } from "./api";
import { managerFromUserAgent } from "./api";
import type { AccessAttributes, Authenticator, TlsMaterial, TokenUser } from "./auth";
import { aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, apiVersions, SERVER_VERSION, wantsAggregated } from "./discovery";
import type { FaultState } from "./faults";
import type { Kubelet } from "./kubelet";
import { formatLines } from "./logs";
import { PortForwarder } from "./portforward";
import { decodeProtobufObject } from "./protobuf";
import { openapiV2Json, openapiV2Protobuf, openapiV3ForPath, openapiV3Index } from "./openapi";
import type { Selector } from "./selectors";
import { parseFieldSelector, parseLabelSelector } from "./selectors";
import type { StoreEvent } from "./store";
import { fieldValue } from "./store";
import type { IncludeObject } from "./table";
import { toTable } from "./table";
import type { KObject, ResourceType } from "./types";
import { ApiError, apiVersionOf, badRequest, isObject, typeKey } from "./types";

/** One request as the server saw it (no secrets). */
export interface RequestRecord {
  time: number;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** Authenticated user, if any. */
  user?: string;
  /** Final HTTP status (set when the response starts). */
  status?: number;
}

/** Options of {@link ApiServer}. */
export interface ServerOptions {
  api: Api;
  kubelet: Kubelet;
  auth: Authenticator;
  tls: TlsMaterial;
  faults: FaultState;
  /** Interval between watch bookmarks (default 60,000 ms). */
  bookmarkIntervalMs: number;
  /** Default watch timeout when the client gives none (default 1800 s). */
  watchTimeoutSeconds: number;
  /** Keep at most this many request records (default 10,000). */
  requestLogLimit: number;
}

const SECRET_HEADERS = new Set(["authorization", "cookie", "proxy-authorization"]);

interface Stream {
  res: ServerResponse;
  kind: "watch" | "log";
  /** Ends the stream with a final watch event (watch only). */
  close(final?: Record<string, unknown>): void;
}

/** The HTTPS API server. */
export class ApiServer {
  readonly requests: RequestRecord[] = [];
  private server: https.Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly streams = new Set<Stream>();
  private port = 0;
  private stopping = false;
  /** `pods/portforward` over WebSocket (portforward.ts). */
  private readonly forwarder: PortForwarder;

  constructor(private readonly o: ServerOptions) {
    this.forwarder = new PortForwarder(o.api, o.auth, (req, url) => this.record(req, url), o.kubelet.runtimes);
  }

  /** Starts listening on 127.0.0.1:port (0 = random); resolves with the port. */
  async listen(port = 0): Promise<number> {
    const server = https.createServer({ key: this.o.tls.key, cert: this.o.tls.cert }, (req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        try {
          if (!res.headersSent) this.sendError(res, e);
          else res.destroy();
        } catch {
          res.destroy();
        }
      });
    });
    server.keepAliveTimeout = 60_000;
    server.on("connection", (s: Socket) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    server.on("tlsClientError", () => undefined);
    server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => this.forwarder.handle(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  /** The port it listens (or listened) on. */
  get listeningPort(): number {
    return this.port;
  }

  /** True while connections are accepted. */
  get accepting(): boolean {
    return !!this.server?.listening;
  }

  /** Closes every open watch and log stream (and idle keep-alive connections). */
  dropConnections(): void {
    this.forwarder.dropAll();
    for (const s of [...this.streams]) s.res.destroy();
    this.streams.clear();
    for (const s of [...this.sockets]) s.destroy();
  }

  /** Sends an ERROR 410 event to every open watch and ends them. */
  expireWatches(): void {
    for (const s of [...this.streams]) {
      if (s.kind !== "watch") continue;
      s.close({
        type: "ERROR",
        object: new ApiError(410, "Expired", `The resourceVersion for the provided watch is too old.`).toStatus(),
      });
    }
  }

  /** Stops accepting connections for `ms`, then listens again on the same port. */
  async refuseFor(ms: number): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      this.dropConnections();
    });
    setTimeout(() => {
      if (this.stopping) return;
      void this.listen(this.port).catch((e: unknown) => console.error(`test cluster: could not listen again on ${this.port}: ${String(e)}`));
    }, ms).unref();
  }

  /** Stops the server and closes all connections. */
  async close(): Promise<void> {
    this.stopping = true;
    const server = this.server;
    this.server = undefined;
    this.dropConnections();
    await this.forwarder.close();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private record(req: IncomingMessage, url: URL): RequestRecord {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (SECRET_HEADERS.has(k) || v === undefined) continue;
      headers[k] = Array.isArray(v) ? v.join(", ") : v;
    }
    const rec: RequestRecord = { time: Date.now(), method: req.method ?? "GET", path: url.pathname, query: Object.fromEntries(url.searchParams), headers };
    this.requests.push(rec);
    if (this.requests.length > this.o.requestLogLimit) this.requests.splice(0, this.requests.length - this.o.requestLogLimit);
    return rec;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "https://127.0.0.1");
    const rec = this.record(req, url);
    res.on("finish", () => (rec.status = res.statusCode));
    res.setHeader("Audit-Id", cryptoId());
    res.setHeader("Cache-Control", "no-cache, private");
    const injected = this.o.faults.take(url.pathname + url.search);
    if (this.o.faults.delayMs > 0) await new Promise((r) => setTimeout(r, this.o.faults.delayMs));
    if (injected) {
      if (injected.details?.retryAfterSeconds !== undefined) res.setHeader("Retry-After", String(injected.details.retryAfterSeconds));
      this.sendError(res, injected);
      return;
    }
    let user: TokenUser | undefined;
    if (req.headers.authorization) user = this.o.auth.authenticate(req.headers.authorization);
    rec.user = user?.user;
    const body = await readBody(req);
    const path = url.pathname.replace(/\/+$/, "") || "/";

    // Non-resource paths.
    const publicPaths = ["/version", "/healthz", "/livez", "/readyz"];
    if (!user && !publicPaths.includes(path)) {
      if (!path.startsWith("/api")) throw new ApiError(403, "Forbidden", `forbidden: User "system:anonymous" cannot get path "${path}"`, {});
    }
    if (path === "/version") return this.sendJson(res, 200, SERVER_VERSION);
    if (path === "/healthz" || path === "/livez" || path === "/readyz") {
      res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" });
      res.end("ok");
      return;
    }
    const types = this.o.api.types();
    const accept = req.headers.accept;
    if (path === "/api" || path === "/apis") {
      if (!user) throw new ApiError(403, "Forbidden", `forbidden: User "system:anonymous" cannot get path "${path}"`, {});
      const agg = wantsAggregated(accept);
      if (agg) {
        res.setHeader("Vary", "Accept");
        return this.sendJson(res, 200, aggregatedDiscovery(types, path === "/api", agg), `application/json;g=apidiscovery.k8s.io;v=${agg};as=APIGroupDiscoveryList`);
      }
      return this.sendJson(res, 200, path === "/api" ? apiVersions() : apiGroupList(types));
    }
    if (path === "/openapi/v2") {
      if (accept?.includes("protobuf")) {
        res.writeHead(200, { "Content-Type": "application/com.github.proto-openapi.spec.v2.v1.0+protobuf" });
        res.end(openapiV2Protobuf());
        return;
      }
      return this.sendJson(res, 200, openapiV2Json());
    }
    if (path === "/openapi/v3") return this.sendJson(res, 200, openapiV3Index(types));
    if (path.startsWith("/openapi/v3/")) {
      const doc = openapiV3ForPath(types, path.slice("/openapi/v3/".length));
      if (!doc) throw new ApiError(404, "NotFound", "the server could not find the requested resource");
      return this.sendJson(res, 200, doc);
    }
    const seg = path.split("/").filter((s) => s);
    if (seg[0] !== "api" && seg[0] !== "apis") throw new ApiError(404, "NotFound", "the server could not find the requested resource");
    if (seg[0] === "apis" && seg.length === 2) {
      const g = apiGroup(types, seg[1]);
      if (!g) throw new ApiError(404, "NotFound", "the server could not find the requested resource");
      return this.sendJson(res, 200, g);
    }
    const group = seg[0] === "api" ? "" : seg[1];
    const version = seg[0] === "api" ? seg[1] : seg[2];
    let rest = seg.slice(seg[0] === "api" ? 2 : 3);
    if (!version) throw new ApiError(404, "NotFound", "the server could not find the requested resource");
    if (rest.length === 0) {
      const list = apiResourceList(types, group, version);
      if (!list) throw new ApiError(404, "NotFound", "the server could not find the requested resource");
      return this.sendJson(res, 200, list);
    }
    let legacyWatch = false;
    if (rest[0] === "watch") {
      legacyWatch = true;
      rest = rest.slice(1);
    }
    let ns: string | undefined;
    if (rest[0] === "namespaces" && rest.length >= 3 && !(rest.length === 3 && (rest[2] === "status" || rest[2] === "finalize"))) {
      ns = rest[1];
      rest = rest.slice(2);
    }
    const [resource, name, sub, ...extra] = rest;
    const t = this.o.api.find(group, version, resource);
    if (!t || extra.length || (ns !== undefined && !t.namespaced) || (sub && !t.subresources.includes(sub))) {
      throw new ApiError(404, "NotFound", "the server could not find the requested resource");
    }
    const q = url.searchParams;
    const method = req.method ?? "GET";
    const watch = legacyWatch || q.get("watch") === "true" || q.get("watch") === "1";
    let verb: string;
    if (method === "GET") verb = name ? "get" : watch ? "watch" : "list";
    else if (method === "POST") verb = "create";
    else if (method === "PUT") verb = "update";
    else if (method === "PATCH") verb = "patch";
    else if (method === "DELETE") verb = name ? "delete" : "deletecollection";
    else throw new ApiError(405, "MethodNotAllowed", `the server does not allow this method on the requested resource`);
    if (!t.verbs.includes(verb) && !sub) throw new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
    const attrs: AccessAttributes = { verb, group, resource, subresource: sub, namespace: t.namespaced ? ns : t.plural === "namespaces" && name ? name : undefined, name };
    if (!user) {
      throw new ApiError(403, "Forbidden", `${attrs.name ? `${resource} "${attrs.name}"` : resource} is forbidden: User "system:anonymous" cannot ${verb} resource "${sub ? `${resource}/${sub}` : resource}" in API group "${group}" ${attrs.namespace ? `in the namespace "${attrs.namespace}"` : "at the cluster scope"}`, { ...(name ? { name } : {}), ...(group ? { group } : {}), kind: resource });
    }
    // Every authenticated user may ask what it may do (system:basic-user).
    if (!(group === "authorization.k8s.io" && resource === "selfsubjectaccessreviews")) this.o.auth.authorize(user, attrs);

    const ctx = this.writeContext(req, q, user);
    const sendObj = (code: number, o: KObject): void => {
      this.sendJson(res, code, wantsTable(accept) ? toTable(t, [o], { resourceVersion: o.metadata.resourceVersion, includeObject: includeObject(q) }) : o, undefined, ctx.warnings);
    };

    if (t.plural === "selfsubjectaccessreviews") {
      if (method !== "POST") throw new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
      return this.sendJson(res, 201, this.accessReview(user, parseBody(body, req, t.kind)));
    }
    if (method === "GET" && !name) {
      if (watch) return this.watch(req, res, t, ns, q);
      return this.list(res, t, ns, q, accept);
    }
    if (method === "GET") {
      if (sub === "log") return this.logs(req, res, ns ?? "", name, q);
      const o = this.o.api.get(t, ns, name);
      if (sub === "scale") return this.sendJson(res, 200, this.o.api.scaleOf(o));
      return sendObj(200, o);
    }
    if (method === "POST") {
      if (name) throw new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
      const created = this.o.api.create(t, ns, parseBody(body, req, t.kind), ctx);
      return sendObj(201, created);
    }
    if (method === "PUT") {
      if (!name) throw new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
      const updated = this.o.api.update(t, ns, name, parseBody(body, req, t.kind), ctx, sub);
      return sub === "scale" ? this.sendJson(res, 200, updated, undefined, ctx.warnings) : sendObj(200, updated);
    }
    if (method === "PATCH") {
      if (!name) throw new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
      const force = q.get("force");
      const ct = String(req.headers["content-type"] ?? "");
      if (force != null && !ct.startsWith("application/apply-patch")) throw badRequest("force: Invalid value: true: may not be specified for non-apply patch");
      const r = this.o.api.patch(t, ns, name, ct, body.toString("utf8"), ctx, { force: force === "true", subresource: sub });
      return sub === "scale" ? this.sendJson(res, 200, r.object, undefined, ctx.warnings) : sendObj(r.created ? 201 : 200, r.object);
    }
    // DELETE
    const opts = this.deleteOptions(q, body);
    if (!name) {
      const items = this.o.api.store.list(t, { namespace: ns, ...this.selectors(t, q) }).items;
      for (const o of items) this.o.api.delete(t, o.metadata.namespace, o.metadata.name ?? "", ctx, opts);
      return this.sendJson(res, 200, { kind: t.listKind, apiVersion: apiVersionOf(t), metadata: { resourceVersion: String(this.o.api.store.currentRv()) }, items: stripKinds(t, items) });
    }
    const r = this.o.api.delete(t, ns, name, ctx, opts);
    if (r.gone) {
      return this.sendJson(res, 200, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { name, ...(group ? { group } : {}), kind: t.plural, uid: r.object.metadata.uid } }, undefined, ctx.warnings);
    }
    // Not deleted yet (finalizers, graceful pod deletion, namespaces): 200 with the object, as the
    // real handler answers unless orphanDependents=false was given.
    return sendObj(q.get("orphanDependents") === "false" ? 202 : 200, r.object);
  }

  private writeContext(req: IncomingMessage, q: URLSearchParams, user: TokenUser): WriteContext {
    const dryRun = q.getAll("dryRun");
    for (const d of dryRun) if (d !== "All") throw badRequest(`Invalid dryRun value: ${d}. Supported values: [All]`);
    const fv = q.get("fieldValidation") ?? "";
    if (!["", "Strict", "Warn", "Ignore"].includes(fv)) {
      throw badRequest(`fieldValidation: Unsupported value: "${fv}": supported values: "Ignore", "Strict", "Warn"`);
    }
    const manager = q.get("fieldManager") ?? managerFromUserAgent(req.headers["user-agent"]);
    if (manager.length > 128) throw new ApiError(422, "Invalid", `fieldManager: Too long: may not be more than 128 bytes`);
    return { user, manager, dryRun: dryRun.length > 0, fieldValidation: (fv || "Warn") as WriteContext["fieldValidation"], warnings: [] };
  }

  private deleteOptions(q: URLSearchParams, body: Buffer): DeleteOptions {
    const b = body.length ? (safeJson(body) as Record<string, unknown>) : {};
    const pp = (q.get("propagationPolicy") ?? b.propagationPolicy) as DeleteOptions["propagationPolicy"] | undefined;
    if (pp !== undefined && !["Background", "Foreground", "Orphan"].includes(pp)) {
      throw new ApiError(422, "Invalid", `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${String(pp)}": supported values: "Foreground", "Background", "Orphan", "nil"`);
    }
    const gpRaw = q.get("gracePeriodSeconds") ?? b.gracePeriodSeconds;
    const orphan = q.get("orphanDependents") ?? b.orphanDependents;
    return {
      propagationPolicy: pp ?? (orphan === "true" || orphan === true ? "Orphan" : undefined),
      gracePeriodSeconds: gpRaw == null ? undefined : Number(gpRaw),
      preconditions: isObject(b.preconditions) ? (b.preconditions as DeleteOptions["preconditions"]) : undefined,
    };
  }

  private selectors(t: ResourceType, q: URLSearchParams): { labelSelector?: Selector; fieldSelector?: Selector } {
    const ls = q.get("labelSelector");
    const fs = q.get("fieldSelector");
    const out: { labelSelector?: Selector; fieldSelector?: Selector } = {};
    if (ls) out.labelSelector = parseLabelSelector(ls);
    if (fs) {
      const sel = parseFieldSelector(fs);
      for (const r of sel.requirements) {
        if (r.key === "metadata.name" || r.key === "metadata.namespace" || t.fieldLabels.includes(r.key)) continue;
        if (t.crd) throw badRequest(`"${r.key}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
        throw badRequest(`field label not supported: ${r.key}`);
      }
      out.fieldSelector = sel;
    }
    return out;
  }

  private list(res: ServerResponse, t: ResourceType, ns: string | undefined, q: URLSearchParams, accept: string | undefined): void {
    const limit = q.get("limit") ? Number(q.get("limit")) : undefined;
    const r = this.o.api.store.list(t, { namespace: ns, ...this.selectors(t, q), limit, continueToken: q.get("continue") ?? undefined });
    if (wantsTable(accept)) {
      return this.sendJson(res, 200, toTable(t, r.items, { resourceVersion: r.resourceVersion, continueToken: r.continueToken, remainingItemCount: r.remainingItemCount, includeObject: includeObject(q) }));
    }
    const metadata: Record<string, unknown> = { resourceVersion: r.resourceVersion };
    if (r.continueToken) metadata.continue = r.continueToken;
    if (r.remainingItemCount !== undefined) metadata.remainingItemCount = r.remainingItemCount;
    this.sendJson(res, 200, { kind: t.listKind, apiVersion: apiVersionOf(t), metadata, items: stripKinds(t, r.items) });
  }

  private watch(req: IncomingMessage, res: ServerResponse, t: ResourceType, ns: string | undefined, q: URLSearchParams): void {
    const store = this.o.api.store;
    const sel = this.selectors(t, q);
    const rvParam = q.get("resourceVersion") ?? "";
    const bookmarks = q.get("allowWatchBookmarks") === "true";
    const sendInitial = q.get("sendInitialEvents") === "true";
    const timeout = q.get("timeoutSeconds") ? Number(q.get("timeoutSeconds")) : this.o.watchTimeoutSeconds;
    const table = wantsTable(req.headers.accept);
    const include = includeObject(q);
    const key = typeKey(t);
    if (rvParam && !/^\d+$/.test(rvParam)) throw badRequest(`resourceVersion: Invalid value: "${rvParam}": must be a non-negative integer`);
    const matches = (o: KObject | undefined): boolean => {
      if (!o) return false;
      if (ns && t.namespaced && o.metadata.namespace !== ns) return false;
      if (sel.labelSelector && !sel.labelSelector.matches((k) => o.metadata.labels?.[k])) return false;
      if (sel.fieldSelector && !sel.fieldSelector.matches((k) => fieldValue(o, k))) return false;
      return true;
    };
    // History first (may throw 410, answered as an ERROR event on a 200 stream).
    let backlog: Array<{ type: string; object: KObject }> = [];
    let expired: ApiError | undefined;
    const synthetic = !rvParam || rvParam === "0" || sendInitial;
    if (synthetic) {
      backlog = store.list(t, { namespace: ns, ...sel }).items.map((o) => ({ type: "ADDED", object: o }));
    }
    if (rvParam && rvParam !== "0" && !sendInitial) {
      try {
        for (const e of store.eventsSince(Number(rvParam))) {
          const ev = transition(e, key, matches);
          if (ev) backlog.push(ev);
        }
      } catch (e) {
        if (e instanceof ApiError && e.code === 410) expired = e;
        else throw e;
      }
    }
    res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked", "X-Content-Type-Options": "nosniff" });
    res.flushHeaders();
    let headersSent = false;
    const encode = (type: string, object: KObject | Record<string, unknown>): string => {
      let obj: unknown = object;
      if (table && (type === "ADDED" || type === "MODIFIED" || type === "DELETED")) {
        obj = toTable(t, [object as KObject], { resourceVersion: (object as KObject).metadata.resourceVersion, includeObject: include, noHeaders: headersSent });
        headersSent = true;
      }
      return `${JSON.stringify({ type, object: obj })}\n`;
    };
    if (expired) {
      res.end(encode("ERROR", expired.toStatus()));
      return;
    }
    let closed = false;
    const timers: NodeJS.Timeout[] = [];
    const stream: Stream = {
      res,
      kind: "watch",
      close: (final) => {
        if (closed) return;
        if (final) res.write(`${JSON.stringify(final)}\n`);
        cleanup();
        res.end();
      },
    };
    const unsubscribe = store.subscribe((e: StoreEvent) => {
      if (closed) return;
      const ev = transition(e, key, matches);
      if (ev) res.write(encode(ev.type, ev.object));
    });
    const cleanup = (): void => {
      if (closed) return;
      closed = true;
      unsubscribe();
      for (const h of timers) clearTimeout(h);
      this.streams.delete(stream);
    };
    this.streams.add(stream);
    res.on("close", cleanup);
    let chunk = "";
    for (const ev of backlog) chunk += encode(ev.type, ev.object);
    if (sendInitial) {
      chunk += `${JSON.stringify({ type: "BOOKMARK", object: { kind: t.kind, apiVersion: apiVersionOf(t), metadata: { resourceVersion: String(store.currentRv()), annotations: { "k8s.io/initial-events-end": "true" } } } })}\n`;
    }
    if (chunk) res.write(chunk);
    if (bookmarks) {
      const tick = (): void => {
        if (closed) return;
        res.write(`${JSON.stringify({ type: "BOOKMARK", object: { kind: t.kind, apiVersion: apiVersionOf(t), metadata: { resourceVersion: String(store.currentRv()) } } })}\n`);
        timers.push(setTimeout(tick, this.o.bookmarkIntervalMs));
      };
      timers.push(setTimeout(tick, this.o.bookmarkIntervalMs));
    }
    timers.push(
      setTimeout(() => {
        cleanup();
        res.end();
      }, timeout * 1000),
    );
  }

  private logs(req: IncomingMessage, res: ServerResponse, ns: string, name: string, q: URLSearchParams): void {
    const container = q.get("container") ?? undefined;
    const previous = q.get("previous") === "true";
    const follow = q.get("follow") === "true";
    const timestamps = q.get("timestamps") === "true";
    const tail = q.get("tailLines");
    const sinceSeconds = q.get("sinceSeconds");
    const sinceTime = q.get("sinceTime");
    const limitBytes = q.get("limitBytes") ? Number(q.get("limitBytes")) : undefined;
    if (sinceSeconds && sinceTime) throw new ApiError(422, "Invalid", `PodLogOptions "${name}" is invalid: []: Forbidden: at most one of \`sinceTime\` or \`sinceSeconds\` may be specified`);
    if (sinceSeconds && !(Number(sinceSeconds) >= 1)) throw new ApiError(422, "Invalid", `PodLogOptions "${name}" is invalid: sinceSeconds: Invalid value: ${sinceSeconds}: must be greater than 0`);
    if (tail && Number(tail) < 0) throw new ApiError(422, "Invalid", `PodLogOptions "${name}" is invalid: tailLines: Invalid value: ${tail}: must be greater than or equal to 0`);
    const { log } = this.o.kubelet.logOf(ns, name, container, previous);
    const now = Date.now();
    const since = sinceSeconds ? now - Number(sinceSeconds) * 1000 : sinceTime ? Date.parse(sinceTime) : undefined;
    const { lines, cursor } = log.read(now, since, tail ? Number(tail) : undefined);
    res.writeHead(200, { "Content-Type": "text/plain", "Transfer-Encoding": "chunked" });
    res.flushHeaders();
    let sent = 0;
    const write = (text: string): boolean => {
      if (limitBytes !== undefined) {
        const room = limitBytes - sent;
        if (room <= 0) return false;
        const buf = Buffer.from(text);
        if (buf.length > room) {
          res.write(buf.subarray(0, room));
          sent = limitBytes;
          return false;
        }
      }
      sent += Buffer.byteLength(text);
      if (text) res.write(text);
      return true;
    };
    if (!write(formatLines(lines, timestamps)) || !follow || previous || log.endMs !== undefined) {
      res.end();
      return;
    }
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    const stream: Stream = { res, kind: "log", close: () => finish() };
    const finish = (): void => {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      off();
      this.streams.delete(stream);
      res.end();
    };
    const pump = (): void => {
      if (closed) return;
      const at = Date.now();
      // Bound each write so a 100k lines/s producer streams in steady chunks.
      let more = true;
      while (more) {
        const batch = log.advance(cursor, at, 5000);
        if (!batch.length) break;
        if (!write(formatLines(batch, timestamps))) return finish();
        more = batch.length === 5000;
      }
      if (log.endMs !== undefined && log.endMs <= at) return finish();
      const interval = log.rate > 0 ? Math.max(5, Math.min(200, 1000 / log.rate)) : 1000;
      timer = setTimeout(pump, interval);
    };
    const off = log.onChange(() => {
      if (timer) clearTimeout(timer);
      setImmediate(pump);
    });
    this.streams.add(stream);
    res.on("close", finish);
    req.on("close", () => {
      if (!res.writableEnded) finish();
    });
    pump();
  }

  private accessReview(user: TokenUser, body: unknown): Record<string, unknown> {
    const b = isObject(body) ? body : {};
    const spec = isObject(b.spec) ? b.spec : {};
    const ra = isObject(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
    let allowed = true;
    if (ra) {
      allowed = this.o.auth.allowed(user, {
        verb: String(ra.verb ?? ""),
        group: String(ra.group ?? ""),
        resource: String(ra.resource ?? ""),
        subresource: ra.subresource ? String(ra.subresource) : undefined,
        namespace: ra.namespace ? String(ra.namespace) : undefined,
        name: ra.name ? String(ra.name) : undefined,
      });
    }
    return {
      kind: "SelfSubjectAccessReview",
      apiVersion: "authorization.k8s.io/v1",
      metadata: { creationTimestamp: null },
      spec,
      status: allowed ? { allowed: true, reason: user.rules ? "allowed by test cluster rules" : "cluster-admin" } : { allowed: false },
    };
  }

  private sendJson(res: ServerResponse, code: number, body: unknown, contentType = "application/json", warnings: string[] = []): void {
    const text = JSON.stringify(body);
    const headers: Record<string, string | string[]> = { "Content-Type": contentType, "Content-Length": String(Buffer.byteLength(text)) };
    if (warnings.length) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
    res.writeHead(code, headers);
    res.end(text);
  }

  private sendError(res: ServerResponse, e: unknown): void {
    const err = e instanceof ApiError ? e : new ApiError(500, "InternalError", `Internal error occurred: ${(e as Error)?.message ?? String(e)}`);
    if (!(e instanceof ApiError)) console.error(`test cluster: internal error: ${(e as Error)?.stack ?? String(e)}`);
    if (err.code === 401) res.setHeader("WWW-Authenticate", 'Basic realm="kubernetes-master"');
    this.sendJson(res, err.code, err.toStatus());
  }
}

function cryptoId(): string {
  return `${Date.now().toString(16)}-${Math.random().toString(16).slice(2, 10)}`;
}

/** Maps a store event to what a filtered watch sees (selector transitions become ADDED/DELETED). */
function transition(e: StoreEvent, key: string, matches: (o: KObject | undefined) => boolean): { type: string; object: KObject } | undefined {
  if (e.resource !== key) return undefined;
  const now = matches(e.object);
  if (e.type === "MODIFIED") {
    const before = matches(e.old);
    if (now && before) return { type: "MODIFIED", object: e.object };
    if (now) return { type: "ADDED", object: e.object };
    if (before) return { type: "DELETED", object: e.object };
    return undefined;
  }
  return now ? { type: e.type, object: e.object } : undefined;
}

function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  const first = accept.split(",")[0].replace(/\s/g, "");
  return first.includes("as=Table");
}

function includeObject(q: URLSearchParams): IncludeObject {
  const v = q.get("includeObject");
  return v === "None" || v === "Object" ? v : "Metadata";
}

function stripKinds(t: ResourceType, items: KObject[]): unknown[] {
  if (t.crd) return items;
  return items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
}

function safeJson(b: Buffer): unknown {
  try {
    return JSON.parse(b.toString("utf8"));
  } catch {
    return {};
  }
}

function parseBody(body: Buffer, req: IncomingMessage, kind: string): unknown {
  const ct = String(req.headers["content-type"] ?? "application/json");
  if (ct.includes("protobuf")) return decodeProtobufObject(body, kind);
  try {
    return ct.includes("yaml") ? parseYaml(body.toString("utf8")) : JSON.parse(body.toString("utf8"));
  } catch (e) {
    throw badRequest(`the object provided is unrecognized (must be of type Object): couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 3 * 1024 * 1024) throw new ApiError(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728");
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}
