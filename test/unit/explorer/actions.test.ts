// Actions through the data layer (KubeClient) with their effects observed through the server:
// server-side apply (create, update, conflicts with another field manager, force), scale,
// restart as kubectl rollout restart does, delete, describe with events, discovery.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { KubeClient } from "../../../src/cluster/kubeApi";
import { FIELD_MANAGER, KubeError, RESTARTED_AT_ANNOTATION, Resources } from "../../../src/cluster/kubeApi";
import { conflictLines, describeText, editableYaml, objectsOfYaml } from "../../../src/cluster/objectText";
import { request } from "../cluster/harness";
import type { Fixture } from "./helpers";
import { executor, fixture, objs, runtimeClass, spinApp } from "./helpers";

const SA = "core.spinkube.dev/v1alpha1";

describe("explorer actions", () => {
  let f: Fixture;
  let client: KubeClient;

  before(async () => {
    f = await fixture();
    f.cluster.apply(objs(runtimeClass(), executor("default")));
    client = await f.model.client("spinkube-test");
  });
  after(() => f.stop());

  test("server-side apply creates and updates with field manager spinkube-vscode", async () => {
    const { objects } = objectsOfYaml(`apiVersion: ${SA}\nkind: SpinApp\nmetadata:\n  name: applied\nspec:\n  image: ghcr.io/example/applied:v1\n  executor: containerd-shim-spin\n  replicas: 1\n`);
    const created = await client.apply(objects[0].object);
    assert.equal(created.metadata.namespace, "default", "the context's namespace when the file names none");
    const live = f.cluster.get(SA, "SpinApp", "default", "applied");
    assert.ok(live);
    const managers = ((live.metadata as { managedFields?: { manager: string; operation: string }[] }).managedFields ?? []).map((m) => `${m.manager}/${m.operation}`);
    assert.ok(managers.includes(`${FIELD_MANAGER}/Apply`), managers.join(", "));
    const edited = { ...objects[0].object, spec: { ...(objects[0].object.spec as object), replicas: 2 } };
    await client.apply(edited);
    assert.equal((f.cluster.get(SA, "SpinApp", "default", "applied")?.spec as { replicas: number }).replicas, 2);
  });

  test("a conflict with another manager is a KubeError listing the field; force takes ownership", async () => {
    const body = { apiVersion: SA, kind: "SpinApp", metadata: { name: "contested", namespace: "default" }, spec: { image: "ghcr.io/example/c:v1", executor: "containerd-shim-spin", replicas: 1 } };
    const r = await request(f.cluster, "PATCH", `/apis/${SA}/namespaces/default/spinapps/contested?fieldManager=someone-else`, { body, contentType: "application/apply-patch+yaml" });
    assert.ok(r.status === 201 || r.status === 200, `seed apply: ${r.status}`);
    const mine = { ...body, spec: { ...body.spec, replicas: 3 } };
    const err = await client.apply(mine).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof KubeError, String(err));
    assert.equal(err.kind, "conflict");
    assert.equal(err.status, 409);
    const lines = conflictLines(err.details, err.message);
    assert.ok(lines.some((l) => /spec\.replicas/.test(l) && /someone-else/.test(l)), lines.join("\n"));
    await client.apply(mine, { force: true });
    assert.equal((f.cluster.get(SA, "SpinApp", "default", "contested")?.spec as { replicas: number }).replicas, 3);
  });

  test("scale sets spec.replicas and the operator's Deployment follows", async () => {
    f.cluster.apply(objs(spinApp("default", "scaled")));
    await f.cluster.waitFor(() => f.cluster.get("apps/v1", "Deployment", "default", "scaled"), 10_000, "deployment");
    await client.scale(Resources.spinApps, "default", "scaled", 3);
    await f.cluster.waitFor(() => (f.cluster.get("apps/v1", "Deployment", "default", "scaled")?.spec as { replicas?: number })?.replicas === 3, 10_000, "deployment scaled to 3");
    await assert.rejects(client.scale(Resources.spinApps, "default", "scaled", -1), /whole number/);
  });

  test("restart sets kubectl.kubernetes.io/restartedAt on the pod template and rolls a new ReplicaSet", async () => {
    f.cluster.apply(objs(spinApp("default", "restarted")));
    await f.cluster.waitFor(() => f.cluster.list("apps/v1", "ReplicaSet", "default").some((rs) => rs.metadata.name?.startsWith("restarted-")), 10_000, "first replicaset");
    const before = f.cluster.list("apps/v1", "ReplicaSet", "default").filter((rs) => rs.metadata.name?.startsWith("restarted-")).length;
    const at = new Date("2026-01-02T03:04:05.678Z");
    await client.restartDeployment("default", "restarted", at);
    const dep = f.cluster.get("apps/v1", "Deployment", "default", "restarted");
    const ann = ((dep?.spec as { template: { metadata: { annotations?: Record<string, string> } } }).template.metadata.annotations ?? {})[RESTARTED_AT_ANNOTATION];
    assert.equal(ann, "2026-01-02T03:04:05Z");
    await f.cluster.waitFor(() => f.cluster.list("apps/v1", "ReplicaSet", "default").filter((rs) => rs.metadata.name?.startsWith("restarted-")).length > before, 10_000, "a new replicaset");
  });

  test("delete removes the SpinApp; the garbage collector removes what the operator made", async () => {
    f.cluster.apply(objs(spinApp("default", "doomed")));
    await f.cluster.waitFor(() => f.cluster.get("apps/v1", "Deployment", "default", "doomed"), 10_000, "deployment");
    await client.delete(Resources.spinApps, "default", "doomed");
    await f.cluster.waitFor(() => !f.cluster.get(SA, "SpinApp", "default", "doomed") && !f.cluster.get("apps/v1", "Deployment", "default", "doomed"), 10_000, "all gone");
    await assert.rejects(client.get(Resources.spinApps, "default", "doomed"), (e: unknown) => e instanceof KubeError && e.kind === "notFound");
  });

  test("describe includes the object's events (a SpinApp whose executor is missing)", async () => {
    f.cluster.apply(objs(spinApp("default", "lost", { executor: "containerd-shim-spin" })));
    await f.cluster.waitFor(() => f.cluster.get("apps/v1", "Deployment", "default", "lost"), 10_000, "deployment");
    const d = await client.describe(Resources.deployments, "default", "lost");
    assert.equal(d.object.kind, "Deployment");
    await f.cluster.waitFor(() => f.cluster.list("v1", "Event", "default").some((e) => (e.involvedObject as { name?: string })?.name === "lost" && (e.involvedObject as { kind?: string })?.kind === "Deployment"), 10_000, "a Deployment event");
    const again = await client.describe(Resources.deployments, "default", "lost");
    assert.ok(again.events.length > 0);
    const text = describeText(again.object, again.events);
    assert.match(text, /^Name:\s+lost$/m);
    assert.match(text, /^Events:\n\s+Type\s+Reason/m);
    assert.match(text, /ScalingReplicaSet/);
  });

  test("the editable copy drops status and server-set metadata", async () => {
    const live = await client.get(Resources.spinApps, "default", "applied");
    const y = editableYaml(live);
    assert.doesNotMatch(y, /managedFields|resourceVersion|uid:|creationTimestamp|^status:/m);
    assert.match(y, /^apiVersion: core\.spinkube\.dev\/v1alpha1\nkind: SpinApp\nmetadata:/);
  });

  test("discovery: served resources and kinds", async () => {
    assert.equal(await client.serves(Resources.spinApps), true);
    assert.equal(await client.serves(Resources.scaledObjects), false);
    const t = await client.resourceFor(SA, "SpinAppExecutor");
    assert.equal(t?.plural, "spinappexecutors");
    assert.equal(t?.namespaced, true);
  });
});
