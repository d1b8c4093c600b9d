// Fault injection, each fault observed by real clients as a real cluster or network would cause
// it: dropped watch and log connections, refused connections, 500 and 429 (kubectl honours
// Retry-After and retries), expired resourceVersions (410 on continue tokens and open watches),
// added latency, and revoked tokens (401).

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { KObject, TestCluster } from "../../cluster";
import { startTestCluster } from "../../cluster";
import { cleanupKubectl, kubeConfigFor, kubectl, kubectlStream, loadClientNode, rawWatch, request, shimExecutor } from "./harness";

const APPS = "/apis/core.spinkube.dev/v1alpha1/namespaces/default/spinapps";

function spinApp(name: string): KObject {
  return { apiVersion: "core.spinkube.dev/v1alpha1", kind: "SpinApp", metadata: { name, namespace: "default" }, spec: { image: `ghcr.io/example/${name}:v1`, executor: "containerd-shim-spin", replicas: 1 } };
}

describe("test cluster fault injection", { timeout: 60_000 }, () => {
  let cluster: TestCluster;

  before(async () => {
    cluster = await startTestCluster({ seed: "empty", podStartDelayMs: 50, podReadyDelayMs: 20, logLinesPerSecond: 100 });
    cluster.apply([...shimExecutor(), spinApp("one"), spinApp("two"), spinApp("three")]);
  });

  after(async () => {
    await cluster.stop();
    cleanupKubectl(cluster);
  });

  it("drops open watch and log connections: client-node's watch ends with an error, kubectl logs -f with unexpected EOF", async () => {
    const k8s = await loadClientNode();
    const kc = await kubeConfigFor(cluster);
    const pod = await cluster.waitFor(() => cluster.list("v1", "Pod", "default", { "core.spinkube.dev/app-name": "one" }).find((p) => (p.status as { phase?: string }).phase === "Running"), 5000, "running pod");
    let watchDone: (e: unknown) => void = () => undefined;
    const watchEnded = new Promise<unknown>((r) => (watchDone = r));
    let added = 0;
    await new k8s.Watch(kc).watch(APPS, {}, (type: string) => type === "ADDED" && added++, (e: unknown) => watchDone(e));
    const logs = kubectlStream(cluster, ["logs", "-f", pod.metadata.name ?? ""]);
    try {
      await logs.waitForLine(/handled request #\d+/);
      await cluster.waitFor(() => added === 3, 5000, "initial watch events");
      cluster.faults.dropConnections();
      const err = (await watchEnded) as Error | null;
      assert.equal(err?.message, "Premature close");
      assert.equal(await logs.exited, 1);
      assert.equal(logs.stderr().trim(), "error: unexpected EOF");
    } finally {
      await logs.stop();
    }
  });

  it("refuses connections for a while, then serves again on the same port", async () => {
    const k8s = await loadClientNode();
    const kc = await kubeConfigFor(cluster);
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    await cluster.faults.refuseFor(1500);
    const refused = await kubectl(cluster, ["get", "spinapps", "--request-timeout=5s"]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, new RegExp(`The connection to the server 127\\.0\\.0\\.1:${cluster.port} was refused - did you specify the right host or port\\?`));
    await assert.rejects(
      () => custom.listNamespacedCustomObject({ group: "core.spinkube.dev", version: "v1alpha1", namespace: "default", plural: "spinapps" }),
      (e: { code?: string; cause?: { code?: string } }) => (e.code ?? e.cause?.code) === "ECONNREFUSED",
    );
    assert.equal(cluster.faults.isAccepting(), false);
    await cluster.waitFor(() => cluster.faults.isAccepting(), 5000, "listening again");
    const ok = await kubectl(cluster, ["get", "spinapps", "-o", "name"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(ok.stdout.trim().split("\n"), ["spinapp.core.spinkube.dev/one", "spinapp.core.spinkube.dev/three", "spinapp.core.spinkube.dev/two"]);
  });

  it("answers injected 500s as Status errors clients report", async () => {
    const k8s = await loadClientNode();
    const kc = await kubeConfigFor(cluster);
    cluster.faults.failNext(500, { path: /\/spinapps/ });
    await assert.rejects(
      () => kc.makeApiClient(k8s.CustomObjectsApi).listNamespacedCustomObject({ group: "core.spinkube.dev", version: "v1alpha1", namespace: "default", plural: "spinapps" }),
      (e: { code?: number; body?: string }) => e.code === 500 && (JSON.parse(String(e.body)) as { reason: string }).reason === "InternalError",
    );
    cluster.faults.failNext(500, { path: /\/spinapps/ });
    const r = await kubectl(cluster, ["get", "spinapps"]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), "Error from server (InternalError): Internal error occurred: injected fault");
  });

  it("answers 429 with Retry-After: kubectl waits and retries, client-node sees the 429", async () => {
    cluster.clearRequests();
    cluster.faults.failNext(429, { retryAfter: 1, path: /\/spinapps/ });
    const t0 = Date.now();
    const r = await kubectl(cluster, ["get", "spinapps", "-o", "name"]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Date.now() - t0 >= 900, "kubectl honoured Retry-After");
    const lists = cluster.requests.filter((q) => q.method === "GET" && q.path === APPS);
    assert.deepEqual(lists.map((q) => q.status), [429, 200]);
    assert.equal(lists[0].headers.authorization, undefined, "no secrets in the request log");
    const k8s = await loadClientNode();
    const kc = await kubeConfigFor(cluster);
    cluster.faults.failNext(429, { retryAfter: 2, path: /\/spinapps/ });
    await assert.rejects(
      () => kc.makeApiClient(k8s.CustomObjectsApi).listNamespacedCustomObject({ group: "core.spinkube.dev", version: "v1alpha1", namespace: "default", plural: "spinapps" }),
      (e: { code?: number; headers?: Record<string, string> }) => e.code === 429 && e.headers?.["retry-after"] === "2",
    );
  });

  it("expires resourceVersions: continue tokens and open watches get 410 Gone", async () => {
    const first = await request(cluster, "GET", `${APPS}?limit=1`);
    const page = first.json<{ metadata: { continue: string; remainingItemCount: number }; items: KObject[] }>();
    assert.equal(page.items.length, 1);
    assert.equal(page.metadata.remainingItemCount, 2);
    const w = await rawWatch(cluster, `${APPS}?watch=true&resourceVersion=${cluster.api.store.currentRv()}`);
    cluster.faults.expireResourceVersions();
    const err = await w.waitFor((e) => e.type === "ERROR");
    assert.equal(err.object.code, 410);
    await w.ended;
    const next = await request(cluster, "GET", `${APPS}?limit=1&continue=${encodeURIComponent(page.metadata.continue)}`);
    assert.equal(next.status, 410);
    assert.equal(next.json().reason, "Expired");
  });

  it("adds latency to every response and revokes tokens", async () => {
    const k8s = await loadClientNode();
    const kc = await kubeConfigFor(cluster);
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const list = (): Promise<unknown> => custom.listNamespacedCustomObject({ group: "core.spinkube.dev", version: "v1alpha1", namespace: "default", plural: "spinapps" });
    cluster.faults.delay(400);
    const t0 = Date.now();
    await list();
    assert.ok(Date.now() - t0 >= 400);
    cluster.faults.delay(0);
    cluster.faults.revokeToken(cluster.token);
    await assert.rejects(list, (e: { code?: number }) => e.code === 401);
    const raw = await request(cluster, "GET", APPS);
    assert.equal(raw.status, 401);
    assert.deepEqual(raw.json(), { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 });
  });
});
