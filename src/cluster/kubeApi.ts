/**
 * The one module that imports @kubernetes/client-node, and only lazily (`await import()` on the
 * first cluster call), so activating the extension or building the explorer loads nothing and
 * calls nothing. Everything else in the extension talks to a cluster through the narrow
 * {@link KubeClient} interface defined here:
 *
 * - plain JSON requests (list, get, server-side apply, merge/strategic patch, delete, discovery)
 *   sent with the TLS material and credentials client-node derives from the kubeconfig (exec
 *   credential plugins and OIDC included, run by client-node only when a request is made);
 * - informers: client-node's ListWatch (list, then watch resumed from the last resourceVersion,
 *   relist after 410 Gone) wrapped so that malformed objects are dropped, errors are classified
 *   and "connected" is reported; restarting after an error is the caller's job (spinAppWatcher);
 * - port-forward: client-node's PortForward (websocket) behind a local `net` server, one
 *   websocket per accepted connection, to a pod chosen per connection;
 * - describe: the object plus the events that involve it.
 *
 * For later features (logs #7, deploy #8): {@link KubeClient.kubeConfig} returns the configured
 * client-node KubeConfig (current context set) and {@link KubeClient.module} the loaded
 * client-node module, so `new k8s.Log(await client.kubeConfig())` or
 * `(await client.kubeConfig()).makeApiClient(k8s.CoreV1Api)` work without a second import site.
 * Those callers must still import client-node types only (`import type`).
 *
 * vscode-free: unit tests drive it against the test API server.
 */
import type * as K8s from "@kubernetes/client-node" with { "resolution-mode": "import" };
import type * as ClientNodeModule from "./kubeApiClientNode.mjs" with { "resolution-mode": "import" };
import http from "node:http";
import https from "node:https";
import net from "node:net";
import path from "node:path";
import { PassThrough, Writable } from "node:stream";

/** The field manager of every write the explorer makes. */
export const FIELD_MANAGER = "spinkube-vscode";
/** The annotation `kubectl rollout restart` sets on the pod template. */
export const RESTARTED_AT_ANNOTATION = "kubectl.kubernetes.io/restartedAt";

/** The part of client-node kubeApi uses (kubeApiClientNode.mts re-exports it). */
export type ClientNode = typeof ClientNodeModule;

let loading: Promise<ClientNode> | undefined;
let loadedModule: ClientNode | undefined;

/**
 * Set to true by the extension build (`--define`): there, client-node lives in its own bundle,
 * dist/clientNode.js, which is read from disk only on the first cluster call — activation never
 * parses it. Compiled tests import the module directly.
 */
declare const SPINKUBE_BUNDLE: boolean | undefined;

/** Loads @kubernetes/client-node (once; what kubeApiClientNode.mts re-exports). */
export async function loadClientNode(): Promise<ClientNode> {
  loading ??= (
    typeof SPINKUBE_BUNDLE !== "undefined"
      ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- a separate bundle beside dist/extension.js, loaded on demand
        Promise.resolve(require(path.join(__dirname, "clientNode.js")) as ClientNode)
      : import("./kubeApiClientNode.mjs")
  ).then((m) => (loadedModule = m));
  return loading;
}

/** True once client-node has been imported (tests assert that nothing loads it early). */
export function clientNodeLoaded(): boolean {
  return loadedModule !== undefined;
}

/** A Kubernetes object as the API returns it (only what every object has is typed). */
export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion?: string; kind?: string; name?: string; uid?: string; controller?: boolean }[];
    creationTimestamp?: string;
    deletionTimestamp?: string;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

/** A REST resource (what discovery tells about a kind). */
export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

const rt = (group: string, version: string, plural: string, kind: string, namespaced = true): ResourceType => ({ group, version, plural, kind, namespaced });

/** The resources the explorer reads. */
export const Resources = {
  namespaces: rt("", "v1", "namespaces", "Namespace", false),
  nodes: rt("", "v1", "nodes", "Node", false),
  pods: rt("", "v1", "pods", "Pod"),
  services: rt("", "v1", "services", "Service"),
  events: rt("", "v1", "events", "Event"),
  secrets: rt("", "v1", "secrets", "Secret"),
  configMaps: rt("", "v1", "configmaps", "ConfigMap"),
  deployments: rt("apps", "v1", "deployments", "Deployment"),
  replicaSets: rt("apps", "v1", "replicasets", "ReplicaSet"),
  hpas: rt("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler"),
  scaledObjects: rt("keda.sh", "v1alpha1", "scaledobjects", "ScaledObject"),
  runtimeClasses: rt("node.k8s.io", "v1", "runtimeclasses", "RuntimeClass", false),
  spinApps: rt("core.spinkube.dev", "v1alpha1", "spinapps", "SpinApp"),
  executors: rt("core.spinkube.dev", "v1alpha1", "spinappexecutors", "SpinAppExecutor"),
} as const;

/** `group/version` of a resource. */
export function apiVersionOf(t: ResourceType): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** The REST path of a resource, a namespace's collection or one object (and a subresource). */
export function resourcePath(t: ResourceType, namespace?: string, name?: string, sub?: string): string {
  let p = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
  if (t.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${t.plural}`;
  if (name) p += `/${encodeURIComponent(name)}`;
  if (sub) p += `/${sub}`;
  return p;
}

/** What went wrong with a cluster call, in the terms the explorer shows. */
export type KubeErrorKind =
  | "unauthorized"
  | "forbidden"
  | "notFound"
  | "conflict"
  | "gone"
  | "invalid"
  | "unreachable"
  | "tooManyRequests"
  | "server"
  | "other";

/** A failed cluster call: HTTP status and the API's Status reason/message when there was one. */
export class KubeError extends Error {
  constructor(
    message: string,
    readonly kind: KubeErrorKind,
    readonly status?: number,
    readonly reason?: string,
    /** The Status `details` (SSA conflicts list their fields and managers in `details.causes`). */
    readonly details?: { causes?: { type?: string; message?: string; field?: string }[]; [k: string]: unknown },
  ) {
    super(message);
    this.name = "KubeError";
  }
}

function kindForStatus(status: number | undefined): KubeErrorKind {
  switch (status) {
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "notFound";
    case 409:
      return "conflict";
    case 410:
      return "gone";
    case 400:
    case 422:
      return "invalid";
    case 429:
      return "tooManyRequests";
    default:
      return status !== undefined && status >= 500 ? "server" : "other";
  }
}

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "ETIMEDOUT", "EAI_AGAIN", "EPIPE", "ECONNABORTED", "UND_ERR_SOCKET"]);

/** Turns anything a request or watch may throw into a {@link KubeError}. */
export function toKubeError(err: unknown): KubeError {
  if (err instanceof KubeError) return err;
  const e = err as { statusCode?: unknown; code?: unknown; message?: unknown; type?: unknown; errno?: unknown; cause?: unknown } | undefined;
  const status = typeof e?.statusCode === "number" ? e.statusCode : typeof e?.code === "number" ? e.code : undefined;
  const message = typeof e?.message === "string" ? e.message : String(err);
  if (status !== undefined) return new KubeError(message, kindForStatus(status), status);
  const code = typeof e?.code === "string" ? e.code : typeof (e?.cause as { code?: unknown } | undefined)?.code === "string" ? String((e?.cause as { code: string }).code) : undefined;
  if ((code && NETWORK_CODES.has(code)) || e?.type === "system" || /socket hang up|premature close|ECONNREFUSED|ECONNRESET/i.test(message)) {
    return new KubeError(code ? `${code}: ${message}` : message, "unreachable");
  }
  if (/certificate|self[- ]signed|TLS|SSL/i.test(message)) return new KubeError(message, "unreachable");
  return new KubeError(message, "other");
}

/** The result of a list call. */
export interface ListResult {
  items: KObject[];
  resourceVersion: string;
}

/** Options of {@link KubeClient.list} and {@link KubeClient.informer}. */
export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size; pages are followed with `continue` until the end. */
  limit?: number;
}

/** Events of an {@link Informer}. */
export interface InformerHandlers {
  add?(obj: KObject): void;
  update?(obj: KObject): void;
  delete?(obj: KObject): void;
  /** The list (or a resumed watch) succeeded: the cache is current. */
  synced?(): void;
  /** The list or watch failed; the informer has stopped and waits for `start()`. */
  error?(err: KubeError): void;
}

/**
 * A list+watch cache of one resource in one namespace (or all). `stop()` keeps the cache and the
 * last resourceVersion, so `start()` resumes the watch from there (and relists only after 410).
 */
export interface Informer {
  start(): Promise<void>;
  stop(): void;
  /** The cached objects (of one namespace when given). */
  list(namespace?: string): KObject[];
  get(namespace: string | undefined, name: string): KObject | undefined;
  /** The resourceVersion the next watch resumes from ("" before the first list or after 410). */
  resourceVersion(): string;
  /** Stops for good and forgets the cache. */
  dispose(): void;
}

/** Options of {@link KubeClient.apply}. */
export interface ApplyOptions {
  /** Take ownership of conflicting fields (`kubectl apply --server-side --force-conflicts`). */
  force?: boolean;
  dryRun?: boolean;
}

/** What {@link KubeClient.describe} returns. */
export interface DescribeData {
  object: KObject;
  /** Events whose involvedObject is the object, oldest first. */
  events: KObject[];
}

/** Chooses the pod (and its port) for each new port-forward connection. */
export type PodResolver = () => Promise<{ pod: string; port: number }>;

/** A running port-forward: a local TCP listener whose connections reach a pod port. */
export interface PortForwardHandle {
  readonly localPort: number;
  /** The pod the latest connection went to. */
  readonly lastPod: string | undefined;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/** A cluster connection for one kubeconfig context. */
export interface KubeClient {
  readonly context: string;
  /** The context's default namespace. */
  readonly defaultNamespace: string;
  /** The API server URL. */
  readonly server: string;
  list(t: ResourceType, namespace?: string, opts?: ListOptions): Promise<ListResult>;
  get(t: ResourceType, namespace: string | undefined, name: string): Promise<KObject>;
  /** A new informer; call `start()` to list and watch. `transform` may slim objects (Secrets). */
  informer(t: ResourceType, namespace: string | undefined, handlers: InformerHandlers, opts?: { labelSelector?: string; transform?: (o: KObject) => KObject }): Promise<Informer>;
  /** Server-side apply with field manager `spinkube-vscode`; a conflict is a KubeError of kind "conflict". */
  apply(obj: KObject, opts?: ApplyOptions): Promise<KObject>;
  /** A JSON merge patch (`merge`) or strategic merge patch (`strategic`). */
  patch(t: ResourceType, namespace: string | undefined, name: string, body: unknown, type?: "merge" | "strategic" | "json"): Promise<KObject>;
  /** Sets `spec.replicas` (through the scale subresource when `useScaleSubresource`). */
  scale(t: ResourceType, namespace: string, name: string, replicas: number, useScaleSubresource?: boolean): Promise<KObject>;
  /** What `kubectl rollout restart deployment/<name>` does: a new restartedAt annotation on the pod template. */
  restartDeployment(namespace: string, name: string, at?: Date): Promise<KObject>;
  delete(t: ResourceType, namespace: string | undefined, name: string, opts?: { propagationPolicy?: "Background" | "Foreground" | "Orphan" }): Promise<void>;
  describe(t: ResourceType, namespace: string | undefined, name: string): Promise<DescribeData>;
  /** The REST resource for apiVersion+kind (discovery, cached); undefined when the server does not serve it. */
  resourceFor(apiVersion: string, kind: string): Promise<ResourceType | undefined>;
  /** True when the server serves this resource (discovery, cached; "not served" for 30 s at most). */
  serves(t: ResourceType): Promise<boolean>;
  /** Forgets cached discovery (the user's Refresh: a CRD may have been installed). */
  rediscover(): void;
  /** Forwards local connections (127.0.0.1:localPort, 0 = any free port) to a pod port. */
  portForward(namespace: string, resolve: PodResolver, localPort?: number): Promise<PortForwardHandle>;
  /** The configured client-node KubeConfig (current context = this context). For logs (#7) and deploy (#8). */
  kubeConfig(): KubeConfigHandle;
  /**
   * The loaded client-node classes kubeApi bundles. Logs (#7) and deploy (#8) add what they need
   * (e.g. `Log`) to kubeApiClientNode.mts, so the bundle keeps only what is used.
   */
  module(): ClientNode;
  /** Stops every informer and port-forward this client made. */
  dispose(): void;
}

/** The client-node KubeConfig type, for callers that `import type` it from here. */
export type KubeConfigHandle = K8s.KubeConfig;

/**
 * Connects to `context` of a merged kubeconfig (as {@link ../kubeconfig.loadKubeconfig} returns
 * it). Loads client-node on first use; makes no request.
 */
export async function connect(merged: Record<string, unknown>, context: string): Promise<KubeClient> {
  const k8s = await loadClientNode();
  const kc = new k8s.KubeConfig();
  kc.loadFromString(JSON.stringify(merged));
  if (!kc.getContextObject(context)) throw new KubeError(`The kubeconfig has no context named "${context}".`, "other");
  kc.setCurrentContext(context);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KubeError(`Context "${context}" names a cluster the kubeconfig does not define.`, "other");
  return new Client(k8s, kc, context);
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v != null && !Array.isArray(v);
}

/** True for an object the tree can show: it has metadata with a string name. */
export function wellFormed(o: unknown): o is KObject {
  return isObj(o) && isObj(o.metadata) && typeof o.metadata.name === "string" && o.metadata.name.length > 0;
}

class Client implements KubeClient {
  readonly server: string;
  readonly defaultNamespace: string;
  private readonly informers = new Set<{ stop(): void }>();
  private readonly forwards = new Set<PortForwardHandle>();
  private readonly discovery = new Map<string, Promise<ResourceType[] | undefined>>();
  private readonly notServedAt = new Map<string, number>();
  private disposed = false;

  constructor(
    private readonly k8s: ClientNode,
    private readonly kc: K8s.KubeConfig,
    readonly context: string,
  ) {
    this.server = kc.getCurrentCluster()?.server ?? "";
    this.defaultNamespace = kc.getContextObject(context)?.namespace || "default";
  }

  kubeConfig(): K8s.KubeConfig {
    return this.kc;
  }

  module(): ClientNode {
    return this.k8s;
  }

  /** One HTTPS (or HTTP) request with the kubeconfig's TLS material and credentials. */
  private async request(method: string, path: string, opts: { body?: string; contentType?: string; accept?: string; query?: Record<string, string | undefined> } = {}): Promise<RawResponse> {
    const url = new URL(this.server.replace(/\/+$/, "") + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const o: https.RequestOptions = { method, headers: {} };
    await this.kc.applyToHTTPSOptions(o);
    const headers: Record<string, string> = { ...(o.headers as Record<string, string>), Accept: opts.accept ?? "application/json", "User-Agent": "spinkube-vscode" };
    if (opts.body !== undefined) {
      headers["Content-Type"] = opts.contentType ?? "application/json";
      headers["Content-Length"] = String(Buffer.byteLength(opts.body));
    }
    const mod = url.protocol === "http:" ? http : https;
    return new Promise<RawResponse>((resolve, reject) => {
      const req = mod.request(url, { ...o, method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", (e) => reject(toKubeError(e)));
      });
      req.setTimeout(60_000, () => req.destroy(Object.assign(new Error("request timed out"), { code: "ETIMEDOUT" })));
      req.on("error", (e) => reject(toKubeError(e)));
      if (opts.body !== undefined) req.write(opts.body);
      req.end();
    });
  }

  /** A JSON request that throws a KubeError (with the Status message) for non-2xx answers. */
  private async json(method: string, path: string, opts: Parameters<Client["request"]>[2] = {}): Promise<unknown> {
    const r = await this.request(method, path, opts);
    let body: unknown;
    try {
      body = r.body.length ? JSON.parse(r.body.toString("utf8")) : undefined;
    } catch {
      body = undefined;
    }
    if (r.status >= 200 && r.status < 300) return body;
    const st = isObj(body) ? body : {};
    const message = typeof st.message === "string" && st.message ? st.message : `${method} ${path}: HTTP ${r.status}`;
    throw new KubeError(message, kindForStatus(r.status), r.status, typeof st.reason === "string" ? st.reason : undefined, isObj(st.details) ? (st.details as KubeError["details"]) : undefined);
  }

  async list(t: ResourceType, namespace?: string, opts: ListOptions = {}): Promise<ListResult> {
    const items: KObject[] = [];
    let cont: string | undefined;
    let resourceVersion = "";
    do {
      const body = await this.json("GET", resourcePath(t, namespace), {
        query: { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: opts.limit ? String(opts.limit) : undefined, continue: cont },
      });
      const b = isObj(body) ? body : {};
      const meta = isObj(b.metadata) ? b.metadata : {};
      for (const it of Array.isArray(b.items) ? b.items : []) {
        if (!wellFormed(it)) continue;
        // Built-in lists omit each item's apiVersion/kind; put them back so YAML and apply work.
        items.push({ apiVersion: apiVersionOf(t), kind: t.kind, ...it });
      }
      resourceVersion = typeof meta.resourceVersion === "string" ? meta.resourceVersion : "";
      cont = typeof meta.continue === "string" && meta.continue ? meta.continue : undefined;
    } while (cont);
    return { items, resourceVersion };
  }

  async get(t: ResourceType, namespace: string | undefined, name: string): Promise<KObject> {
    const o = await this.json("GET", resourcePath(t, namespace, name));
    if (!wellFormed(o)) throw new KubeError(`The server returned a malformed ${t.kind} ${name}.`, "other");
    return { apiVersion: apiVersionOf(t), kind: t.kind, ...o };
  }

  async informer(t: ResourceType, namespace: string | undefined, h: InformerHandlers, opts: { labelSelector?: string; transform?: (o: KObject) => KObject } = {}): Promise<Informer> {
    const k8s = this.k8s;
    const transform = opts.transform ?? ((o: KObject) => o);
    const apiVersion = apiVersionOf(t);
    let stopped = true;
    const normalize = (o: KObject): KObject => transform({ apiVersion, kind: t.kind, ...o });
    // Reports "synced" when a resumed watch is accepted (the list path reports it after listing).
    class TrackingWatch extends k8s.Watch {
      override async watch(path: string, query: Record<string, string | number | boolean | undefined>, cb: (phase: string, obj: unknown, watchObj?: unknown) => void, done: (err: unknown) => void): Promise<AbortController> {
        let failed = false;
        const guarded = (phase: string, obj: unknown, watchObj?: unknown): void => {
          if (phase === "ADDED" || phase === "MODIFIED" || phase === "DELETED") {
            if (!wellFormed(obj)) return; // malformed objects never reach the cache
            cb(phase, normalize(obj), watchObj);
            return;
          }
          cb(phase, obj, watchObj);
        };
        const c = await super.watch(path, query, guarded, (err) => {
          if (err) failed = true;
          done(err);
        });
        if (!failed && !stopped) h.synced?.();
        return c;
      }
    }
    const listFn = async (): Promise<K8s.KubernetesListObject<K8s.KubernetesObject>> => {
      const r = await this.list(t, namespace, { labelSelector: opts.labelSelector });
      return { apiVersion, kind: `${t.kind}List`, metadata: { resourceVersion: r.resourceVersion }, items: r.items.map(normalize) as K8s.KubernetesObject[] };
    };
    const lw = new k8s.ListWatch<K8s.KubernetesObject>(resourcePath(t, namespace), new TrackingWatch(this.kc), async () => {
      const list = await listFn();
      // The ListWatch applies the list after this resolves; report synced on the next turn.
      setImmediate(() => {
        if (!stopped) h.synced?.();
      });
      return list;
    }, false, opts.labelSelector);
    const safe = (f: ((o: KObject) => void) | undefined) => (o: K8s.KubernetesObject) => {
      if (stopped || !f) return;
      try {
        f(o as KObject);
      } catch {
        // A handler bug must not break the watch.
      }
    };
    lw.on("add", safe(h.add));
    lw.on("update", safe(h.update));
    lw.on("delete", safe(h.delete));
    lw.on("error", (err: unknown) => {
      if (stopped) return; // aborting our own request on stop() reports an AbortError
      stopped = true;
      void lw.stop();
      h.error?.(toKubeError(err));
    });
    const handle: Informer = {
      start: async () => {
        if (this.disposed) return;
        stopped = false;
        await lw.start();
      },
      stop: () => {
        stopped = true;
        void lw.stop();
      },
      list: (ns?: string) => lw.list(ns) as KObject[],
      get: (ns, name) => lw.get(name, ns) as KObject | undefined,
      resourceVersion: () => lw.latestResourceVersion(),
      dispose: () => {
        handle.stop();
        this.informers.delete(handle);
      },
    };
    this.informers.add(handle);
    return handle;
  }

  async resourceFor(apiVersion: string, kind: string): Promise<ResourceType | undefined> {
    const list = await this.discover(apiVersion);
    return list?.find((r) => r.kind === kind);
  }

  async serves(t: ResourceType): Promise<boolean> {
    const list = await this.discover(apiVersionOf(t));
    return !!list?.some((r) => r.plural === t.plural);
  }

  rediscover(): void {
    this.discovery.clear();
    this.notServedAt.clear();
  }

  private discover(apiVersion: string): Promise<ResourceType[] | undefined> {
    // "Not served" is remembered for 30 s only: a CRD installed later (KEDA) is found on the next try.
    const missedAt = this.notServedAt.get(apiVersion);
    if (missedAt !== undefined && Date.now() - missedAt > 30_000) {
      this.discovery.delete(apiVersion);
      this.notServedAt.delete(apiVersion);
    }
    let p = this.discovery.get(apiVersion);
    if (!p) {
      const [group, version] = apiVersion.includes("/") ? apiVersion.split("/", 2) : ["", apiVersion];
      p = this.json("GET", group ? `/apis/${group}/${version}` : `/api/${version}`).then(
        (body) => {
          const res = isObj(body) && Array.isArray(body.resources) ? body.resources : [];
          return res
            .filter((r): r is Record<string, unknown> => isObj(r) && typeof r.name === "string" && !r.name.includes("/"))
            .map((r) => rt(group, version, String(r.name), String(r.kind), r.namespaced === true));
        },
        (err: unknown) => {
          this.discovery.delete(apiVersion);
          if (err instanceof KubeError && err.kind === "notFound") {
            this.discovery.set(apiVersion, Promise.resolve(undefined));
            this.notServedAt.set(apiVersion, Date.now());
            return undefined;
          }
          throw err;
        },
      );
      this.discovery.set(apiVersion, p);
    }
    return p;
  }

  async apply(obj: KObject, opts: ApplyOptions = {}): Promise<KObject> {
    if (!wellFormed(obj) || typeof obj.apiVersion !== "string" || typeof obj.kind !== "string") {
      throw new KubeError("The document needs apiVersion, kind and metadata.name to be applied.", "invalid");
    }
    const t = await this.resourceFor(obj.apiVersion, obj.kind);
    if (!t) throw new KubeError(`The cluster does not serve ${obj.kind} in ${obj.apiVersion}.`, "notFound");
    const namespace = t.namespaced ? (obj.metadata.namespace ?? this.defaultNamespace) : undefined;
    const body = { ...obj, metadata: { ...obj.metadata, ...(namespace ? { namespace } : {}) } };
    // Server-managed fields an edited copy of the live object still carries.
    delete (body.metadata as Record<string, unknown>).managedFields;
    delete (body.metadata as Record<string, unknown>).resourceVersion;
    const out = await this.json("PATCH", resourcePath(t, namespace, obj.metadata.name), {
      body: JSON.stringify(body),
      contentType: "application/apply-patch+yaml",
      query: { fieldManager: FIELD_MANAGER, force: opts.force ? "true" : undefined, dryRun: opts.dryRun ? "All" : undefined },
    });
    if (!wellFormed(out)) throw new KubeError("The server answered the apply with a malformed object.", "other");
    return out;
  }

  async patch(t: ResourceType, namespace: string | undefined, name: string, body: unknown, type: "merge" | "strategic" | "json" = "merge"): Promise<KObject> {
    const contentType = type === "merge" ? "application/merge-patch+json" : type === "strategic" ? "application/strategic-merge-patch+json" : "application/json-patch+json";
    const out = await this.json("PATCH", resourcePath(t, namespace, name), { body: JSON.stringify(body), contentType, query: { fieldManager: FIELD_MANAGER } });
    if (!wellFormed(out)) throw new KubeError("The server answered the patch with a malformed object.", "other");
    return out;
  }

  async scale(t: ResourceType, namespace: string, name: string, replicas: number, useScaleSubresource = false): Promise<KObject> {
    if (!Number.isInteger(replicas) || replicas < 0) throw new KubeError(`Replicas must be a whole number ≥ 0 (got ${replicas}).`, "invalid");
    if (useScaleSubresource) {
      const out = await this.json("PATCH", resourcePath(t, namespace, name, "scale"), { body: JSON.stringify({ spec: { replicas } }), contentType: "application/merge-patch+json", query: { fieldManager: FIELD_MANAGER } });
      return out as KObject;
    }
    return this.patch(t, namespace, name, { spec: { replicas } }, "merge");
  }

  async restartDeployment(namespace: string, name: string, at: Date = new Date()): Promise<KObject> {
    // Exactly kubectl's patch (rollout restart): a strategic merge patch of the template annotation.
    const body = { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: at.toISOString().replace(/\.\d{3}Z$/, "Z") } } } } };
    return this.patch(Resources.deployments, namespace, name, body, "strategic");
  }

  async delete(t: ResourceType, namespace: string | undefined, name: string, opts: { propagationPolicy?: "Background" | "Foreground" | "Orphan" } = {}): Promise<void> {
    await this.json("DELETE", resourcePath(t, namespace, name), {
      body: JSON.stringify({ kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: opts.propagationPolicy ?? "Background" }),
    });
  }

  async describe(t: ResourceType, namespace: string | undefined, name: string): Promise<DescribeData> {
    const object = await this.get(t, namespace, name);
    let events: KObject[] = [];
    try {
      const fs = [`involvedObject.name=${name}`, `involvedObject.kind=${t.kind}`];
      if (namespace) fs.push(`involvedObject.namespace=${namespace}`);
      events = (await this.list(Resources.events, namespace, { fieldSelector: fs.join(",") })).items;
    } catch (err) {
      // Events are best effort (a user may read the object but not events).
      if (!(err instanceof KubeError) || (err.kind !== "forbidden" && err.kind !== "invalid")) throw err;
    }
    const uid = object.metadata.uid;
    events = events
      .filter((e) => !uid || !isObj(e.involvedObject) || !e.involvedObject.uid || e.involvedObject.uid === uid)
      .sort((a, b) => eventTime(a) - eventTime(b));
    return { object, events };
  }

  async portForward(namespace: string, resolve: PodResolver, localPort = 0): Promise<PortForwardHandle> {
    const pf = new this.k8s.PortForward(this.kc, true);
    const sockets = new Set<net.Socket>();
    let lastPod: string | undefined;
    let connections = 0;
    const server = net.createServer((socket) => {
      connections++;
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => socket.destroy());
      socket.pause();
      void (async () => {
        try {
          const target = await resolve();
          lastPod = target.pod;
          // Anything on the error channel (nothing listens on the port, the pod is gone) ends
          // the connection, as kubectl does.
          const errStream = new Writable({
            write(chunk: Buffer, _enc, cb) {
              if (chunk.length) socket.destroy();
              cb();
            },
          });
          // The websocket's data goes to the socket; the socket's bytes go to the websocket.
          const input = new PassThrough();
          socket.pipe(input);
          const ws = (await pf.portForward(namespace, target.pod, [target.port], socket, errStream, input)) as unknown as {
            on?(ev: string, cb: () => void): void;
            close(): void;
            readyState: number;
          };
          socket.resume();
          ws.on?.("close", () => socket.end());
          socket.on("close", () => {
            if (ws.readyState <= 1) ws.close();
          });
        } catch {
          socket.destroy();
        }
      })();
    });
    await new Promise<void>((ok, fail) => {
      server.once("error", fail);
      server.listen(localPort, "127.0.0.1", () => {
        server.off("error", fail);
        ok();
      });
    });
    const port = (server.address() as net.AddressInfo).port;
    const handle: PortForwardHandle = {
      localPort: port,
      get lastPod() {
        return lastPod;
      },
      get connections() {
        return connections;
      },
      close: async () => {
        this.forwards.delete(handle);
        for (const s of sockets) s.destroy();
        await new Promise<void>((ok) => server.close(() => ok()));
      },
    };
    this.forwards.add(handle);
    return handle;
  }

  dispose(): void {
    this.disposed = true;
    for (const i of this.informers) i.stop();
    this.informers.clear();
    for (const f of [...this.forwards]) void f.close();
  }
}

function eventTime(e: KObject): number {
  for (const k of ["lastTimestamp", "eventTime", "firstTimestamp"]) {
    const v = e[k];
    if (typeof v === "string") {
      const t = Date.parse(v);
      if (!Number.isNaN(t)) return t;
    }
  }
  return Date.parse(e.metadata.creationTimestamp ?? "") || 0;
}
