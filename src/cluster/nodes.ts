/**
 * The explorer's tree nodes as a discriminated union, and the pure functions that turn a node plus
 * the objects the informers hold into a plain view-model (label, description, tooltip,
 * contextValue, icon, collapsible state). The icon is one of the extension's SVGs (a
 * {@link TreeIcon} name, see treeIcons.ts) for the nodes that carry a state worth seeing at a
 * glance (contexts, namespaces, SpinApps, pods, executors, RuntimeClasses), else a codicon id and
 * theme colour. explorer.ts turns view-models into
 * vscode.TreeItems in one place; package.json menus match the contextValue strings defined here.
 *
 * Everything reads objects defensively: a malformed object from the server yields a node with
 * what can be read, never an exception. vscode-free.
 */
import type { KObject } from "./kubeApi";
import type { ConnectionState } from "./spinAppWatcher";
import { APP_NAME_LABEL } from "../shared/spinApp";
import type { TreeIcon } from "./treeIcons";

/** Every kind of node in the explorer. */
export type TreeNode =
  | { kind: "context"; id: string; context: string }
  | { kind: "namespace"; id: string; context: string; namespace: string }
  | { kind: "spinApp"; id: string; context: string; namespace: string; name: string }
  | { kind: "deployment" | "service" | "hpa" | "scaledObject"; id: string; context: string; namespace: string; name: string; app: string }
  | { kind: "pod"; id: string; context: string; namespace: string; name: string; app: string }
  | { kind: "executor"; id: string; context: string; namespace: string; name: string }
  | { kind: "executorsGroup" | "runtimeClassesGroup"; id: string; context: string }
  | { kind: "runtimeClass"; id: string; context: string; name: string }
  | { kind: "handler"; id: string; context: string; runtimeClass: string; handler: string }
  | { kind: "node"; id: string; context: string; name: string }
  | { kind: "readiness"; id: string; context: string; namespace: string; app: string }
  | { kind: "failure"; id: string; context: string; namespace: string; app: string; index: number }
  | { kind: "message"; id: string; context?: string; text: string; severity: "info" | "warning" | "error"; detail?: string; command?: string };

export type NodeKind = TreeNode["kind"];

/** Kinds that stand for one Kubernetes object (YAML, describe, delete apply to them). */
export const RESOURCE_KINDS: ReadonlySet<NodeKind> = new Set(["namespace", "spinApp", "deployment", "service", "hpa", "scaledObject", "pod", "executor", "runtimeClass", "node"]);

/**
 * How a node is drawn: one of the extension's SVG icons (light and dark files), or a codicon id
 * (`$(id)` without the wrapper) with an optional theme colour id.
 */
export type NodeIcon = { svg: TreeIcon; icon?: undefined; iconColor?: undefined } | { icon: string; iconColor?: string; svg?: undefined };

/** A plain view-model of one node, vscode-free. */
export type NodeView = NodeIcon & {
  label: string;
  description?: string;
  tooltip?: string;
  contextValue: string;
  collapsible: "none" | "collapsed" | "expanded";
  /** A command to run on click (a command id; the node is its argument). */
  command?: string;
  /** The tooltip is markdown. */
  markdown?: boolean;
};

const SEP = "\u001f";
/** A stable id from parts (parts may contain any character except U+001F). */
export function nodeId(...parts: string[]): string {
  return parts.join(SEP);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v != null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** A condition of an object's status. */
export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** The status conditions of an object (malformed entries skipped). */
export function conditionsOf(o: KObject | undefined): Condition[] {
  return arr(obj(o?.status).conditions)
    .filter(isObj)
    .filter((c) => typeof c.type === "string")
    .map((c) => ({ type: String(c.type), status: str(c.status) ?? "Unknown", reason: str(c.reason), message: str(c.message) }));
}

/** Health of a SpinApp as the tree shows it. */
export type Health = "ready" | "progressing" | "failing" | "unknown";

/** Container waiting reasons that mean the pod will not start without a change. */
export const BAD_WAITING_REASONS = new Set(["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError", "CreateContainerError", "InvalidImageName", "RunContainerError", "ErrImageNeverPull"]);

/** What a pod shows: phase (or the waiting reason), restarts, node. */
export interface PodSummary {
  phase: string;
  /** The most telling reason: a container's waiting/terminated reason, or the phase. */
  reason: string;
  restarts: number;
  ready: boolean;
  node?: string;
  failing: boolean;
  messages: string[];
}

/** Reads a pod's phase, reason, restarts, readiness and node. */
export function podSummary(p: KObject): PodSummary {
  const status = obj(p.status);
  const phase = str(status.phase) ?? "Unknown";
  let reason = phase;
  let restarts = 0;
  let failing = phase === "Failed";
  const messages: string[] = [];
  const statuses = [...arr(status.initContainerStatuses), ...arr(status.containerStatuses)].filter(isObj);
  let allReady = statuses.length > 0;
  for (const cs of statuses) {
    restarts += num(cs.restartCount) ?? 0;
    if (cs.ready !== true) allReady = false;
    const state = obj(cs.state);
    const waiting = obj(state.waiting);
    const terminated = obj(state.terminated);
    if (str(waiting.reason)) {
      reason = String(waiting.reason);
      if (BAD_WAITING_REASONS.has(reason)) failing = true;
      if (str(waiting.message)) messages.push(`${str(cs.name) ?? "container"}: ${reason}: ${String(waiting.message)}`);
    } else if (str(terminated.reason) && phase !== "Succeeded") {
      reason = String(terminated.reason);
      if (str(terminated.message)) messages.push(`${str(cs.name) ?? "container"}: ${reason}: ${String(terminated.message)}`);
    }
  }
  if (obj(p.metadata).deletionTimestamp) reason = "Terminating";
  for (const c of conditionsOf(p)) {
    if (c.status !== "True" && c.message) messages.push(`${c.type}: ${c.reason ? `${c.reason}: ` : ""}${c.message}`);
    if (c.type === "PodScheduled" && c.status === "False" && c.reason === "Unschedulable") {
      reason = "Unschedulable";
      failing = true;
    }
  }
  return { phase, reason, restarts, ready: allReady && phase === "Running", node: str(obj(p.spec).nodeName), failing, messages };
}

/** A SpinApp's replicas, health and the reason for it. */
export interface AppSummary {
  ready: number;
  /** Desired replicas; undefined when autoscaled and the Deployment is not known. */
  desired?: number;
  autoscaled: boolean;
  executor?: string;
  image?: string;
  health: Health;
  /** One line saying why (the failing pod's reason, the condition message). */
  reason?: string;
  conditions: Condition[];
}

/**
 * Summarizes a SpinApp, with its pods (and Deployment) when they are watched. `problems` are
 * failures found elsewhere (a missing executor or RuntimeClass, a node without the runtime
 * handler): the first one makes the app failing and is its reason.
 */
export function appSummary(app: KObject, pods?: KObject[], deployment?: KObject, problems: string[] = []): AppSummary {
  const spec = obj(app.spec);
  const status = obj(app.status);
  const autoscaled = spec.enableAutoscaling === true;
  const ready = num(status.readyReplicas) ?? 0;
  let desired = autoscaled ? num(obj(deployment?.spec).replicas) : (num(spec.replicas) ?? 1);
  if (desired !== undefined && desired < 0) desired = undefined;
  const conditions = conditionsOf(app);
  const available = conditions.find((c) => c.type === "Available");
  const progressing = conditions.find((c) => c.type === "Progressing");
  let health: Health;
  let reason: string | undefined;
  const badPod = (pods ?? []).map(podSummary).find((p) => p.failing);
  const replicaFailure = conditionsOf(deployment).find((c) => c.type === "ReplicaFailure" && c.status === "True");
  if (problems.length) {
    health = "failing";
    reason = problems[0];
  } else if (replicaFailure) {
    health = "failing";
    reason = replicaFailure.message ?? replicaFailure.reason;
  } else if (badPod) {
    health = "failing";
    reason = badPod.messages[0] ?? badPod.reason;
  } else if (progressing?.status === "False") {
    health = "failing";
    reason = progressing.message ?? progressing.reason;
  } else if (available?.status === "True" && (desired === undefined || ready >= desired)) {
    health = "ready";
  } else if (available?.reason === "DeploymentNotFound" || progressing?.reason === "DeploymentNotFound") {
    health = "failing";
    reason = available?.message ?? "Deployment not found";
  } else if (!available && !progressing) {
    health = desired === 0 ? "ready" : "unknown";
    reason = conditions.length === 0 ? "no status yet (is the operator running and the executor present?)" : undefined;
  } else {
    health = "progressing";
    reason = available?.status === "False" ? (available.message ?? available.reason) : progressing?.message;
  }
  return { ready, desired, autoscaled, executor: str(spec.executor), image: str(spec.image), health, reason, conditions };
}

/** The SpinApp icon for a health: green ready, amber progressing, red failing, grey unknown. */
export function healthIcon(h: Health): TreeIcon {
  switch (h) {
    case "ready":
      return "spinapp-ready";
    case "progressing":
      return "spinapp-progressing";
    case "failing":
      return "spinapp-failing";
    default:
      return "spinapp-unknown";
  }
}

/** The pod icon: green running and ready, red failing, amber anything else (pending, starting, not ready). */
export function podIcon(s: Pick<PodSummary, "failing" | "ready">): TreeIcon {
  return s.failing ? "pod-failed" : s.ready ? "pod-running" : "pod-pending";
}

/**
 * The context icon for a connection state; a context being connected shows VS Code's spinning
 * codicon instead (undefined here).
 */
export function contextIcon(s: ConnectionState): TreeIcon | undefined {
  switch (s.kind) {
    case "idle":
      return "context";
    case "connecting":
      return undefined;
    case "connected":
      return "context-connected";
    case "reconnecting":
      return "context-reconnecting";
    case "unreachable":
      return "context-disconnected";
    case "expired":
    case "forbidden":
      return "context-unauthorized";
    case "error":
      return "context-error";
  }
}

/** "Ready 2/3" (or "Ready 2/auto"). */
export function readyText(s: AppSummary): string {
  return `Ready ${s.ready}/${s.desired ?? (s.autoscaled ? "auto" : "?")}`;
}

function conditionLines(cs: Condition[]): string[] {
  return cs.map((c) => `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ""}${c.message ? `: ${c.message}` : ""}`);
}

/** The view-model of a context node. */
export function contextView(name: string, opts: { current: boolean; state: ConnectionState; server?: string; namespaces: string; note?: string }): NodeView {
  const s = opts.state;
  let description: string;
  const lines = [`Context ${name}${opts.current ? " (current)" : ""}`, opts.server ? `Server: ${opts.server}` : "", `Namespaces: ${opts.namespaces}`];
  switch (s.kind) {
    case "idle":
      description = opts.current ? "current" : "";
      break;
    case "connecting":
      description = "connecting…";
      break;
    case "connected":
      description = `connected · ${opts.namespaces}`;
      break;
    case "reconnecting":
    case "unreachable":
      description = `${s.kind}: ${s.reason}`;
      lines.push(`${s.kind === "reconnecting" ? "Reconnecting" : "Unreachable"} (next try in ${Math.round(s.retryInMs / 1000)} s): ${s.reason}`);
      break;
    case "expired":
      description = "credentials rejected";
      lines.push(s.message);
      break;
    case "forbidden":
      description = "forbidden";
      lines.push(s.message);
      break;
    case "error":
      description = `error: ${s.message}`;
      lines.push(s.message);
      break;
  }
  if (opts.note) lines.push(opts.note);
  const svg = contextIcon(s);
  return {
    ...(svg ? { svg } : { icon: "loading~spin" }),
    label: name,
    description,
    tooltip: lines.filter(Boolean).join("\n"),
    contextValue: opts.current ? "spinkube.context.current" : "spinkube.context",
    collapsible: opts.current ? "expanded" : "collapsed",
  };
}

/** The view-model of a namespace node. */
export function namespaceView(ns: string, apps: AppSummary[], opts: { synced: boolean }): NodeView {
  const failing = apps.filter((a) => a.health === "failing").length;
  const description = !opts.synced ? "loading…" : apps.length === 0 ? "no SpinApps" : `${apps.length} SpinApp${apps.length === 1 ? "" : "s"}${failing ? ` · ${failing} failing` : ""}`;
  return {
    label: ns,
    description,
    tooltip: `Namespace ${ns}\n${description}`,
    contextValue: "spinkube.resource.namespace",
    svg: failing ? "namespace-failing" : "namespace",
    collapsible: "collapsed",
  };
}

/** The view-model of a SpinApp node. */
export function spinAppView(app: KObject, s: AppSummary): NodeView {
  const lines = [
    `SpinApp ${app.metadata.namespace ?? ""}/${app.metadata.name}`,
    `Image: ${s.image ?? "(none)"}`,
    `Executor: ${s.executor ?? "(none)"}`,
    `${readyText(s)}${s.autoscaled ? " (autoscaled)" : ""}`,
    ...(s.reason ? [`Why: ${s.reason}`] : []),
    ...conditionLines(s.conditions),
  ];
  return {
    label: app.metadata.name,
    description: `${readyText(s)}${s.executor ? ` · ${s.executor}` : ""}`,
    tooltip: lines.join("\n"),
    contextValue: s.autoscaled ? "spinkube.resource.spinApp.autoscaled" : "spinkube.resource.spinApp",
    svg: healthIcon(s.health),
    collapsible: "collapsed",
  };
}

/** The view-model of a Deployment child. */
export function deploymentView(d: KObject): NodeView {
  const spec = obj(d.spec);
  const status = obj(d.status);
  const desired = num(spec.replicas) ?? 1;
  const ready = num(status.readyReplicas) ?? 0;
  const updated = num(status.updatedReplicas) ?? 0;
  const cs = conditionsOf(d);
  const ok = cs.find((c) => c.type === "Available")?.status === "True" && ready >= desired;
  const failing = cs.find((c) => c.type === "Progressing")?.status === "False";
  return {
    label: `Deployment ${d.metadata.name}`,
    description: `Ready ${ready}/${desired} · up-to-date ${updated}`,
    tooltip: [`Deployment ${d.metadata.namespace ?? ""}/${d.metadata.name}`, ...conditionLines(cs)].join("\n"),
    contextValue: "spinkube.resource.deployment",
    icon: "layers",
    iconColor: failing ? "testing.iconFailed" : ok ? undefined : "charts.yellow",
    collapsible: "none",
  };
}

/** The view-model of a Service child. */
export function serviceView(s: KObject): NodeView {
  const spec = obj(s.spec);
  const ports = arr(spec.ports)
    .filter(isObj)
    .map((p) => `${String(p.port ?? "?")}${p.targetPort !== undefined ? `→${String(p.targetPort)}` : ""}/${String(p.protocol ?? "TCP")}`);
  return {
    label: `Service ${s.metadata.name}`,
    description: `${str(spec.type) ?? "ClusterIP"} ${str(spec.clusterIP) ?? ""} ${ports.join(", ")}`.replace(/\s+/g, " ").trim(),
    tooltip: `Service ${s.metadata.namespace ?? ""}/${s.metadata.name}\nPorts: ${ports.join(", ") || "(none)"}`,
    contextValue: "spinkube.resource.service",
    icon: "plug",
    collapsible: "none",
  };
}

/** The view-model of a pod child. */
export function podView(p: KObject): NodeView {
  const s = podSummary(p);
  return {
    label: p.metadata.name,
    description: `${s.reason} · ${s.restarts} restart${s.restarts === 1 ? "" : "s"}${s.node ? ` · ${s.node}` : ""}`,
    tooltip: [`Pod ${p.metadata.namespace ?? ""}/${p.metadata.name}`, `Phase: ${s.phase}`, `Node: ${s.node ?? "(not scheduled)"}`, `Restarts: ${s.restarts}`, ...s.messages].join("\n"),
    contextValue: "spinkube.resource.pod",
    svg: podIcon(s),
    collapsible: "none",
  };
}

/** The view-model of an HPA or KEDA ScaledObject child. */
export function scalerView(o: KObject, kind: "hpa" | "scaledObject"): NodeView {
  const spec = obj(o.spec);
  const min = num(spec.minReplicas) ?? num(spec.minReplicaCount);
  const max = num(spec.maxReplicas) ?? num(spec.maxReplicaCount);
  const label = kind === "hpa" ? `HPA ${o.metadata.name}` : `ScaledObject ${o.metadata.name}`;
  return {
    label,
    description: `${min ?? "?"}–${max ?? "?"} replicas`,
    tooltip: [label, ...conditionLines(conditionsOf(o))].join("\n"),
    contextValue: kind === "hpa" ? "spinkube.resource.hpa" : "spinkube.resource.scaledObject",
    icon: "graph-line",
    collapsible: "none",
  };
}

/** The view-model of an executor node. */
export function executorView(e: KObject | undefined, name: string, namespace: string, showNamespace: boolean): NodeView {
  const dc = obj(obj(e?.spec).deploymentConfig);
  const rc = str(dc.runtimeClassName);
  const img = str(dc.spinImage);
  const label = showNamespace ? `${namespace}/${name}` : `Executor ${name}`;
  if (!e) {
    return { label, description: "not found in this namespace", tooltip: `SpinAppExecutor ${namespace}/${name} does not exist: the operator cannot run SpinApps that use it.`, contextValue: "spinkube.missing", icon: "warning", iconColor: "testing.iconFailed", collapsible: "none" };
  }
  const createDeployment = obj(e.spec).createDeployment;
  return {
    label,
    description: rc ? `runtimeClass ${rc}` : img ? `spinImage ${img}` : createDeployment === false ? "no Deployment (external)" : "",
    tooltip: [`SpinAppExecutor ${namespace}/${name}`, `createDeployment: ${String(createDeployment ?? "?")}`, rc ? `runtimeClassName: ${rc}` : "", img ? `spinImage: ${img}` : ""].filter(Boolean).join("\n"),
    contextValue: "spinkube.resource.executor",
    svg: "executor",
    collapsible: rc || img ? "collapsed" : "none",
  };
}

/** The view-model of a RuntimeClass node. */
export function runtimeClassView(rc: KObject | undefined, name: string): NodeView {
  if (!rc) {
    return { label: `RuntimeClass ${name}`, description: "not found", tooltip: `RuntimeClass ${name} does not exist: pods that use it are rejected.`, contextValue: "spinkube.missing", icon: "warning", iconColor: "testing.iconFailed", collapsible: "none" };
  }
  const handler = str(rc.handler);
  const sel = obj(obj(rc.scheduling).nodeSelector);
  const selText = Object.entries(sel)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(", ");
  return {
    label: `RuntimeClass ${name}`,
    description: `handler ${handler ?? "?"}${selText ? ` · nodes ${selText}` : ""}`,
    tooltip: [`RuntimeClass ${name}`, `handler: ${handler ?? "(none)"}`, selText ? `scheduling.nodeSelector: ${selText}` : ""].filter(Boolean).join("\n"),
    contextValue: "spinkube.resource.runtimeClass",
    svg: "runtimeclass",
    collapsible: "collapsed",
  };
}

/** Whether a node can run a RuntimeClass: it reports the handler and matches the nodeSelector. */
export function nodeRuns(node: KObject, rc: KObject): { runs: boolean; reportsHandlers: boolean; reason: string } {
  const handler = str(rc.handler) ?? "";
  const handlers = arr(obj(node.status).runtimeHandlers)
    .filter(isObj)
    .map((h) => str(h.name) ?? "");
  const reportsHandlers = handlers.length > 0;
  const sel = obj(obj(rc.scheduling).nodeSelector);
  const labels = node.metadata.labels ?? {};
  const mismatch = Object.entries(sel).find(([k, v]) => labels[k] !== v);
  if (mismatch) return { runs: false, reportsHandlers, reason: `lacks label ${mismatch[0]}=${String(mismatch[1])}` };
  if (reportsHandlers && !handlers.includes(handler)) return { runs: false, reportsHandlers, reason: `no runtime handler "${handler}" (has ${handlers.filter(Boolean).join(", ") || "only the default"})` };
  return { runs: true, reportsHandlers, reason: reportsHandlers ? `runtime handler "${handler}" reported` : "matches the nodeSelector (the node does not report its runtime handlers)" };
}

/** The view-model of a cluster node under a handler. */
export function clusterNodeView(n: KObject, why: string): NodeView {
  const ready = conditionsOf(n).find((c) => c.type === "Ready");
  return {
    label: n.metadata.name,
    description: ready?.status === "True" ? "Ready" : "NotReady",
    tooltip: `Node ${n.metadata.name}\n${why}`,
    contextValue: "spinkube.resource.node",
    icon: "server",
    iconColor: ready?.status === "True" ? undefined : "testing.iconFailed",
    collapsible: "none",
  };
}

/** The view-model of a message node. */
export function messageView(n: Extract<TreeNode, { kind: "message" }>): NodeView {
  return {
    label: n.text,
    tooltip: n.detail ?? n.text,
    contextValue: "spinkube.message",
    icon: n.severity === "error" ? "error" : n.severity === "warning" ? "warning" : "info",
    iconColor: n.severity === "error" ? "testing.iconFailed" : n.severity === "warning" ? "charts.yellow" : undefined,
    collapsible: "none",
    ...(n.command ? { command: n.command } : {}),
  };
}

/** A filter on SpinApps: text matches the name or a label (`key=value` or `key`), and/or only failing ones. */
export interface AppFilter {
  text?: string;
  onlyFailing?: boolean;
}

/** True when the app passes the filter. */
export function matchesFilter(app: KObject, s: AppSummary, f: AppFilter): boolean {
  if (f.onlyFailing && s.health !== "failing") return false;
  const t = f.text?.trim();
  if (!t) return true;
  const labels = app.metadata.labels ?? {};
  const eq = t.indexOf("=");
  if (eq > 0) {
    const k = t.slice(0, eq).trim();
    const v = t.slice(eq + 1).trim();
    return labels[k] === v;
  }
  const lower = t.toLowerCase();
  return app.metadata.name.toLowerCase().includes(lower) || Object.entries(labels).some(([k, v]) => k.toLowerCase().includes(lower) || v.toLowerCase().includes(lower));
}

/** The app a pod, Deployment or Service belongs to (the operator's label). */
export function appOf(o: KObject): string | undefined {
  return o.metadata.labels?.[APP_NAME_LABEL];
}

/** The target of an HPA (`spec.scaleTargetRef`) or ScaledObject (`spec.scaleTargetRef`). */
export function scaleTarget(o: KObject): { kind?: string; name?: string; apiVersion?: string } {
  const ref = obj(obj(o.spec).scaleTargetRef);
  return { kind: str(ref.kind), name: str(ref.name), apiVersion: str(ref.apiVersion) };
}
