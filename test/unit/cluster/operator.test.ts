// The simulated operator, controllers and kubelet: what a SpinApp turns into (FACTS.md (e)),
// status moving from Progressing to Available, scaling, rollout restarts, deletion, and the
// failure modes the hints need — a RuntimeClass handler the nodes lack (FailedCreatePodSandBox
// `no runtime for "spin" is configured`), a missing RuntimeClass (FailedCreate), a missing
// executor (MissingExecutor), crash loops, image pull failures, executor deletion blocked.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { KObject, TestCluster } from "../../cluster";
import { startTestCluster } from "../../cluster";
import { cleanupKubectl, kubectl, shimExecutor, tableRows } from "./harness";

type Obj = Record<string, unknown>;
const SA = "core.spinkube.dev/v1alpha1";

function spinApp(name: string, spec: Obj, namespace = "default"): KObject {
  return { apiVersion: SA, kind: "SpinApp", metadata: { name, namespace }, spec: { executor: "containerd-shim-spin", replicas: 1, image: `ghcr.io/example/${name}:v1`, ...spec } };
}

function conditions(o: KObject | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of ((o?.status as Obj | undefined)?.conditions ?? []) as Obj[]) out[String(c.type)] = `${String(c.status)}/${String(c.reason)}`;
  return out;
}

describe("test cluster operator, controllers and kubelet", { timeout: 60_000 }, () => {
  let cluster: TestCluster;
  const events = (ns: string, name: string): Obj[] => cluster.list("v1", "Event", ns).filter((e) => (e.involvedObject as Obj).name === name);

  before(async () => {
    cluster = await startTestCluster({ seed: "empty", podStartDelayMs: 300, podReadyDelayMs: 50, podStopDelayMs: 50, sandboxRetryMs: 200, crashAfterMs: 100, crashBackoffMs: 5000 });
    cluster.apply(shimExecutor());
  });

  after(async () => {
    await cluster.stop();
    cleanupKubectl(cluster);
  });

  it("creates the Deployment, Service and pods the operator creates, and moves status from Progressing to Available", async () => {
    const seen: string[] = [];
    const unsubscribe = cluster.api.store.subscribe((e) => {
      if (e.resource === "spinapps.core.spinkube.dev" && e.object.metadata.name === "shop") {
        const c = conditions(e.object);
        if (c.Available) seen.push(`${c.Available} ${c.Progressing} ready=${String((e.object.status as Obj).readyReplicas)}`);
      }
    });
    try {
      cluster.apply(
        spinApp("shop", {
          replicas: 2,
          variables: [{ name: "greeting", value: "hi" }, { name: "token", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }],
          podLabels: { team: "web" },
          podAnnotations: { "example.com/a": "1" },
          serviceAnnotations: { "example.com/s": "2" },
          components: ["api"],
          checks: { readiness: { httpGet: { path: "/healthz" } } },
          resources: { limits: { memory: "128Mi" } },
        }),
      );
      const app = await cluster.waitFor(() => {
        const a = cluster.get(SA, "SpinApp", "default", "shop");
        return conditions(a).Available === "True/MinimumReplicasAvailable" ? a : undefined;
      }, 10_000, "shop available");
      assert.match(seen[0], /^False\/MinimumReplicasUnavailable True\/(NewReplicaSetCreated|ReplicaSetUpdated) ready=0$/);
      assert.equal(seen[seen.length - 1], "True/MinimumReplicasAvailable True/NewReplicaSetAvailable ready=2");
      const st = app.status as Obj;
      assert.equal(st.activeScheduler, "containerd-shim-spin");
      assert.equal(st.deploymentName, "shop");
      assert.equal(st.serviceName, "shop");
    } finally {
      unsubscribe();
    }
    const dep = cluster.get("apps/v1", "Deployment", "default", "shop") as KObject;
    const app = cluster.get(SA, "SpinApp", "default", "shop") as KObject;
    assert.deepEqual(dep.metadata.labels, { "core.spinkube.dev/app-name": "shop" });
    assert.deepEqual(dep.metadata.ownerReferences, [{ apiVersion: SA, kind: "SpinApp", name: "shop", uid: app.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    const spec = dep.spec as Obj;
    assert.equal(spec.replicas, 2);
    assert.deepEqual((spec.selector as Obj).matchLabels, { "core.spinkube.dev/app-name": "shop", "core.spinkube.dev/app.shop.status": "ready" });
    const tpl = spec.template as { metadata: Obj; spec: Obj };
    assert.deepEqual(tpl.metadata.labels, { team: "web", "core.spinkube.dev/app-name": "shop", "core.spinkube.dev/app.shop.status": "ready" });
    assert.deepEqual(tpl.metadata.annotations, { "example.com/a": "1" });
    assert.equal(tpl.spec.runtimeClassName, "wasmtime-spin-v2");
    assert.equal(tpl.spec.serviceAccountName, "default");
    const containers = tpl.spec.containers as Obj[];
    assert.equal(containers.length, 1);
    const c = containers[0];
    assert.equal(c.name, "shop");
    assert.deepEqual(c.command, ["/"]);
    assert.deepEqual(c.ports, [{ containerPort: 80, name: "http-app", protocol: "TCP" }]);
    assert.deepEqual(c.env, [
      { name: "SPIN_VARIABLE_GREETING", value: "hi" },
      { name: "SPIN_VARIABLE_TOKEN", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
      { name: "SPIN_HTTP_LISTEN_ADDR", value: "0.0.0.0:80" },
      { name: "SPIN_COMPONENTS_TO_RETAIN", value: "api" },
    ]);
    assert.deepEqual((c.readinessProbe as Obj).httpGet, { path: "/healthz", port: 80, scheme: "HTTP" });
    assert.deepEqual(c.resources, { limits: { memory: "128Mi" } });
    assert.deepEqual((c.volumeMounts as Obj[]).map((m) => m.mountPath), ["/etc/ssl/certs/ca-certificates.crt"]);
    assert.ok(cluster.get("v1", "Secret", "default", "spin-ca"), "installDefaultCACerts creates spin-ca");
    const svc = cluster.get("v1", "Service", "default", "shop") as KObject;
    assert.deepEqual(svc.metadata.annotations, { "example.com/s": "2" });
    assert.deepEqual((svc.spec as Obj).selector, { "core.spinkube.dev/app.shop.status": "ready" });
    assert.deepEqual((svc.spec as Obj).ports, [{ name: "http-app", port: 80, protocol: "TCP", targetPort: "http-app" }]);
    const pods = cluster.list("v1", "Pod", "default", { "core.spinkube.dev/app-name": "shop" });
    assert.equal(pods.length, 2);
    for (const p of pods) {
      const ps = p.status as { phase: string; containerStatuses: Obj[]; podIP: string };
      assert.equal(ps.phase, "Running");
      assert.equal(ps.containerStatuses[0].ready, true);
      assert.match(ps.podIP, /^10\.244\.\d+\.\d+$/);
      assert.equal((p.metadata.ownerReferences ?? [])[0].kind, "ReplicaSet");
    }
  });

  it("scales up and down, and a rollout restart replaces the pods through a new ReplicaSet", async () => {
    cluster.apply(spinApp("shop", { replicas: 3, podLabels: { team: "web" } }));
    await cluster.waitFor(() => (cluster.get(SA, "SpinApp", "default", "shop")?.status as Obj).readyReplicas === 3, 10_000, "3 ready");
    cluster.apply(spinApp("shop", { replicas: 1, podLabels: { team: "web" } }));
    await cluster.waitFor(() => cluster.list("v1", "Pod", "default", { "core.spinkube.dev/app-name": "shop" }).length === 1, 10_000, "scaled down to 1 pod");
    const before = cluster.list("v1", "Pod", "default", { "core.spinkube.dev/app-name": "shop" })[0].metadata.name;
    const r = await kubectl(cluster, ["rollout", "restart", "deployment/shop"]);
    assert.equal(r.stdout.trim(), "deployment.apps/shop restarted");
    await cluster.waitFor(() => {
      const pods = cluster.list("v1", "Pod", "default", { "core.spinkube.dev/app-name": "shop" });
      return pods.length === 1 && pods[0].metadata.name !== before && (pods[0].status as Obj).phase === "Running";
    }, 10_000, "restarted pod");
    const rs = cluster.list("apps/v1", "ReplicaSet", "default", { "core.spinkube.dev/app-name": "shop" });
    const rev = (x: KObject): number => Number(x.metadata.annotations?.["deployment.kubernetes.io/revision"]);
    const newest = rs.reduce((a, b) => (rev(a) > rev(b) ? a : b));
    assert.equal(rev(newest), rs.length, "one revision per template change");
    await cluster.waitFor(() => cluster.list("apps/v1", "ReplicaSet", "default", { "core.spinkube.dev/app-name": "shop" }).every((x) => (x.spec as Obj).replicas === (x.metadata.name === newest.metadata.name ? 1 : 0)), 5000, "old replica sets scaled to 0");
    const tplAnn = (((cluster.get("apps/v1", "Deployment", "default", "shop")?.spec as Obj).template as Obj).metadata as Obj).annotations as Record<string, string>;
    assert.match(tplAnn["kubectl.kubernetes.io/restartedAt"], /^\d{4}-\d{2}-\d{2}T/);
  });

  it("leaves pods in ContainerCreating with FailedCreatePodSandBox when the node has no runtime for the handler", async () => {
    cluster.apply([
      { apiVersion: "node.k8s.io/v1", kind: "RuntimeClass", metadata: { name: "wasmtime-spin-rcm" }, handler: "spin-v2" },
      { apiVersion: SA, kind: "SpinAppExecutor", metadata: { name: "rcm", namespace: "default" }, spec: { createDeployment: true, deploymentConfig: { runtimeClassName: "wasmtime-spin-rcm" } } },
      spinApp("stuck", { executor: "rcm" }),
    ]);
    const pod = await cluster.waitFor(() => cluster.list("v1", "Pod", "default", { "core.spinkube.dev/app-name": "stuck" })[0], 5000, "pod");
    const ev = await cluster.waitFor(() => events("default", pod.metadata.name ?? "").find((e) => e.reason === "FailedCreatePodSandBox" && Number(e.count) >= 2), 5000, "repeated sandbox failure");
    assert.equal(ev.type, "Warning");
    assert.equal(ev.message, 'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox runtime: no runtime for "spin-v2" is configured');
    const g = await kubectl(cluster, ["get", "pod", pod.metadata.name ?? ""]);
    assert.deepEqual(tableRows(g.stdout)[1].slice(1, 4), ["0/1", "ContainerCreating", "0"]);
    const app = cluster.get(SA, "SpinApp", "default", "stuck");
    assert.equal((app?.status as Obj).readyReplicas, 0);
    assert.equal(conditions(app).Available, "False/MinimumReplicasUnavailable");
    const logs = await kubectl(cluster, ["logs", pod.metadata.name ?? ""]);
    assert.equal(logs.stderr.trim(), `Error from server (BadRequest): container "stuck" in pod "${pod.metadata.name}" is waiting to start: ContainerCreating`);
  });

  it("creates no pods when the RuntimeClass does not exist (FailedCreate on the ReplicaSet)", async () => {
    cluster.apply([
      { apiVersion: SA, kind: "SpinAppExecutor", metadata: { name: "no-rc", namespace: "default" }, spec: { createDeployment: true, deploymentConfig: { runtimeClassName: "wasmtime-spin-v1" } } },
      spinApp("orphan", { executor: "no-rc" }),
    ]);
    const rs = await cluster.waitFor(() => cluster.list("apps/v1", "ReplicaSet", "default", { "core.spinkube.dev/app-name": "orphan" })[0], 5000, "replicaset");
    const ev = await cluster.waitFor(() => events("default", rs.metadata.name ?? "").find((e) => e.reason === "FailedCreate"), 5000, "FailedCreate");
    assert.equal(ev.message, `Error creating: pods "${rs.metadata.name}-" is forbidden: pod rejected: RuntimeClass "wasmtime-spin-v1" not found`);
    assert.equal(cluster.list("v1", "Pod", "default", { "core.spinkube.dev/app-name": "orphan" }).length, 0);
    const dep = await cluster.waitFor(() => {
      const d = cluster.get("apps/v1", "Deployment", "default", "orphan");
      return conditions(d).ReplicaFailure ? d : undefined;
    }, 5000, "ReplicaFailure on the deployment");
    assert.equal(conditions(dep).ReplicaFailure, "True/FailedCreate");
  });

  it("warns MissingExecutor for an app whose executor is gone, and blocks deleting an executor in use", async () => {
    cluster.apply({ apiVersion: SA, kind: "SpinAppExecutor", metadata: { name: "temp", namespace: "default" }, spec: { createDeployment: true, deploymentConfig: { runtimeClassName: "wasmtime-spin-v2" } } });
    cluster.apply(spinApp("uses-temp", { executor: "temp" }));
    await cluster.waitFor(() => cluster.get(SA, "SpinAppExecutor", "default", "temp")?.metadata.finalizers?.includes("core.spinkube.dev/finalizer"), 5000, "finalizer");
    const d = await kubectl(cluster, ["delete", "spinappexecutor", "temp", "--wait=false"]);
    assert.equal(d.code, 0, d.stderr);
    const ev = await cluster.waitFor(() => events("default", "temp").find((e) => e.reason === "DeletionBlocked"), 5000, "DeletionBlocked");
    assert.equal(ev.message, "Cannot delete SpinAppExecutor with dependent SpinApps");
    assert.ok(cluster.get(SA, "SpinAppExecutor", "default", "temp")?.metadata.deletionTimestamp);
    // An app created (e.g. before the webhooks ran) with an executor that does not exist.
    cluster.apply(spinApp("lost", { executor: "nowhere" }));
    const miss = await cluster.waitFor(() => events("default", "lost").find((e) => e.reason === "MissingExecutor"), 5000, "MissingExecutor");
    assert.equal(miss.message, "Could not find SpinAppExecutor default/nowhere");
    // Deleting the last user lets the executor go.
    cluster.remove(SA, "SpinApp", "default", "uses-temp");
    await cluster.waitFor(() => !cluster.get(SA, "SpinAppExecutor", "default", "temp"), 5000, "executor deleted");
  });

  it("crash-loops with restarts and previous logs, and reports image pull failures", async () => {
    cluster.apply([spinApp("crashy", { image: "ghcr.io/example/crash-on-start:v1" }), spinApp("noimage", { image: "ghcr.io/example/does-not-exist:v1" })]);
    const crash = await cluster.waitFor(() => {
      const p = cluster.list("v1", "Pod", "default", { "core.spinkube.dev/app-name": "crashy" })[0];
      const cs = ((p?.status as Obj | undefined)?.containerStatuses as Obj[] | undefined)?.[0];
      return cs && (cs.state as Obj).waiting && ((cs.state as Obj).waiting as Obj).reason === "CrashLoopBackOff" ? p : undefined;
    }, 10_000, "CrashLoopBackOff");
    const row = tableRows((await kubectl(cluster, ["get", "pod", crash.metadata.name ?? ""])).stdout)[1];
    assert.equal(row[2], "CrashLoopBackOff");
    assert.match(row[3], /^[1-9]\d* \(\d+s ago\)$/);
    const prev = await kubectl(cluster, ["logs", crash.metadata.name ?? "", "--previous", "--tail=1"]);
    assert.equal(prev.stdout.trim(), "Error: failed to start the application: component trapped: wasm trap: wasm `unreachable` instruction executed");
    const pull = await cluster.waitFor(() => {
      const p = cluster.list("v1", "Pod", "default", { "core.spinkube.dev/app-name": "noimage" })[0];
      const cs = ((p?.status as Obj | undefined)?.containerStatuses as Obj[] | undefined)?.[0];
      return cs && ((cs.state as Obj).waiting as Obj | undefined)?.reason === "ImagePullBackOff" ? p : undefined;
    }, 10_000, "ImagePullBackOff");
    const failed = events("default", pull.metadata.name ?? "").filter((e) => e.reason === "Failed").map((e) => e.message);
    assert.ok(failed.includes("Error: ErrImagePull"));
    assert.ok(failed.some((m) => String(m).startsWith('Failed to pull image "ghcr.io/example/does-not-exist:v1": rpc error: code = NotFound')));
  });

  it("deletes a namespace with everything in it", async () => {
    const ns = await kubectl(cluster, ["create", "namespace", "doomed"]);
    assert.equal(ns.stdout.trim(), "namespace/doomed created");
    await cluster.waitFor(() => cluster.get("v1", "ServiceAccount", "doomed", "default"), 5000, "default service account");
    cluster.apply([...shimExecutor("doomed"), spinApp("gone", {}, "doomed")]);
    await cluster.waitFor(() => cluster.list("v1", "Pod", "doomed").length === 1, 5000, "pod in doomed");
    const d = await kubectl(cluster, ["delete", "namespace", "doomed"], { timeoutMs: 20_000 });
    assert.equal(d.stdout.trim(), 'namespace "doomed" deleted');
    assert.equal(cluster.get("v1", "Namespace", undefined, "doomed"), undefined);
    assert.equal(cluster.list("v1", "Pod", "doomed").length, 0);
    assert.equal(cluster.list(SA, "SpinApp", "doomed").length, 0);
    const again = await kubectl(cluster, ["apply", "-f", "-"], { input: JSON.stringify(spinApp("late", {}, "doomed")) });
    assert.equal(again.stderr.trim(), 'Error from server (NotFound): error when creating "STDIN": namespaces "doomed" not found');
  });
});
