/**
 * Cluster SpinKube health: is the operator's API installed and in which group (`core.spinkube.dev`
 * or the old `core.spinoperator.dev`, from discovery), is the operator's namespace running, is
 * cert-manager present (its API group or namespace), which RuntimeClasses have Spin handlers and
 * whether the nodes can run them, executors per namespace, runtime-class-manager Shims. Produces a
 * list of checks and a one-line summary for the explorer's context node. Pure (FACTS.md section 0,
 * (a) "Install artifacts", (b)).
 */
import { GROUP, LEGACY_GROUP } from "../../shared/spinApp";
import type { NodeView, RuntimeClassView } from "./objects";
import { CERT_MANAGER_NAMESPACE, OPERATOR_NAMESPACE, handlerSupport, matchesSelector, nameOf, namespaceOf, nodeView, record, runtimeClassView, shimView, text } from "./objects";
import type { HealthInput } from "./reader";
import type { LinkStatus } from "./readiness";
import { handlerOrigin } from "./sandbox";

/** The health checks, in display order. */
export type HealthCheckId = "crds" | "operator" | "certManager" | "runtimeClasses" | "executors" | "shims" | "nodes";

/** One health check. */
export interface HealthCheck {
  id: HealthCheckId;
  title: string;
  status: LinkStatus;
  detail: string;
  fix?: string;
}

/** The cluster's SpinKube health. */
export interface HealthReport {
  /** The SpinKube group served (the current one when both are), or undefined. */
  group?: string;
  /** Only the pre-v0.4 group is served. */
  legacy: boolean;
  certManager: boolean;
  /** RuntimeClasses with a Spin handler. */
  spinRuntimeClasses: { name: string; handler: string }[];
  /** Executors by namespace. */
  executors: Record<string, string[]>;
  checks: HealthCheck[];
  /** Worst status of the checks (skipped ones aside). */
  status: LinkStatus;
  /** One line for the explorer's context node. */
  summary: string;
}

const RELEASE = "https://github.com/spinframework/spin-operator/releases/download/v0.6.1";
const CERT_MANAGER_INSTALL = "kubectl apply -f https://github.com/cert-manager/cert-manager/releases/download/v1.20.0/cert-manager.yaml";
const RANK: Record<LinkStatus, number> = { broken: 4, warning: 3, unknown: 2, ok: 1, skipped: 0 };

/** Runs the health checks over gathered cluster objects. */
export function checkHealth(input: HealthInput): HealthReport {
  const checks: HealthCheck[] = [];
  const apis = input.apis;
  const add = (id: HealthCheckId, title: string, status: LinkStatus, detail: string, fix?: string): void => {
    checks.push({ id, title, status, detail, ...(fix !== undefined ? { fix } : {}) });
  };
  const nsNames = new Set(input.namespaces.map(nameOf));
  const nodes = input.nodes.map(nodeView);
  const shims = (input.shims ?? []).map(shimView);
  const classes = input.runtimeClasses.map(runtimeClassView);
  const spinClasses = classes.filter((c) => c.spin);

  // CRDs and group.
  const group = apis?.current ? GROUP : apis?.legacy ? LEGACY_GROUP : undefined;
  if (!apis) add("crds", "SpinKube CRDs", "unknown", `API discovery failed: ${input.unreadable.discovery ?? "no answer"}.`);
  else if (apis.current && apis.legacy)
    add(
      "crds",
      "SpinKube CRDs",
      "warning",
      `Both groups are served: core.spinkube.dev (operator v0.4.0 or later) and the old core.spinoperator.dev, left over from before the rename.`,
      `Delete the old SpinApps/executors and the two *.core.spinoperator.dev CRDs once nothing uses them.`,
    );
  else if (apis.current) add("crds", "SpinKube CRDs", "ok", `SpinApp and SpinAppExecutor are served in core.spinkube.dev/v1alpha1 (operator v0.4.0 or later).`);
  else if (apis.legacy)
    add(
      "crds",
      "SpinKube CRDs",
      "warning",
      `Only the old group core.spinoperator.dev is served (operator v0.3.0 or older). Current manifests, samples and spin kube scaffold (plugin 0.3.0 or later) write core.spinkube.dev and fail here with: no matches for kind "SpinApp" in version "core.spinkube.dev/v1alpha1".`,
      `Upgrade to operator v0.4.0 or later: delete the old SpinApps and executors, uninstall the operator, delete the two *.core.spinoperator.dev CRDs, install the new CRDs (${RELEASE}/spin-operator.crds.yaml), executor and chart.`,
    );
  else
    add(
      "crds",
      "SpinKube CRDs",
      "broken",
      `No SpinApp API is served (neither core.spinkube.dev nor core.spinoperator.dev): the spin-operator CRDs are not installed.`,
      `kubectl apply -f ${RELEASE}/spin-operator.crds.yaml, then install the spin-operator chart into namespace spin-operator.`,
    );

  // Operator workload.
  if (input.unreadable.namespaces) add("operator", "Operator", "unknown", `Could not list namespaces: ${input.unreadable.namespaces}.`);
  else if (!nsNames.has(OPERATOR_NAMESPACE))
    add("operator", "Operator", group ? "unknown" : "skipped", `No namespace ${OPERATOR_NAMESPACE} (where the install guide puts the operator); it may run elsewhere.`);
  else {
    const deps = input.operatorDeployments;
    const ready = deps.filter((d) => {
      const spec = record(d.spec);
      const want = typeof spec.replicas === "number" ? spec.replicas : 1;
      return (record(d.status).readyReplicas ?? 0) === want;
    });
    if (input.unreadable.deployments) add("operator", "Operator", "unknown", `Could not list deployments in ${OPERATOR_NAMESPACE}: ${input.unreadable.deployments}.`);
    else if (!deps.length) add("operator", "Operator", "warning", `Namespace ${OPERATOR_NAMESPACE} has no Deployment.`, `helm upgrade --install spin-operator --namespace spin-operator --version 0.6.1 oci://ghcr.io/spinframework/charts/spin-operator`);
    else if (ready.length < deps.length)
      add("operator", "Operator", "warning", `${ready.length}/${deps.length} Deployment(s) in ${OPERATOR_NAMESPACE} ready: ${deps.filter((d) => !ready.includes(d)).map(nameOf).join(", ")} not ready.`, `kubectl describe deployment -n ${OPERATOR_NAMESPACE}`);
    else add("operator", "Operator", "ok", `${deps.length} Deployment(s) in ${OPERATOR_NAMESPACE} ready (${deps.map(nameOf).join(", ")}).`);
  }

  // cert-manager.
  const cmGroup = apis?.certManager ?? false;
  const cmNs = nsNames.has(CERT_MANAGER_NAMESPACE);
  const certManager = cmGroup || cmNs;
  if (certManager) add("certManager", "cert-manager", "ok", `cert-manager is present (${[cmGroup ? "API group cert-manager.io served" : "", cmNs ? `namespace ${CERT_MANAGER_NAMESPACE}` : ""].filter(Boolean).join(", ")}).`);
  else if (!apis) add("certManager", "cert-manager", "unknown", "API discovery failed.");
  else
    add(
      "certManager",
      "cert-manager",
      group ? "broken" : "warning",
      `cert-manager is not installed (no cert-manager.io API, no ${CERT_MANAGER_NAMESPACE} namespace). The operator's admission webhooks get their TLS certificates from it; without them SpinApp creates fail on the webhook (failed calling webhook "mspinapp.kb.io").`,
      `Install it first: ${CERT_MANAGER_INSTALL}`,
    );

  // RuntimeClasses.
  if (input.unreadable.runtimeClasses) add("runtimeClasses", "RuntimeClasses", "unknown", `Could not list RuntimeClasses: ${input.unreadable.runtimeClasses}.`);
  else if (!spinClasses.length) {
    const spinish = classes.filter((c) => /spin/i.test(c.name) || /spin/i.test(c.handler ?? ""));
    add(
      "runtimeClasses",
      "RuntimeClasses",
      "broken",
      `No RuntimeClass has a Spin handler (spin or spin-v2)${spinish.length ? `; ${spinish.map((c) => `${c.name} has handler ${c.handler ?? "(none)"}`).join(", ")}` : ""}.`,
      `Install the shim with runtime-class-manager (its Shim creates wasmtime-spin-v2 with handler spin-v2), or apply ${RELEASE}/spin-operator.runtime-class.yaml (handler spin) on nodes set up by hand.`,
    );
  } else {
    const problems = spinClasses.map((c) => ({ c, why: classProblem(c, nodes, shims) })).filter((x) => x.why);
    const list = spinClasses.map((c) => `${c.name} (${c.handler})`).join(", ");
    if (problems.length)
      add("runtimeClasses", "RuntimeClasses", "warning", `Spin RuntimeClasses: ${list}. ${problems.map((x) => x.why).join(" ")}`, problems.length === spinClasses.length ? "Run the readiness check on a SpinApp for the fix." : undefined);
    else add("runtimeClasses", "RuntimeClasses", "ok", `Spin RuntimeClasses: ${list}.`);
  }

  // Executors.
  const executors: Record<string, string[]> = {};
  for (const e of input.executors) (executors[namespaceOf(e)] ??= []).push(nameOf(e));
  for (const list of Object.values(executors)) list.sort();
  const total = input.executors.length;
  if (!group) add("executors", "SpinAppExecutors", "skipped", "No SpinKube API.");
  else if (input.unreadable.executors) add("executors", "SpinAppExecutors", "unknown", `Could not list executors: ${input.unreadable.executors}.`);
  else if (!total)
    add(
      "executors",
      "SpinAppExecutors",
      "broken",
      `No SpinAppExecutor in any namespace: SpinApps are rejected with: executor must be set, likely no default executor was set because you have no executors installed.`,
      `kubectl apply -n <namespace> -f ${RELEASE}/spin-operator.shim-executor.yaml (one per namespace that runs SpinApps).`,
    );
  else {
    const missing = input.executors
      .map((e) => ({ e, rc: text(record(record(e.spec).deploymentConfig).runtimeClassName) }))
      .filter((x) => x.rc && !input.unreadable.runtimeClasses && !classes.some((c) => c.name === x.rc));
    const where = Object.entries(executors)
      .map(([ns, names]) => `${ns}: ${names.join(", ")}`)
      .join("; ");
    if (missing.length)
      add(
        "executors",
        "SpinAppExecutors",
        "warning",
        `${total} executor(s) — ${where}. ${missing.map((x) => `${namespaceOf(x.e)}/${nameOf(x.e)} names RuntimeClass ${x.rc}, which does not exist`).join("; ")}.`,
        `Create the RuntimeClass or point those executors at an existing Spin RuntimeClass.`,
      );
    else add("executors", "SpinAppExecutors", "ok", `${total} executor(s) — ${where}. Executors are namespaced: each app namespace needs its own.`);
  }

  // runtime-class-manager.
  if (input.shims !== undefined) {
    if (input.unreadable.shims) add("shims", "runtime-class-manager", "unknown", `Could not list Shims: ${input.unreadable.shims}.`);
    else if (!shims.length) add("shims", "runtime-class-manager", "warning", "The Shim API is installed but no Shim exists, so runtime-class-manager installs no shim.", "Apply the Shim resource from containerd-shim-spin's release (runtime-class-manager-shim-v1alpha1-<version>.yaml).");
    else {
      const idle = shims.filter((s) => s.nodes === 0 || (s.nodes === undefined && !nodes.some((n) => matchesSelector(n.labels, s.nodeSelector))));
      const detail = shims.map((s) => `${s.name} → RuntimeClass ${s.runtimeClassName ?? "?"} (handler ${s.handler ?? "?"}): ${s.nodesReady ?? "?"}/${s.nodes ?? "?"} nodes ready`).join("; ");
      if (idle.length)
        add(
          "shims",
          "runtime-class-manager",
          "warning",
          `${detail}. ${idle.map((s) => `Shim ${s.name} selects no node (nodeSelector ${Object.entries(s.nodeSelector).map(([k, v]) => `${k}=${v}`).join(", ")})`).join("; ")}.`,
          `Label the nodes that should run Spin apps, e.g. kubectl label node --all ${Object.entries(idle[0].nodeSelector).map(([k, v]) => `${k}=${v}`).join(" ")}.`,
        );
      else add("shims", "runtime-class-manager", "ok", `${detail}.`);
    }
  }

  // Nodes.
  if (input.unreadable.nodes) add("nodes", "Nodes", "unknown", `Could not list nodes: ${input.unreadable.nodes}.`);
  else {
    const docker = nodes.filter((n) => n.runtime === "docker");
    if (docker.length)
      add(
        "nodes",
        "Nodes",
        docker.length === nodes.length ? "broken" : "warning",
        `${docker.length} of ${nodes.length} node(s) run the Docker runtime (${docker.map((n) => `${n.name}: ${n.runtimeVersion}`).join(", ")}); the Spin shim needs containerd (pods there fail with RuntimeHandler "spin" not supported).`,
        "Run the Spin nodes on containerd (minikube: --container-runtime=containerd).",
      );
    else add("nodes", "Nodes", "ok", `${nodes.length} node(s)${nodes.length ? `: ${nodes.map((n) => `${n.name} (${n.runtimeVersion ?? "runtime unknown"})`).join(", ")}` : ""}.`);
  }

  const status = checks.reduce<LinkStatus>((w, c) => (RANK[c.status] > RANK[w] ? c.status : w), "ok");
  const spinRuntimeClasses = spinClasses.map((c) => ({ name: c.name, handler: c.handler ?? "" }));
  return { group, legacy: !!apis?.legacy && !apis.current, certManager, spinRuntimeClasses, executors, checks, status, summary: summarize(group, certManager, spinRuntimeClasses, executors, checks) };
}

/** Why a Spin RuntimeClass cannot work on this cluster's nodes, when the evidence says so. */
function classProblem(c: RuntimeClassView, nodes: NodeView[], shims: ReturnType<typeof shimView>[]): string | undefined {
  const handler = c.handler ?? "";
  const candidates = nodes.filter((n) => matchesSelector(n.labels, c.nodeSelector));
  if (!candidates.length && nodes.length) return `${c.name} schedules onto nodes labelled ${Object.entries(c.nodeSelector).map(([k, v]) => `${k}=${v}`).join(", ")}, and no node has that label.`;
  const support = candidates.map((n) => handlerSupport(n, handler, shims));
  if (!support.length || support.some((s) => s.verdict !== "no")) return undefined;
  const other = support.find((s) => s.otherSpinHandler)?.otherSpinHandler;
  return other
    ? `${c.name} has handler ${handler} but the nodes register ${other}, ${handlerOrigin(other)}.`
    : `No node can run ${c.name}'s handler ${handler} (${support[0].why}).`;
}

function summarize(group: string | undefined, certManager: boolean, classes: { name: string; handler: string }[], executors: Record<string, string[]>, checks: HealthCheck[]): string {
  const parts: string[] = [];
  parts.push(group ? (group === LEGACY_GROUP ? `${LEGACY_GROUP} (old)` : group) : "SpinKube not installed");
  parts.push(certManager ? "cert-manager" : "no cert-manager");
  parts.push(classes.length ? classes.map((c) => `${c.name}→${c.handler}`).join(", ") : "no Spin RuntimeClass");
  const n = Object.values(executors).reduce((a, l) => a + l.length, 0);
  parts.push(`${n} executor${n === 1 ? "" : "s"} in ${Object.keys(executors).length} namespace${Object.keys(executors).length === 1 ? "" : "s"}`);
  const bad = checks.filter((c) => c.status === "broken" || c.status === "warning");
  return `${bad.length ? `${bad.length} problem${bad.length === 1 ? "" : "s"} · ` : ""}${parts.join(" · ")}`;
}
