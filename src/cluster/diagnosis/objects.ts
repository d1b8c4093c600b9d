/**
 * Plain Kubernetes objects as the diagnosis reads them (JSON from the API server, or client-node's
 * typed objects, whose timestamps are Dates), with small readers for the fields the runtime checks
 * use: labels, owner references, RuntimeClass scheduling, node runtimes (FACTS.md (b)) and
 * runtime-class-manager Shims. vscode-free and client-free.
 */
import { APP_NAME_LABEL, GROUP, LEGACY_APP_NAME_LABEL, LEGACY_GROUP, isSpinHandler } from "../../shared/spinApp";

/** An owner reference (metadata.ownerReferences[]). */
export interface OwnerReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
}

/** Object metadata, the fields the checks read. */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  creationTimestamp?: string | Date;
  deletionTimestamp?: string | Date;
}

/** Any Kubernetes object; fields beyond metadata are read defensively. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

/** The runtime-class-manager API group (its Shim CRD, RCM `config/crd/bases/runtime.spinkube.dev_shims.yaml`). */
export const RCM_GROUP = "runtime.spinkube.dev";
/** cert-manager's API group (Certificate, Issuer, ClusterIssuer). */
export const CERT_MANAGER_GROUP = "cert-manager.io";
/** Namespaces the install guides use (DOCS `installing-with-helm.md`). */
export const CERT_MANAGER_NAMESPACE = "cert-manager";
export const OPERATOR_NAMESPACE = "spin-operator";

/** Node label values runtime-class-manager writes under the Shim's name (RCM `internal/controller/shim_controller.go`). */
export const SHIM_PROVISIONED = "provisioned";

/** A field of an object when it is an object, else `{}`. */
export function record(v: unknown): Record<string, unknown> {
  return v != null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** A field when it is a non-empty string. */
export function text(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** An array field, or `[]`. */
export function items(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A string map (labels, nodeSelector), ignoring non-string values. */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(record(v))) if (typeof x === "string") out[k] = x;
  return out;
}

export function nameOf(o: KubeObject): string {
  return o.metadata?.name ?? "";
}

export function namespaceOf(o: KubeObject): string {
  return o.metadata?.namespace ?? "";
}

/** Milliseconds since the epoch of an API timestamp (string or Date), or 0. */
export function timeOf(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  const t = typeof v === "string" ? Date.parse(v) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

/** `a=b, c=d` for a selector or label map. */
export function formatSelector(sel: Record<string, string>): string {
  return Object.entries(sel)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
}

/** True when every key of `selector` has the same value in `labels`. */
export function matchesSelector(labels: Record<string, string> | undefined, selector: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** The API group of an object's apiVersion (`""` for the core group). */
export function groupOf(o: KubeObject): string {
  const av = o.apiVersion ?? "";
  const i = av.indexOf("/");
  return i < 0 ? "" : av.slice(0, i);
}

/** The app-name label key the operator of `group` puts on a SpinApp's pods (FACTS.md (e), section 0). */
export function appNameLabel(group: string): string {
  return group === LEGACY_GROUP ? LEGACY_APP_NAME_LABEL : APP_NAME_LABEL;
}

/** True for a SpinApp object of either API group. */
export function isSpinApp(o: KubeObject): boolean {
  const g = groupOf(o);
  return o.kind === "SpinApp" && (g === GROUP || g === LEGACY_GROUP);
}

/** True for a SpinAppExecutor object of either API group. */
export function isExecutor(o: KubeObject): boolean {
  const g = groupOf(o);
  return o.kind === "SpinAppExecutor" && (g === GROUP || g === LEGACY_GROUP);
}

/** The RuntimeClass facts the checks need. */
export interface RuntimeClassView {
  name: string;
  handler?: string;
  /** `scheduling.nodeSelector` (empty when none). */
  nodeSelector: Record<string, string>;
  /** Name of the runtime-class-manager Shim that owns the class (RCM sets a controller reference). */
  shim?: string;
  spin: boolean;
}

/** Reads a RuntimeClass object. */
export function runtimeClassView(rc: KubeObject): RuntimeClassView {
  const handler = text(rc.handler);
  const owner = rc.metadata?.ownerReferences?.find((r) => r.kind === "Shim" && (r.apiVersion ?? "").startsWith(`${RCM_GROUP}/`));
  return {
    name: nameOf(rc),
    handler,
    nodeSelector: stringMap(record(rc.scheduling).nodeSelector),
    shim: owner?.name,
    spin: isSpinHandler(handler),
  };
}

/** The runtime-class-manager Shim facts the checks need (RCM Shim CRD). */
export interface ShimView {
  name: string;
  runtimeClassName?: string;
  handler?: string;
  nodeSelector: Record<string, string>;
  nodes?: number;
  nodesReady?: number;
}

/** Reads a Shim object. */
export function shimView(s: KubeObject): ShimView {
  const spec = record(s.spec);
  const rc = record(spec.runtimeClass);
  const status = record(s.status);
  return {
    name: nameOf(s),
    runtimeClassName: text(rc.name),
    handler: text(rc.handler),
    nodeSelector: stringMap(spec.nodeSelector),
    nodes: typeof status.nodes === "number" ? status.nodes : undefined,
    nodesReady: typeof status.nodesReady === "number" ? status.nodesReady : undefined,
  };
}

/** What a node's container runtime is, from `status.nodeInfo.containerRuntimeVersion` (`containerd://1.7.24`, `docker://19.3.15`). */
export type ContainerRuntimeKind = "containerd" | "docker" | "other" | "unknown";

/** The node facts the checks need. */
export interface NodeView {
  name: string;
  labels: Record<string, string>;
  runtime: ContainerRuntimeKind;
  runtimeVersion?: string;
  /** `status.runtimeHandlers[].name` when the node reports them (Kubernetes 1.30+ with a CRI that lists them), else undefined. */
  reportedHandlers?: string[];
  ready: boolean;
  /** The node is k3s/k3d (its containerd version carries `-k3s`). */
  k3s: boolean;
}

/** Reads a Node object. */
export function nodeView(n: KubeObject): NodeView {
  const status = record(n.status);
  const version = text(record(status.nodeInfo).containerRuntimeVersion);
  const scheme = version?.split("://")[0];
  const runtime: ContainerRuntimeKind = scheme === undefined ? "unknown" : scheme === "containerd" || scheme === "docker" ? scheme : "other";
  const handlers = Array.isArray(status.runtimeHandlers) ? status.runtimeHandlers.map((h) => text(record(h).name) ?? "") : undefined;
  const ready = items(status.conditions).some((c) => record(c).type === "Ready" && record(c).status === "True");
  return {
    name: nameOf(n),
    labels: n.metadata?.labels ?? {},
    runtime,
    runtimeVersion: version,
    reportedHandlers: handlers && handlers.length > 0 ? handlers : undefined,
    ready,
    k3s: /-k3s/.test(version ?? ""),
  };
}

/** Whether a node can run a RuntimeClass handler, and the evidence. */
export interface HandlerSupport {
  verdict: "yes" | "no" | "unknown";
  why: string;
  /** Another Spin handler this node does have (the spin vs spin-v2 mismatch), when known. */
  otherSpinHandler?: string;
  /** The evidence came from runtime-class-manager (a Shim and its node label). */
  viaShim?: string;
  /** runtime-class-manager's install on this node is not done: the label value (`pending`, `failed`, …). */
  shimState?: string;
}

/**
 * Can `node` run pods whose RuntimeClass has `handler`? Evidence, strongest first: a Docker
 * runtime (no RuntimeClass handlers at all), the node's reported runtime handlers, the
 * runtime-class-manager Shims (their handler is installed where the node label named after the
 * Shim says `provisioned`). Without any, the answer is unknown: containerd's configuration is not
 * visible through the API.
 */
export function handlerSupport(node: NodeView, handler: string, shims: readonly ShimView[] = []): HandlerSupport {
  if (node.runtime === "docker")
    return { verdict: "no", why: `node ${node.name} runs the Docker runtime (${node.runtimeVersion ?? "docker"}), which has no RuntimeClass handlers` };
  if (node.reportedHandlers) {
    const list = node.reportedHandlers.filter((h) => h !== "").join(", ");
    if (node.reportedHandlers.includes(handler)) return { verdict: "yes", why: `node ${node.name} reports runtime handler ${handler}` };
    const other = node.reportedHandlers.find((h) => h !== handler && isSpinHandler(h));
    return { verdict: "no", why: `node ${node.name} reports runtime handlers ${list || "(none)"}, not ${handler}`, otherSpinHandler: other };
  }
  const mine = shims.filter((s) => matchesSelector(node.labels, s.nodeSelector) && node.labels[s.name] !== undefined);
  const provisioned = mine.filter((s) => node.labels[s.name] === SHIM_PROVISIONED);
  const exact = provisioned.find((s) => s.handler === handler);
  if (exact) return { verdict: "yes", why: `runtime-class-manager installed Shim ${exact.name} (handler ${handler}) on node ${node.name}`, viaShim: exact.name };
  const other = provisioned.find((s) => s.handler !== undefined && isSpinHandler(s.handler));
  if (other)
    return {
      verdict: "no",
      why: `runtime-class-manager set up node ${node.name} with Shim ${other.name}, which registers ${other.handler}, not ${handler}`,
      otherSpinHandler: other.handler,
      viaShim: other.name,
    };
  const unfinished = mine.find((s) => s.handler === handler);
  if (unfinished)
    return {
      verdict: "no",
      why: `runtime-class-manager's install of Shim ${unfinished.name} on node ${node.name} is ${node.labels[unfinished.name]}, not ${SHIM_PROVISIONED}`,
      viaShim: unfinished.name,
      shimState: node.labels[unfinished.name],
    };
  return { verdict: "unknown", why: `the API does not show which containerd runtimes node ${node.name} has` };
}

/**
 * The Spin RuntimeClasses some node can run (a node matching the class's nodeSelector whose
 * evidence does not say "no" for its handler); all Spin classes when none qualifies.
 */
export function usableSpinClasses(classes: readonly RuntimeClassView[], nodes: readonly NodeView[], shims: readonly ShimView[]): RuntimeClassView[] {
  const spin = classes.filter((c) => c.spin);
  const usable = spin.filter((c) => nodes.some((n) => matchesSelector(n.labels, c.nodeSelector) && handlerSupport(n, c.handler ?? "", shims).verdict !== "no"));
  return usable.length ? usable : spin;
}
