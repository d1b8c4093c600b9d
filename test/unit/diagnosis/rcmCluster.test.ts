// Runtime readiness and sandbox failures on a cluster set up by runtime-class-manager (nodes
// labelled spin=true and `spin-v2: provisioned`, containerd runtime "spin-v2", not reported in node
// status as on containerd 1.7, a Shim and the RuntimeClass wasmtime-spin-v2 it owns) plus the
// shim demos' RuntimeClass wasmtime-spin (handler spin), read through the real client-node: the
// healthy app, a handler mismatch, a missing class, an executor in another namespace, a Spin app
// without a runtime class, a precompilation failure, RBAC-limited reads, and the cluster's health.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ClusterReader } from "../../../src/cluster/diagnosis";
import { checkAppReadiness, checkClusterHealth, explainDeployFailure, healthNodeView, readerFromKubeClient, readinessMarkdown, readinessNodeView } from "../../../src/cluster/diagnosis";
import { ExplorerModel, MemoryExplorerMemory } from "../../../src/cluster/model";
import type { KObject, TestCluster } from "../../cluster";
import { startTestCluster } from "../../cluster";
import { certManagerObjects, rcmNode, rcmRuntimeClass, rcmShim, shimCrd } from "../../cluster/runtimeSetups";
import { kubeConfigFor, loadClientNode } from "../cluster/harness";
import { FAST_PODS, GROUP_VERSION, clientNodeReader, deployAndCheck, executor, linkOf, namespace, runtimeClass, spinApp } from "./helpers";

const NO_RUNTIME_SPIN = 'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox runtime: no runtime for "spin" is configured';

describe("runtime readiness on a runtime-class-manager cluster", { timeout: 60_000 }, () => {
  let cluster: TestCluster;
  let reader: ClusterReader;

  const podsOf = (ns: string, app: string): KObject[] => cluster.list("v1", "Pod", ns, { "core.spinkube.dev/app-name": app });
  const ready = (p: KObject): boolean => ((p.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");

  before(async () => {
    cluster = await startTestCluster({
      ...FAST_PODS,
      nodes: [rcmNode("worker-1", { reportRuntimeHandlers: false }), rcmNode("worker-2", { reportRuntimeHandlers: false })],
      users: [{ name: "dev", namespace: "healthy", rules: [{ verbs: ["get", "list", "watch"], apiGroups: ["*"], resources: ["*"], namespaces: ["healthy"] }] }],
    });
    cluster.apply(shimCrd());
    cluster.apply(certManagerObjects());
    const [shim] = cluster.apply(rcmShim({ nodes: 2, nodesReady: 2 }));
    cluster.apply([
      rcmRuntimeClass(shim),
      runtimeClass("wasmtime-spin", "spin"),
      ...["healthy", "wrong-handler", "missing-class", "team-b", "wasm-default"].map(namespace),
      executor("healthy", "containerd-shim-spin", { runtimeClassName: "wasmtime-spin-v2", installDefaultCACerts: true }),
      executor("wrong-handler", "shim-demo", { runtimeClassName: "wasmtime-spin" }),
      executor("missing-class", "missing-rc", { runtimeClassName: "wasmtime-spin-v1" }),
      executor("wasm-default", "no-config"),
    ]);
    reader = await clientNodeReader(cluster);
  });

  after(async () => {
    await cluster.stop();
  });

  it("a healthy app: every link holds, the handler is confirmed through the Shim, and the pods run", async () => {
    cluster.apply(spinApp("healthy", "hello", "containerd-shim-spin", undefined, undefined, 2));
    await cluster.waitFor(() => podsOf("healthy", "hello").filter(ready).length === 2, 8000, "hello ready");
    const app = cluster.get(GROUP_VERSION, "SpinApp", "healthy", "hello");
    assert.ok(app);
    const r = await checkAppReadiness(reader, app);
    assert.equal(r.mode, "cluster");
    assert.deepEqual(
      r.links.map((l) => [l.id, l.status]),
      [
        ["api", "ok"],
        ["executor", "ok"],
        ["runtime", "ok"],
        ["runtimeClass", "ok"],
        ["handler", "ok"],
        ["nodes", "ok"],
        ["pods", "ok"],
      ],
    );
    assert.equal(r.ready, true);
    assert.equal(r.firstBroken, undefined);
    assert.equal(r.summary, "healthy/hello is running: every link of the runtime chain holds.");
    assert.equal(linkOf(r.links, "runtimeClass").detail, "RuntimeClass wasmtime-spin-v2 exists (handler spin-v2, scheduling.nodeSelector spin=true; created by runtime-class-manager from Shim spin-v2).");
    assert.match(linkOf(r.links, "handler").detail, /^Handler spin-v2 \(runtime-class-manager's name .*\) is configured on worker-1, worker-2: runtime-class-manager installed Shim spin-v2 \(handler spin-v2\) on node worker-1\.$/);
    assert.equal(linkOf(r.links, "nodes").detail, "2 of 2 node(s) match spin=true: worker-1, worker-2. runtime-class-manager Shim spin-v2: 2 of 2 selected nodes provisioned.");
    assert.equal(linkOf(r.links, "pods").detail, "2/2 pod(s) ready.");
    const view = readinessNodeView(r);
    assert.deepEqual([view.label, view.description, view.icon, view.iconColor, view.contextValue, view.collapsible], ["Runtime readiness", "runtime chain holds", "pass", "testing.iconPassed", "spinkube.readiness.ok", "none"]);
    assert.match(readinessMarkdown(r, "spinkube-test"), /^# Runtime readiness: healthy\/hello\n\nChecked the deployed SpinApp against cluster context `spinkube-test`\.\n\n✅ /);
  });

  it("handler spin on nodes runtime-class-manager set up with spin-v2: the first broken link is the handler, with the recreate fix, before and after deploying", async () => {
    const manifest = spinApp("wrong-handler", "mismatch", "shim-demo");
    const before = await checkAppReadiness(reader, manifest);
    assert.equal(before.mode, "manifest");
    assert.equal(before.firstBroken?.id, "handler");
    assert.equal(linkOf(before.links, "pods").status, "skipped");
    assert.equal(
      before.firstBroken?.detail,
      `RuntimeClass wasmtime-spin has handler spin but this cluster's nodes were set up by runtime-class-manager, which registers spin-v2: runtime-class-manager set up node worker-1 with Shim spin-v2, which registers spin-v2, not spin. Pods fail with: no runtime for "spin" is configured.`,
    );
    assert.equal(
      before.firstBroken?.fix,
      "Recreate RuntimeClass wasmtime-spin with handler: spin-v2 (handler is immutable: kubectl delete runtimeclass wasmtime-spin, then apply it again with handler: spin-v2), or point the executor's deploymentConfig.runtimeClassName at wasmtime-spin-v2, which already has handler spin-v2.",
    );
    assert.match(before.summary, /^wrong-handler\/mismatch cannot run: RuntimeClass wasmtime-spin has handler spin but .* Fix: Recreate RuntimeClass wasmtime-spin with handler: spin-v2/);

    const { report: after } = await deployAndCheck(cluster, reader, manifest, "FailedCreatePodSandBox");
    assert.equal(after.mode, "cluster");
    assert.equal(after.firstBroken?.id, "handler");
    const pods = linkOf(after.links, "pods");
    assert.equal(pods.status, "broken");
    const f = after.failures[0];
    assert.equal(f.code, "no-runtime");
    assert.equal(f.evidence, NO_RUNTIME_SPIN);
    assert.match(f.node ?? "", /^worker-[12]$/);
    assert.match(f.title, /^Pods cannot start: node worker-[12] has no containerd runtime "spin" \(RuntimeClass wasmtime-spin\)$/);
    assert.match(f.causes[0], /^Handler mismatch: RuntimeClass wasmtime-spin asks for runtime "spin" \(the name the manual setup .*\), but runtime-class-manager set up node worker-[12] with Shim spin-v2, which registers spin-v2, not spin; "spin-v2" is runtime-class-manager's name/);
    assert.match(f.causes[1], /containerd on node worker-[12] has no runtime named "spin": the shim binary containerd-shim-spin-v2 is not installed, containerd's config lacks \[plugins\."io\.containerd\.cri\.v1\.runtime"\]\.containerd\.runtimes\.spin\]|containerd on node worker-[12] has no runtime named "spin"/);
    assert.match(f.fixes[0], /^Recreate RuntimeClass wasmtime-spin with handler: spin-v2/);
    assert.equal(pods.detail.endsWith(`(Kubernetes says: ${NO_RUNTIME_SPIN})`), true);

    const report = await explainDeployFailure(reader, manifest);
    assert.match(report.markdown, /^\*\*Pods cannot start: node worker-[12] has no containerd runtime "spin"/);
    assert.ok(report.markdown.includes(`\`\`\`\n${NO_RUNTIME_SPIN}\n\`\`\``));
    assert.ok(report.markdown.includes("1. Handler mismatch: RuntimeClass wasmtime-spin asks for runtime \"spin\""));
  });

  it("a missing RuntimeClass: no pod is ever created; the fix names the class the nodes can run", async () => {
    const { event: ev, report: r } = await deployAndCheck(cluster, reader, spinApp("missing-class", "legacy", "missing-rc"), "FailedCreate");
    assert.equal(r.firstBroken?.id, "runtimeClass");
    assert.equal(
      r.firstBroken?.detail,
      'RuntimeClass wasmtime-spin-v1 does not exist: the API server rejects every pod naming it ("pod rejected: RuntimeClass "wasmtime-spin-v1" not found"), so the app never gets a pod. wasmtime-spin-v1 is the legacy name of the v1 shim (deislabs/containerd-wasm-shims); current installs use wasmtime-spin-v2 with containerd-shim-spin.',
    );
    assert.equal(r.firstBroken?.fix, "Set the executor's deploymentConfig.runtimeClassName to wasmtime-spin-v2 (handler spin-v2), or create RuntimeClass wasmtime-spin-v1.");
    assert.deepEqual(
      r.links.slice(4).map((l) => [l.id, l.status]),
      [
        ["handler", "skipped"],
        ["nodes", "skipped"],
        ["pods", "broken"],
      ],
    );
    const f = r.failures.find((x) => x.code === "runtime-class-missing");
    assert.ok(f);
    assert.equal(f.evidence, ev.message);
    assert.match(f.evidence, /^Error creating: pods "legacy-[a-z0-9]+-" is forbidden: pod rejected: RuntimeClass "wasmtime-spin-v1" not found$/);
    assert.deepEqual(f.fixes, ["Point the executor's deploymentConfig.runtimeClassName at an existing Spin RuntimeClass (wasmtime-spin-v2), or create wasmtime-spin-v1."]);
  });

  it("before deploying into a namespace without the executor: the webhook's rejection is predicted, and the defaulted executor too", async () => {
    const app = spinApp("team-b", "orders", "containerd-shim-spin");
    const r = await checkAppReadiness(reader, app);
    assert.equal(r.mode, "manifest");
    assert.equal(r.firstBroken?.id, "executor");
    assert.equal(
      r.firstBroken?.detail,
      "SpinAppExecutor containerd-shim-spin exists in namespace healthy but not in team-b. Executors are namespaced, so the operator's webhook rejects the SpinApp with: executor does not exist in namespace.",
    );
    assert.equal(
      r.firstBroken?.fix,
      "Create executor containerd-shim-spin in team-b too (kubectl get spinappexecutor containerd-shim-spin -n healthy -o yaml, change metadata.namespace to team-b, drop status and metadata.uid/resourceVersion, apply).",
    );
    // The rest of the chain is judged with the executor found elsewhere.
    assert.deepEqual(
      r.links.slice(2).map((l) => l.status),
      ["ok", "ok", "ok", "ok", "skipped"],
    );
    // The real API server agrees.
    const k8s = await loadClientNode();
    const api = k8s.KubernetesObjectApi.makeApiClient(await kubeConfigFor(cluster));
    await assert.rejects(
      () => api.create(app as Parameters<typeof api.create>[0]),
      (e: { code?: number; body?: unknown }) => e.code === 422 && String(e.body).includes('spec.executor: Invalid value: \\"containerd-shim-spin\\": executor does not exist in namespace'),
    );

    const noExecutor = spinApp("team-b", "orders", undefined);
    const d = await checkAppReadiness(reader, noExecutor);
    assert.equal(
      d.firstBroken?.detail,
      "The SpinApp has no spec.executor; the operator's webhook fills in the alphabetically first executor in any namespace: containerd-shim-spin. SpinAppExecutor containerd-shim-spin exists in namespace healthy but not in team-b. Executors are namespaced, so the operator's webhook rejects the SpinApp with: executor does not exist in namespace.",
    );
    // With the executor in the same manifest, the chain holds.
    const withExecutor = await checkAppReadiness(reader, app, { manifestObjects: [executor("team-b", "containerd-shim-spin", { runtimeClassName: "wasmtime-spin-v2" })] });
    assert.equal(linkOf(withExecutor.links, "executor").detail, "SpinAppExecutor containerd-shim-spin exists in namespace team-b (from this manifest).");
    assert.equal(withExecutor.ready, true);
    assert.equal(withExecutor.summary, "team-b/orders can run here: every link of the runtime chain holds.");
  });

  it("a Spin app on an executor without deploymentConfig runs on runc: the runtime link and the pull failure both say so", async () => {
    const app = spinApp("wasm-default", "plain", "no-config", "ghcr.io/example/wasm-app:missing");
    cluster.apply(app);
    await cluster.waitFor(
      () => podsOf("wasm-default", "plain").some((p) => JSON.stringify(p.status).includes('"reason":"ErrImagePull"') || JSON.stringify(p.status).includes('"reason":"ImagePullBackOff"')),
      8000,
      "pull failure",
    );
    const r = await checkAppReadiness(reader, app);
    assert.equal(r.firstBroken?.id, "runtime");
    assert.equal(r.firstBroken?.detail, "Executor no-config has no deploymentConfig, so the pods get no runtimeClassName and run on the node's default runtime (runc), which cannot start a Spin app.");
    assert.equal(r.firstBroken?.fix, "Add deploymentConfig.runtimeClassName: wasmtime-spin-v2 to executor no-config.");
    const f = r.failures[0];
    assert.equal(f.code, "wasm-on-default-runtime");
    assert.match(f.title, /^Likely cause: the Spin app ghcr\.io\/example\/wasm-app:missing runs without a Spin runtime class \((ErrImagePull|ImagePullBackOff)\)$/);
    assert.match(f.causes[0], /^The pod has no runtimeClassName, so the node's default runtime \(runc\) tries to pull and start a Spin app/);
    assert.deepEqual(f.fixes, ["Set the executor's deploymentConfig.runtimeClassName to a Spin RuntimeClass (e.g. wasmtime-spin-v2), or use a spinImage executor."]);
  });

  it("precompilation failed in a pod event is explained on an otherwise healthy chain", async () => {
    cluster.apply(spinApp("healthy", "precompiled", "containerd-shim-spin"));
    const pod = await cluster.waitFor(() => podsOf("healthy", "precompiled")[0], 8000, "pod");
    const message = "precompilation failed: failed to validate component output";
    cluster.apply({
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: `${pod.metadata.name}.precompile`, namespace: "healthy" },
      involvedObject: { kind: "Pod", name: pod.metadata.name, namespace: "healthy", uid: pod.metadata.uid, apiVersion: "v1" },
      reason: "Failed",
      message,
      type: "Warning",
      source: { component: "kubelet", host: "worker-1" },
      firstTimestamp: new Date().toISOString(),
      lastTimestamp: new Date().toISOString(),
      count: 1,
    });
    const app = cluster.get(GROUP_VERSION, "SpinApp", "healthy", "precompiled");
    assert.ok(app);
    const r = await checkAppReadiness(reader, app);
    assert.equal(r.firstBroken?.id, "pods");
    const f = r.failures[0];
    assert.deepEqual([f.code, f.title, f.evidence, f.node], ["precompilation-failed", "The shim could not precompile the app's Wasm", message, "worker-1"]);
    assert.equal(f.causes[0], "The app was built by a Spin/Wasmtime version the shim cannot handle (containerd-shim-spin issues #211, #219).");
  });

  it("a user who may only read one namespace gets unknown links, not false alarms", async () => {
    const dev = await clientNodeReader(cluster, cluster.users.dev.context);
    assert.equal(dev.namespace, "healthy");
    const r = await checkAppReadiness(dev, spinApp("healthy", "hello", "containerd-shim-spin"));
    assert.equal(r.firstBroken, undefined);
    assert.equal(r.ready, false);
    assert.equal(linkOf(r.links, "executor").status, "ok");
    const rc = linkOf(r.links, "runtimeClass");
    assert.equal(rc.status, "unknown");
    assert.equal(rc.detail, 'Could not list RuntimeClasses: HTTP 403: runtimeclasses.node.k8s.io is forbidden: User "dev" cannot list resource "runtimeclasses" in API group "node.k8s.io" at the cluster scope.');
    assert.equal(linkOf(r.links, "handler").detail, "Could not read the RuntimeClass.");
    assert.equal(linkOf(r.links, "pods").status, "ok");
    assert.match(r.summary, /^healthy\/hello: no broken link found; not confirmed: RuntimeClass \(Could not list RuntimeClasses/);
  });

  it("through the extension's own connection (the explorer's KubeClient) the reports are the same", async () => {
    const model = new ExplorerModel({ kubeconfig: () => ({ setting: cluster.kubeconfigPath }), memory: new MemoryExplorerMemory() });
    try {
      const ctx = model.currentContext();
      assert.equal(ctx, "spinkube-test");
      const own = readerFromKubeClient(await model.client(ctx));
      for (const app of [spinApp("wrong-handler", "mismatch", "shim-demo"), spinApp("team-b", "orders", "containerd-shim-spin"), spinApp("healthy", "hello", "containerd-shim-spin")]) {
        const a = await checkAppReadiness(own, app);
        const b = await checkAppReadiness(reader, app);
        assert.deepEqual(a.links, b.links);
        assert.equal(a.mode, b.mode);
      }
      assert.deepEqual((await checkClusterHealth(own)).checks, (await checkClusterHealth(reader)).checks);
    } finally {
      model.dispose();
    }
  });

  it("cluster health: current group, cert-manager, Shim status, and the RuntimeClass whose handler no node has", async () => {
    const h = await checkClusterHealth(reader);
    assert.equal(h.group, "core.spinkube.dev");
    assert.equal(h.legacy, false);
    assert.equal(h.certManager, true);
    const byId = Object.fromEntries(h.checks.map((c) => [c.id, c]));
    assert.deepEqual(
      h.checks.map((c) => [c.id, c.status]),
      [
        ["crds", "ok"],
        ["operator", "unknown"],
        ["certManager", "ok"],
        ["runtimeClasses", "warning"],
        ["executors", "warning"],
        ["shims", "ok"],
        ["nodes", "ok"],
      ],
    );
    assert.equal(byId.certManager.detail, "cert-manager is present (API group cert-manager.io served, namespace cert-manager).");
    assert.equal(
      byId.runtimeClasses.detail,
      "Spin RuntimeClasses: wasmtime-spin (spin), wasmtime-spin-v2 (spin-v2). wasmtime-spin has handler spin but the nodes register spin-v2, runtime-class-manager's name (it names the runtime after the binary containerd-shim-spin-v2).",
    );
    assert.match(byId.executors.detail, /^4 executor\(s\) — healthy: containerd-shim-spin; missing-class: missing-rc; wasm-default: no-config; wrong-handler: shim-demo\. missing-class\/missing-rc names RuntimeClass wasmtime-spin-v1, which does not exist\.$/);
    assert.equal(byId.shims.detail, "spin-v2 → RuntimeClass wasmtime-spin-v2 (handler spin-v2): 2/2 nodes ready.");
    assert.equal(h.summary, "2 problems · core.spinkube.dev · cert-manager · wasmtime-spin→spin, wasmtime-spin-v2→spin-v2 · 4 executors in 4 namespaces");
    const view = healthNodeView(h, "spinkube-test");
    assert.deepEqual([view.label, view.description, view.icon, view.contextValue], ["spinkube-test", h.summary, "warning", "spinkube.health.warning"]);
    assert.match(view.tooltip, /^\*\*SpinKube on spinkube-test\*\*\n\n- ✅ \*\*SpinKube CRDs\*\*/);
  });
});
