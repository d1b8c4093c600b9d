// Server-side printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`): the column
// definitions and row cells of the built-in printers kubectl shows (pods, deployments,
// replicasets, services, namespaces, nodes, events, secrets, configmaps, serviceaccounts,
// runtimeclasses, CRDs) and of custom resources from the CRD's additionalPrinterColumns (SpinApp:
// Ready, Desired, Executor, and Deployment/Service at priority 1), with ages formatted by the
// API server's HumanDuration (kubectl does not format dates itself).

import type { KObject, ResourceType } from "./types";
import { getPath, isObject } from "./types";

/** A Table column definition. */
export interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

function col(name: string, type: string, description: string, priority = 0, format = ""): Column {
  return { name, type, format, description, priority };
}

const NAME = col("Name", "string", "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names", 0, "name");
const AGE = col("Age", "string", "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata");

/** The API server's HumanDuration (k8s.io/apimachinery/pkg/util/duration). */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

function age(ts: unknown, now: number): string {
  if (typeof ts !== "string" || !ts) return "<unknown>";
  return humanDuration(now - Date.parse(ts));
}

type Obj = Record<string, unknown>;

function o(v: unknown): Obj {
  return isObject(v) ? v : {};
}

function arr(v: unknown): Obj[] {
  return Array.isArray(v) ? (v as Obj[]) : [];
}

function selectorString(sel: unknown): string {
  const ml = o(o(sel).matchLabels);
  const parts = Object.keys(ml)
    .sort()
    .map((k) => `${k}=${String(ml[k])}`);
  return parts.length ? parts.join(",") : "<none>";
}

function podStatus(p: KObject): { ready: string; status: string; restarts: string } {
  const status = o(p.status);
  const specContainers = arr(o(p.spec).containers);
  const cs = arr(status.containerStatuses);
  let reason = String(status.reason ?? status.phase ?? "Unknown");
  let readyCount = 0;
  let restarts = 0;
  let lastRestart = 0;
  for (const c of cs) {
    restarts += Number(c.restartCount ?? 0);
    const lt = o(o(c.lastState).terminated);
    if (lt.finishedAt) lastRestart = Math.max(lastRestart, Date.parse(String(lt.finishedAt)));
    if (c.ready) readyCount++;
    const st = o(c.state);
    if (isObject(st.waiting) && st.waiting.reason) reason = String(st.waiting.reason);
    else if (isObject(st.terminated)) reason = String(st.terminated.reason ?? (st.terminated.signal ? `Signal:${String(st.terminated.signal)}` : `ExitCode:${String(st.terminated.exitCode)}`));
  }
  if (reason === "Running" && readyCount < specContainers.length) {
    const anyReady = cs.some((c) => c.ready);
    if (!anyReady && arr(status.conditions).some((c) => c.type === "Ready" && c.status === "True")) reason = "Running";
  }
  if (!cs.length && status.phase === "Pending") {
    const sched = arr(status.conditions).find((c) => c.type === "PodScheduled");
    if (sched?.status === "False" && sched.reason) reason = "Pending";
  }
  if (p.metadata.deletionTimestamp) reason = "Terminating";
  const restartText = restarts !== 0 && lastRestart ? `${restarts} (${humanDuration(Date.now() - lastRestart)} ago)` : String(restarts);
  return { ready: `${readyCount}/${specContainers.length}`, status: reason, restarts: restartText };
}

function images(tplSpec: unknown): [string, string] {
  const cs = arr(o(tplSpec).containers);
  return [cs.map((c) => String(c.name)).join(","), cs.map((c) => String(c.image)).join(",")];
}

function servicePorts(spec: Obj): string {
  const ports = arr(spec.ports);
  if (!ports.length) return "<none>";
  return ports.map((p) => `${String(p.port)}${p.nodePort ? `:${String(p.nodePort)}` : ""}/${String(p.protocol ?? "TCP")}`).join(",");
}

interface Printer {
  columns: Column[];
  cells(x: KObject, now: number): unknown[];
}

const PRINTERS: Record<string, Printer> = {
  pods: {
    columns: [
      NAME,
      col("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
      col("Status", "string", "The aggregate status of the containers in this pod."),
      col("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
      AGE,
      col("IP", "string", "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", 1),
      col("Node", "string", "NodeName is a request to schedule this pod onto a specific node. If it is non-empty, the scheduler simply schedules this pod onto that node, assuming that it fits resource requirements.", 1),
      col("Nominated Node", "string", "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.", 1),
      col("Readiness Gates", "string", "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to \"True\" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates", 1),
    ],
    cells(x, now) {
      const s = podStatus(x);
      return [x.metadata.name, s.ready, s.status, s.restarts, age(x.metadata.creationTimestamp, now), o(x.status).podIP ?? "<none>", o(x.spec).nodeName ?? "<none>", o(x.status).nominatedNodeName ?? "<none>", "<none>"];
    },
  },
  "deployments.apps": {
    columns: [
      NAME,
      col("Ready", "string", "Number of the pod with ready state"),
      col("Up-to-date", "string", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
      col("Available", "string", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
      AGE,
      col("Containers", "string", "Names of each container in the template.", 1),
      col("Images", "string", "Images referenced by each container in the template.", 1),
      col("Selector", "string", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.", 1),
    ],
    cells(x, now) {
      const s = o(x.status);
      const spec = o(x.spec);
      const [names, imgs] = images(o(spec.template).spec);
      return [x.metadata.name, `${Number(s.readyReplicas ?? 0)}/${Number(spec.replicas ?? 0)}`, Number(s.updatedReplicas ?? 0), Number(s.availableReplicas ?? 0), age(x.metadata.creationTimestamp, now), names, imgs, selectorString(spec.selector)];
    },
  },
  "replicasets.apps": {
    columns: [
      NAME,
      col("Desired", "integer", "Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/#what-is-a-replicaset"),
      col("Current", "integer", "Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller"),
      col("Ready", "integer", "The number of ready replicas for this replica set. A pod is considered ready when it's Ready condition is true."),
      AGE,
      col("Containers", "string", "Names of each container in the template.", 1),
      col("Images", "string", "Images referenced by each container in the template.", 1),
      col("Selector", "string", "Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", 1),
    ],
    cells(x, now) {
      const s = o(x.status);
      const spec = o(x.spec);
      const [names, imgs] = images(o(spec.template).spec);
      return [x.metadata.name, Number(spec.replicas ?? 0), Number(s.replicas ?? 0), Number(s.readyReplicas ?? 0), age(x.metadata.creationTimestamp, now), names, imgs, selectorString(spec.selector)];
    },
  },
  services: {
    columns: [
      NAME,
      col("Type", "string", "type determines how the Service is exposed. Defaults to ClusterIP."),
      col("Cluster-IP", "string", "clusterIP is the IP address of the service and is usually assigned randomly."),
      col("External-IP", "string", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
      col("Port(s)", "string", "The list of ports that are exposed by this service."),
      AGE,
      col("Selector", "string", "Route service traffic to pods with label keys and values matching this selector.", 1),
    ],
    cells(x, now) {
      const spec = o(x.spec);
      const sel = o(spec.selector);
      const selText = Object.keys(sel).length ? Object.keys(sel).sort().map((k) => `${k}=${String(sel[k])}`).join(",") : "<none>";
      return [x.metadata.name, spec.type ?? "ClusterIP", spec.clusterIP ?? "<none>", arr(spec.externalIPs).length ? (spec.externalIPs as string[]).join(",") : "<none>", servicePorts(spec), age(x.metadata.creationTimestamp, now), selText];
    },
  },
  namespaces: {
    columns: [NAME, col("Status", "string", "The status of the namespace"), AGE],
    cells: (x, now) => [x.metadata.name, o(x.status).phase ?? "Active", age(x.metadata.creationTimestamp, now)],
  },
  nodes: {
    columns: [
      NAME,
      col("Status", "string", "The status of the node"),
      col("Roles", "string", "The roles of the node"),
      AGE,
      col("Version", "string", "Kubelet Version reported by the node."),
      col("Internal-IP", "string", "List of addresses reachable to the node. Queried from cloud provider, if available.", 1),
      col("External-IP", "string", "List of addresses reachable to the node. Queried from cloud provider, if available.", 1),
      col("OS-Image", "string", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", 1),
      col("Kernel-Version", "string", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
      col("Container-Runtime", "string", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", 1),
    ],
    cells(x, now) {
      const s = o(x.status);
      const ready = arr(s.conditions).find((c) => c.type === "Ready");
      const roles = Object.keys(x.metadata.labels ?? {})
        .filter((k) => k.startsWith("node-role.kubernetes.io/"))
        .map((k) => k.slice("node-role.kubernetes.io/".length));
      const info = o(s.nodeInfo);
      const ip = arr(s.addresses).find((a) => a.type === "InternalIP")?.address ?? "<none>";
      return [x.metadata.name, ready?.status === "True" ? "Ready" : "NotReady", roles.length ? roles.join(",") : "<none>", age(x.metadata.creationTimestamp, now), info.kubeletVersion ?? "", ip, "<none>", info.osImage ?? "", info.kernelVersion ?? "", info.containerRuntimeVersion ?? ""];
    },
  },
  events: {
    columns: [
      col("Last Seen", "string", "Time when last Event occurred"),
      col("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future."),
      col("Reason", "string", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
      col("Object", "string", "The object that this event is about."),
      col("Subobject", "string", "The subobject that this event is about.", 1),
      col("Source", "string", "The component reporting this event. Should be a short machine understandable string.", 1),
      col("Message", "string", "A human-readable description of the status of this operation."),
      col("First Seen", "string", "The first time at which the event was recorded. (Time of server receipt is in TypeMeta.)", 1),
      col("Count", "string", "The number of times this event has occurred.", 1),
      { ...NAME, priority: 1 },
    ],
    cells(x, now) {
      const io = o(x.involvedObject);
      const src = o(x.source);
      const last = x.lastTimestamp ?? x.eventTime ?? x.metadata.creationTimestamp;
      return [
        age(last, now),
        x.type ?? "",
        x.reason ?? "",
        `${String(io.kind ?? "").toLowerCase()}/${String(io.name ?? "")}`,
        io.fieldPath ?? "",
        src.host ? `${String(src.component ?? "")}, ${String(src.host)}` : (src.component ?? x.reportingComponent ?? ""),
        String(x.message ?? "").trim(),
        age(x.firstTimestamp ?? x.metadata.creationTimestamp, now),
        Number(x.count ?? 1),
        x.metadata.name,
      ];
    },
  },
  secrets: {
    columns: [NAME, col("Type", "string", "The type of the secret"), col("Data", "string", "The number of entries in the secret"), AGE],
    cells: (x, now) => [x.metadata.name, x.type ?? "Opaque", Object.keys(o(x.data)).length, age(x.metadata.creationTimestamp, now)],
  },
  configmaps: {
    columns: [NAME, col("Data", "string", "Number of data in configmap"), AGE],
    cells: (x, now) => [x.metadata.name, Object.keys(o(x.data)).length + Object.keys(o(x.binaryData)).length, age(x.metadata.creationTimestamp, now)],
  },
  serviceaccounts: {
    columns: [NAME, col("Secrets", "string", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."), AGE],
    cells: (x, now) => [x.metadata.name, arr(x.secrets).length, age(x.metadata.creationTimestamp, now)],
  },
  "runtimeclasses.node.k8s.io": {
    columns: [NAME, col("Handler", "string", "handler specifies the underlying runtime and configuration that the CRI implementation will use to handle pods of this class."), AGE],
    cells: (x, now) => [x.metadata.name, x.handler ?? "", age(x.metadata.creationTimestamp, now)],
  },
  "customresourcedefinitions.apiextensions.k8s.io": {
    columns: [NAME, col("Created At", "date", "")],
    cells: (x) => [x.metadata.name, x.metadata.creationTimestamp],
  },
};

/** Evaluates a CRD printer-column JSONPath such as `.status.readyReplicas`. */
function jsonPathValue(x: KObject, jsonPath: string): unknown {
  const path = jsonPath.replace(/^\{?\.?/, "").replace(/\}$/, "");
  return getPath(x, path.split(".").filter((p) => p));
}

function crdPrinter(t: ResourceType): Printer {
  const versions = arr(o(t.crd?.spec).versions);
  const v = versions.find((x) => x.name === t.version) ?? {};
  const given = arr(v.additionalPrinterColumns);
  const cols = given.length ? given : [{ name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" }];
  return {
    columns: [NAME, ...cols.map((c) => col(String(c.name), String(c.type), String(c.description ?? ""), Number(c.priority ?? 0), String(c.format ?? "")))],
    cells(x, now) {
      return [
        x.metadata.name,
        ...cols.map((c) => {
          const val = jsonPathValue(x, String(c.jsonPath));
          if (val == null) return null;
          if (c.type === "date") return typeof val === "string" ? age(val, now) : null;
          if (c.type === "integer" || c.type === "number") return typeof val === "number" ? val : null;
          if (c.type === "boolean") return typeof val === "boolean" ? val : null;
          return typeof val === "object" ? JSON.stringify(val) : String(val);
        }),
      ];
    },
  };
}

function printerFor(t: ResourceType): Printer {
  if (t.crd) return crdPrinter(t);
  const key = t.group ? `${t.plural}.${t.group}` : t.plural;
  return PRINTERS[key] ?? { columns: [NAME, col("Created At", "date", "")], cells: (x) => [x.metadata.name, x.metadata.creationTimestamp] };
}

/** How rows carry their objects (`includeObject`). */
export type IncludeObject = "None" | "Metadata" | "Object";

/** Builds a meta.k8s.io/v1 Table for objects of a type. */
export function toTable(
  t: ResourceType,
  items: KObject[],
  opts: { resourceVersion?: string; continueToken?: string; remainingItemCount?: number; includeObject?: IncludeObject; noHeaders?: boolean },
): Record<string, unknown> {
  const p = printerFor(t);
  const now = Date.now();
  const include = opts.includeObject ?? "Metadata";
  const rows = items.map((x) => {
    const row: Record<string, unknown> = { cells: p.cells(x, now) };
    if (include === "Object") row.object = x;
    else if (include === "Metadata") row.object = { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: x.metadata };
    return row;
  });
  const metadata: Record<string, unknown> = {};
  if (opts.resourceVersion) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continueToken) metadata.continue = opts.continueToken;
  if (opts.remainingItemCount !== undefined) metadata.remainingItemCount = opts.remainingItemCount;
  return { kind: "Table", apiVersion: "meta.k8s.io/v1", metadata, ...(opts.noHeaders ? {} : { columnDefinitions: p.columns }), rows };
}
