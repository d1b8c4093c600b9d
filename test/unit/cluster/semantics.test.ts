// API semantics clients depend on, checked over raw HTTPS: discovery (legacy and aggregated),
// optimistic concurrency, selectors and paging, dryRun, JSON/merge/strategic patches, 415 for
// strategic patches of custom resources, watch bookmarks, timeouts, selector transitions and
// Table events, graceful pod deletion, admission errors, SelfSubjectAccessReview.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { KObject, TestCluster } from "../../cluster";
import { startTestCluster } from "../../cluster";
import { rawWatch, request, shimExecutor } from "./harness";

type Obj = Record<string, unknown>;
const APPS = "/apis/core.spinkube.dev/v1alpha1/namespaces/default/spinapps";
const TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

function spinApp(name: string, labels: Record<string, string> = {}): KObject {
  return { apiVersion: "core.spinkube.dev/v1alpha1", kind: "SpinApp", metadata: { name, namespace: "default", labels }, spec: { image: `ghcr.io/example/${name}:v1`, executor: "containerd-shim-spin", replicas: 1 } };
}

describe("test cluster API semantics", { timeout: 60_000 }, () => {
  let cluster: TestCluster;

  before(async () => {
    cluster = await startTestCluster({
      seed: "empty",
      podStartDelayMs: 50,
      podReadyDelayMs: 10,
      bookmarkIntervalMs: 100,
      users: [{ name: "reader", rules: [{ verbs: ["get", "list", "watch"], apiGroups: ["core.spinkube.dev"], resources: ["spinapps"], namespaces: ["default"] }] }],
    });
    cluster.apply([...shimExecutor(), spinApp("a", { tier: "web" }), spinApp("b", { tier: "api" }), spinApp("c", { tier: "web", canary: "true" })]);
    // Let the operator settle the apps' status, so the writes below race with nobody.
    await cluster.waitFor(() => cluster.list("core.spinkube.dev/v1alpha1", "SpinApp", "default").every((a) => ((a.status as Obj | undefined)?.conditions as Obj[] | undefined)?.some((c) => c.type === "Progressing" && c.reason === "NewReplicaSetAvailable")), 10_000, "apps available");
  });

  after(async () => {
    await cluster.stop();
  });

  it("serves legacy and aggregated discovery", async () => {
    const gl = (await request(cluster, "GET", "/apis")).json<{ kind: string; groups: Array<{ name: string; preferredVersion: { groupVersion: string } }> }>();
    assert.equal(gl.kind, "APIGroupList");
    assert.ok(gl.groups.some((g) => g.name === "core.spinkube.dev" && g.preferredVersion.groupVersion === "core.spinkube.dev/v1alpha1"));
    const rl = (await request(cluster, "GET", "/apis/core.spinkube.dev/v1alpha1")).json<{ resources: Array<{ name: string; kind: string; verbs: string[]; namespaced: boolean }> }>();
    assert.deepEqual(rl.resources.map((r) => r.name).sort(), ["spinappexecutors", "spinappexecutors/status", "spinapps", "spinapps/status"]);
    const agg = await request(cluster, "GET", "/apis", { accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json" });
    assert.equal(agg.headers["content-type"], "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    const items = agg.json<{ items: Array<{ metadata: { name: string }; versions: Array<{ resources: Array<{ resource: string; scope: string; subresources?: Array<{ subresource: string }> }> }> }> }>().items;
    const apps = items.find((i) => i.metadata.name === "apps")?.versions[0].resources.find((r) => r.resource === "deployments");
    assert.deepEqual(apps?.subresources?.map((s) => s.subresource), ["status", "scale"]);
    const crd = items.find((i) => i.metadata.name === "apiextensions.k8s.io");
    assert.equal(crd?.versions[0].resources[0].scope, "Cluster");
  });

  it("rejects updates with a stale resourceVersion (409) and does not bump it for no-op writes", async () => {
    const cur = (await request(cluster, "GET", `${APPS}/a`)).json<KObject>();
    const stale = { ...cur, metadata: { ...cur.metadata, resourceVersion: "1" } };
    const r = await request(cluster, "PUT", `${APPS}/a`, { body: stale });
    assert.equal(r.status, 409);
    assert.equal(r.json().message, 'Operation cannot be fulfilled on spinapps.core.spinkube.dev "a": the object has been modified; please apply your changes to the latest version and try again');
    assert.equal(r.json().reason, "Conflict");
    const same = await request(cluster, "PUT", `${APPS}/a`, { body: cur });
    assert.equal(same.status, 200);
    assert.equal(same.json<KObject>().metadata.resourceVersion, cur.metadata.resourceVersion);
    const changed = { ...cur, spec: { ...(cur.spec as Obj), replicas: 2 } };
    const ok = await request(cluster, "PUT", `${APPS}/a`, { body: changed });
    assert.equal(ok.status, 200);
    const upd = ok.json<KObject>();
    assert.ok(Number(upd.metadata.resourceVersion) > Number(cur.metadata.resourceVersion));
    assert.equal(upd.metadata.generation, (cur.metadata.generation ?? 0) + 1);
  });

  it("filters lists by label and field selectors and pages with limit/continue", async () => {
    const names = async (q: string): Promise<string[]> => (await request(cluster, "GET", `${APPS}?${q}`)).json<{ items: KObject[] }>().items.map((i) => i.metadata.name ?? "");
    assert.deepEqual(await names("labelSelector=tier%3Dweb"), ["a", "c"]);
    assert.deepEqual(await names("labelSelector=tier%20in%20(api,web),!canary"), ["a", "b"]);
    assert.deepEqual(await names("fieldSelector=metadata.name%3Db"), ["b"]);
    const bad = await request(cluster, "GET", `${APPS}?fieldSelector=spec.image%3Dx`);
    assert.equal(bad.status, 400);
    assert.equal(bad.json().message, '"spec.image" is not a known field selector: only "metadata.name", "metadata.namespace"');
    await cluster.waitFor(() => cluster.list("v1", "Pod", "default").filter((p) => (p.status as Obj).phase === "Running").length >= 3, 5000, "running pods");
    const running = (await request(cluster, "GET", "/api/v1/pods?fieldSelector=status.phase%3DRunning")).json<{ items: Obj[] }>();
    assert.ok(running.items.length >= 3);
    assert.equal(running.items[0].kind, undefined, "built-in list items carry no kind, as in the real API");
    const seen: string[] = [];
    let cont = "";
    let pages = 0;
    do {
      const page = (await request(cluster, "GET", `${APPS}?limit=2${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`)).json<{ metadata: { continue?: string; remainingItemCount?: number }; items: KObject[] }>();
      seen.push(...page.items.map((i) => i.metadata.name ?? ""));
      if (pages === 0) assert.equal(page.metadata.remainingItemCount, 1);
      cont = page.metadata.continue ?? "";
      pages++;
    } while (cont);
    assert.deepEqual(seen, ["a", "b", "c"]);
    assert.equal(pages, 2);
  });

  it("supports dryRun=All, JSON patch, merge patch, and refuses strategic merge patch for custom resources", async () => {
    const dry = await request(cluster, "POST", `${APPS}?dryRun=All`, { body: spinApp("dry") });
    assert.equal(dry.status, 201);
    assert.equal(dry.json<KObject>().metadata.name, "dry");
    assert.equal(cluster.get("core.spinkube.dev/v1alpha1", "SpinApp", "default", "dry"), undefined);
    const jp = await request(cluster, "PATCH", `${APPS}/b`, { body: [{ op: "replace", path: "/spec/replicas", value: 3 }], contentType: "application/json-patch+json" });
    assert.equal((jp.json<KObject>().spec as Obj).replicas, 3);
    const failedTest = await request(cluster, "PATCH", `${APPS}/b`, { body: [{ op: "test", path: "/spec/replicas", value: 9 }], contentType: "application/json-patch+json" });
    assert.equal(failedTest.status, 422);
    const mp = await request(cluster, "PATCH", `${APPS}/b`, { body: { metadata: { labels: { tier: null, extra: "x" } } }, contentType: "application/merge-patch+json" });
    assert.deepEqual(mp.json<KObject>().metadata.labels, { extra: "x" });
    const smp = await request(cluster, "PATCH", `${APPS}/b`, { body: { spec: { replicas: 1 } }, contentType: "application/strategic-merge-patch+json" });
    assert.equal(smp.status, 415);
    assert.equal(smp.json().message, "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
  });

  it("merges strategic patches of built-ins by merge key (containers by name, env by name)", async () => {
    cluster.apply({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "default" },
      spec: { replicas: 1, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1", env: [{ name: "A", value: "1" }] }, { name: "side", image: "busybox:1" }] } } },
    });
    const r = await request(cluster, "PATCH", "/apis/apps/v1/namespaces/default/deployments/web", {
      body: { spec: { template: { spec: { containers: [{ name: "web", env: [{ name: "B", value: "2" }] }, { name: "side", $patch: "delete" }] } } } },
      contentType: "application/strategic-merge-patch+json",
    });
    assert.equal(r.status, 200, r.body);
    const cs = ((r.json<KObject>().spec as Obj).template as { spec: { containers: Obj[] } }).spec.containers;
    assert.equal(cs.length, 1);
    assert.equal(cs[0].image, "nginx:1");
    assert.deepEqual(cs[0].env, [{ name: "A", value: "1" }, { name: "B", value: "2" }]);
    const scale = await request(cluster, "GET", "/apis/apps/v1/namespaces/default/deployments/web/scale");
    assert.deepEqual(scale.json<{ kind: string; spec: Obj; status: Obj }>().status.selector, "app=web");
  });

  it("watches with bookmarks, timeouts, selector transitions and Table rows", async () => {
    const rv = cluster.api.store.currentRv();
    const w = await rawWatch(cluster, `${APPS}?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true&labelSelector=tier%3Dweb&timeoutSeconds=3`);
    const bookmark = await w.waitFor((e) => e.type === "BOOKMARK");
    assert.ok(Number((bookmark.object.metadata as Obj).resourceVersion) >= rv);
    await request(cluster, "PATCH", `${APPS}/a`, { body: { metadata: { labels: { tier: "batch" } } }, contentType: "application/merge-patch+json" });
    const left = await w.waitFor((e) => e.type === "DELETED");
    assert.equal((left.object.metadata as Obj).name, "a", "leaving the selector looks like a deletion");
    await request(cluster, "PATCH", `${APPS}/b`, { body: { metadata: { labels: { tier: "web" } } }, contentType: "application/merge-patch+json" });
    const joined = await w.waitFor((e) => e.type === "ADDED");
    assert.equal((joined.object.metadata as Obj).name, "b");
    await w.ended;
    const t = await rawWatch(cluster, `${APPS}?watch=true&timeoutSeconds=1`, { accept: TABLE });
    await t.ended;
    assert.equal(t.events.length, 3);
    assert.equal(t.events[0].object.kind, "Table");
    assert.deepEqual((t.events[0].object.columnDefinitions as Obj[]).map((c) => c.name), ["Name", "Ready", "Desired", "Executor", "Deployment", "Service"]);
    assert.equal(t.events[1].object.columnDefinitions, undefined, "headers only on the first event");
    assert.deepEqual(((t.events[1].object.rows as Obj[])[0].cells as unknown[]).slice(0, 1), ["b"]);
  });

  it("deletes pods gracefully and reports admission errors like the API server", async () => {
    const pod = cluster.list("v1", "Pod", "default").find((p) => (p.status as Obj).phase === "Running") as KObject;
    const d = await request(cluster, "DELETE", `/api/v1/namespaces/default/pods/${pod.metadata.name}`);
    assert.equal(d.status, 200);
    assert.ok(d.json<KObject>().metadata.deletionTimestamp, "graceful deletion returns the terminating pod");
    await cluster.waitFor(() => !cluster.list("v1", "Pod", "default").some((p) => p.metadata.uid === pod.metadata.uid), 5000, "pod removed");
    const missingNs = await request(cluster, "POST", "/apis/core.spinkube.dev/v1alpha1/namespaces/nope/spinapps", { body: { ...spinApp("x"), metadata: { name: "x", namespace: "nope" } } });
    assert.equal(missingNs.status, 404);
    assert.equal(missingNs.json().message, 'namespaces "nope" not found');
    const badName = await request(cluster, "POST", APPS, { body: spinApp("Bad_Name") });
    assert.equal(badName.status, 422);
    assert.match(String(badName.json().message), /^SpinApp\.core\.spinkube\.dev "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    const wrongType = await request(cluster, "POST", APPS, { body: { ...spinApp("typed"), spec: { image: "x:1", executor: "containerd-shim-spin", replicas: "two" } } });
    assert.equal(wrongType.status, 422);
    assert.equal(wrongType.json().message, 'SpinApp.core.spinkube.dev "typed" is invalid: spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"');
  });

  it("evaluates SelfSubjectAccessReviews and namespace-scoped rules", async () => {
    const review = (verb: string, resource: string, namespace?: string) =>
      request(cluster, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {
        token: cluster.users.reader.token,
        body: { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", spec: { resourceAttributes: { verb, group: "core.spinkube.dev", resource, namespace } } },
      });
    assert.equal((await review("list", "spinapps", "default")).json<{ status: { allowed: boolean } }>().status.allowed, true);
    assert.equal((await review("delete", "spinapps", "default")).json<{ status: { allowed: boolean } }>().status.allowed, false);
    assert.equal((await review("list", "spinapps", "other")).json<{ status: { allowed: boolean } }>().status.allowed, false);
    const all = await request(cluster, "GET", "/apis/core.spinkube.dev/v1alpha1/spinapps", { token: cluster.users.reader.token });
    assert.equal(all.status, 403);
    assert.equal(all.json().message, 'spinapps.core.spinkube.dev is forbidden: User "reader" cannot list resource "spinapps" in API group "core.spinkube.dev" at the cluster scope');
    const anon = await request(cluster, "GET", APPS, { token: null });
    assert.equal(anon.status, 403);
    assert.match(String(anon.json().message), /User "system:anonymous" cannot list resource "spinapps"/);
  });
});
