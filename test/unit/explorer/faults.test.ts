// Faults a real cluster produces: RBAC that forbids listing across namespaces (fallback to the
// namespaces the user may read, said on the tree), an expired/revoked token (one clear message
// naming the context), a resource the cluster does not serve, and malformed objects.

import assert from "node:assert/strict";
import { test } from "node:test";
import { appSummary, podSummary, podView, spinAppView } from "../../../src/cluster/nodes";
import type { KObject } from "../../../src/cluster/kubeApi";
import { child, executor, fixture, labels, namespace, objs, spinApp, until, waitChild } from "./helpers";

const readTeamA = [{ verbs: ["get", "list", "watch"], apiGroups: ["*"], resources: ["*"], namespaces: ["team-a"] }];

test("forbidden list across namespaces: falls back to the namespace the user may read and says so", async () => {
  const f = await fixture({ controllers: false, users: [{ name: "dev", namespace: "team-a", rules: readTeamA }] });
  try {
    f.cluster.apply(objs(namespace("team-a"), namespace("team-b"), executor("team-a"), spinApp("team-a", "cart"), spinApp("team-b", "secret-app")));
    const dev = f.model.children().find((n) => f.model.view(n).label === "dev@spinkube-test");
    assert.ok(dev);
    const teamA = await waitChild(f.model, dev, "team-a");
    const top = labels(f.model, dev);
    assert.match(top[0], /may not list SpinApps across all namespaces \(RBAC\): showing the namespace you can read, "team-a"/);
    assert.deepEqual(top.slice(1), ["team-a", "Executors", "RuntimeClasses"]);
    assert.deepEqual(labels(f.model, teamA), ["cart"]);
    assert.equal(f.model.scope("dev@spinkube-test").mode, "fallback");
    assert.match(f.model.view(dev).tooltip ?? "", /readable: team-a/);
    // Choosing namespaces: the forbidden one is reported, the readable one shown.
    f.model.setNamespaces("dev@spinkube-test", ["team-a", "team-b"]);
    await until(f.model, () => labels(f.model, dev).some((l) => /You may not list SpinApps in team-b/.test(l)), "the forbidden chosen namespace reported");
    const a = child(f.model, dev, "team-a");
    await waitChild(f.model, a, "cart");
  } finally {
    await f.stop();
  }
});

test("expired token: one clear message with the context name, recovery after a new token", async () => {
  const f = await fixture({ controllers: false });
  try {
    f.cluster.apply(objs(spinApp("default", "hello")));
    const [ctx] = f.model.children();
    const ns = await waitChild(f.model, ctx, "default");
    await waitChild(f.model, ns, "hello");
    f.cluster.faults.revokeToken(f.cluster.token);
    f.cluster.faults.dropConnections();
    const session = f.model.session("spinkube-test");
    assert.ok(session);
    await until(f.model, () => session.state.kind === "expired", "expired state");
    const msgs = labels(f.model, ctx).filter((l) => /credentials/.test(l));
    assert.equal(msgs.length, 1, "one message, not one per watch");
    assert.match(msgs[0], /The cluster rejected the credentials of context "spinkube-test" \(401 Unauthorized\)/);
    assert.equal(f.model.view(ctx).description, "credentials rejected");
    assert.equal(f.model.view(ctx).svg, "context-unauthorized");
  } finally {
    await f.stop();
  }
});

test("a resource the cluster does not serve (KEDA) is skipped; once its CRD is installed, Refresh shows the ScaledObject targeting the app", async () => {
  const f = await fixture();
  try {
    f.cluster.apply(objs(executor("default"), spinApp("default", "hello", { enableAutoscaling: true, replicas: undefined })));
    const [ctx] = f.model.children();
    const ns = await waitChild(f.model, ctx, "default");
    const app = await waitChild(f.model, ns, "hello");
    await until(f.model, () => labels(f.model, app).includes("Deployment hello"), "deployment");
    assert.equal(f.model.session("spinkube-test")?.status({ resource: { group: "keda.sh", version: "v1alpha1", plural: "scaledobjects", kind: "ScaledObject", namespaced: true }, namespace: "default" }), "notServed");
    assert.equal(f.model.view(app).contextValue, "spinkube.resource.spinApp.autoscaled");
    assert.match(f.model.view(app).description ?? "", /^Ready \d\/\d+|^Ready \d\/auto/);
    // KEDA gets installed; Refresh finds it and the ScaledObject targeting the app shows.
    f.cluster.apply(objs(
      {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: "scaledobjects.keda.sh" },
        spec: {
          group: "keda.sh",
          scope: "Namespaced",
          names: { plural: "scaledobjects", singular: "scaledobject", kind: "ScaledObject", listKind: "ScaledObjectList" },
          versions: [{ name: "v1alpha1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
        },
      },
    ));
    await f.cluster.waitFor(() => f.cluster.api.typeFor("keda.sh/v1alpha1", "ScaledObject"), 10_000, "KEDA served");
    f.cluster.apply(objs({ apiVersion: "keda.sh/v1alpha1", kind: "ScaledObject", metadata: { name: "hello-scaler", namespace: "default" }, spec: { scaleTargetRef: { name: "hello" }, minReplicaCount: 1, maxReplicaCount: 10 } }));
    f.model.retry();
    const scaler = await waitChild(f.model, app, "ScaledObject hello-scaler");
    assert.equal(f.model.view(scaler).description, "1–10 replicas");
    assert.equal(f.model.view(scaler).contextValue, "spinkube.resource.scaledObject");
  } finally {
    await f.stop();
  }
});

test("malformed objects never break the view-models", () => {
  const bad: KObject[] = [
    { metadata: { name: "x" } },
    { metadata: { name: "y" }, spec: "nonsense", status: { conditions: "nope", readyReplicas: "3" } },
    { metadata: { name: "z" }, status: { conditions: [null, 3, { type: 5 }, { type: "Available", status: "True" }], containerStatuses: [null, { restartCount: "x", state: "bad" }] } },
  ];
  for (const o of bad) {
    const s = appSummary(o, [o]);
    assert.ok(["ready", "progressing", "failing", "unknown"].includes(s.health));
    assert.equal(typeof spinAppView(o, s).label, "string");
    assert.equal(typeof podView(o).description, "string");
    assert.equal(typeof podSummary(o).restarts, "number");
  }
});
