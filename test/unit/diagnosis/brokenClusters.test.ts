// Runtime readiness, sandbox failures and health on three broken clusters, read through the real
// client-node: runtime-class-manager installed but no node labelled spin=true (and a hand-made
// class on a node whose containerd has no Spin runtime; no cert-manager), a node on the Docker
// runtime (`RuntimeHandler "spin" not supported`), and an old operator serving only
// core.spinoperator.dev on nodes that do not report their runtime handlers.

import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { ClusterReader } from "../../../src/cluster/diagnosis";
import { checkAppReadiness, checkClusterHealth } from "../../../src/cluster/diagnosis";
import type { TestCluster } from "../../cluster";
import { startTestCluster } from "../../cluster";
import { certManagerObjects, rcmRuntimeClass, rcmShim, shimCrd } from "../../cluster/runtimeSetups";
import { sharedDir } from "../cluster/harness";
import { FAST_PODS, LEGACY_GROUP_VERSION, clientNodeReader, deployAndCheck, executor, linkOf, runtimeClass, spinApp } from "./helpers";

describe("runtime-class-manager installed, nodes not labelled, no cert-manager", { timeout: 30_000 }, () => {
  let cluster: TestCluster;
  let reader: ClusterReader;

  before(async () => {
    cluster = await startTestCluster({ ...FAST_PODS, nodes: [{ name: "worker", runtimeHandlers: [] }] });
    cluster.apply(shimCrd());
    const [shim] = cluster.apply(rcmShim({ nodes: 0, nodesReady: 0 }));
    cluster.apply([
      rcmRuntimeClass(shim),
      runtimeClass("wasmtime-spin", "spin"),
      executor("default", "containerd-shim-spin", { runtimeClassName: "wasmtime-spin-v2" }),
      executor("default", "manual", { runtimeClassName: "wasmtime-spin" }),
    ]);
    reader = await clientNodeReader(cluster);
  });

  after(async () => {
    await cluster.stop();
  });

  it("pods Pending because no node has spin=true: the nodes link is the first broken one, and labelling is the fix", async () => {
    const { event: ev, report: r } = await deployAndCheck(cluster, reader, spinApp("default", "pending", "containerd-shim-spin"), "FailedScheduling");
    assert.equal(r.firstBroken?.id, "nodes");
    assert.equal(linkOf(r.links, "handler").status, "skipped");
    assert.equal(
      r.firstBroken?.detail,
      "RuntimeClass wasmtime-spin-v2 only schedules onto nodes labelled spin=true (scheduling.nodeSelector), and none of the 1 node(s) has that label: pods stay Pending (FailedScheduling: didn't match Pod's node affinity/selector). runtime-class-manager Shim spin-v2: 0 of 0 selected nodes provisioned.",
    );
    assert.equal(r.firstBroken?.fix, "Label the nodes that should run Spin apps: kubectl label node --all spin=true (or name the nodes); runtime-class-manager then installs the shim on them.");
    const f = r.failures[0];
    assert.equal(f.code, "unschedulable");
    assert.equal(f.evidence, ev.message);
    assert.equal(f.evidence, "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
    assert.equal(f.title, "Pods stay Pending: no node matches the node selector spin=true");
    assert.equal(
      f.causes[0],
      "RuntimeClass wasmtime-spin-v2 only schedules onto nodes labelled spin=true (its scheduling.nodeSelector, copied from runtime-class-manager Shim spin-v2), and no node carries that label.",
    );
    assert.deepEqual(f.fixes, ["Label the nodes that have the Spin shim: kubectl label node worker spin=true (runtime-class-manager then installs the shim on them)."]);
  });

  it("a hand-made class on a node whose containerd has no Spin runtime: containerd not configured comes first", async () => {
    const { report: r } = await deployAndCheck(cluster, reader, spinApp("default", "unconfigured", "manual"), "FailedCreatePodSandBox");
    assert.equal(r.firstBroken?.id, "handler");
    assert.equal(
      r.firstBroken?.detail,
      'No node the RuntimeClass schedules onto has a containerd runtime "spin": node worker reports runtime handlers runc, not spin. Pods fail with: no runtime for "spin" is configured.',
    );
    assert.equal(r.firstBroken?.fix, 'Install the Spin shim on the nodes (runtime-class-manager with a Shim registering "spin", or containerd\'s config by hand) and restart containerd.');
    const f = r.failures[0];
    assert.equal(f.code, "no-runtime");
    assert.equal(f.node, "worker");
    assert.equal(
      f.causes[0],
      'containerd on node worker has no runtime named "spin": the shim binary containerd-shim-spin-v2 is not installed, containerd\'s config lacks [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.spin] (containerd 2.x) or [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.spin] (1.x) with runtime_type = "io.containerd.spin.v2", or containerd was not restarted after the change.',
    );
    assert.equal(f.causes[1], 'A handler mismatch between runtime-class-manager\'s "spin-v2" and the manual setup\'s "spin": if the nodes register "spin-v2", RuntimeClass wasmtime-spin must use handler spin-v2.');
  });

  it("health: cert-manager missing is broken; the Shim and both RuntimeClasses select or fit no node", async () => {
    const h = await checkClusterHealth(reader);
    const byId = Object.fromEntries(h.checks.map((c) => [c.id, c]));
    assert.equal(byId.certManager.status, "broken");
    assert.equal(byId.certManager.fix, "Install it first: kubectl apply -f https://github.com/cert-manager/cert-manager/releases/download/v1.20.0/cert-manager.yaml");
    assert.equal(byId.shims.status, "warning");
    assert.equal(byId.shims.detail, "spin-v2 → RuntimeClass wasmtime-spin-v2 (handler spin-v2): 0/0 nodes ready. Shim spin-v2 selects no node (nodeSelector spin=true).");
    assert.equal(byId.shims.fix, "Label the nodes that should run Spin apps, e.g. kubectl label node --all spin=true.");
    assert.equal(
      byId.runtimeClasses.detail,
      "Spin RuntimeClasses: wasmtime-spin (spin), wasmtime-spin-v2 (spin-v2). No node can run wasmtime-spin's handler spin (node worker reports runtime handlers runc, not spin). wasmtime-spin-v2 schedules onto nodes labelled spin=true, and no node has that label.",
    );
    assert.equal(h.status, "broken");
    assert.equal(h.summary, "3 problems · core.spinkube.dev · no cert-manager · wasmtime-spin→spin, wasmtime-spin-v2→spin-v2 · 2 executors in 1 namespace");
  });
});

describe("a node on the Docker runtime", { timeout: 30_000 }, () => {
  let cluster: TestCluster;
  let reader: ClusterReader;

  before(async () => {
    cluster = await startTestCluster({ ...FAST_PODS, nodes: [{ name: "minikube", containerRuntime: "docker" }] });
    cluster.apply([...certManagerObjects(), runtimeClass("wasmtime-spin-v2", "spin"), executor("default", "containerd-shim-spin", { runtimeClassName: "wasmtime-spin-v2" })]);
    reader = await clientNodeReader(cluster);
  });

  after(async () => {
    await cluster.stop();
  });

  it('RuntimeHandler "spin" not supported: the handler link and the pod failure both name the Docker runtime and the containerd fix', async () => {
    const manifest = spinApp("default", "hello", "containerd-shim-spin");
    const pre = await checkAppReadiness(reader, manifest);
    assert.equal(pre.firstBroken?.id, "handler");
    assert.equal(pre.firstBroken?.detail, 'The nodes run the Docker runtime (minikube: docker://24.0.7), which supports no RuntimeClass handlers: pods fail with RuntimeHandler "spin" not supported.');
    assert.equal(pre.firstBroken?.fix, "Run the nodes on containerd (minikube: minikube start --container-runtime=containerd; Docker Desktop's built-in Kubernetes cannot run the shim) and install the Spin shim.");

    const { event: ev, report: r } = await deployAndCheck(cluster, reader, manifest, "FailedCreatePodSandBox");
    assert.equal(ev.message, 'Failed to create pod sandbox: rpc error: code = Unknown desc = RuntimeHandler "spin" not supported');
    const f = r.failures[0];
    assert.equal(f.code, "handler-not-supported");
    assert.equal(f.evidence, ev.message);
    assert.equal(f.title, 'Pods cannot start: node minikube does not use containerd, so it has no RuntimeClass handler "spin"');
    assert.equal(f.causes[0], "Node minikube runs the Docker runtime (docker://24.0.7), not containerd's CRI; the Spin shim is a containerd shim, so RuntimeClass wasmtime-spin-v2 cannot work there.");
    assert.match(f.fixes[0], /^Run the Spin nodes on containerd: for minikube, minikube start --container-runtime=containerd \(minikube 1\.33 or later\)/);

    const h = await checkClusterHealth(reader);
    const nodes = h.checks.find((c) => c.id === "nodes");
    assert.equal(nodes?.status, "broken");
    assert.equal(nodes?.detail, '1 of 1 node(s) run the Docker runtime (minikube: docker://24.0.7); the Spin shim needs containerd (pods there fail with RuntimeHandler "spin" not supported).');
  });
});

describe("an old operator: only core.spinoperator.dev, nodes that do not report runtime handlers", { timeout: 30_000 }, () => {
  let cluster: TestCluster;
  let reader: ClusterReader;

  before(async () => {
    cluster = await startTestCluster({
      ...FAST_PODS,
      crdDir: path.join(sharedDir(), "spinkube", "spin-operator", "crd-legacy-v0.3.0"),
      nodes: [{ name: "worker", runtimeHandlers: ["spin"], reportRuntimeHandlers: false }],
    });
    cluster.apply([...certManagerObjects(), runtimeClass("wasmtime-spin-v2", "spin")]);
    reader = await clientNodeReader(cluster);
  });

  after(async () => {
    await cluster.stop();
  });

  it("a core.spinkube.dev manifest is predicted to fail with no matches for kind; the upgrade is the fix", async () => {
    const r = await checkAppReadiness(reader, spinApp("default", "hello", "containerd-shim-spin"));
    assert.equal(r.firstBroken?.id, "api");
    assert.equal(
      r.firstBroken?.detail,
      'The cluster serves SpinApp only in the old group core.spinoperator.dev (operator v0.3.0 or older), so applying this fails with: no matches for kind "SpinApp" in version "core.spinkube.dev/v1alpha1".',
    );
    assert.match(r.firstBroken?.fix ?? "", /^Upgrade the operator to v0\.4\.0 or later \(delete the old SpinApps and executors, uninstall the operator, delete the two \*\.core\.spinoperator\.dev CRDs/);
  });

  it("an old-group manifest with its executor: no broken link, but the handler cannot be confirmed from the API", async () => {
    const app = spinApp("default", "hello", "containerd-shim-spin", undefined, LEGACY_GROUP_VERSION);
    const r = await checkAppReadiness(reader, app, { manifestObjects: [executor("default", "containerd-shim-spin", { runtimeClassName: "wasmtime-spin-v2" }, LEGACY_GROUP_VERSION)] });
    assert.deepEqual(
      r.links.map((l) => [l.id, l.status]),
      [
        ["api", "ok"],
        ["executor", "ok"],
        ["runtime", "ok"],
        ["runtimeClass", "ok"],
        ["handler", "unknown"],
        ["nodes", "ok"],
        ["pods", "skipped"],
      ],
    );
    assert.equal(linkOf(r.links, "api").detail, "The cluster serves SpinApp in core.spinoperator.dev/v1alpha1 (operator v0.3.0 or older).");
    assert.match(linkOf(r.links, "handler").detail, /^Handler spin \(the name the manual setup and the shim's installer images use\)\. The API does not show which containerd runtimes the nodes have/);
    assert.equal(r.ready, false);
    assert.match(r.summary, /^default\/hello: no broken link found; not confirmed: Handler \(Handler spin/);
  });

  it("health: the old group is a warning with the upgrade path, and no executor exists", async () => {
    const h = await checkClusterHealth(reader);
    assert.equal(h.group, "core.spinoperator.dev");
    assert.equal(h.legacy, true);
    const byId = Object.fromEntries(h.checks.map((c) => [c.id, c]));
    assert.equal(byId.crds.status, "warning");
    assert.match(byId.crds.detail, /^Only the old group core\.spinoperator\.dev is served \(operator v0\.3\.0 or older\)/);
    assert.equal(byId.executors.status, "broken");
    assert.equal(byId.executors.detail, "No SpinAppExecutor in any namespace: SpinApps are rejected with: executor must be set, likely no default executor was set because you have no executors installed.");
    assert.equal(h.summary, "2 problems · core.spinoperator.dev (old) · cert-manager · wasmtime-spin-v2→spin · 0 executors in 0 namespaces");
  });
});
