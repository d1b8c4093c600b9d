// Node view-models (labels, descriptions, tooltips, contextValues, icons), the filter, which nodes
// can run a RuntimeClass, and the Executors → RuntimeClass → handler → nodes chain on the demo
// population.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { KObject } from "../../../src/cluster/kubeApi";
import { appSummary, matchesFilter, nodeRuns, podView, readyText, spinAppView } from "../../../src/cluster/nodes";
import { child, fixture, labels, until, waitChild } from "./helpers";

const app = (status: Record<string, unknown>, spec: Record<string, unknown> = {}, labelsOf: Record<string, string> = {}): KObject => ({
  apiVersion: "core.spinkube.dev/v1alpha1",
  kind: "SpinApp",
  metadata: { name: "cart-api", namespace: "spin-apps", labels: labelsOf },
  spec: { image: "ghcr.io/example/cart:v1", executor: "containerd-shim-spin", replicas: 3, ...spec },
  status,
});
const cond = (type: string, status: string, reason: string, message: string) => ({ type, status, reason, message });

test("a SpinApp's view-model: Ready/Desired, executor, health icon, tooltip with the conditions' messages", () => {
  const ready = app({ readyReplicas: 3, conditions: [cond("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability."), cond("Progressing", "True", "NewReplicaSetAvailable", "ok")] });
  const v = spinAppView(ready, appSummary(ready));
  assert.equal(v.label, "cart-api");
  assert.equal(v.description, "Ready 3/3 · containerd-shim-spin");
  assert.equal(v.svg, "spinapp-ready");
  assert.equal(v.contextValue, "spinkube.resource.spinApp");
  assert.match(v.tooltip ?? "", /Available=True \(MinimumReplicasAvailable\): Deployment has minimum availability\./);

  const progressing = app({ readyReplicas: 2, conditions: [cond("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.")] });
  assert.equal(spinAppView(progressing, appSummary(progressing)).svg, "spinapp-progressing");

  const stalled = app({ readyReplicas: 0, conditions: [cond("Available", "False", "x", "y"), cond("Progressing", "False", "ProgressDeadlineExceeded", 'ReplicaSet "cart" has timed out progressing.')] });
  const sv = spinAppView(stalled, appSummary(stalled));
  assert.equal(sv.svg, "spinapp-failing");
  assert.match(sv.tooltip ?? "", /Why: ReplicaSet "cart" has timed out progressing\./);

  const crashing: KObject = { metadata: { name: "cart-api-1", namespace: "spin-apps" }, spec: { nodeName: "w1" }, status: { phase: "Running", containerStatuses: [{ name: "cart-api", ready: false, restartCount: 4, state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s restarting failed container" } } }] } };
  const withPods = appSummary(progressing, [crashing]);
  assert.equal(withPods.health, "failing");
  assert.match(withPods.reason ?? "", /CrashLoopBackOff: back-off 40s/);
  const pv = podView(crashing);
  assert.equal(pv.description, "CrashLoopBackOff · 4 restarts · w1");
  assert.equal(pv.svg, "pod-failed");

  const auto = app({ readyReplicas: 1 }, { enableAutoscaling: true, replicas: undefined });
  assert.equal(readyText(appSummary(auto)), "Ready 1/auto");
  assert.equal(spinAppView(auto, appSummary(auto)).contextValue, "spinkube.resource.spinApp.autoscaled");
  const missing = app({ readyReplicas: 0, conditions: [cond("Available", "Unknown", "DeploymentNotFound", "Deployment not found"), cond("Progressing", "Unknown", "DeploymentNotFound", "Deployment not found")] });
  assert.equal(appSummary(missing).health, "failing");
});

test("filter: name or label substring, key=value, only failing", () => {
  const a = app({}, {}, { tier: "backend" });
  const s = appSummary(a);
  assert.ok(matchesFilter(a, s, { text: "cart" }));
  assert.ok(matchesFilter(a, s, { text: "BACK" }));
  assert.ok(matchesFilter(a, s, { text: "tier=backend" }));
  assert.ok(!matchesFilter(a, s, { text: "tier=frontend" }));
  assert.ok(!matchesFilter(a, s, { onlyFailing: true }));
  assert.ok(matchesFilter(a, { ...s, health: "failing" }, { onlyFailing: true, text: "cart" }));
});

test("which nodes can run a RuntimeClass: reported handlers and the nodeSelector", () => {
  const rc: KObject = { metadata: { name: "wasmtime-spin-v2" }, handler: "spin-v2", scheduling: { nodeSelector: { spin: "true" } } };
  const node = (name: string, lbl: Record<string, string>, handlers?: string[]): KObject => ({ metadata: { name, labels: lbl }, status: handlers ? { runtimeHandlers: handlers.map((h) => ({ name: h })) } : {} });
  assert.equal(nodeRuns(node("a", { spin: "true" }, ["", "runc", "spin-v2"]), rc).runs, true);
  assert.match(nodeRuns(node("b", { spin: "true" }, ["", "runc", "spin"]), rc).reason, /no runtime handler "spin-v2"/);
  assert.match(nodeRuns(node("c", {}, ["spin-v2"]), rc).reason, /lacks label spin=true/);
  const unknown = nodeRuns(node("d", { spin: "true" }), rc);
  assert.equal(unknown.runs, true);
  assert.equal(unknown.reportsHandlers, false);
});

test("demo cluster: Executors → RuntimeClass → handler → nodes, and a handler no node runs", async () => {
  const f = await fixture({ seed: "demo", controllers: false });
  try {
    const [ctx] = f.model.children();
    await until(f.model, () => labels(f.model, ctx).includes("broken"), "namespaces");
    assert.deepEqual(labels(f.model, ctx), ["broken", "default", "spin-apps", "staging", "Executors", "RuntimeClasses"]);
    const execs = child(f.model, ctx, "Executors");
    await until(f.model, () => labels(f.model, execs).length === 6, "six executors");
    const shim = child(f.model, execs, "spin-apps/containerd-shim-spin");
    assert.equal(f.model.view(shim).description, "runtimeClass wasmtime-spin-v2");
    const rc = await waitChild(f.model, shim, "RuntimeClass wasmtime-spin-v2");
    await until(f.model, () => /handler spin-v2/.test(f.model.view(rc).description ?? ""), "rc loaded");
    const handler = await waitChild(f.model, rc, "handler spin-v2");
    await until(f.model, () => labels(f.model, handler).join() === "spinkube-worker,spinkube-worker2", "both demo nodes run spin-v2");
    const brokenExec = child(f.model, execs, "broken/containerd-shim-spin");
    const rcSpin = await waitChild(f.model, brokenExec, "RuntimeClass wasmtime-spin");
    const hSpin = await waitChild(f.model, rcSpin, "handler spin");
    const none = await until(f.model, () => f.model.children(hSpin).find((n) => n.kind === "message"), "the no-node message");
    assert.equal(f.model.view(none).label, 'No node can run handler "spin"');
    assert.match(f.model.view(none).tooltip ?? "", /spinkube-worker: no runtime handler "spin" \(has runc, spin-v2\)/);
    const missingRc = child(f.model, execs, "broken/missing-runtime-class");
    const gone = await waitChild(f.model, missingRc, "RuntimeClass wasmtime-spin-v1");
    await until(f.model, () => f.model.view(gone).description === "not found", "missing RuntimeClass shown");
    const rcs = child(f.model, ctx, "RuntimeClasses");
    await until(f.model, () => labels(f.model, rcs).join() === "RuntimeClass wasmtime-spin,RuntimeClass wasmtime-spin-v2", "RuntimeClasses group");
    // The filter hides namespaces without a match.
    f.model.setFilter({ text: "cart" });
    await until(f.model, () => labels(f.model, ctx).join() === "spin-apps,Executors,RuntimeClasses", "filtered namespaces");
    assert.deepEqual(labels(f.model, child(f.model, ctx, "spin-apps")), ["cart-api"]);
    f.model.setFilter({});
  } finally {
    await f.stop();
  }
});

test("demo cluster: why SpinApps fail, and Show Only Failing", async () => {
  const f = await fixture({ seed: "demo", crashAfterMs: 200, crashBackoffMs: 500 });
  try {
    const [ctx] = f.model.children();
    const broken = await waitChild(f.model, ctx, "broken");
    await waitChild(f.model, broken, "needs-runtime");
    const why = (name: string): string => {
      const n = f.model.children(broken).find((x) => f.model.view(x).label === name);
      return n ? (f.model.view(n).tooltip ?? "") : "";
    };
    await until(f.model, () => f.model.view(broken).description === "3 SpinApps · 3 failing", "three failing apps in broken", 20_000);
    assert.match(why("no-executor"), /Why: SpinAppExecutor "cyclotron" does not exist in namespace broken/);
    assert.match(why("needs-runtime"), /Why: Node spinkube-worker2? has no runtime for handler "spin" \(RuntimeClass wasmtime-spin\): no runtime handler "spin" \(has runc, spin-v2\)\./);
    assert.match(why("missing-runtimeclass"), /Why: .*RuntimeClass "wasmtime-spin-v1" not found/);
    for (const n of f.model.children(broken)) assert.equal(f.model.view(n).svg, "spinapp-failing");
    const staging = await waitChild(f.model, ctx, "staging");
    await until(f.model, () => /crashy/.test(f.model.children(staging).map((n) => `${f.model.view(n).label}:${f.model.view(n).svg}`).join() ) && f.model.children(staging).some((n) => f.model.view(n).label === "crashy" && f.model.view(n).svg === "spinapp-failing"), "crashy failing", 20_000);
    f.model.setFilter({ onlyFailing: true });
    await until(f.model, () => labels(f.model, ctx).join() === "broken,staging,Executors,RuntimeClasses", "only namespaces with failing apps");
    assert.deepEqual(labels(f.model, broken), ["missing-runtimeclass", "needs-runtime", "no-executor"]);
    f.model.setFilter({});
  } finally {
    await f.stop();
  }
});
