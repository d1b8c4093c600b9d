/**
 * The narrow read-only view of a cluster the diagnosis needs (`ClusterReader`), and the gathering
 * layer that fetches, in parallel, what the readiness check, the sandbox explainer and the health
 * check read. A failed read (403, timeout) does not fail the check: it is recorded in
 * `unreadable` and the links that needed it say "unknown". The reader is implemented over
 * @kubernetes/client-node by `src/cluster/kubeApi.ts` (and by the tests against the test cluster).
 */
import { GROUP, KIND_EXECUTOR, KIND_SPINAPP, LEGACY_GROUP, PLURAL_EXECUTORS, PLURAL_SPINAPPS, VERSION } from "../../shared/spinApp";
import type { KubeObject } from "./objects";
import { CERT_MANAGER_GROUP, OPERATOR_NAMESPACE, RCM_GROUP, appNameLabel, groupOf, nameOf, namespaceOf, record } from "./objects";

/** A resource to read: group ("" for core), version, plural, kind, and whether it is namespaced. */
export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

/** List options passed through to the API server. */
export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
}

/**
 * Read access to one cluster (one kubeconfig context). Objects come back as the API server sent
 * them (plain JSON; client-node's typed objects, with Date timestamps, are accepted too).
 */
export interface ClusterReader {
  /** The context's namespace (the default for manifests without metadata.namespace); "default" when unset. */
  readonly namespace?: string;
  /** True when API discovery lists the resource (`/apis/<group>/<version>` has the plural); false when the group/version is not served. */
  serves(ref: ResourceRef): Promise<boolean>;
  /** Lists objects; `namespace` undefined = all namespaces (or cluster-scoped). Rejects on HTTP errors. */
  list(ref: ResourceRef, namespace?: string, opts?: ListOptions): Promise<KubeObject[]>;
  /** Gets one object, or undefined on 404. Rejects on other HTTP errors. */
  get(ref: ResourceRef, name: string, namespace?: string): Promise<KubeObject | undefined>;
}

const ref = (group: string, version: string, plural: string, kind: string, namespaced: boolean): ResourceRef => ({ group, version, plural, kind, namespaced });

/** The resources the diagnosis reads. */
export const DiagnosisResources = {
  nodes: ref("", "v1", "nodes", "Node", false),
  namespaces: ref("", "v1", "namespaces", "Namespace", false),
  pods: ref("", "v1", "pods", "Pod", true),
  events: ref("", "v1", "events", "Event", true),
  deployments: ref("apps", "v1", "deployments", "Deployment", true),
  runtimeClasses: ref("node.k8s.io", "v1", "runtimeclasses", "RuntimeClass", false),
  /** runtime-class-manager's Shim (RCM CRD, cluster-scoped). */
  shims: ref(RCM_GROUP, "v1alpha1", "shims", "Shim", false),
  /** cert-manager's Certificate, probed to tell whether cert-manager's API is installed. */
  certificates: ref(CERT_MANAGER_GROUP, "v1", "certificates", "Certificate", true),
  spinApps: (group: string): ResourceRef => ref(group, VERSION, PLURAL_SPINAPPS, KIND_SPINAPP, true),
  executors: (group: string): ResourceRef => ref(group, VERSION, PLURAL_EXECUTORS, KIND_EXECUTOR, true),
} as const;

/** What could not be read, by source, with the error text. */
export type Unreadable = Partial<Record<"discovery" | "spinApp" | "executors" | "runtimeClasses" | "nodes" | "shims" | "pods" | "events" | "namespaces" | "deployments", string>>;

/** Which SpinKube API groups the cluster serves (from discovery). */
export interface SpinKubeApis {
  /** `core.spinkube.dev` serves spinapps. */
  current: boolean;
  /** `core.spinoperator.dev` serves spinapps (operator v0.3.0 or older). */
  legacy: boolean;
  /** runtime-class-manager's Shim API is served. */
  rcm: boolean;
  /** cert-manager's API group is served. */
  certManager: boolean;
}

/** Asks discovery which SpinKube-related APIs the cluster serves. */
export async function spinKubeApis(reader: ClusterReader): Promise<SpinKubeApis> {
  const [current, legacy, rcm, certManager] = await Promise.all([
    reader.serves(DiagnosisResources.spinApps(GROUP)),
    reader.serves(DiagnosisResources.spinApps(LEGACY_GROUP)),
    reader.serves(DiagnosisResources.shims),
    reader.serves(DiagnosisResources.certificates),
  ]);
  return { current, legacy, rcm, certManager };
}

/** Everything the readiness check reads about one SpinApp. */
export interface ReadinessInput {
  /** The SpinApp (from the cluster, or from a manifest before deploying). */
  app: KubeObject;
  /** The namespace the app lives (or will live) in. */
  namespace: string;
  /** The SpinApp exists in the cluster (pods and events were read). */
  deployed: boolean;
  apis?: SpinKubeApis;
  /** Executors of every namespace that could be read (at least the app's). */
  executors: KubeObject[];
  runtimeClasses: KubeObject[];
  nodes: KubeObject[];
  /** runtime-class-manager Shims; undefined when the Shim API is not served. */
  shims?: KubeObject[];
  pods: KubeObject[];
  /** Events of the app's namespace about the app, its Deployment, ReplicaSets and pods. */
  events: KubeObject[];
  /** Other objects of the manifest being checked (executors, RuntimeClasses) that will be applied with the app. */
  manifestObjects: KubeObject[];
  unreadable: Unreadable;
}

/** Everything the health check reads. */
export interface HealthInput {
  apis?: SpinKubeApis;
  namespaces: KubeObject[];
  executors: KubeObject[];
  runtimeClasses: KubeObject[];
  nodes: KubeObject[];
  shims?: KubeObject[];
  /** Deployments in the operator's namespace (spin-operator). */
  operatorDeployments: KubeObject[];
  unreadable: Unreadable;
}

/** The API's Status message of a failed request (client-node puts the response body in `body`), else the error's message. */
function message(e: unknown): string {
  const r = record(e);
  const code = typeof r.code === "number" ? r.code : typeof r.status === "number" ? r.status : typeof r.statusCode === "number" ? r.statusCode : undefined;
  let body: unknown = r.body;
  if (typeof body === "string") {
    try {
      body = JSON.parse(body);
    } catch {
      body = undefined;
    }
  }
  const status = typeof record(body).message === "string" ? String(record(body).message) : undefined;
  const base = status ?? (e instanceof Error ? e.message : String(e));
  return code !== undefined && !base.includes(String(code)) ? `HTTP ${code}: ${base}` : base;
}

async function attempt<T>(unreadable: Unreadable, key: keyof Unreadable, fetch: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await fetch();
  } catch (e) {
    unreadable[key] = message(e);
    return fallback;
  }
}

/** Lists executors cluster-wide, falling back to one namespace when that is forbidden. */
async function listExecutors(reader: ClusterReader, group: string, namespace: string): Promise<KubeObject[]> {
  try {
    return await reader.list(DiagnosisResources.executors(group));
  } catch {
    return reader.list(DiagnosisResources.executors(group), namespace);
  }
}

/** The SpinKube group to read: the app's own when served, else whichever is served. */
function servedGroup(apis: SpinKubeApis | undefined, preferred: string): string {
  if (!apis) return preferred;
  if (preferred === GROUP && apis.current) return GROUP;
  if (preferred === LEGACY_GROUP && apis.legacy) return LEGACY_GROUP;
  return apis.current ? GROUP : apis.legacy ? LEGACY_GROUP : preferred;
}

/**
 * Fetches what {@link checkReadiness} needs for `app`. When `deployed` is not given, the reader is
 * asked whether the SpinApp exists. `manifestObjects` are the other documents of the manifest
 * being checked before deploying.
 */
export async function gatherReadiness(
  reader: ClusterReader,
  app: KubeObject,
  opts: { manifestObjects?: KubeObject[]; deployed?: boolean } = {},
): Promise<ReadinessInput> {
  const unreadable: Unreadable = {};
  const namespace = namespaceOf(app) || reader.namespace || "default";
  const apis = await attempt(unreadable, "discovery", () => spinKubeApis(reader), undefined);
  const group = servedGroup(apis, groupOf(app) || GROUP);
  const spinServed = !apis || apis.current || apis.legacy;
  const name = nameOf(app);
  const deployed =
    opts.deployed ??
    (spinServed && name !== "" ? (await attempt(unreadable, "spinApp", () => reader.get(DiagnosisResources.spinApps(group), name, namespace), undefined)) !== undefined : false);
  const [executors, runtimeClasses, nodes, shims, pods, events] = await Promise.all([
    spinServed ? attempt(unreadable, "executors", () => listExecutors(reader, group, namespace), []) : Promise.resolve([]),
    attempt(unreadable, "runtimeClasses", () => reader.list(DiagnosisResources.runtimeClasses), []),
    attempt(unreadable, "nodes", () => reader.list(DiagnosisResources.nodes), []),
    apis?.rcm ? attempt(unreadable, "shims", () => reader.list(DiagnosisResources.shims), []) : Promise.resolve(undefined),
    deployed ? attempt(unreadable, "pods", () => reader.list(DiagnosisResources.pods, namespace, { labelSelector: `${appNameLabel(group)}=${name}` }), []) : Promise.resolve([]),
    deployed ? attempt(unreadable, "events", () => reader.list(DiagnosisResources.events, namespace), []) : Promise.resolve([]),
  ]);
  return {
    app,
    namespace,
    deployed,
    apis,
    executors,
    runtimeClasses,
    nodes,
    shims,
    pods,
    events: relevantEvents(events, name, pods),
    manifestObjects: opts.manifestObjects ?? [],
    unreadable,
  };
}

/** Events about the app, its Deployment (same name), the Deployment's ReplicaSets (`<app>-<hash>`) and its pods. */
function relevantEvents(events: readonly KubeObject[], app: string, pods: readonly KubeObject[]): KubeObject[] {
  const podNames = new Set(pods.map(nameOf));
  const rsName = new RegExp(`^${app.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-[a-z0-9]+$`);
  return events.filter((e) => {
    const io = record(e.involvedObject);
    const kind = io.kind;
    const n = typeof io.name === "string" ? io.name : "";
    if (kind === "Pod") return podNames.has(n);
    if (kind === "SpinApp" || kind === "Deployment") return n === app;
    if (kind === "ReplicaSet") return rsName.test(n);
    return false;
  });
}

/** Fetches what {@link checkHealth} needs. */
export async function gatherHealth(reader: ClusterReader): Promise<HealthInput> {
  const unreadable: Unreadable = {};
  const apis = await attempt(unreadable, "discovery", () => spinKubeApis(reader), undefined);
  const group = apis?.current ? GROUP : apis?.legacy ? LEGACY_GROUP : undefined;
  const [namespaces, executors, runtimeClasses, nodes, shims] = await Promise.all([
    attempt(unreadable, "namespaces", () => reader.list(DiagnosisResources.namespaces), []),
    group ? attempt(unreadable, "executors", () => reader.list(DiagnosisResources.executors(group)), []) : Promise.resolve([]),
    attempt(unreadable, "runtimeClasses", () => reader.list(DiagnosisResources.runtimeClasses), []),
    attempt(unreadable, "nodes", () => reader.list(DiagnosisResources.nodes), []),
    apis?.rcm ? attempt(unreadable, "shims", () => reader.list(DiagnosisResources.shims), []) : Promise.resolve(undefined),
  ]);
  const hasOperatorNs = namespaces.some((n) => nameOf(n) === OPERATOR_NAMESPACE);
  const operatorDeployments = hasOperatorNs ? await attempt(unreadable, "deployments", () => reader.list(DiagnosisResources.deployments, OPERATOR_NAMESPACE), []) : [];
  return { apis, namespaces, executors, runtimeClasses, nodes, shims, operatorDeployments, unreadable };
}
