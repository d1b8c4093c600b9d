// The simulated kube-controller-manager: the garbage collector (ownerReferences, Background,
// Foreground and Orphan propagation), the namespace controller (default ServiceAccount and
// kube-root-ca.crt on creation, emptying a terminating namespace), the Deployment controller
// (ReplicaSet per pod-template hash, revisions, rollouts, status and the Available/Progressing/
// ReplicaFailure conditions) and the ReplicaSet controller (creating and deleting pods, with
// FailedCreate events when admission rejects a pod). Plus the work queue and timer helpers the
// other controllers use.

import { createHash } from "node:crypto";
import type { Api, WriteContext } from "./api";
import type { EventRecorder } from "./events";
import type { StoreEvent } from "./store";
import type { KObject, OwnerReference, ResourceType } from "./types";
import { ApiError, apiVersionOf, clone, isObject, rfc3339 } from "./types";

/** Timers that are all cleared on stop. */
export class Timers {
  private readonly handles = new Set<NodeJS.Timeout>();
  private stopped = false;

  /** setTimeout that is cancelled by {@link Timers.stop}. */
  after(ms: number, fn: () => void): NodeJS.Timeout | undefined {
    if (this.stopped) return undefined;
    const h = setTimeout(() => {
      this.handles.delete(h);
      if (!this.stopped) fn();
    }, ms);
    h.unref?.();
    this.handles.add(h);
    return h;
  }

  /** Cancels one timer. */
  cancel(h: NodeJS.Timeout | undefined): void {
    if (!h) return;
    clearTimeout(h);
    this.handles.delete(h);
  }

  /** Cancels everything; later `after` calls do nothing. */
  stop(): void {
    this.stopped = true;
    for (const h of this.handles) clearTimeout(h);
    this.handles.clear();
  }
}

/** Coalescing work queue: keys added before the next macrotask are reconciled once. */
export class WorkQueue {
  private readonly pending = new Set<string>();
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly reconcile: (key: string) => void,
  ) {}

  /** Queues a key. */
  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    if (this.stopped) return;
    const keys = [...this.pending];
    this.pending.clear();
    for (const k of keys) {
      try {
        this.reconcile(k);
      } catch (e) {
        if (!(e instanceof ApiError && (e.code === 404 || e.code === 409))) {
          console.error(`test cluster: ${this.name} controller failed for ${k}: ${(e as Error).stack ?? String(e)}`);
        }
      }
    }
  }

  /** Stops processing. */
  stop(): void {
    this.stopped = true;
    this.pending.clear();
  }
}

/** A store key "namespace/name". */
export function nsName(o: KObject): string {
  return `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;
}

/** Splits "namespace/name". */
export function splitKey(key: string): [string, string] {
  const i = key.indexOf("/");
  return [key.slice(0, i), key.slice(i + 1)];
}

/** An owner reference pointing at `o` as its controller. */
export function controllerRef(t: ResourceType, o: KObject): OwnerReference {
  return { apiVersion: apiVersionOf(t), kind: t.kind, name: o.metadata.name ?? "", uid: o.metadata.uid ?? "", controller: true, blockOwnerDeletion: true };
}

/** True when `o` is controlled by an object with this uid. */
export function ownedBy(o: KObject, uid: string | undefined): boolean {
  return !!uid && (o.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.controller);
}

/** The type with this group/version/plural (throws when not served). */
export function typeOf(api: Api, group: string, version: string, plural: string): ResourceType {
  const t = api.find(group, version, plural);
  if (!t) throw new Error(`${plural}.${group} not registered`);
  return t;
}

const SYSTEM: Omit<WriteContext, "manager"> = { warnings: [], system: true, fieldValidation: "Ignore" };

/** Garbage collector and namespace controller. */
export class GarbageCollector {
  private readonly uids = new Map<string, [ResourceType, string | undefined, string]>();
  private readonly queue: WorkQueue;
  private readonly nsQueue: WorkQueue;

  constructor(
    private readonly api: Api,
    private readonly caPem: string,
  ) {
    this.queue = new WorkQueue("garbage-collector", (uid) => this.collect(uid));
    this.nsQueue = new WorkQueue("namespace", (ns) => this.reconcileNamespace(ns));
    api.onRemoved = (_t, o) => this.queue.add(o.metadata.uid ?? "");
  }

  /** Feeds a store event. */
  observe(e: StoreEvent, t: ResourceType): void {
    const o = e.object;
    const uid = o.metadata.uid ?? "";
    if (e.type === "DELETED") {
      this.uids.delete(uid);
      this.queue.add(uid);
      for (const r of o.metadata.ownerReferences ?? []) this.queue.add(r.uid);
    } else {
      this.uids.set(uid, [t, o.metadata.namespace, o.metadata.name ?? ""]);
      if (o.metadata.deletionTimestamp && (o.metadata.finalizers ?? []).some((f) => f === "foregroundDeletion" || f === "orphan")) this.queue.add(uid);
      for (const r of o.metadata.ownerReferences ?? []) if (!this.uids.has(r.uid)) this.queue.add(`dangling:${uid}`);
    }
    if (t.kind === "Namespace" && t.group === "") this.nsQueue.add(o.metadata.name ?? "");
    else if (t.namespaced && o.metadata.namespace && e.type === "DELETED") this.nsQueue.add(o.metadata.namespace);
  }

  private ctx(): WriteContext {
    return { ...SYSTEM, warnings: [], manager: "kube-controller-manager" };
  }

  private collect(key: string): void {
    if (key.startsWith("dangling:")) {
      // An object whose owner does not exist (any more): delete it, as the GC does.
      const entry = this.uids.get(key.slice("dangling:".length));
      if (!entry) return;
      const [t, ns, name] = entry;
      const o = this.api.store.get(t, ns, name);
      if (!o || o.metadata.deletionTimestamp) return;
      const refs = o.metadata.ownerReferences ?? [];
      if (refs.length && refs.every((r) => !this.uids.has(r.uid))) this.api.delete(t, ns, name, this.ctx());
      return;
    }
    const owner = this.uids.get(key);
    const ownerObj = owner ? this.api.store.get(owner[0], owner[1], owner[2]) : undefined;
    const deps = this.api.store.dependents(key);
    if (!ownerObj) {
      for (const [dt, d] of deps) {
        const refs = d.metadata.ownerReferences ?? [];
        const alive = refs.filter((r) => r.uid !== key && this.uids.has(r.uid));
        if (alive.length) {
          this.api.write(dt, { ...d, metadata: { ...d.metadata, ownerReferences: refs.filter((r) => r.uid !== key) } }, "kube-controller-manager");
        } else if (!d.metadata.deletionTimestamp) {
          this.api.delete(dt, d.metadata.namespace, d.metadata.name ?? "", this.ctx());
        }
      }
      return;
    }
    const [t] = owner as [ResourceType, string | undefined, string];
    const fins = ownerObj.metadata.finalizers ?? [];
    if (!ownerObj.metadata.deletionTimestamp) return;
    if (fins.includes("orphan")) {
      for (const [dt, d] of deps) {
        this.api.write(dt, { ...d, metadata: { ...d.metadata, ownerReferences: (d.metadata.ownerReferences ?? []).filter((r) => r.uid !== key) } }, "kube-controller-manager");
      }
      this.removeFinalizer(t, ownerObj, "orphan");
      return;
    }
    if (fins.includes("foregroundDeletion")) {
      const blocking = deps.filter(([, d]) => (d.metadata.ownerReferences ?? []).some((r) => r.uid === key && r.blockOwnerDeletion));
      for (const [dt, d] of deps) {
        if (!d.metadata.deletionTimestamp) this.api.delete(dt, d.metadata.namespace, d.metadata.name ?? "", this.ctx(), { propagationPolicy: "Foreground" });
      }
      if (!blocking.length) this.removeFinalizer(t, ownerObj, "foregroundDeletion");
    }
  }

  private removeFinalizer(t: ResourceType, o: KObject, f: string): void {
    const cur = this.api.store.get(t, o.metadata.namespace, o.metadata.name ?? "");
    if (!cur) return;
    this.api.write(t, { ...cur, metadata: { ...cur.metadata, finalizers: (cur.metadata.finalizers ?? []).filter((x) => x !== f) } }, "kube-controller-manager");
  }

  private reconcileNamespace(name: string): void {
    const nt = typeOf(this.api, "", "v1", "namespaces");
    const ns = this.api.store.get(nt, undefined, name);
    if (!ns) return;
    if (!ns.metadata.deletionTimestamp) {
      const sa = typeOf(this.api, "", "v1", "serviceaccounts");
      if (!this.api.store.get(sa, name, "default")) {
        this.api.write(sa, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace: name } }, "kube-controller-manager");
      }
      const cm = typeOf(this.api, "", "v1", "configmaps");
      if (!this.api.store.get(cm, name, "kube-root-ca.crt")) {
        this.api.write(
          cm,
          { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "kube-root-ca.crt", namespace: name, annotations: { "kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters." } }, data: { "ca.crt": this.caPem } },
          "kube-root-ca-cert-publisher",
        );
      }
      return;
    }
    // Terminating: delete everything in it; remove the namespace when empty.
    let remaining = 0;
    for (const t of this.api.types()) {
      if (!t.namespaced || !t.verbs.includes("delete")) continue;
      for (const o of this.api.store.list(t, { namespace: name }).items) {
        remaining++;
        if (!o.metadata.deletionTimestamp) this.api.delete(t, name, o.metadata.name ?? "", this.ctx());
        else if ((o.metadata.finalizers ?? []).length === 0 && t.kind !== "Pod") this.api.finalizeRemoval(t, o);
      }
    }
    if (remaining === 0) this.api.finalizeRemoval(nt, ns);
  }

  /** Stops the queues. */
  stop(): void {
    this.queue.stop();
    this.nsQueue.stop();
  }
}

const HASH_CHARS = "bcdfghjklmnpqrstvwxz2456789";

/** The pod-template-hash of a pod template (10 characters of the API server's alphabet). */
export function templateHash(template: unknown): string {
  const h = createHash("sha256").update(JSON.stringify(template)).digest();
  let s = "";
  for (let i = 0; i < 10; i++) s += HASH_CHARS[h[i] % HASH_CHARS.length];
  return s;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

function setCondition(list: Condition[], c: Condition, now: string, withUpdateTime: boolean): Condition[] {
  const old = list.find((x) => x.type === c.type);
  const next: Condition = {
    type: c.type,
    status: c.status,
    ...(withUpdateTime ? { lastUpdateTime: old && old.status === c.status && old.reason === c.reason && old.message === c.message ? old.lastUpdateTime : now } : {}),
    lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : now,
    reason: c.reason,
    message: c.message,
  };
  return old ? list.map((x) => (x.type === c.type ? next : x)) : [...list, next];
}

function podReady(p: KObject): boolean {
  const conds = ((p.status as Record<string, unknown> | undefined)?.conditions ?? []) as Condition[];
  return conds.some((c) => c.type === "Ready" && c.status === "True");
}

function active(p: KObject): boolean {
  const phase = (p.status as Record<string, unknown> | undefined)?.phase;
  return !p.metadata.deletionTimestamp && phase !== "Succeeded" && phase !== "Failed";
}

/** Deployment and ReplicaSet controllers. */
export class WorkloadControllers {
  private readonly deployQueue: WorkQueue;
  private readonly rsQueue: WorkQueue;
  private readonly deadlines = new Map<string, NodeJS.Timeout | undefined>();

  constructor(
    private readonly api: Api,
    private readonly events: EventRecorder,
    private readonly timers: Timers,
  ) {
    this.deployQueue = new WorkQueue("deployment", (k) => this.reconcileDeployment(k));
    this.rsQueue = new WorkQueue("replicaset", (k) => this.reconcileReplicaSet(k));
  }

  private get deployments(): ResourceType {
    return typeOf(this.api, "apps", "v1", "deployments");
  }
  private get replicasets(): ResourceType {
    return typeOf(this.api, "apps", "v1", "replicasets");
  }
  private get pods(): ResourceType {
    return typeOf(this.api, "", "v1", "pods");
  }

  /** Feeds a store event. */
  observe(e: StoreEvent, t: ResourceType): void {
    const o = e.object;
    if (t.group === "apps" && t.plural === "deployments") this.deployQueue.add(nsName(o));
    if (t.group === "apps" && t.plural === "replicasets") {
      this.rsQueue.add(nsName(o));
      for (const r of o.metadata.ownerReferences ?? []) if (r.kind === "Deployment" && r.controller) this.deployQueue.add(`${o.metadata.namespace}/${r.name}`);
    }
    if (t.group === "" && t.plural === "pods") {
      for (const r of o.metadata.ownerReferences ?? []) if (r.kind === "ReplicaSet" && r.controller) this.rsQueue.add(`${o.metadata.namespace}/${r.name}`);
    }
  }

  private reconcileDeployment(key: string): void {
    const [ns, name] = splitKey(key);
    const d = this.api.store.get(this.deployments, ns, name);
    if (!d || d.metadata.deletionTimestamp) return;
    const spec = d.spec as Record<string, unknown>;
    const desired = typeof spec.replicas === "number" ? spec.replicas : 1;
    const template = clone(spec.template) as Record<string, unknown>;
    const hash = templateHash(template);
    const owned = this.api.store.list(this.replicasets, { namespace: ns }).items.filter((r) => ownedBy(r, d.metadata.uid));
    let newRs = owned.find((r) => r.metadata.labels?.["pod-template-hash"] === hash);
    const now = rfc3339();
    let created = false;
    const revisionOf = (r: KObject): number => Number(r.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? 0);
    const maxRevision = owned.reduce((m, r) => Math.max(m, revisionOf(r)), 0);
    if (!newRs) {
      const tplMeta = (isObject(template.metadata) ? template.metadata : {}) as Record<string, unknown>;
      const labels = { ...((tplMeta.labels as Record<string, string>) ?? {}), "pod-template-hash": hash };
      const sel = (spec.selector ?? {}) as Record<string, unknown>;
      newRs = this.api.write(
        this.replicasets,
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          metadata: {
            name: `${name}-${hash}`,
            namespace: ns,
            labels,
            annotations: {
              "deployment.kubernetes.io/desired-replicas": String(desired),
              "deployment.kubernetes.io/max-replicas": String(desired + Math.ceil(desired * 0.25)),
              "deployment.kubernetes.io/revision": String(maxRevision + 1),
            },
            ownerReferences: [controllerRef(this.deployments, d)],
          },
          spec: {
            replicas: desired,
            selector: { ...sel, matchLabels: { ...((sel.matchLabels as Record<string, string>) ?? {}), "pod-template-hash": hash } },
            template: { ...template, metadata: { ...tplMeta, labels } },
          },
        },
        "kube-controller-manager",
      );
      created = true;
      this.events.record(d, "Normal", "ScalingReplicaSet", `Scaled up replica set ${newRs.metadata.name} from 0 to ${desired}`, "deployment-controller");
    } else if ((newRs.spec as Record<string, unknown>).replicas !== desired) {
      const from = (newRs.spec as Record<string, unknown>).replicas as number;
      newRs = this.api.write(
        this.replicasets,
        {
          ...newRs,
          metadata: { ...newRs.metadata, annotations: { ...newRs.metadata.annotations, "deployment.kubernetes.io/desired-replicas": String(desired) } },
          spec: { ...(newRs.spec as object), replicas: desired },
        },
        "kube-controller-manager",
      );
      this.events.record(d, "Normal", "ScalingReplicaSet", `Scaled ${desired > from ? "up" : "down"} replica set ${newRs.metadata.name} from ${from} to ${desired}`, "deployment-controller");
    }
    const st = (r: KObject): Record<string, number> => (r.status ?? {}) as Record<string, number>;
    const newAvailable = st(newRs).availableReplicas ?? 0;
    // Old replica sets scale down once the new one is fully available.
    for (const r of owned) {
      if (r.metadata.uid === newRs.metadata.uid) continue;
      const rr = (r.spec as Record<string, unknown>).replicas as number;
      if (rr > 0 && newAvailable >= desired) {
        this.api.write(this.replicasets, { ...r, spec: { ...(r.spec as object), replicas: 0 } }, "kube-controller-manager");
        this.events.record(d, "Normal", "ScalingReplicaSet", `Scaled down replica set ${r.metadata.name} from ${rr} to 0`, "deployment-controller");
      }
    }
    const all = this.api.store.list(this.replicasets, { namespace: ns }).items.filter((r) => ownedBy(r, d.metadata.uid));
    const sum = (f: string): number => all.reduce((n, r) => n + (st(r)[f] ?? 0), 0);
    const replicas = sum("replicas");
    const available = sum("availableReplicas");
    const ready = sum("readyReplicas");
    const updated = st(newRs).replicas ?? 0;
    const strategy = (spec.strategy ?? {}) as Record<string, unknown>;
    const mu = ((strategy.rollingUpdate ?? {}) as Record<string, unknown>).maxUnavailable ?? "25%";
    const maxUnavailable = typeof mu === "string" && mu.endsWith("%") ? Math.floor((desired * Number(mu.slice(0, -1))) / 100) : Number(mu);
    const oldStatus = (d.status ?? {}) as Record<string, unknown>;
    let conds = clone((oldStatus.conditions ?? []) as Condition[]);
    const minAvailable = available >= desired - maxUnavailable;
    conds = setCondition(
      conds,
      minAvailable
        ? { type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability." }
        : { type: "Available", status: "False", reason: "MinimumReplicasUnavailable", message: "Deployment does not have minimum availability." },
      now,
      true,
    );
    const rsName = newRs.metadata.name;
    const complete = updated === desired && available >= desired && replicas === desired && (st(newRs).availableReplicas ?? 0) >= desired;
    const prog = conds.find((c) => c.type === "Progressing");
    const deadlineSec = typeof spec.progressDeadlineSeconds === "number" ? spec.progressDeadlineSeconds : 600;
    if (complete) {
      conds = setCondition(conds, { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable", message: `ReplicaSet "${rsName}" has successfully progressed.` }, now, true);
    } else if (created) {
      conds = setCondition(conds, { type: "Progressing", status: "True", reason: "NewReplicaSetCreated", message: `Created new replica set "${rsName}"` }, now, true);
    } else if (prog?.reason === "ProgressDeadlineExceeded") {
      // stays failed until progress is made
    } else {
      const progressed = JSON.stringify([updated, available, ready]) !== JSON.stringify([oldStatus.updatedReplicas ?? 0, oldStatus.availableReplicas ?? 0, oldStatus.readyReplicas ?? 0]);
      const since = prog?.lastUpdateTime ? Date.parse(prog.lastUpdateTime) : Date.now();
      if (!progressed && prog && Date.now() - since >= deadlineSec * 1000) {
        conds = setCondition(conds, { type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: `ReplicaSet "${rsName}" has timed out progressing.` }, now, true);
      } else if (progressed || !prog || prog.reason !== "ReplicaSetUpdated") {
        conds = setCondition(conds, { type: "Progressing", status: "True", reason: "ReplicaSetUpdated", message: `ReplicaSet "${rsName}" is progressing.` }, now, true);
      }
      this.scheduleDeadline(key, deadlineSec * 1000);
    }
    const rsFailure = ((newRs.status as Record<string, unknown> | undefined)?.conditions as Condition[] | undefined)?.find((c) => c.type === "ReplicaFailure");
    if (rsFailure) conds = setCondition(conds, { type: "ReplicaFailure", status: "True", reason: rsFailure.reason, message: rsFailure.message }, now, true);
    else conds = conds.filter((c) => c.type !== "ReplicaFailure");
    const status: Record<string, unknown> = {
      observedGeneration: d.metadata.generation,
      replicas,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: available,
      ...(desired - available > 0 ? { unavailableReplicas: desired - available } : {}),
      conditions: conds,
    };
    for (const k of ["replicas", "updatedReplicas", "readyReplicas", "availableReplicas"]) if (status[k] === 0) delete status[k];
    if (JSON.stringify(status) !== JSON.stringify(d.status)) this.api.write(this.deployments, { ...d, status }, "kube-controller-manager", "status");
  }

  private scheduleDeadline(key: string, ms: number): void {
    if (this.deadlines.has(key)) return;
    const h = this.timers.after(ms + 50, () => {
      this.deadlines.delete(key);
      this.deployQueue.add(key);
    });
    this.deadlines.set(key, h);
  }

  private reconcileReplicaSet(key: string): void {
    const [ns, name] = splitKey(key);
    const rs = this.api.store.get(this.replicasets, ns, name);
    if (!rs || rs.metadata.deletionTimestamp) return;
    const spec = rs.spec as Record<string, unknown>;
    const desired = typeof spec.replicas === "number" ? spec.replicas : 1;
    const owned = this.api.store.list(this.pods, { namespace: ns }).items.filter((p) => ownedBy(p, rs.metadata.uid));
    const live = owned.filter(active);
    const now = rfc3339();
    let failure: Condition | undefined;
    if (live.length < desired) {
      const template = (spec.template ?? {}) as Record<string, unknown>;
      const tplMeta = (template.metadata ?? {}) as Record<string, unknown>;
      for (let i = live.length; i < desired; i++) {
        try {
          const pod = this.api.create(
            this.pods,
            ns,
            {
              apiVersion: "v1",
              kind: "Pod",
              metadata: {
                generateName: `${name}-`,
                namespace: ns,
                labels: tplMeta.labels,
                ...(tplMeta.annotations ? { annotations: tplMeta.annotations } : {}),
                ownerReferences: [controllerRef(this.replicasets, rs)],
              },
              spec: clone(template.spec),
            },
            { manager: "kube-controller-manager", warnings: [], fieldValidation: "Ignore" },
          );
          this.events.record(rs, "Normal", "SuccessfulCreate", `Created pod: ${pod.metadata.name}`, "replicaset-controller");
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
          const message = `Error creating: ${e.message}`;
          this.events.record(rs, "Warning", "FailedCreate", message, "replicaset-controller");
          failure = { type: "ReplicaFailure", status: "True", reason: "FailedCreate", message: e.message };
          // Retry later, as the controller's rate-limited queue does.
          this.timers.after(5000, () => this.rsQueue.add(key));
          break;
        }
      }
    } else if (live.length > desired) {
      const rank = (p: KObject): number => {
        const s = (p.status ?? {}) as Record<string, unknown>;
        if (!(p.spec as Record<string, unknown>).nodeName) return 0;
        if (s.phase === "Pending") return 1;
        if (!podReady(p)) return 2;
        return 3;
      };
      const victims = [...live]
        .sort((a, b) => rank(a) - rank(b) || String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)))
        .slice(0, live.length - desired);
      for (const p of victims) {
        this.api.delete(this.pods, ns, p.metadata.name ?? "", { manager: "kube-controller-manager", warnings: [], system: true });
        this.events.record(rs, "Normal", "SuccessfulDelete", `Deleted pod: ${p.metadata.name}`, "replicaset-controller");
      }
    }
    const pods = this.api.store.list(this.pods, { namespace: ns }).items.filter((p) => ownedBy(p, rs.metadata.uid) && active(p));
    const readyCount = pods.filter(podReady).length;
    const oldStatus = (rs.status ?? {}) as Record<string, unknown>;
    let conds = clone((oldStatus.conditions ?? []) as Condition[]);
    if (failure) conds = setCondition(conds, failure, now, false);
    else if (live.length >= desired || pods.length > live.length) conds = conds.filter((c) => c.type !== "ReplicaFailure");
    const status: Record<string, unknown> = {
      replicas: pods.length,
      fullyLabeledReplicas: pods.length,
      readyReplicas: readyCount,
      availableReplicas: readyCount,
      observedGeneration: rs.metadata.generation,
      ...(conds.length ? { conditions: conds } : {}),
    };
    for (const k of ["fullyLabeledReplicas", "readyReplicas", "availableReplicas"]) if (status[k] === 0) delete status[k];
    if (JSON.stringify(status) !== JSON.stringify(rs.status)) this.api.write(this.replicasets, { ...rs, status }, "kube-controller-manager", "status");
  }

  /** Stops the queues. */
  stop(): void {
    this.deployQueue.stop();
    this.rsQueue.stop();
  }
}
