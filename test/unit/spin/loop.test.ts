// The whole loop offline, for real: the TypeScript fixture app is built by the stand-in spin with
// Spin's own JS tooling, pushed as an OCI artifact to Debian's docker-registry, scaffolded into
// spinapp.yaml, applied to the test API server and awaited; the test cluster's pods pull that
// image and serve it with jco, so a port-forward through the explorer's connection answers with
// the app's real response. After a code change the second Build & Deploy updates the manifest in
// place and the URL answers with the new response.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import type { KubeClient } from "../../../src/cluster/kubeApi";
import type { BuildDeployPlan } from "../../../src/spin/buildDeploy";
import { firstRoutePath, runBuildDeploy } from "../../../src/spin/buildDeploy";
import { deployClusterOf } from "../../../src/spin/kubeDeploy";
import { readManifest } from "../../../src/spin/manifest";
import { formatTimings } from "../../../src/spin/pipeline";
import { ok } from "../../../src/spin/result";
import { SpinCli } from "../../../src/spin/spinCli";
import { parseVersion } from "../../../src/spin/spinOutput";
import type { TestCluster } from "../../cluster";
import { spinTestCluster } from "../../spin-standin/testCluster";
import type { SpinWorkloads } from "../../spin-standin/clusterRuntime";
import { spinWorkloads } from "../../spin-standin/clusterRuntime";
import { STANDIN_SPIN, standinEnv } from "../../spin-standin/harness";
import type { TestRegistry } from "../../spin-standin/registry";
import { startRegistry } from "../../spin-standin/registry";

let registry: TestRegistry;
let workloads: SpinWorkloads;
let cluster: TestCluster;
let client: KubeClient;
const se = standinEnv({ kubePlugin: true });

before(async () => {
  registry = await startRegistry();
  workloads = spinWorkloads([{ host: registry.host, insecure: true }]);
  ({ cluster, client } = await spinTestCluster({ workloads }));
});

after(async () => {
  client?.dispose();
  await cluster?.stop();
  await registry?.stop();
  const bad = se.factsViolations();
  se.cleanup();
  assert.deepEqual(bad, []);
});

/** Port-forwards to the app's pods and GETs a path. */
async function get(namespace: string, pods: string[], urlPath: string): Promise<{ status: number; body: string }> {
  const pf = await client.portForward(namespace, async () => ({ pod: pods[0], port: 80 }));
  try {
    const res = await fetch(`http://127.0.0.1:${pf.localPort}${urlPath}`);
    return { status: res.status, body: await res.text() };
  } finally {
    await pf.close();
  }
}

test("from spin.toml to a URL answering with the app's response, twice, the second after a code change", async () => {
  const dir = se.copyApp("hello");
  const m = await readManifest(dir);
  assert.ok(m.ok);
  const plan = (): BuildDeployPlan => ({
    cli: new SpinCli(STANDIN_SPIN, se.env),
    spinVersion: parseVersion("spin 3.6.3")!,
    app: m.value,
    reference: `${registry.host}/hello:latest`,
    insecure: true,
    manifestFile: path.join(dir, "spinapp.yaml"),
    scaffold: { replicas: 1 },
    kubeconfig: cluster.kubeconfigPath,
    connect: async () => ok(deployClusterOf(client)),
    timeoutMs: 60_000,
  });

  const first = await runBuildDeploy(plan(), new AbortController().signal);
  assert.ok(first.result.ok, `${first.result.failedStep}: ${first.result.error?.message}\n${first.result.error?.detail ?? ""}`);
  assert.equal(first.state.manifest?.action, "scaffolded");
  const pushed1 = first.state.pushed?.digest;
  assert.equal(workloads.pulls.at(-1)?.digest, pushed1, "the pod pulled exactly the pushed digest");
  const path1 = firstRoutePath(m.value);
  assert.equal(path1, "/");
  const r1 = await get("default", first.state.deployed!.pods, "/from-the-cluster");
  assert.deepEqual(r1, { status: 200, body: "Hello from Spin on SpinKube! You asked for /from-the-cluster\n" });

  // A code change, then Build & Deploy again: the manifest is updated in place, new pods serve the new build.
  const src = path.join(dir, "src", "index.ts");
  writeFileSync(src, readFileSync(src, "utf8").replace('"Hello from Spin on SpinKube!"', '"Hello again, second build!"'));
  const before2 = readFileSync(path.join(dir, "spinapp.yaml"), "utf8");
  const second = await runBuildDeploy(plan(), new AbortController().signal);
  assert.ok(second.result.ok, `${second.result.failedStep}: ${second.result.error?.message}\n${second.result.error?.detail ?? ""}`);
  assert.equal(second.state.manifest?.action, "updated");
  assert.notEqual(second.state.pushed?.digest, pushed1);
  assert.equal(readFileSync(path.join(dir, "spinapp.yaml"), "utf8"), before2.replace(pushed1!, second.state.pushed!.digest!));
  for (const p of second.state.deployed!.pods) assert.ok(!first.state.deployed!.pods.includes(p));
  const r2 = await get("default", second.state.deployed!.pods, "/after-the-change");
  assert.deepEqual(r2, { status: 200, body: "Hello again, second build! You asked for /after-the-change\n" });
  assert.match(formatTimings(second.result), /^Check .* · Build .* · Push .* · Manifest .* · Apply .* · Wait .* \(total .*\)$/);
});
