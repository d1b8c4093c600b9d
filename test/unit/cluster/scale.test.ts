// Scale: 10,000 SpinApps in 100 namespaces. A full list answers within a second, paging and
// `kubectl get spinapps -A` (chunked Table requests) complete with every row, and a watch opened
// at the list's resourceVersion sees exactly the changes made afterwards.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { KObject, TestCluster } from "../../cluster";
import { startTestCluster } from "../../cluster";
import { cleanupKubectl, kubectl, rawWatch, request } from "./harness";

const NAMESPACES = 100;
const PER_NAMESPACE = 100;

function app(ns: number, i: number): KObject {
  return {
    apiVersion: "core.spinkube.dev/v1alpha1",
    kind: "SpinApp",
    metadata: { name: `app-${String(i).padStart(3, "0")}`, namespace: `ns-${String(ns).padStart(3, "0")}`, labels: { shard: String(i % 10) } },
    spec: { image: `ghcr.io/example/app-${i}:v1`, executor: "containerd-shim-spin", replicas: 1 + (i % 3) },
    status: { readyReplicas: 1 + (i % 3), activeScheduler: "containerd-shim-spin" },
  };
}

describe("test cluster at scale (10,000 SpinApps in 100 namespaces)", { timeout: 120_000 }, () => {
  let cluster: TestCluster;

  before(async () => {
    // The operator and kubelet stay off: this measures the API server, not 10,000 simulated pods.
    cluster = await startTestCluster({ seed: "empty", controllers: false });
    const objs: KObject[] = [];
    for (let n = 0; n < NAMESPACES; n++) objs.push({ apiVersion: "v1", kind: "Namespace", metadata: { name: `ns-${String(n).padStart(3, "0")}` } });
    for (let n = 0; n < NAMESPACES; n++) for (let i = 0; i < PER_NAMESPACE; i++) objs.push(app(n, i));
    cluster.apply(objs);
  });

  after(async () => {
    await cluster.stop();
    cleanupKubectl(cluster);
  });

  it("lists all 10,000 within a second, and one namespace or label selection correctly", async () => {
    await request(cluster, "GET", "/apis/core.spinkube.dev/v1alpha1/spinapps?limit=1");
    const t0 = Date.now();
    const r = await request(cluster, "GET", "/apis/core.spinkube.dev/v1alpha1/spinapps");
    const ms = Date.now() - t0;
    assert.equal(r.status, 200);
    const list = r.json<{ items: KObject[] }>();
    assert.equal(list.items.length, NAMESPACES * PER_NAMESPACE);
    assert.ok(ms < 1000, `full list took ${ms} ms`);
    assert.equal(list.items[0].metadata.namespace, "ns-000");
    assert.equal(list.items[list.items.length - 1].metadata.name, "app-099");
    const one = (await request(cluster, "GET", "/apis/core.spinkube.dev/v1alpha1/namespaces/ns-042/spinapps")).json<{ items: KObject[] }>();
    assert.equal(one.items.length, PER_NAMESPACE);
    assert.ok(one.items.every((i) => i.metadata.namespace === "ns-042"));
    const shard = (await request(cluster, "GET", "/apis/core.spinkube.dev/v1alpha1/spinapps?labelSelector=shard%3D7")).json<{ items: KObject[] }>();
    assert.equal(shard.items.length, NAMESPACES * 10);
  });

  it("completes kubectl get spinapps -A (chunked Table requests) with every row", async () => {
    cluster.clearRequests();
    const t0 = Date.now();
    const r = await kubectl(cluster, ["get", "spinapps", "-A"], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines.length, 1 + NAMESPACES * PER_NAMESPACE);
    assert.match(lines[0], /^NAMESPACE\s+NAME\s+READY\s+DESIRED\s+EXECUTOR$/);
    assert.match(lines[1], /^ns-000\s+app-000\s+1\s+1\s+containerd-shim-spin$/);
    assert.match(lines[lines.length - 1], /^ns-099\s+app-099\s+1\s+1\s+containerd-shim-spin$/);
    const lists = cluster.requests.filter((q) => q.path === "/apis/core.spinkube.dev/v1alpha1/spinapps");
    assert.equal(lists.length, 20, "kubectl pages with --chunk-size=500");
    assert.ok(lists.every((q) => q.query.limit === "500" && q.headers.accept?.includes("as=Table")));
    assert.ok(Date.now() - t0 < 30_000);
  });

  it("keeps watches correct: exactly the changes after the list's resourceVersion, in order", async () => {
    const list = (await request(cluster, "GET", "/apis/core.spinkube.dev/v1alpha1/spinapps?limit=1")).json<{ metadata: { resourceVersion: string } }>();
    const w = await rawWatch(cluster, `/apis/core.spinkube.dev/v1alpha1/spinapps?watch=true&resourceVersion=${list.metadata.resourceVersion}`);
    try {
      const added: KObject[] = [];
      for (let n = 0; n < NAMESPACES; n++) added.push(app(n, 500));
      cluster.apply(added);
      cluster.remove("core.spinkube.dev/v1alpha1", "SpinApp", "ns-007", "app-007");
      await w.waitFor((e) => e.type === "DELETED");
      assert.equal(w.events.length, NAMESPACES + 1);
      assert.deepEqual(
        w.events.slice(0, NAMESPACES).map((e) => `${e.type} ${String((e.object.metadata as { namespace: string }).namespace)}`),
        added.map((a) => `ADDED ${a.metadata.namespace}`),
      );
      const rvs = w.events.map((e) => Number((e.object.metadata as { resourceVersion: string }).resourceVersion));
      assert.ok(rvs.every((rv, i) => i === 0 || rv > rvs[i - 1]));
    } finally {
      w.close();
    }
  });
});
