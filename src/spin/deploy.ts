/**
 * Deploying a SpinApp manifest and waiting until it serves, against a small cluster interface
 * ({@link DeployCluster}; ./kubeDeploy.ts adapts the explorer's KubeClient to it, tests may use
 * the same adapter against the test API server):
 *
 * 1. the namespace must exist (one message saying how to create it or pick another);
 * 2. every object is applied server-side as a dry run first, so a webhook or schema rejection of
 *    any document leaves the cluster untouched, then applied for real;
 * 3. the SpinApp, its Deployment, ReplicaSets, pods and events are WATCHED (informers, no polling)
 *    until the SpinApp is Available with the new image rolled out and every replica ready, with
 *    progress ("1/2 replicas ready") reported on each change;
 * 4. a failure the cluster will not recover from on its own (sandbox creation failing, RuntimeClass
 *    missing, image pull failing, crash loop, missing executor, progress deadline) ends the wait at
 *    once; so does the timeout. Either way the result carries the SpinApp conditions, the events of
 *    the app's objects and the last log lines of its pods, and `runtimeProblem` when the sandbox
 *    failed (the runtime diagnosis explains those).
 *
 * Cancelling before step 2 applies nothing; cancelling while waiting stops the watches (what was
 * applied stays applied, and the message says so). vscode-free.
 */
import { APP_NAME_LABEL, KIND_SPINAPP } from "../shared/spinApp";
import { fail, ok } from "./result";
import type { Result, SpinFailure } from "./result";

/** A Kubernetes object (what every object has is typed). */
export interface KObj {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string>; ownerReferences?: { kind?: string; name?: string; uid?: string }[]; generation?: number; creationTimestamp?: string; [k: string]: unknown };
  [k: string]: unknown;
}

/** How a cluster call failed. */
export interface ClusterError {
  kind: "unreachable" | "unauthorized" | "forbidden" | "notFound" | "invalid" | "conflict" | "other";
  message: string;
  status?: number;
}

/** The kinds the deploy watches. */
export type WatchKind = "SpinApp" | "Deployment" | "ReplicaSet" | "Pod" | "Event";

/** A running watch. */
export interface WatchHandle {
  stop(): void;
}

/** What the deploy needs from a cluster connection. */
export interface DeployCluster {
  /** The kubeconfig context (for messages). */
  readonly context: string;
  readonly defaultNamespace: string;
  /** The API server URL (for messages). */
  readonly server: string;
  /** Whether the namespace exists; rejects with a {@link ClusterError} when the cluster cannot say. */
  namespaceExists(namespace: string): Promise<boolean>;
  /** Server-side apply (field manager of the extension); rejects with a {@link ClusterError}. */
  apply(obj: KObj, opts: { dryRun: boolean }): Promise<KObj>;
  /** Lists then watches objects of a kind in the namespace; `changed` gets the full current set after every change. */
  watch(kind: WatchKind, namespace: string, handlers: { changed(objs: KObj[]): void; error(err: ClusterError): void }, labelSelector?: string): Promise<WatchHandle>;
  /** The last `lines` log lines of a container. */
  podLogTail(namespace: string, pod: string, container: string | undefined, lines: number): Promise<string>;
}

/** Options of {@link deploy}. */
export interface DeployOptions {
  /** Target namespace (default: the objects' own, else the context's). */
  namespace?: string;
  /** How long to wait for Available (default 180 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Progress messages ("applied", "1/2 replicas ready"). */
  onProgress?(message: string): void;
  /** Log lines per pod in a failure report (default 15). */
  logLines?: number;
}

/** A successful deploy. */
export interface DeployOutcome {
  name: string;
  namespace: string;
  image: string;
  readyReplicas: number;
  /** Ready pods serving the new image. */
  pods: string[];
  /** The Service the operator made (named after the app). */
  service: string;
  /** What was applied, `Kind/name` each. */
  applied: string[];
}

type Obj = Record<string, unknown>;
const obj = (x: unknown): Obj => (typeof x === "object" && x != null && !Array.isArray(x) ? (x as Obj) : {});
const arr = (x: unknown): Obj[] => (Array.isArray(x) ? x.map(obj) : []);

/** Turns an apply rejection into one message naming the field to fix. */
export function describeRejection(err: ClusterError, what: string, file?: string): SpinFailure {
  const where = file ? ` in ${file}` : "";
  const webhook = /admission webhook "([^"]+)" denied the request: (.*)$/s.exec(err.message);
  if (webhook) {
    const field = /(spec\.[\w.[\]]+): (.*)$/s.exec(webhook[2]);
    return { kind: "rejected", message: `The cluster's ${webhook[1]} webhook rejected ${what}: ${field ? `${field[1]}: ${field[2]}` : webhook[2]}. Fix ${field ? field[1] : "the SpinApp"}${where}.`, detail: err.message };
  }
  if (err.kind === "invalid" || err.status === 422 || err.status === 400) {
    const field = /(spec\.[\w.[\]]+|metadata\.[\w.[\]]+)/.exec(err.message);
    return { kind: "rejected", message: `The cluster rejected ${what}: ${err.message}${field ? `. Fix ${field[1]}${where}` : ""}.`, detail: err.message };
  }
  if (err.kind === "notFound") return { kind: "rejected", message: `The cluster does not serve ${what.split(" ")[0]} (${err.message}): install the SpinKube CRDs and operator.`, detail: err.message };
  if (err.kind === "forbidden") return { kind: "rejected", message: `You may not apply ${what} (${err.message}): ask for RBAC permission or use another context.`, detail: err.message };
  if (err.kind === "unauthorized") return { kind: "noCluster", message: `The cluster refused your credentials (${err.message}): log in again or fix the kubeconfig user.`, detail: err.message };
  if (err.kind === "unreachable") return { kind: "noCluster", message: `Cannot reach the cluster (${err.message}): start it or choose another context.`, detail: err.message };
  if (err.kind === "conflict") return { kind: "applyFailed", message: `Another field manager owns fields of ${what} (${err.message}): edit it with that tool or re-apply with force.`, detail: err.message };
  return { kind: "applyFailed", message: `Applying ${what} failed: ${err.message}`, detail: err.message };
}

function toClusterError(err: unknown): ClusterError {
  const e = err as Partial<ClusterError> & { message?: string };
  return { kind: (e?.kind as ClusterError["kind"]) ?? "other", message: e?.message ?? String(err), ...(typeof e?.status === "number" ? { status: e.status } : {}) };
}

function condition(o: KObj | undefined, type: string): Obj | undefined {
  return arr(obj(o?.status).conditions).find((c) => c.type === type);
}

function eventTime(e: KObj): number {
  for (const k of ["lastTimestamp", "eventTime", "firstTimestamp"]) {
    const t = typeof e[k] === "string" ? Date.parse(e[k] as string) : NaN;
    if (!Number.isNaN(t)) return t;
  }
  return Date.parse(e.metadata.creationTimestamp ?? "") || 0;
}

/** The SpinApp's state as the watches see it. */
interface Snapshot {
  app?: KObj;
  deployment?: KObj;
  replicaSets: KObj[];
  pods: KObj[];
  events: KObj[];
}

/** True when a container runs the app image (shim executors) or passes it to `spin up -f` (spintainer executors). */
function runsImage(c: Obj, image: string): boolean {
  return c.image === image || (Array.isArray(c.args) && c.args.includes(image));
}

/** Pods of the new rollout: their app container runs `image`. */
function podsWithImage(pods: KObj[], name: string, image: string): KObj[] {
  return pods.filter((p) => !p.metadata.deletionTimestamp && arr(obj(p.spec).containers).some((c) => c.name === name && runsImage(c, image)));
}

function podReady(p: KObj): boolean {
  return arr(obj(p.status).conditions).some((c) => c.type === "Ready" && c.status === "True");
}

/** Judges a snapshot: done, failed (unrecoverable), or still progressing with a message. */
export function judge(s: Snapshot, name: string, image: string): { state: "done"; ready: number; pods: string[] } | { state: "failed"; failure: SpinFailure } | { state: "progress"; message: string } {
  const app = s.app;
  const spec = obj(app?.spec);
  const desired = typeof spec.replicas === "number" ? spec.replicas : typeof obj(s.deployment?.spec).replicas === "number" ? (obj(s.deployment?.spec).replicas as number) : 1;
  const current = podsWithImage(s.pods, name, image);
  const currentUids = new Set(current.map((p) => p.metadata.uid));
  const rsNew = s.replicaSets.filter((rs) => arr(obj(obj(obj(rs.spec).template).spec).containers).some((c) => c.name === name && runsImage(c, image)));
  const rsNames = new Set(rsNew.map((r) => r.metadata.name));
  const relevant = s.events.filter((e) => {
    const io = obj(e.involvedObject);
    if (io.kind === "Pod") return currentUids.has(io.uid as string);
    if (io.kind === "ReplicaSet") return rsNames.has(io.name as string);
    if (io.kind === KIND_SPINAPP) return io.name === name && (!app?.metadata.uid || !io.uid || io.uid === app.metadata.uid);
    return false;
  });
  const warn = (reason: string): KObj | undefined => relevant.filter((e) => e.type === "Warning" && e.reason === reason).sort((a, b) => eventTime(b) - eventTime(a))[0];

  const sandbox = warn("FailedCreatePodSandBox");
  if (sandbox) return { state: "failed", failure: { kind: "rolloutFailed", message: `The pods of ${name} cannot start: ${String(sandbox.message)}. The node has no Spin runtime for this RuntimeClass: run the runtime diagnosis.`, runtimeProblem: true } };
  const created = warn("FailedCreate");
  if (created && /RuntimeClass/i.test(String(created.message))) {
    return { state: "failed", failure: { kind: "rolloutFailed", message: `The pods of ${name} are rejected: ${String(created.message)}. Install the RuntimeClass the executor names, or fix the executor: run the runtime diagnosis.`, runtimeProblem: true } };
  }
  const missingExecutor = warn("MissingExecutor");
  if (missingExecutor) return { state: "failed", failure: { kind: "rolloutFailed", message: `${String(missingExecutor.message)}: create that SpinAppExecutor in the namespace or fix spec.executor.` } };
  for (const p of current) {
    for (const cs of arr(obj(p.status).containerStatuses)) {
      const waiting = obj(obj(cs.state).waiting);
      const reason = String(waiting.reason ?? "");
      if (reason === "ErrImagePull" || reason === "ImagePullBackOff") {
        return { state: "failed", failure: { kind: "rolloutFailed", message: `The cluster cannot pull ${image} (${reason}): check that the registry is reachable from the cluster and add spec.imagePullSecrets for a private registry.` } };
      }
      if (reason === "CrashLoopBackOff") return { state: "failed", failure: { kind: "rolloutFailed", message: `${name} keeps crashing (CrashLoopBackOff in pod ${p.metadata.name}): see its last log lines below.` } };
    }
  }
  const progressing = condition(s.deployment, "Progressing");
  if (progressing?.status === "False" && progressing.reason === "ProgressDeadlineExceeded") {
    return { state: "failed", failure: { kind: "rolloutFailed", message: `The rollout of ${name} exceeded its progress deadline: ${String(progressing.message ?? "")}` } };
  }

  const readyPods = current.filter(podReady);
  const available = condition(app, "Available");
  const dep = s.deployment;
  const depSpec = obj(dep?.spec);
  const depStatus = obj(dep?.status);
  const depImageOk = arr(obj(obj(depSpec.template).spec).containers).some((c) => runsImage(c, image));
  const rolledOut =
    !!dep &&
    depImageOk &&
    (typeof depStatus.observedGeneration !== "number" || typeof dep.metadata.generation !== "number" || depStatus.observedGeneration >= dep.metadata.generation) &&
    (Number(depStatus.updatedReplicas ?? 0) >= desired) &&
    Number(depStatus.replicas ?? 0) <= Number(depStatus.updatedReplicas ?? 0);
  if (available?.status === "True" && rolledOut && readyPods.length >= desired) {
    return { state: "done", ready: readyPods.length, pods: readyPods.map((p) => p.metadata.name) };
  }
  if (!app) return { state: "progress", message: "waiting for the SpinApp" };
  if (!dep) return { state: "progress", message: "waiting for the operator to create the Deployment" };
  return { state: "progress", message: `${readyPods.length}/${desired} replica${desired === 1 ? "" : "s"} ready` };
}

/** A readable report of the app's state: conditions, events, last log lines. */
async function diagnose(cluster: DeployCluster, s: Snapshot, namespace: string, name: string, image: string, logLines: number): Promise<string> {
  const out: string[] = [];
  const conds = arr(obj(s.app?.status).conditions);
  out.push(`SpinApp ${namespace}/${name} conditions:`);
  if (!conds.length) out.push("  (none yet)");
  for (const c of conds) out.push(`  ${String(c.type)}=${String(c.status)}${c.reason ? ` ${String(c.reason)}` : ""}${c.message ? `: ${String(c.message)}` : ""}`);
  out.push(`  readyReplicas: ${String(obj(s.app?.status).readyReplicas ?? 0)}`);
  const pods = podsWithImage(s.pods, name, image);
  const uids = new Set(pods.map((p) => p.metadata.uid));
  const ev = s.events
    .filter((e) => {
      const io = obj(e.involvedObject);
      return (io.kind === "Pod" && uids.has(io.uid as string)) || (io.kind !== "Pod" && typeof io.name === "string" && (io.name === name || io.name.startsWith(`${name}-`)));
    })
    .sort((a, b) => eventTime(a) - eventTime(b))
    .slice(-20);
  out.push("Events:");
  if (!ev.length) out.push("  (none)");
  for (const e of ev) {
    const io = obj(e.involvedObject);
    out.push(`  ${String(e.type)} ${String(e.reason)} ${String(io.kind)}/${String(io.name)}: ${String(e.message)}${Number(e.count) > 1 ? ` (x${String(e.count)})` : ""}`);
  }
  for (const p of pods) {
    const started = arr(obj(p.status).containerStatuses).some((cs) => obj(cs.state).running || obj(cs.lastState).terminated);
    if (!started) {
      out.push(`Pod ${p.metadata.name}: ${String(obj(p.status).phase ?? "Pending")}, no container started yet`);
      continue;
    }
    try {
      const text = await cluster.podLogTail(namespace, p.metadata.name, name, logLines);
      out.push(`Last log lines of ${p.metadata.name}:`, ...text.replace(/\n$/, "").split("\n").map((l) => `  ${l}`));
    } catch (err) {
      out.push(`Pod ${p.metadata.name}: could not read its log (${toClusterError(err).message})`);
    }
  }
  return out.join("\n");
}

/** The SpinApp an apply is about: name and image, or why the objects cannot be deployed. */
export function spinAppOf(objects: KObj[]): Result<{ name: string; image: string; namespace?: string }> {
  const app = objects.find((o) => o.kind === KIND_SPINAPP);
  if (!app) return fail("manifestFile", "The manifest has no SpinApp to deploy.");
  const image = String(obj(app.spec).image ?? "");
  if (!image) return fail("manifestFile", `SpinApp ${app.metadata.name} has no spec.image: push the app and scaffold again.`);
  return ok({ name: app.metadata.name, image, ...(app.metadata.namespace ? { namespace: app.metadata.namespace } : {}) });
}

/** Step 1: the cluster answers and the namespace exists. */
export async function checkTarget(cluster: DeployCluster, namespace: string): Promise<Result<void>> {
  try {
    if (!(await cluster.namespaceExists(namespace))) {
      return fail("namespaceMissing", `Namespace ${namespace} does not exist in context ${cluster.context}: create it (kubectl create namespace ${namespace}) or choose another namespace.`);
    }
    return ok(undefined);
  } catch (err) {
    const ce = toClusterError(err);
    if (ce.kind === "unreachable") return fail("noCluster", `Cannot reach the cluster of context ${cluster.context} at ${cluster.server} (${ce.message}): start the cluster or choose another context.`, { detail: ce.message });
    return { ok: false, error: describeRejection(ce, `namespace ${namespace}`) };
  }
}

/** Step 2: a dry run of every object, then the real server-side apply (nothing is applied when any dry run fails). */
export async function applyObjects(cluster: DeployCluster, objects: KObj[], namespace: string, signal?: AbortSignal): Promise<Result<string[]>> {
  const docs = objects.map((o) => ({ ...o, metadata: { ...o.metadata, namespace } }));
  for (const o of docs) {
    if (signal?.aborted) return fail("cancelled", "Deploy was cancelled before anything was applied.");
    try {
      await cluster.apply(o, { dryRun: true });
    } catch (err) {
      const f = describeRejection(toClusterError(err), `${o.kind} ${o.metadata.name}`);
      return { ok: false, error: { ...f, message: `${f.message} Nothing was applied.` } };
    }
  }
  if (signal?.aborted) return fail("cancelled", "Deploy was cancelled before anything was applied.");
  const applied: string[] = [];
  for (const o of docs) {
    try {
      await cluster.apply(o, { dryRun: false });
      applied.push(`${o.kind}/${o.metadata.name}`);
    } catch (err) {
      const f = describeRejection(toClusterError(err), `${o.kind} ${o.metadata.name}`);
      return { ok: false, error: { ...f, message: `${f.message}${applied.length ? ` Already applied: ${applied.join(", ")}.` : " Nothing was applied."}` } };
    }
  }
  return ok(applied);
}

/** Applies `objects` and waits for the SpinApp among them to serve (see the module comment). */
export async function deploy(cluster: DeployCluster, objects: KObj[], opts: DeployOptions = {}): Promise<Result<DeployOutcome>> {
  const app = spinAppOf(objects);
  if (!app.ok) return app;
  const namespace = opts.namespace ?? app.value.namespace ?? cluster.defaultNamespace;
  if (opts.signal?.aborted) return fail("cancelled", "Deploy was cancelled before anything was applied.");
  const target = await checkTarget(cluster, namespace);
  if (!target.ok) return target;
  const applied = await applyObjects(cluster, objects, namespace, opts.signal);
  if (!applied.ok) return applied;
  opts.onProgress?.(`applied ${applied.value.join(", ")} to ${namespace}`);
  return waitUntilServing(cluster, { ...app.value, namespace, applied: applied.value }, opts);
}

/** Step 3: watches the SpinApp until it serves `image` with every replica ready (or fails, times out, is cancelled). */
export async function waitUntilServing(cluster: DeployCluster, target: { name: string; image: string; namespace: string; applied: string[] }, opts: Omit<DeployOptions, "namespace"> = {}): Promise<Result<DeployOutcome>> {
  const { name, image, namespace, applied } = target;
  const progress = (m: string): void => opts.onProgress?.(m);

  // 3. Watch until served, failed, timed out or cancelled.
  const snap: Snapshot = { replicaSets: [], pods: [], events: [] };
  const handles: WatchHandle[] = [];
  const timeoutMs = opts.timeoutMs ?? 180_000;
  let lastProgress = "";
  const selector = `${APP_NAME_LABEL}=${name}`;
  type Ending = { kind: "done"; ready: number; pods: string[] } | { kind: "failed"; failure: SpinFailure } | { kind: "timeout" } | { kind: "cancelled" } | { kind: "watchError"; err: ClusterError };
  let finish: (e: Ending) => void = () => undefined;
  const ended = new Promise<Ending>((resolve) => (finish = resolve));
  const evaluate = (): void => {
    const j = judge(snap, name, image);
    if (j.state === "done") finish({ kind: "done", ready: j.ready, pods: j.pods });
    else if (j.state === "failed") finish({ kind: "failed", failure: j.failure });
    else if (j.message !== lastProgress) {
      lastProgress = j.message;
      progress(j.message);
    }
  };
  const onError = (err: ClusterError): void => finish({ kind: "watchError", err });
  const timer = setTimeout(() => finish({ kind: "timeout" }), timeoutMs);
  const onAbort = (): void => finish({ kind: "cancelled" });
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  if (opts.signal?.aborted) onAbort();
  try {
    const watches: Array<[WatchKind, (o: KObj[]) => void, string | undefined]> = [
      ["SpinApp", (os) => (snap.app = os.find((o) => o.metadata.name === name)), undefined],
      ["Deployment", (os) => (snap.deployment = os.find((o) => o.metadata.name === name)), undefined],
      ["ReplicaSet", (os) => (snap.replicaSets = os), selector],
      ["Pod", (os) => (snap.pods = os), selector],
      ["Event", (os) => (snap.events = os), undefined],
    ];
    for (const [kind, set, sel] of watches) {
      handles.push(
        await cluster.watch(
          kind,
          namespace,
          {
            changed: (os) => {
              set(os);
              evaluate();
            },
            error: onError,
          },
          sel,
        ),
      );
    }
    evaluate();
  } catch (err) {
    onError(toClusterError(err));
  }
  const end = await ended;
  clearTimeout(timer);
  opts.signal?.removeEventListener("abort", onAbort);
  for (const h of handles) h.stop();

  const appliedNote = `Applied: ${applied.join(", ")}.`;
  switch (end.kind) {
    case "done":
      return ok({ name, namespace, image, readyReplicas: end.ready, pods: end.pods, service: String(obj(snap.app?.status).serviceName ?? name), applied });
    case "cancelled":
      return fail("cancelled", `Stopped waiting for ${name} (cancelled). ${appliedNote}`);
    case "watchError":
      return fail(end.err.kind === "unreachable" ? "noCluster" : "failed", `Lost the watch on ${name} (${end.err.message}). ${appliedNote}`, { detail: await diagnose(cluster, snap, namespace, name, image, opts.logLines ?? 15).catch(() => "") });
    case "timeout": {
      const detail = await diagnose(cluster, snap, namespace, name, image, opts.logLines ?? 15);
      return fail("timeout", `${name} did not become Available within ${Math.round(timeoutMs / 1000)} s (${lastProgress || "no progress"}). ${appliedNote}`, { detail });
    }
    case "failed": {
      const detail = await diagnose(cluster, snap, namespace, name, image, opts.logLines ?? 15);
      return { ok: false, error: { ...end.failure, message: `${end.failure.message} ${appliedNote}`, detail } };
    }
  }
}
