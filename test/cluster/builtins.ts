// Defaulting and validation of the built-in kinds, as the real API server's registry strategies
// do it for the fields clients see: pod spec defaults (restartPolicy, dnsPolicy, termination
// grace, imagePullPolicy, ...), Deployment/ReplicaSet defaults, Service defaults and ClusterIP
// allocation, Namespace/Secret defaults, required fields, selector/template label agreement,
// immutable fields, and the top-level field sets used to detect unknown fields (Strict).

import type { KObject, StatusCause } from "./types";
import { isObject } from "./types";
import { validateName } from "./validation";

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return isObject(v) ? v : {};
}

/** Default values of a container (in place). */
function defaultContainer(c: Obj): void {
  c.terminationMessagePath ??= "/dev/termination-log";
  c.terminationMessagePolicy ??= "File";
  if (c.imagePullPolicy === undefined) {
    const image = String(c.image ?? "");
    const tag = image.includes("@") ? "digest" : /:[^/]+$/.test(image) ? image.slice(image.lastIndexOf(":") + 1) : "latest";
    c.imagePullPolicy = tag === "latest" ? "Always" : "IfNotPresent";
  }
  c.resources ??= {};
  for (const p of Array.isArray(c.ports) ? (c.ports as Obj[]) : []) p.protocol ??= "TCP";
  for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) {
    const pr = c[probe];
    if (isObject(pr)) {
      pr.timeoutSeconds ??= 1;
      pr.periodSeconds ??= 10;
      pr.successThreshold ??= 1;
      pr.failureThreshold ??= 3;
      if (isObject(pr.httpGet)) pr.httpGet.scheme ??= "HTTP";
    }
  }
}

/** Default values of a pod spec (in place). */
export function defaultPodSpec(spec: Obj): void {
  spec.restartPolicy ??= "Always";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= "ClusterFirst";
  spec.securityContext ??= {};
  spec.schedulerName ??= "default-scheduler";
  for (const list of ["containers", "initContainers"]) {
    for (const c of Array.isArray(spec[list]) ? (spec[list] as Obj[]) : []) defaultContainer(c);
  }
}

let nextIp = 1;

/** The QoS class of a pod spec (BestEffort, Burstable or Guaranteed). */
export function qosClass(spec: Obj): string {
  const cs = (Array.isArray(spec.containers) ? spec.containers : []) as Obj[];
  let any = false;
  let guaranteed = cs.length > 0;
  for (const c of cs) {
    const r = obj(c.resources);
    const lim = obj(r.limits);
    const req = obj(r.requests);
    if (Object.keys(lim).length || Object.keys(req).length) any = true;
    for (const k of ["cpu", "memory"]) {
      if (lim[k] === undefined || (req[k] !== undefined && req[k] !== lim[k])) guaranteed = false;
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

/** Applies the built-in defaults of a kind (in place; `old` for updates). */
export function defaultBuiltin(o: KObject, old?: KObject): void {
  const spec = obj(o.spec);
  switch (o.kind) {
    case "Pod":
      o.spec = spec;
      defaultPodSpec(spec);
      spec.enableServiceLinks ??= true;
      spec.preemptionPolicy ??= "PreemptLowerPriority";
      spec.priority ??= 0;
      spec.serviceAccountName ??= "default";
      spec.serviceAccount ??= spec.serviceAccountName;
      spec.tolerations ??= [
        { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
        { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      ];
      if (!old && !isObject(o.status)) o.status = { phase: "Pending", qosClass: qosClass(spec) };
      break;
    case "Deployment": {
      o.spec = spec;
      spec.replicas ??= 1;
      spec.revisionHistoryLimit ??= 10;
      spec.progressDeadlineSeconds ??= 600;
      const strategy = obj(spec.strategy);
      strategy.type ??= "RollingUpdate";
      if (strategy.type === "RollingUpdate") {
        const ru = obj(strategy.rollingUpdate);
        ru.maxUnavailable ??= "25%";
        ru.maxSurge ??= "25%";
        strategy.rollingUpdate = ru;
      }
      spec.strategy = strategy;
      const tpl = obj(spec.template);
      tpl.spec = obj(tpl.spec);
      defaultPodSpec(tpl.spec as Obj);
      tpl.metadata ??= {};
      spec.template = tpl;
      break;
    }
    case "ReplicaSet": {
      o.spec = spec;
      spec.replicas ??= 1;
      const tpl = obj(spec.template);
      tpl.spec = obj(tpl.spec);
      defaultPodSpec(tpl.spec as Obj);
      spec.template = tpl;
      break;
    }
    case "Service": {
      o.spec = spec;
      spec.type ??= "ClusterIP";
      spec.sessionAffinity ??= "None";
      spec.internalTrafficPolicy ??= "Cluster";
      spec.ipFamilies ??= ["IPv4"];
      spec.ipFamilyPolicy ??= "SingleStack";
      const oldIp = old ? (obj(old.spec).clusterIP as string | undefined) : undefined;
      if (spec.clusterIP === undefined || spec.clusterIP === "") {
        const n = oldIp ? 0 : nextIp++;
        spec.clusterIP = oldIp ?? `10.96.${Math.floor(n / 250)}.${(n % 250) + 2}`;
      }
      spec.clusterIPs ??= spec.clusterIP === "None" ? ["None"] : [spec.clusterIP];
      for (const p of Array.isArray(spec.ports) ? (spec.ports as Obj[]) : []) {
        p.protocol ??= "TCP";
        p.targetPort ??= p.port;
      }
      o.status ??= { loadBalancer: {} };
      break;
    }
    case "Namespace":
      o.spec = { finalizers: ["kubernetes"], ...spec };
      o.metadata.labels = { ...o.metadata.labels, "kubernetes.io/metadata.name": o.metadata.name ?? "" };
      if (!old) o.status = { phase: "Active" };
      break;
    case "Secret": {
      if (!o.type) o.type = "Opaque";
      const sd = o.stringData;
      if (isObject(sd)) {
        const data = obj(o.data);
        for (const [k, v] of Object.entries(sd)) data[k] = Buffer.from(String(v)).toString("base64");
        o.data = data;
        delete o.stringData;
      }
      break;
    }
    case "Event":
      o.count ??= 1;
      break;
    default:
      break;
  }
}

/** Top-level fields of each built-in kind (for unknown-field detection). */
const TOP_LEVEL: Record<string, string[]> = {
  Pod: ["spec", "status"],
  Deployment: ["spec", "status"],
  ReplicaSet: ["spec", "status"],
  Service: ["spec", "status"],
  Namespace: ["spec", "status"],
  Node: ["spec", "status"],
  ConfigMap: ["data", "binaryData", "immutable"],
  Secret: ["data", "stringData", "type", "immutable"],
  ServiceAccount: ["secrets", "imagePullSecrets", "automountServiceAccountToken"],
  RuntimeClass: ["handler", "overhead", "scheduling"],
  CustomResourceDefinition: ["spec", "status"],
  SelfSubjectAccessReview: ["spec", "status"],
  Event: [
    "involvedObject",
    "reason",
    "message",
    "source",
    "firstTimestamp",
    "lastTimestamp",
    "count",
    "type",
    "eventTime",
    "series",
    "action",
    "related",
    "reportingComponent",
    "reportingInstance",
  ],
};

const DEPLOYMENT_SPEC = ["replicas", "selector", "template", "strategy", "minReadySeconds", "revisionHistoryLimit", "paused", "progressDeadlineSeconds"];
const POD_SPEC = [
  "volumes", "initContainers", "containers", "ephemeralContainers", "restartPolicy", "terminationGracePeriodSeconds",
  "activeDeadlineSeconds", "dnsPolicy", "nodeSelector", "serviceAccountName", "serviceAccount", "automountServiceAccountToken",
  "nodeName", "hostNetwork", "hostPID", "hostIPC", "shareProcessNamespace", "securityContext", "imagePullSecrets", "hostname",
  "subdomain", "affinity", "schedulerName", "tolerations", "hostAliases", "priorityClassName", "priority", "dnsConfig",
  "readinessGates", "runtimeClassName", "enableServiceLinks", "preemptionPolicy", "overhead", "topologySpreadConstraints",
  "setHostnameAsFQDN", "os", "hostUsers", "schedulingGates", "resourceClaims", "resources",
];
const CONTAINER = [
  "name", "image", "command", "args", "workingDir", "ports", "envFrom", "env", "resources", "resizePolicy", "restartPolicy",
  "volumeMounts", "volumeDevices", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle", "terminationMessagePath",
  "terminationMessagePolicy", "imagePullPolicy", "securityContext", "stdin", "stdinOnce", "tty",
];

/** Unknown fields of a built-in object at the levels this server knows (top, Deployment/Pod spec, containers). */
export function unknownBuiltinFields(o: KObject): string[] {
  const known = TOP_LEVEL[o.kind];
  if (!known) return [];
  const out: string[] = [];
  for (const k of Object.keys(o)) if (!["apiVersion", "kind", "metadata", ...known].includes(k)) out.push(k);
  const check = (v: unknown, fields: string[], path: string): void => {
    if (!isObject(v)) return;
    for (const k of Object.keys(v)) if (!fields.includes(k)) out.push(`${path}.${k}`);
  };
  const containers = (spec: unknown, path: string): void => {
    if (!isObject(spec)) return;
    for (const list of ["containers", "initContainers"]) {
      const cs = spec[list];
      if (Array.isArray(cs)) cs.forEach((c, i) => check(c, CONTAINER, `${path}.${list}[${i}]`));
    }
  };
  if (o.kind === "Deployment" || o.kind === "ReplicaSet") {
    check(o.spec, DEPLOYMENT_SPEC, "spec");
    const tpl = obj(obj(o.spec).template);
    check(tpl.spec, POD_SPEC, "spec.template.spec");
    containers(tpl.spec, "spec.template.spec");
  }
  if (o.kind === "Pod") {
    check(o.spec, POD_SPEC, "spec");
    containers(o.spec, "spec");
  }
  return out;
}

function labelsMatch(selector: unknown, labels: unknown): boolean {
  const ml = obj(obj(selector).matchLabels);
  const l = obj(labels);
  return Object.entries(ml).every(([k, v]) => l[k] === v);
}

function goMap(m: unknown): string {
  const entries = Object.entries(obj(m))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  return `map[string]string{${entries.join(", ")}}`;
}

function validateContainers(spec: Obj, path: string, causes: StatusCause[]): void {
  const cs = spec.containers;
  if (!Array.isArray(cs) || cs.length === 0) {
    causes.push({ reason: "FieldValueRequired", message: "Required value", field: `${path}.containers` });
    return;
  }
  cs.forEach((c: unknown, i: number) => {
    const co = obj(c);
    if (!co.name) causes.push({ reason: "FieldValueRequired", message: "Required value", field: `${path}.containers[${i}].name` });
    if (!co.image) causes.push({ reason: "FieldValueRequired", message: "Required value", field: `${path}.containers[${i}].image` });
  });
}

/** Validation errors of a built-in object (after defaulting). */
export function validateBuiltin(o: KObject, old?: KObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = o.metadata.name ?? "";
  const rule = o.kind === "Service" ? "dns1035" : o.kind === "Namespace" ? "label" : "subdomain";
  if (o.kind !== "SelfSubjectAccessReview") causes.push(...validateName(name, rule));
  const spec = obj(o.spec);
  switch (o.kind) {
    case "Pod":
      validateContainers(spec, "spec", causes);
      if (old && JSON.stringify(withoutMutablePodFields(old.spec)) !== JSON.stringify(withoutMutablePodFields(o.spec))) {
        causes.push({
          reason: "FieldValueForbidden",
          message: "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
          field: "spec",
        });
      }
      break;
    case "Deployment":
    case "ReplicaSet": {
      const tpl = obj(spec.template);
      if (!isObject(spec.selector)) causes.push({ reason: "FieldValueRequired", message: "Required value", field: "spec.selector" });
      else if (!labelsMatch(spec.selector, obj(tpl.metadata).labels)) {
        causes.push({
          reason: "FieldValueInvalid",
          message: `Invalid value: ${goMap(obj(tpl.metadata).labels)}: \`selector\` does not match template \`labels\``,
          field: "spec.template.metadata.labels",
        });
      }
      validateContainers(obj(tpl.spec), "spec.template.spec", causes);
      if (typeof spec.replicas === "number" && spec.replicas < 0) {
        causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${spec.replicas}: must be greater than or equal to 0`, field: "spec.replicas" });
      }
      if (old && JSON.stringify(obj(old.spec).selector) !== JSON.stringify(spec.selector)) {
        causes.push({ reason: "FieldValueInvalid", message: `Invalid value: v1.LabelSelector{MatchLabels:${goMap(obj(spec.selector).matchLabels)}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable`, field: "spec.selector" });
      }
      break;
    }
    case "Service":
      if (spec.type !== "ExternalName" && (!Array.isArray(spec.ports) || spec.ports.length === 0) && spec.clusterIP !== "None") {
        causes.push({ reason: "FieldValueRequired", message: "Required value", field: "spec.ports" });
      }
      break;
    case "RuntimeClass":
      if (!o.handler) causes.push({ reason: "FieldValueRequired", message: "Required value", field: "handler" });
      else if (old && old.handler !== o.handler) causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(o.handler)}: field is immutable`, field: "handler" });
      break;
    default:
      break;
  }
  return causes;
}

function withoutMutablePodFields(spec: unknown): unknown {
  const s = { ...obj(spec) };
  delete s.activeDeadlineSeconds;
  delete s.tolerations;
  delete s.terminationGracePeriodSeconds;
  delete s.nodeName;
  for (const list of ["containers", "initContainers"]) {
    if (Array.isArray(s[list])) s[list] = (s[list] as Obj[]).map((c) => ({ ...c, image: undefined }));
  }
  return s;
}
