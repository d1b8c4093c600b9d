/**
 * Sandbox failures explained: matches the pod events and statuses that Wasm runtime setup problems
 * produce (FACTS.md "Known pitfalls": `no runtime for "spin" is configured`,
 * `RuntimeHandler "spin" not supported`, pods Pending because no node matches the RuntimeClass
 * nodeSelector, `precompilation failed`, a Spin app started without a Spin runtime class, missing
 * RuntimeClass or executor) and turns each into a diagnosis with the likely causes, most likely
 * first, judged against the cluster's nodes, RuntimeClasses and runtime-class-manager Shims, and
 * the fixes. Pure functions over plain objects (explorer tree, readiness check, deploy report).
 */
import { DEFAULT_SPIN_RUNTIME_CLASS, imageRepository, isSpinHandler } from "../../shared/spinApp";
import type { KubeObject, NodeView, RuntimeClassView, ShimView } from "./objects";
import { formatSelector, handlerSupport, items, matchesSelector, nameOf, nodeView, record, runtimeClassView, shimView, stringMap, text, timeOf, usableSpinClasses } from "./objects";

/** What went wrong, one code per kind of failure. */
export type FailureCode =
  | "executor-missing"
  | "runtime-class-missing"
  | "pod-create-failed"
  | "unschedulable"
  | "handler-not-supported"
  | "no-runtime"
  | "wasm-on-default-runtime"
  | "image-pull"
  | "precompilation-failed";

/** One explained failure. */
export interface SandboxDiagnosis {
  code: FailureCode;
  /** One line in plain words. */
  title: string;
  /** The Kubernetes message it was recognised by, quoted verbatim. */
  evidence: string;
  /** Pods (or the ReplicaSet / SpinApp) it was seen on. */
  objects: string[];
  node?: string;
  /** Likely causes, most likely first. */
  causes: string[];
  /** What to do, in the order of the causes. */
  fixes: string[];
}

/** What the explainer reads. */
export interface SandboxContext {
  pods: readonly KubeObject[];
  events: readonly KubeObject[];
  nodes: readonly KubeObject[];
  runtimeClasses: readonly KubeObject[];
  shims?: readonly KubeObject[];
  /** The SpinApp's image, to recognise its container in pull/start failures. */
  appImage?: string;
}

const ORDER: FailureCode[] = [
  "executor-missing",
  "runtime-class-missing",
  "pod-create-failed",
  "unschedulable",
  "handler-not-supported",
  "no-runtime",
  "wasm-on-default-runtime",
  "precompilation-failed",
  "image-pull",
];

const NO_RUNTIME = /no runtime for "([^"]+)" is configured/;
const NOT_SUPPORTED = /RuntimeHandler "([^"]+)" not supported/;
const RC_NOT_FOUND = /RuntimeClass "([^"]+)" not found/;
const SELECTOR_MISMATCH = /didn't match Pod's node affinity\/selector/;
const PRECOMPILATION = /precompilation failed/;
const MISSING_EXECUTOR = /Could not find SpinAppExecutor (\S+)/;
const PULL_REASONS = new Set(["ErrImagePull", "ImagePullBackOff"]);
const START_REASONS = new Set(["CreateContainerError", "RunContainerError", "CrashLoopBackOff", "StartError"]);

/** The containerd config table for a runtime (SHIM `README.md`): containerd 2.x, then 1.x. */
export function containerdRuntimeTables(handler: string): { v2: string; v1: string } {
  return {
    v2: `[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.${handler}]`,
    v1: `[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.${handler}]`,
  };
}

/** What each Spin handler implies about how the nodes were set up (FACTS.md (b)). */
export function handlerOrigin(handler: string): string {
  if (handler === "spin-v2") return "runtime-class-manager's name (it names the runtime after the binary containerd-shim-spin-v2)";
  if (handler === "spin") return "the name the manual setup and the shim's installer images use";
  return "not a name the Spin shim is registered under";
}

/** The fix for a handler mismatch: RuntimeClass.handler is immutable, so the class is recreated. */
export function recreateWithHandler(rc: string, handler: string, others: readonly RuntimeClassView[]): string {
  const existing = others.filter((r) => r.handler === handler && r.name !== rc).map((r) => r.name);
  return (
    `Recreate RuntimeClass ${rc} with handler: ${handler} (handler is immutable: kubectl delete runtimeclass ${rc}, then apply it again with handler: ${handler})` +
    (existing.length ? `, or point the executor's deploymentConfig.runtimeClassName at ${existing.join(" or ")}, which already has handler ${handler}.` : ".")
  );
}

interface Ctx {
  nodes: Map<string, NodeView>;
  classes: Map<string, RuntimeClassView>;
  shims: ShimView[];
  appRepo?: string;
}

function eventMessage(e: KubeObject): string {
  return text(e.message) ?? "";
}

function involved(e: KubeObject): { kind: string; name: string } {
  const io = record(e.involvedObject);
  return { kind: text(io.kind) ?? "", name: text(io.name) ?? "" };
}

function hostOf(e: KubeObject): string | undefined {
  return text(record(e.source).host) ?? text(e.reportingInstance);
}

function podSpec(p: KubeObject): Record<string, unknown> {
  return record(p.spec);
}

/** Explains the failures visible in pods, their statuses and events; newest evidence wins per kind and node. */
export function explainFailures(input: SandboxContext): SandboxDiagnosis[] {
  const ctx: Ctx = {
    nodes: new Map(input.nodes.map((n) => [nameOf(n), nodeView(n)])),
    classes: new Map(input.runtimeClasses.map((r) => [nameOf(r), runtimeClassView(r)])),
    shims: (input.shims ?? []).map(shimView),
    appRepo: input.appImage ? imageRepository(input.appImage) : undefined,
  };
  const pods = new Map(input.pods.map((p) => [nameOf(p), p]));
  const found = new Map<string, SandboxDiagnosis>();
  const add = (key: string, d: SandboxDiagnosis): void => {
    const prev = found.get(key);
    if (prev) {
      for (const o of d.objects) if (!prev.objects.includes(o)) prev.objects.push(o);
    } else found.set(key, d);
  };

  const events = [...input.events].filter((e) => e.type === "Warning").sort((a, b) => timeOf(b.lastTimestamp ?? b.eventTime) - timeOf(a.lastTimestamp ?? a.eventTime));
  for (const e of events) {
    const msg = eventMessage(e);
    const { kind, name } = involved(e);
    const pod = kind === "Pod" ? pods.get(name) : undefined;
    const rcName = pod ? text(podSpec(pod).runtimeClassName) : undefined;
    const node = hostOf(e) ?? (pod ? text(podSpec(pod).nodeName) : undefined);
    let m: RegExpExecArray | null;
    if (e.reason === "MissingExecutor" && (m = MISSING_EXECUTOR.exec(msg))) add(`executor`, executorMissing(m[1], msg, name));
    else if (e.reason === "FailedCreate" && (m = RC_NOT_FOUND.exec(msg))) add(`rc:${m[1]}`, runtimeClassMissing(m[1], msg, name, ctx));
    else if (e.reason === "FailedCreate") add(`create`, podCreateFailed(msg, name));
    else if ((m = NO_RUNTIME.exec(msg))) add(`no-runtime:${m[1]}:${node ?? ""}`, noRuntime(m[1], rcName, node, msg, name, ctx));
    else if ((m = NOT_SUPPORTED.exec(msg))) add(`not-supported:${node ?? ""}`, notSupported(m[1], rcName, node, msg, name, ctx));
    else if (e.reason === "FailedScheduling" && SELECTOR_MISMATCH.test(msg)) add(`unschedulable`, unschedulable(pod, rcName, msg, name, ctx));
    else if (PRECOMPILATION.test(msg)) add(`precompilation`, precompilation(msg, name, node));
  }

  for (const p of input.pods) {
    const spec = podSpec(p);
    const status = record(p.status);
    const rcName = text(spec.runtimeClassName);
    const node = text(spec.nodeName);
    const unsched = items(status.conditions)
      .map(record)
      .find((c) => c.type === "PodScheduled" && c.status === "False" && c.reason === "Unschedulable");
    if (unsched && SELECTOR_MISMATCH.test(text(unsched.message) ?? "")) add(`unschedulable`, unschedulable(p, rcName, text(unsched.message) ?? "", nameOf(p), ctx));
    const specContainers = items(spec.containers).map(record);
    for (const cs of items(status.containerStatuses).map(record)) {
      const state = record(cs.state);
      const waiting = record(state.waiting);
      const terminated = record(state.terminated);
      const last = record(record(cs.lastState).terminated);
      const reason = text(waiting.reason) ?? text(terminated.reason) ?? "";
      const msg = text(waiting.message) ?? text(terminated.message) ?? text(last.message) ?? "";
      if (PRECOMPILATION.test(msg)) {
        add(`precompilation`, precompilation(msg, nameOf(p), node));
        continue;
      }
      if (!PULL_REASONS.has(reason) && !START_REASONS.has(reason)) continue;
      const container = specContainers.find((c) => c.name === cs.name) ?? {};
      const image = text(container.image) ?? text(cs.image) ?? "";
      const spinClass = rcName !== undefined && (ctx.classes.get(rcName)?.spin ?? false);
      const isApp = (ctx.appRepo !== undefined && image !== "" && imageRepository(image) === ctx.appRepo) || JSON.stringify(container.command) === '["/"]';
      if (isApp && !spinClass) add(`wasm-default`, wasmOnDefaultRuntime(image, rcName, reason, msg, nameOf(p), ctx));
      else if (PULL_REASONS.has(reason)) add(`pull:${image}`, imagePull(image, reason, msg, nameOf(p)));
    }
  }
  return [...found.values()].sort((a, b) => ORDER.indexOf(a.code) - ORDER.indexOf(b.code));
}

function executorMissing(ref: string, msg: string, app: string): SandboxDiagnosis {
  const [ns, name] = ref.split("/");
  return {
    code: "executor-missing",
    title: `The operator cannot find SpinAppExecutor ${name} in namespace ${ns}`,
    evidence: msg,
    objects: [app],
    causes: [`SpinAppExecutors are namespaced: the SpinApp's spec.executor must name an executor in its own namespace (${ns}).`],
    fixes: [`Create the executor in ${ns} (kubectl apply -n ${ns} -f spin-operator.shim-executor.yaml from the operator's release), or set spec.executor to an executor that exists in ${ns}.`],
  };
}

function runtimeClassMissing(rc: string, msg: string, rs: string, ctx: Ctx): SandboxDiagnosis {
  const spin = usableSpinClasses([...ctx.classes.values()], [...ctx.nodes.values()], ctx.shims).map((c) => c.name);
  return {
    code: "runtime-class-missing",
    title: `No pods can be created: RuntimeClass ${rc} does not exist`,
    evidence: msg,
    objects: [rs],
    causes: [`The executor's deploymentConfig.runtimeClassName names RuntimeClass ${rc}, which the cluster does not have; the API server rejects every pod that names it.`],
    fixes: [
      spin.length
        ? `Point the executor's deploymentConfig.runtimeClassName at an existing Spin RuntimeClass (${spin.join(", ")}), or create ${rc}.`
        : `Create RuntimeClass ${rc} with the handler your nodes' containerd uses (spin for the manual setup, spin-v2 for runtime-class-manager).`,
    ],
  };
}

function podCreateFailed(msg: string, rs: string): SandboxDiagnosis {
  return {
    code: "pod-create-failed",
    title: `The ReplicaSet cannot create pods`,
    evidence: msg,
    objects: [rs],
    causes: ["The API server rejected the pod (see the message)."],
    fixes: ["Fix what the message names; the ReplicaSet retries by itself."],
  };
}

function noRuntime(handler: string, rcName: string | undefined, nodeName: string | undefined, msg: string, pod: string, ctx: Ctx): SandboxDiagnosis {
  const node = nodeName ? ctx.nodes.get(nodeName) : undefined;
  const rc = rcName ? ctx.classes.get(rcName) : undefined;
  const rcLabel = rc?.name ?? rcName ?? `with handler ${handler}`;
  const support = node ? handlerSupport(node, handler, ctx.shims) : undefined;
  const causes: string[] = [];
  const fixes: string[] = [];
  const tables = containerdRuntimeTables(handler);
  if (support?.otherSpinHandler) {
    causes.push(
      `Handler mismatch: RuntimeClass ${rcLabel} asks for runtime "${handler}" (${handlerOrigin(handler)}), but ${support.why}; "${support.otherSpinHandler}" is ${handlerOrigin(support.otherSpinHandler)}.`,
    );
    fixes.push(recreateWithHandler(rc?.name ?? rcLabel, support.otherSpinHandler, [...ctx.classes.values()]));
  }
  if (support?.shimState) {
    causes.push(`${support.why}: the shim is not installed there yet.`);
    fixes.push(
      `Wait for runtime-class-manager's install Job (${nodeName}-${support.viaShim}-install in runtime-class-manager's namespace) or read its logs when the label says failed; pods scheduled meanwhile fail like this.`,
    );
  }
  if (node?.k3s) {
    causes.push(`Node ${node.name} runs k3s (${node.runtimeVersion}): k3s writes its own containerd config and detects shims itself, which can conflict with the installer's config (containerd-shim-spin issue #227).`);
    fixes.push(`Check the runtime "${handler}" in k3s's containerd config template on ${node.name} and restart k3s.`);
  }
  causes.push(
    `containerd on ${nodeName ? `node ${nodeName}` : "the node"} has no runtime named "${handler}": the shim binary containerd-shim-spin-v2 is not installed, containerd's config lacks ${tables.v2} (containerd 2.x) or ${tables.v1} (1.x) with runtime_type = "io.containerd.spin.v2", or containerd was not restarted after the change.`,
  );
  fixes.push(
    `Install the shim on ${nodeName ?? "the node"}: with runtime-class-manager (a Shim resource and the node label it selects, e.g. kubectl label node ${nodeName ?? "<node>"} spin=true), or by hand (copy containerd-shim-spin-v2 into containerd's PATH, add ${tables.v2} or ${tables.v1} with runtime_type = "io.containerd.spin.v2", restart containerd).`,
  );
  if (!support?.otherSpinHandler) {
    const other = handler === "spin" ? "spin-v2" : handler === "spin-v2" ? "spin" : undefined;
    if (other)
      causes.push(`A handler mismatch between runtime-class-manager's "spin-v2" and the manual setup's "spin": if the nodes register "${other}", RuntimeClass ${rcLabel} must use handler ${other}.`);
    else if (!isSpinHandler(handler)) causes.push(`"${handler}" is not a name the Spin shim registers under (spin, spin-v2).`);
  }
  return {
    code: "no-runtime",
    title: `Pods cannot start: node ${nodeName ?? "?"} has no containerd runtime "${handler}" (RuntimeClass ${rcLabel})`,
    evidence: msg,
    objects: [pod],
    node: nodeName,
    causes,
    fixes,
  };
}

function notSupported(handler: string, rcName: string | undefined, nodeName: string | undefined, msg: string, pod: string, ctx: Ctx): SandboxDiagnosis {
  const node = nodeName ? ctx.nodes.get(nodeName) : undefined;
  const docker = node?.runtime === "docker";
  return {
    code: "handler-not-supported",
    title: `Pods cannot start: ${nodeName ? `node ${nodeName}` : "the node"} does not use containerd, so it has no RuntimeClass handler "${handler}"`,
    evidence: msg,
    objects: [pod],
    node: nodeName,
    causes: [
      docker
        ? `Node ${nodeName} runs the Docker runtime (${node?.runtimeVersion}), not containerd's CRI; the Spin shim is a containerd shim, so RuntimeClass ${rcName ?? handler} cannot work there.`
        : `The cluster is not using containerd's CRI (e.g. the Docker runtime); the Spin shim is a containerd shim.`,
      `minikube started with the docker runtime, or Docker Desktop's built-in Kubernetes, both report this error.`,
    ],
    fixes: [
      `Run the Spin nodes on containerd: for minikube, minikube start --container-runtime=containerd (minikube 1.33 or later); for Docker Desktop, use a containerd-based cluster (k3d, kind) instead of the built-in Kubernetes. Then install the shim.`,
    ],
  };
}

function unschedulable(pod: KubeObject | undefined, rcName: string | undefined, msg: string, name: string, ctx: Ctx): SandboxDiagnosis {
  const selector = pod ? stringMap(podSpec(pod).nodeSelector) : {};
  const rc = rcName ? ctx.classes.get(rcName) : undefined;
  const fromRc = rc && Object.keys(rc.nodeSelector).length > 0 && matchesSelector(selector, rc.nodeSelector);
  const nodes = [...ctx.nodes.values()];
  const missing = nodes.filter((n) => !matchesSelector(n.labels, selector)).map((n) => n.name);
  const sel = formatSelector(fromRc ? rc.nodeSelector : selector);
  const causes = [
    fromRc
      ? `RuntimeClass ${rc.name} only schedules onto nodes labelled ${sel} (its scheduling.nodeSelector${rc.shim ? `, copied from runtime-class-manager Shim ${rc.shim}` : ""}), and ${missing.length === nodes.length ? "no node carries" : `nodes ${missing.join(", ")} do not carry`} that label.`
      : `The pod's nodeSelector ${sel || "(none)"} matches no node.`,
  ];
  const fixes = [
    `Label the nodes that have the Spin shim: kubectl label node ${missing.length ? missing.join(" ") : "<node>"} ${Object.entries(fromRc ? rc.nodeSelector : selector)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ")}${rc?.shim ? ` (runtime-class-manager then installs the shim on them)` : ""}.`,
  ];
  return { code: "unschedulable", title: `Pods stay Pending: no node matches ${sel ? `the node selector ${sel}` : "the pod's node selector"}`, evidence: msg, objects: [name], causes, fixes };
}

function precompilation(msg: string, pod: string, node: string | undefined): SandboxDiagnosis {
  return {
    code: "precompilation-failed",
    title: `The shim could not precompile the app's Wasm`,
    evidence: msg,
    objects: [pod],
    node,
    causes: [
      "The app was built by a Spin/Wasmtime version the shim cannot handle (containerd-shim-spin issues #211, #219).",
      "The shim embeds an older Spin than the one that built the app (shim v0.24.0 embeds Spin 3.6.3).",
    ],
    fixes: ["Rebuild the app with a Spin and templates matching the shim's embedded Spin (or upgrade the shim on the nodes), push it again and roll out."],
  };
}

function wasmOnDefaultRuntime(image: string, rcName: string | undefined, reason: string, msg: string, pod: string, ctx: Ctx): SandboxDiagnosis {
  const rc = rcName ? ctx.classes.get(rcName) : undefined;
  const spin = usableSpinClasses([...ctx.classes.values()], [...ctx.nodes.values()], ctx.shims)[0]?.name ?? DEFAULT_SPIN_RUNTIME_CLASS;
  return {
    code: "wasm-on-default-runtime",
    title: `Likely cause: the Spin app ${image} runs without a Spin runtime class (${reason})`,
    evidence: msg || reason,
    objects: [pod],
    causes: [
      rcName === undefined
        ? `The pod has no runtimeClassName, so the node's default runtime (runc) tries to pull and start a Spin app; an artifact from spin registry push declares architecture wasm and holds no Linux filesystem, so only a Spin runtime class can run it.`
        : `The pod's RuntimeClass ${rcName}${rc?.handler ? ` (handler ${rc.handler})` : ""} is not a Spin runtime, so it cannot pull or start the Spin app.`,
    ],
    fixes: [`Set the executor's deploymentConfig.runtimeClassName to a Spin RuntimeClass (e.g. ${spin}), or use a spinImage executor.`],
  };
}

function imagePull(image: string, reason: string, msg: string, pod: string): SandboxDiagnosis {
  return {
    code: "image-pull",
    title: `The image ${image} cannot be pulled (${reason})`,
    evidence: msg || reason,
    objects: [pod],
    causes: ["The reference or tag does not exist in the registry (not pushed, or a typo).", "The registry is private and the pod has no matching imagePullSecrets."],
    fixes: ["Check spec.image (push it with spin registry push), and add spec.imagePullSecrets for a private registry."],
  };
}
