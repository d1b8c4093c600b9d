// The deploy core through the explorer's own connection (kubeApi + kubeconfig) against the test
// API server: server-side apply after a dry run, watching until Available with replicas reported,
// and every failure the issue lists — no cluster, namespace missing, webhook rejection (nothing
// applied), missing RuntimeClass and sandbox failures (pointing at the runtime diagnosis), image
// pull failure, crash loop with the last log lines, timeout with conditions and events —
// plus cancellation before the apply and while waiting, and a redeploy that waits for the new pods.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { KubeClient } from "../../../src/cluster/kubeApi";
import { connect } from "../../../src/cluster/kubeApi";
import { loadKubeconfig } from "../../../src/cluster/kubeconfig";
import type { DeployOptions, KObj } from "../../../src/spin/deploy";
import { deploy } from "../../../src/spin/deploy";
import { deployClusterOf, deployedImage } from "../../../src/spin/kubeDeploy";
import type { TestCluster } from "../../cluster";
import { startTestCluster } from "../../cluster";
import { freePort } from "../../spin-standin/jco";
import { clientFor } from "../../spin-standin/testCluster";

let cluster: TestCluster;
let client: KubeClient;

const EXECUTOR = (name: string, runtimeClassName: string): string =>
  `apiVersion: core.spinkube.dev/v1alpha1\nkind: SpinAppExecutor\nmetadata:\n  name: ${name}\n  namespace: default\nspec:\n  createDeployment: true\n  deploymentConfig:\n    runtimeClassName: ${runtimeClassName}\n`;

function spinApp(name: string, image: string, o: { replicas?: number; executor?: string; podAnnotations?: Record<string, string> } = {}): KObj {
  return {
    apiVersion: "core.spinkube.dev/v1alpha1",
    kind: "SpinApp",
    metadata: { name },
    spec: { image, executor: o.executor ?? "containerd-shim-spin", replicas: o.replicas ?? 1, ...(o.podAnnotations ? { podAnnotations: o.podAnnotations } : {}) },
  };
}

before(async () => {
  cluster = await startTestCluster({ seed: "empty", podStartDelayMs: 100, podReadyDelayMs: 50, podStopDelayMs: 50, sandboxRetryMs: 5000, crashAfterMs: 20, crashBackoffMs: 10_000, logLinesPerSecond: 0 });
  cluster.apply(`apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: wasmtime-spin-v2\nhandler: spin\n---\napiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: wasmtime-spin-other\nhandler: spin-other\n`);
  cluster.apply(EXECUTOR("containerd-shim-spin", "wasmtime-spin-v2"));
  cluster.apply(EXECUTOR("no-runtimeclass", "missing-class"));
  cluster.apply(EXECUTOR("no-handler", "wasmtime-spin-other"));
  client = await clientFor(cluster.kubeconfigPath);
});

after(async () => {
  client?.dispose();
  await cluster?.stop();
});

async function run(objs: KObj[], o: DeployOptions = {}) {
  const progress: string[] = [];
  const r = await deploy(deployClusterOf(client), objs, { timeoutMs: 15_000, ...o, onProgress: (m) => progress.push(m) });
  return { r, progress };
}

const applies = (name: string): number => cluster.requests.filter((q) => q.method === "PATCH" && q.path.endsWith(`/spinapps/${name}`) && !String(q.query?.dryRun ?? "").length).length;

test("deploy: dry run, server-side apply, then Available with every replica ready (watched, not polled)", async () => {
  cluster.clearRequests();
  const { r, progress } = await run([spinApp("hello", "ghcr.io/you/hello:v1", { replicas: 2 })]);
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.value.name, "hello");
  assert.equal(r.value.namespace, "default");
  assert.equal(r.value.readyReplicas, 2);
  assert.equal(r.value.pods.length, 2);
  assert.deepEqual(r.value.applied, ["SpinApp/hello"]);
  assert.equal(progress[0], "applied SpinApp/hello to default");
  assert.ok(progress.some((p) => /^[01]\/2 replicas ready$/.test(p)) || progress.includes("waiting for the operator to create the Deployment"), progress.join(" | "));
  const patches = cluster.requests.filter((q) => q.method === "PATCH" && q.path === "/apis/core.spinkube.dev/v1alpha1/namespaces/default/spinapps/hello");
  assert.equal(patches.length, 2, "one dry run, one apply");
  assert.equal(patches[0].query?.dryRun, "All");
  assert.equal(patches[1].query?.fieldManager, "spinkube-vscode");
  assert.ok(cluster.requests.some((q) => q.method === "GET" && q.query?.watch === "true" && q.path.endsWith("/spinapps")), "the SpinApp is watched");
  const listsAfterWatch = cluster.requests.filter((q) => q.method === "GET" && q.path.endsWith("/namespaces/default/spinapps") && q.query?.watch !== "true");
  assert.ok(listsAfterWatch.length <= 1, `the SpinApp was listed ${listsAfterWatch.length} times (polling?)`);
  assert.equal(await deployedImage(client, "default", "hello"), "ghcr.io/you/hello:v1");
  assert.equal(await deployedImage(client, "default", "nope"), undefined);
});

test("redeploy with a new image waits for the new pods, not the old Available status", async () => {
  const first = cluster.list("v1", "Pod", "default", { "core.spinkube.dev/app-name": "hello" }).map((p) => p.metadata.name);
  const { r } = await run([spinApp("hello", "ghcr.io/you/hello:v2", { replicas: 2 })]);
  assert.ok(r.ok, JSON.stringify(r));
  for (const p of r.value.pods) assert.ok(!first.includes(p), `${p} is an old pod`);
  for (const p of r.value.pods) {
    const pod = cluster.get("v1", "Pod", "default", p);
    assert.equal((pod?.spec as { containers: { image: string }[] }).containers[0].image, "ghcr.io/you/hello:v2");
  }
});

test("namespace missing: one message with the fix, nothing applied", async () => {
  cluster.clearRequests();
  const { r } = await run([spinApp("hello", "ghcr.io/you/hello:v1")], { namespace: "staging" });
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "namespaceMissing");
  assert.match(r.error.message, /^Namespace staging does not exist in context \S+: create it \(kubectl create namespace staging\) or choose another namespace\.$/);
  assert.equal(cluster.requests.filter((q) => q.method === "PATCH").length, 0);
});

test("no cluster: the context's server does not answer", async () => {
  const port = await freePort();
  const st = loadKubeconfig({ setting: cluster.kubeconfigPath });
  assert.ok(st.kind === "loaded");
  const merged = JSON.parse(JSON.stringify(st.merged).replace(`127.0.0.1:${cluster.port}`, `127.0.0.1:${port}`)) as Record<string, unknown>;
  const dead = await connect(merged, st.currentContext!);
  try {
    const r = await deploy(deployClusterOf(dead), [spinApp("hello", "ghcr.io/you/hello:v1")], { timeoutMs: 5000 });
    assert.ok(!r.ok);
    assert.equal(r.error.kind, "noCluster");
    assert.match(r.error.message, new RegExp(`^Cannot reach the cluster of context \\S+ at https://127\\.0\\.0\\.1:${port} \\(.*\\): start the cluster or choose another context\\.$`));
  } finally {
    dead.dispose();
  }
});

test("webhook rejection: the field to fix, and nothing applied (not even the documents before it)", async () => {
  const cm: KObj = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "before-the-app" }, data: { a: "1" } };
  const { r } = await run([cm, spinApp("rejected", "ghcr.io/you/hello:v1", { executor: "cyclotron" })]);
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "rejected");
  assert.match(r.error.message, /^The cluster's vspinapp\.kb\.io webhook rejected SpinApp rejected: spec\.executor: .*executor does not exist in namespace.*\. Fix spec\.executor\. Nothing was applied\.$/);
  assert.equal(cluster.get("core.spinkube.dev/v1alpha1", "SpinApp", "default", "rejected"), undefined);
  assert.equal(cluster.get("v1", "ConfigMap", "default", "before-the-app"), undefined);
  const zero = await run([spinApp("zero", "ghcr.io/you/hello:v1", { replicas: 0 })]);
  assert.ok(!zero.r.ok && /spec\.replicas: .*replicas must be > 0.*Fix spec\.replicas/.test(zero.r.error.message));
});

test("missing RuntimeClass: the pods are rejected; the failure points at the runtime diagnosis, with events", async () => {
  const { r } = await run([spinApp("norc", "ghcr.io/you/hello:v1", { executor: "no-runtimeclass" })]);
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "rolloutFailed");
  assert.equal(r.error.runtimeProblem, true);
  assert.match(r.error.message, /^The pods of norc are rejected: .*RuntimeClass "missing-class" not found.*run the runtime diagnosis\. Applied: SpinApp\/norc\.$/);
  assert.match(r.error.detail ?? "", /SpinApp default\/norc conditions:\n {2}Available=False/);
  assert.match(r.error.detail ?? "", /Warning FailedCreate ReplicaSet\/norc-\w+: .*RuntimeClass "missing-class" not found/);
});

test("sandbox failure (no such runtime handler on the node): runtime problem with the kubelet's event", async () => {
  const { r } = await run([spinApp("nohandler", "ghcr.io/you/hello:v1", { executor: "no-handler" })]);
  assert.ok(!r.ok);
  assert.equal(r.error.runtimeProblem, true);
  assert.match(r.error.message, /^The pods of nohandler cannot start: Failed to create pod sandbox: .*no runtime for "spin-other" is configured\. The node has no Spin runtime for this RuntimeClass: run the runtime diagnosis\./);
  assert.match(r.error.detail ?? "", /Pod nohandler-\S+: Pending, no container started yet/);
});

test("image pull failure and crash loop: named, with the last log lines of a crashing pod", async () => {
  const pull = await run([spinApp("pullfail", "ghcr.io/you/does-not-exist:v1")]);
  assert.ok(!pull.r.ok);
  assert.match(pull.r.error.message, /^The cluster cannot pull ghcr\.io\/you\/does-not-exist:v1 \(ErrImagePull\): check that the registry is reachable from the cluster and add spec\.imagePullSecrets for a private registry\./);
  const crash = await run([spinApp("crashy", "ghcr.io/you/crash:v1")]);
  assert.ok(!crash.r.ok);
  assert.match(crash.r.error.message, /^crashy keeps crashing \(CrashLoopBackOff in pod crashy-\S+\): see its last log lines below\./);
  assert.match(crash.r.error.detail ?? "", /Last log lines of crashy-\S+:\n(.*\n)*.*component trapped/);
});

test("timeout: conditions, events and pods in the report; cancellation before the apply applies nothing; cancellation while waiting says what was applied", async () => {
  const slow = spinApp("slow", "ghcr.io/you/hello:v1", { podAnnotations: { "test.spinkube.dev/start-delay-ms": "600000" } });
  const t = await run([slow], { timeoutMs: 1500 });
  assert.ok(!t.r.ok);
  assert.equal(t.r.error.kind, "timeout");
  assert.match(t.r.error.message, /^slow did not become Available within 2 s \(0\/1 replica ready\)\. Applied: SpinApp\/slow\.$/);
  assert.match(t.r.error.detail ?? "", /Available=False/);
  assert.match(t.r.error.detail ?? "", /Normal Scheduled Pod\/slow-/);

  const before = new AbortController();
  before.abort();
  const c0 = await run([spinApp("never", "ghcr.io/you/hello:v1")], { signal: before.signal });
  assert.ok(!c0.r.ok && c0.r.error.kind === "cancelled" && /before anything was applied/.test(c0.r.error.message));
  assert.equal(applies("never"), 0);
  assert.equal(cluster.get("core.spinkube.dev/v1alpha1", "SpinApp", "default", "never"), undefined);

  const during = new AbortController();
  const waiting = run([spinApp("slow2", "ghcr.io/you/hello:v1", { podAnnotations: { "test.spinkube.dev/start-delay-ms": "600000" } })], { signal: during.signal });
  await cluster.waitFor(() => cluster.get("core.spinkube.dev/v1alpha1", "SpinApp", "default", "slow2"), 10_000, "SpinApp slow2");
  during.abort();
  const c1 = await waiting;
  assert.ok(!c1.r.ok);
  assert.equal(c1.r.error.kind, "cancelled");
  assert.equal(c1.r.error.message, "Stopped waiting for slow2 (cancelled). Applied: SpinApp/slow2.");
});
