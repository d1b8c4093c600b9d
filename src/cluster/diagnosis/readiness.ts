/**
 * The runtime readiness check of one SpinApp: follows the chain the operator and the kubelet walk
 * — SpinKube API served → executor in the app's namespace → its runtimeClassName or spinImage →
 * the RuntimeClass exists → its handler (spin / spin-v2) is what the nodes' containerd registers →
 * nodes the RuntimeClass schedules onto (scheduling.nodeSelector, runtime-class-manager Shims) →
 * the pods and their events — and reports every link plus the FIRST broken one in plain words with
 * its fix. Works on a deployed SpinApp and on a manifest before deploying. Pure (FACTS.md (a),
 * (b), (e), (f) and "Known pitfalls").
 */
import { DEFAULT_SPIN_RUNTIME_CLASS, GROUP, LEGACY_GROUP, isSpinHandler } from "../../shared/spinApp";
import type { HandlerSupport, KubeObject, NodeView, RuntimeClassView, ShimView } from "./objects";
import { formatSelector, groupOf, handlerSupport, isExecutor, matchesSelector, nameOf, namespaceOf, nodeView, record, runtimeClassView, shimView, text, usableSpinClasses } from "./objects";
import type { ReadinessInput } from "./reader";
import type { SandboxDiagnosis } from "./sandbox";
import { explainFailures, handlerOrigin, recreateWithHandler } from "./sandbox";

/** The links of the chain, in order. */
export type LinkId = "api" | "executor" | "runtime" | "runtimeClass" | "handler" | "nodes" | "pods";

/** ok: fine; broken: the app cannot run; warning: may be a problem; unknown: could not tell; skipped: does not apply. */
export type LinkStatus = "ok" | "broken" | "warning" | "unknown" | "skipped";

/** One link of the chain. */
export interface ChainLink {
  id: LinkId;
  /** Short name of the link, e.g. "RuntimeClass". */
  title: string;
  status: LinkStatus;
  /** What was found, in plain words. */
  detail: string;
  /** What to do when the link is broken (or a warning). */
  fix?: string;
}

/** The result of the readiness check. */
export interface ReadinessReport {
  app: { name: string; namespace: string };
  /** "cluster": the SpinApp is deployed; "manifest": checked before deploying. */
  mode: "cluster" | "manifest";
  links: ChainLink[];
  /** The first broken link, when any. */
  firstBroken?: ChainLink;
  /** Failures explained from the pods and events (deployed apps only). */
  failures: SandboxDiagnosis[];
  /** No link broken and (for a deployed app) every pod ready. */
  ready: boolean;
  /** One paragraph: the first broken link and its fix, or that the chain holds. */
  summary: string;
}

const TITLES: Record<LinkId, string> = {
  api: "SpinKube API",
  executor: "SpinAppExecutor",
  runtime: "Runtime",
  runtimeClass: "RuntimeClass",
  handler: "Handler",
  nodes: "Nodes",
  pods: "Pods",
};

const RELEASE = "https://github.com/spinframework/spin-operator/releases/download/v0.6.1";

function link(id: LinkId, status: LinkStatus, detail: string, fix?: string): ChainLink {
  return { id, title: TITLES[id], status, detail, ...(fix !== undefined ? { fix } : {}) };
}

function skipped(id: LinkId, why: string): ChainLink {
  return link(id, "skipped", why);
}

/** Runs the readiness chain over gathered cluster objects. */
export function checkReadiness(input: ReadinessInput): ReadinessReport {
  const links: ChainLink[] = [];
  const classes = [...input.runtimeClasses, ...input.manifestObjects.filter((o) => o.kind === "RuntimeClass")].map(runtimeClassView);
  const nodes = input.nodes.map(nodeView);
  const shims = (input.shims ?? []).map(shimView);

  links.push(apiLink(input));

  // Executor.
  const exec = executorLink(input);
  links.push(exec.link);
  const executor = exec.executor;
  if (!executor) return finish(input, [...links, ...["runtime", "runtimeClass", "handler", "nodes"].map((id) => skipped(id as LinkId, "Depends on the executor.")), podsLink(input)]);
  const spec = record(executor.spec);
  if (spec.createDeployment === false) {
    const why = `Executor ${nameOf(executor)} has createDeployment: false: the operator creates only the Service; whatever runs the app is outside SpinKube.`;
    return finish(input, [...links, ...(["runtime", "runtimeClass", "handler", "nodes", "pods"] as LinkId[]).map((id) => skipped(id, why))]);
  }

  // Runtime: runtimeClassName or spinImage.
  const dc = spec.deploymentConfig;
  const rcName = text(record(dc).runtimeClassName);
  const spinImage = text(record(dc).spinImage);
  const suggestion = usableSpinClasses(classes, nodes, shims)[0]?.name ?? DEFAULT_SPIN_RUNTIME_CLASS;
  const exName = nameOf(executor);
  if (rcName && spinImage) {
    links.push(link("runtime", "broken", `Executor ${exName} sets both runtimeClassName and spinImage; the operator's webhook rejects it: runtimeClassName and spinImage are mutually exclusive.`, `Keep one of them in the executor's deploymentConfig.`));
  } else if (spinImage) {
    links.push(link("runtime", "ok", `Executor ${exName} runs the app with spinImage ${spinImage}: an ordinary container running spin up, so no RuntimeClass or node shim is needed.`));
    links.push(skipped("runtimeClass", "spinImage executors need no RuntimeClass."), skipped("handler", "spinImage executors need no RuntimeClass handler."));
    links.push(spintainerNodes(nodes, input));
    links.push(podsLink(input));
    return finish(input, links);
  } else if (rcName) {
    links.push(link("runtime", "ok", `Executor ${exName} gives the pods runtimeClassName ${rcName}.`));
  } else if (dc !== undefined) {
    links.push(
      link(
        "runtime",
        "broken",
        `Executor ${exName} has a deploymentConfig without runtimeClassName or spinImage; the operator's webhook rejects it: either runtimeClassName or spinImage must be set.`,
        `Set deploymentConfig.runtimeClassName: ${suggestion} in executor ${exName}.`,
      ),
    );
  } else {
    links.push(
      link(
        "runtime",
        "broken",
        `Executor ${exName} has no deploymentConfig, so the pods get no runtimeClassName and run on the node's default runtime (runc), which cannot start a Spin app.`,
        `Add deploymentConfig.runtimeClassName: ${suggestion} to executor ${exName}.`,
      ),
    );
  }
  if (!rcName) return finish(input, [...links, skipped("runtimeClass", "No runtimeClassName to check."), skipped("handler", "No RuntimeClass."), skipped("nodes", "No RuntimeClass."), podsLink(input)]);

  // RuntimeClass.
  const rc = classes.find((c) => c.name === rcName);
  links.push(runtimeClassLink(rcName, rc, classes, nodes, shims, input));
  if (!rc) {
    const why = input.unreadable.runtimeClasses ? "Could not read the RuntimeClass." : "The RuntimeClass does not exist.";
    return finish(input, [...links, skipped("handler", why), skipped("nodes", why), podsLink(input)]);
  }

  // Handler and nodes.
  const candidates = nodes.filter((n) => matchesSelector(n.labels, rc.nodeSelector));
  links.push(
    candidates.length || !nodes.length
      ? handlerLink(rc, candidates, shims, classes, input)
      : skipped("handler", `Handler ${rc.handler ?? "(none)"}: no node matches the RuntimeClass's nodeSelector ${formatSelector(rc.nodeSelector)} (see Nodes), so there is no node to check it on.`),
  );
  links.push(nodesLink(rc, nodes, candidates, shims, input));
  links.push(podsLink(input));
  return finish(input, links);
}

function apiLink(input: ReadinessInput): ChainLink {
  const group = groupOf(input.app) || GROUP;
  const apis = input.apis;
  if (!apis) return link("api", "unknown", `API discovery failed (${input.unreadable.discovery ?? "no answer"}); assuming ${group} is served.`);
  const served = group === LEGACY_GROUP ? apis.legacy : apis.current;
  if (served) return link("api", "ok", `The cluster serves SpinApp in ${group}/v1alpha1${group === LEGACY_GROUP ? " (operator v0.3.0 or older)" : " (operator v0.4.0 or later)"}.`);
  if (group === GROUP && apis.legacy)
    return link(
      "api",
      "broken",
      `The cluster serves SpinApp only in the old group core.spinoperator.dev (operator v0.3.0 or older), so applying this fails with: no matches for kind "SpinApp" in version "core.spinkube.dev/v1alpha1".`,
      `Upgrade the operator to v0.4.0 or later (delete the old SpinApps and executors, uninstall the operator, delete the two *.core.spinoperator.dev CRDs, then install the new CRDs, executor and chart), or write apiVersion: core.spinoperator.dev/v1alpha1 for this old operator.`,
    );
  if (group === LEGACY_GROUP && apis.current)
    return link(
      "api",
      "broken",
      `This manifest uses the old group core.spinoperator.dev, which the cluster's operator (v0.4.0 or later) no longer serves: applying fails with: no matches for kind "SpinApp" in version "core.spinoperator.dev/v1alpha1".`,
      `Change apiVersion to core.spinkube.dev/v1alpha1.`,
    );
  return link(
    "api",
    "broken",
    `SpinKube is not installed: the cluster serves no SpinApp API (neither core.spinkube.dev nor core.spinoperator.dev), so applying fails with: no matches for kind "SpinApp" in version "${group}/v1alpha1".`,
    `Install cert-manager, then the CRDs (kubectl apply -f ${RELEASE}/spin-operator.crds.yaml), a RuntimeClass and executor, and the spin-operator chart (namespace spin-operator).`,
  );
}

function executorLink(input: ReadinessInput): { link: ChainLink; executor?: KubeObject } {
  const ns = input.namespace;
  const all = [...input.executors, ...input.manifestObjects.filter(isExecutor).map((e) => ({ ...e, metadata: { ...e.metadata, namespace: namespaceOf(e) || ns } }))];
  const inNs = all.filter((e) => namespaceOf(e) === ns);
  const readNote = input.unreadable.executors ? ` (could not list executors: ${input.unreadable.executors})` : "";
  let wanted = text(record(input.app.spec).executor);
  let defaulted = "";
  if (!wanted) {
    const names = [...new Set(all.map(nameOf))].sort();
    if (!names.length)
      return {
        link: link(
          "executor",
          input.unreadable.executors ? "unknown" : "broken",
          `The SpinApp has no spec.executor and the cluster has no SpinAppExecutor to default to; the operator's webhook rejects it: executor must be set, likely no default executor was set because you have no executors installed.${readNote}`,
          `Apply the shim executor into ${ns}: kubectl apply -n ${ns} -f ${RELEASE}/spin-operator.shim-executor.yaml, and set spec.executor: containerd-shim-spin.`,
        ),
      };
    wanted = names[0];
    defaulted = `The SpinApp has no spec.executor; the operator's webhook fills in the alphabetically first executor in any namespace: ${wanted}. `;
  }
  const here = inNs.find((e) => nameOf(e) === wanted);
  if (here) {
    const from = input.manifestObjects.some((o) => isExecutor(o) && nameOf(o) === wanted) ? " (from this manifest)" : "";
    return { link: link("executor", "ok", `${defaulted}SpinAppExecutor ${wanted} exists in namespace ${ns}${from}.`), executor: here };
  }
  const elsewhere = all.filter((e) => nameOf(e) === wanted);
  const known = [...new Set(inNs.map(nameOf))];
  if (elsewhere.length) {
    const where = [...new Set(elsewhere.map(namespaceOf))].join(", ");
    const source = elsewhere[0];
    return {
      link: link(
        "executor",
        "broken",
        `${defaulted}SpinAppExecutor ${wanted} exists in namespace ${where} but not in ${ns}. Executors are namespaced, so the operator's webhook rejects the SpinApp with: executor does not exist in namespace${input.deployed ? ` (the operator reports: Could not find SpinAppExecutor ${ns}/${wanted})` : ""}.`,
        `Create executor ${wanted} in ${ns} too (kubectl get spinappexecutor ${wanted} -n ${namespaceOf(source)} -o yaml, change metadata.namespace to ${ns}, drop status and metadata.uid/resourceVersion, apply)${known.length ? `, or set spec.executor to one of ${ns}'s executors: ${known.join(", ")}` : ""}.`,
      ),
      executor: source,
    };
  }
  return {
    link: link(
      "executor",
      input.unreadable.executors ? "unknown" : "broken",
      `${defaulted}No SpinAppExecutor ${wanted} in namespace ${ns}${known.length ? ` (it has: ${known.join(", ")})` : " (it has none)"}; the operator's webhook rejects the SpinApp with: executor does not exist in namespace.${readNote}`,
      known.length
        ? `Set spec.executor to ${known.join(" or ")}, or create executor ${wanted} in ${ns}.`
        : `Apply the shim executor into ${ns}: kubectl apply -n ${ns} -f ${RELEASE}/spin-operator.shim-executor.yaml (executor containerd-shim-spin), and use that name in spec.executor.`,
    ),
  };
}

function runtimeClassLink(rcName: string, rc: RuntimeClassView | undefined, classes: RuntimeClassView[], nodes: NodeView[], shims: ShimView[], input: ReadinessInput): ChainLink {
  if (rc) {
    const from = input.manifestObjects.some((o) => o.kind === "RuntimeClass" && nameOf(o) === rcName) && !input.runtimeClasses.some((r) => nameOf(r) === rcName) ? " (from this manifest)" : "";
    const sel = Object.keys(rc.nodeSelector).length ? `, scheduling.nodeSelector ${formatSelector(rc.nodeSelector)}` : "";
    const owner = rc.shim ? `; created by runtime-class-manager from Shim ${rc.shim}` : "";
    return link("runtimeClass", "ok", `RuntimeClass ${rcName} exists${from} (handler ${rc.handler ?? "(none)"}${sel}${owner}).`);
  }
  if (input.unreadable.runtimeClasses) return link("runtimeClass", "unknown", `Could not list RuntimeClasses: ${input.unreadable.runtimeClasses}.`);
  const legacy = rcName === "wasmtime-spin-v1" ? ` ${rcName} is the legacy name of the v1 shim (deislabs/containerd-wasm-shims); current installs use wasmtime-spin-v2 with containerd-shim-spin.` : "";
  const spin = usableSpinClasses(classes, nodes, shims);
  const shimClass = shims.find((s) => s.runtimeClassName && s.runtimeClassName !== rcName);
  let fix: string;
  if (spin.length) fix = `Set the executor's deploymentConfig.runtimeClassName to ${spin.map((c) => `${c.name} (handler ${c.handler})`).join(" or ")}, or create RuntimeClass ${rcName}.`;
  else if (shimClass) fix = `Use ${shimClass.runtimeClassName}, the RuntimeClass of runtime-class-manager Shim ${shimClass.name}, in the executor.`;
  else {
    const handler = nodesHandler(nodes, shims) ?? "spin";
    fix = `Create it: apiVersion: node.k8s.io/v1, kind: RuntimeClass, metadata.name: ${rcName}, handler: ${handler} (${handlerOrigin(handler)})${handler === "spin" && rcName === DEFAULT_SPIN_RUNTIME_CLASS ? ` — the operator's release asset ${RELEASE}/spin-operator.runtime-class.yaml` : ""}.`;
  }
  return link("runtimeClass", "broken", `RuntimeClass ${rcName} does not exist: the API server rejects every pod naming it ("pod rejected: RuntimeClass "${rcName}" not found"), so the app never gets a pod.${legacy}`, fix);
}

/** The Spin handler the nodes are known to register, when the evidence agrees on one. */
function nodesHandler(nodes: NodeView[], shims: ShimView[]): string | undefined {
  for (const h of ["spin-v2", "spin"]) if (nodes.some((n) => handlerSupport(n, h, shims).verdict === "yes")) return h;
  return undefined;
}

function handlerLink(rc: RuntimeClassView, candidates: NodeView[], shims: ShimView[], classes: RuntimeClassView[], input: ReadinessInput): ChainLink {
  const handler = rc.handler;
  if (!handler) return link("handler", "broken", `RuntimeClass ${rc.name} has no handler.`, `Recreate it with handler: spin (manual setup) or spin-v2 (runtime-class-manager).`);
  if (!isSpinHandler(handler)) {
    return link(
      "handler",
      "broken",
      `RuntimeClass ${rc.name} has handler ${handler}, which is not a Spin shim: the Spin shim registers as spin (manual setup, installer images) or spin-v2 (runtime-class-manager).`,
      `Point the executor at a Spin RuntimeClass${classes.some((c) => c.spin) ? ` (${classes.filter((c) => c.spin).map((c) => c.name).join(", ")})` : ""}, or recreate ${rc.name} with handler spin or spin-v2 to match the nodes.`,
    );
  }
  if (input.unreadable.nodes) return link("handler", "unknown", `Handler ${handler} (${handlerOrigin(handler)}); could not list nodes: ${input.unreadable.nodes}.`);
  if (!candidates.length) return link("handler", "unknown", `Handler ${handler} (${handlerOrigin(handler)}); the cluster reports no nodes.`);
  const support = candidates.map((n) => ({ n, s: handlerSupport(n, handler, shims) }));
  const yes = support.filter((x) => x.s.verdict === "yes");
  if (yes.length) return link("handler", "ok", `Handler ${handler} (${handlerOrigin(handler)}) is configured on ${yes.map((x) => x.n.name).join(", ")}: ${yes[0].s.why}.`);
  const docker = support.filter((x) => x.n.runtime === "docker");
  if (docker.length === support.length)
    return link(
      "handler",
      "broken",
      `The nodes run the Docker runtime (${docker.map((x) => `${x.n.name}: ${x.n.runtimeVersion}`).join(", ")}), which supports no RuntimeClass handlers: pods fail with RuntimeHandler "${handler}" not supported.`,
      `Run the nodes on containerd (minikube: minikube start --container-runtime=containerd; Docker Desktop's built-in Kubernetes cannot run the shim) and install the Spin shim.`,
    );
  const mismatch = support.find((x) => x.s.otherSpinHandler !== undefined);
  if (mismatch && support.every((x) => x.s.verdict === "no")) return mismatchLink(rc, handler, mismatch.s, classes);
  const no = support.filter((x) => x.s.verdict === "no");
  if (no.length === support.length) {
    const pending = no.find((x) => x.s.shimState);
    return link(
      "handler",
      "broken",
      `No node the RuntimeClass schedules onto has a containerd runtime "${handler}": ${no.map((x) => x.s.why).join("; ")}. Pods fail with: no runtime for "${handler}" is configured.`,
      pending
        ? `Wait for runtime-class-manager to finish (node label ${pending.s.viaShim}=${pending.s.shimState}); if it says failed, read the install Job's logs.`
        : `Install the Spin shim on the nodes (runtime-class-manager with a Shim registering "${handler}", or containerd's config by hand) and restart containerd.`,
    );
  }
  return link(
    "handler",
    "unknown",
    `Handler ${handler} (${handlerOrigin(handler)}). The API does not show which containerd runtimes the nodes have (no runtimeHandlers in their status, no runtime-class-manager Shim covering them); the pods' events will tell.`,
  );
}

function mismatchLink(rc: RuntimeClassView, handler: string, s: HandlerSupport, classes: RuntimeClassView[]): ChainLink {
  const other = s.otherSpinHandler ?? "";
  const setup = s.viaShim ? `this cluster's nodes were set up by runtime-class-manager, which registers ${other}` : `this cluster's nodes register ${other} (${handlerOrigin(other)})`;
  return link(
    "handler",
    "broken",
    `RuntimeClass ${rc.name} has handler ${handler} but ${setup}: ${s.why}. Pods fail with: no runtime for "${handler}" is configured.`,
    recreateWithHandler(rc.name, other, classes),
  );
}

function nodesLink(rc: RuntimeClassView, nodes: NodeView[], candidates: NodeView[], shims: ShimView[], input: ReadinessInput): ChainLink {
  if (input.unreadable.nodes) return link("nodes", "unknown", `Could not list nodes: ${input.unreadable.nodes}.`);
  const sel = formatSelector(rc.nodeSelector);
  const shim = shims.find((s) => s.name === rc.shim) ?? shims.find((s) => s.runtimeClassName === rc.name);
  const shimNote = shim ? ` runtime-class-manager Shim ${shim.name}: ${shim.nodesReady ?? "?"} of ${shim.nodes ?? "?"} selected nodes provisioned.` : "";
  if (!candidates.length) {
    const label = Object.entries(rc.nodeSelector)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ");
    return link(
      "nodes",
      "broken",
      `RuntimeClass ${rc.name} only schedules onto nodes labelled ${sel} (scheduling.nodeSelector), and none of the ${nodes.length} node(s) has that label: pods stay Pending (FailedScheduling: didn't match Pod's node affinity/selector).${shimNote}`,
      `Label the nodes that should run Spin apps: kubectl label node --all ${label} (or name the nodes)${shim || rc.shim ? "; runtime-class-manager then installs the shim on them" : ""}.`,
    );
  }
  const handler = rc.handler ?? "";
  const able = candidates.filter((n) => handlerSupport(n, handler, shims).verdict !== "no");
  const notReady = candidates.filter((n) => !n.ready).map((n) => n.name);
  const where = sel ? `${candidates.length} of ${nodes.length} node(s) match ${sel}` : `no nodeSelector: all ${nodes.length} node(s) qualify`;
  if (!able.length) return link("nodes", "broken", `${where}, but none of them can run handler ${handler} (see Handler).${shimNote}`, `Fix the handler or install the shim on ${candidates.map((n) => n.name).join(", ")}.`);
  if (notReady.length === candidates.length) return link("nodes", "broken", `${where}, but none is Ready (${notReady.join(", ")}).${shimNote}`, `Bring the nodes back (kubectl describe node ${notReady[0]}).`);
  return link("nodes", notReady.length ? "warning" : "ok", `${where}: ${able.map((n) => n.name).join(", ")}.${notReady.length ? ` Not Ready: ${notReady.join(", ")}.` : ""}${shimNote}`);
}

function spintainerNodes(nodes: NodeView[], input: ReadinessInput): ChainLink {
  if (input.unreadable.nodes) return link("nodes", "unknown", `Could not list nodes: ${input.unreadable.nodes}.`);
  const ready = nodes.filter((n) => n.ready);
  if (!ready.length) return link("nodes", "broken", `No node is Ready (${nodes.length} node(s)).`, "Bring a node back (kubectl describe node).");
  return link("nodes", "ok", `Any node can run a spinImage container: ${ready.length} Ready node(s).`);
}

function podsLink(input: ReadinessInput): ChainLink {
  if (!input.deployed) return skipped("pods", "Not deployed yet.");
  const failures = explain(input);
  if (failures.length) {
    const f = failures[0];
    return link("pods", "broken", `${f.title}. ${f.causes[0]} (Kubernetes says: ${f.evidence})`, f.fixes[0]);
  }
  if (input.unreadable.pods) return link("pods", "unknown", `Could not list pods: ${input.unreadable.pods}.`);
  const pods = input.pods;
  if (!pods.length) return link("pods", "warning", "The SpinApp has no pods yet (is the operator running?).");
  const ready = pods.filter((p) => (record(p.status).conditions as unknown[] | undefined)?.some((c) => record(c).type === "Ready" && record(c).status === "True"));
  if (ready.length === pods.length) return link("pods", "ok", `${ready.length}/${pods.length} pod(s) ready.`);
  return link("pods", "warning", `${ready.length}/${pods.length} pod(s) ready; the others are still starting (no failure events).`);
}

const explained = new WeakMap<ReadinessInput, SandboxDiagnosis[]>();

/** The sandbox explainer over the input, computed once per input. */
function explain(input: ReadinessInput): SandboxDiagnosis[] {
  let f = explained.get(input);
  if (!f) {
    f = input.deployed
      ? explainFailures({
          pods: input.pods,
          events: input.events,
          nodes: input.nodes,
          runtimeClasses: [...input.runtimeClasses, ...input.manifestObjects.filter((o) => o.kind === "RuntimeClass")],
          shims: input.shims,
          appImage: text(record(input.app.spec).image),
        })
      : [];
    explained.set(input, f);
  }
  return f;
}

function finish(input: ReadinessInput, links: ChainLink[]): ReadinessReport {
  const firstBroken = links.find((l) => l.status === "broken");
  const failures = explain(input);
  const open = links.filter((l) => l.status === "unknown" || l.status === "warning");
  const ready = !firstBroken && !open.length;
  const name = nameOf(input.app);
  const where = `${input.namespace}/${name}`;
  let summary: string;
  if (firstBroken) summary = `${where} cannot run: ${firstBroken.detail}${firstBroken.fix ? ` Fix: ${firstBroken.fix}` : ""}`;
  else if (ready) summary = input.deployed ? `${where} is running: every link of the runtime chain holds.` : `${where} can run here: every link of the runtime chain holds.`;
  else {
    summary = `${where}: no broken link found${open.length ? `; not confirmed: ${open.map((l) => `${l.title} (${l.detail})`).join("; ")}` : ""}.`;
  }
  return { app: { name, namespace: input.namespace }, mode: input.deployed ? "cluster" : "manifest", links, ...(firstBroken ? { firstBroken } : {}), failures, ready, summary };
}
