// The test cluster, proven with the real kubectl (1.32 from the Google Cloud SDK): discovery,
// tables, -o yaml, apply (client-side and --server-side) of corpus SpinApps with strict field
// validation, the operator's webhooks, conflicts, scale, delete with garbage collection, get -w,
// explain, and RBAC/401 errors. Every assertion is on kubectl's real output.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import type { TestCluster } from "../../cluster";
import { startTestCluster } from "../../cluster";
import { cleanupKubectl, kubectl, kubectlStream, sharedDir, shimExecutor, tableRows } from "./harness";

const corpus = (name: string): string => path.join(sharedDir(), "corpus", "real", "spinapp", name);
const SIMPLE = corpus("spinframework__spin-operator__config__samples__simple.yaml");
const VARIABLES = corpus("spinframework__spin-operator__config__samples__variables.yaml");
const LEGACY = corpus("DanielZuerrer__spinkube_test__hello.yaml");

describe("test cluster with real kubectl", { timeout: 90_000 }, () => {
  let cluster: TestCluster;

  before(async () => {
    cluster = await startTestCluster({
      seed: "empty",
      podStartDelayMs: 100,
      podReadyDelayMs: 50,
      logLinesPerSecond: 20,
      users: [
        { name: "viewer", rules: [{ verbs: ["get", "list", "watch"], apiGroups: ["core.spinkube.dev"], resources: ["spinapps"] }] },
      ],
    });
    cluster.apply(shimExecutor());
  });

  after(async () => {
    await cluster.stop();
    cleanupKubectl(cluster);
  });

  it("reports the server version and discovers the SpinKube resources", async () => {
    const v = await kubectl(cluster, ["version", "-o", "json"]);
    assert.equal(v.code, 0, v.stderr);
    const info = JSON.parse(v.stdout) as { serverVersion: { gitVersion: string; minor: string } };
    assert.equal(info.serverVersion.gitVersion, "v1.32.2");
    const r = await kubectl(cluster, ["api-resources", "--api-group=core.spinkube.dev"]);
    assert.equal(r.code, 0, r.stderr);
    const rows = tableRows(r.stdout);
    assert.deepEqual(rows[0], ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]);
    assert.deepEqual(
      rows.slice(1).map((x) => x.join(" ")),
      ["spinappexecutors core.spinkube.dev/v1alpha1 true SpinAppExecutor", "spinapps core.spinkube.dev/v1alpha1 true SpinApp"],
    );
  });

  it("applies a corpus SpinApp and shows the CRD printer columns as kubectl get prints them", async () => {
    const a = await kubectl(cluster, ["apply", "-f", SIMPLE]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout.trim(), "spinapp.core.spinkube.dev/simple-spinapp created");
    await cluster.waitFor(() => (cluster.get("core.spinkube.dev/v1alpha1", "SpinApp", "default", "simple-spinapp")?.status as { readyReplicas?: number } | undefined)?.readyReplicas === 1, 10_000, "simple-spinapp ready");
    const again = await kubectl(cluster, ["apply", "-f", SIMPLE]);
    assert.equal(again.stdout.trim(), "spinapp.core.spinkube.dev/simple-spinapp unchanged");
    const g = await kubectl(cluster, ["get", "spinapps"]);
    assert.equal(g.code, 0, g.stderr);
    assert.deepEqual(tableRows(g.stdout), [
      ["NAME", "READY", "DESIRED", "EXECUTOR"],
      ["simple-spinapp", "1", "1", "containerd-shim-spin"],
    ]);
    const wide = await kubectl(cluster, ["get", "spinapp", "simple-spinapp", "-o", "wide"]);
    assert.deepEqual(tableRows(wide.stdout), [
      ["NAME", "READY", "DESIRED", "EXECUTOR", "DEPLOYMENT", "SERVICE"],
      ["simple-spinapp", "1", "1", "containerd-shim-spin", "simple-spinapp", "simple-spinapp"],
    ]);
    const pods = await kubectl(cluster, ["get", "pods", "-l", "core.spinkube.dev/app-name=simple-spinapp"]);
    const podRows = tableRows(pods.stdout);
    assert.deepEqual(podRows[0], ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
    assert.equal(podRows.length, 2);
    assert.match(podRows[1][0], /^simple-spinapp-[bcdfghjklmnpqrstvwxz2456789]{10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.deepEqual(podRows[1].slice(1, 4), ["1/1", "Running", "0"]);
    const deploy = await kubectl(cluster, ["get", "deploy", "simple-spinapp"]);
    assert.deepEqual(tableRows(deploy.stdout)[1].slice(0, 4), ["simple-spinapp", "1/1", "1", "1"]);
  });

  it("prints objects with -o yaml as the API server stored them", async () => {
    const y = await kubectl(cluster, ["get", "spinapp", "simple-spinapp", "-o", "yaml"]);
    assert.equal(y.code, 0, y.stderr);
    const o = parse(y.stdout) as { apiVersion: string; metadata: Record<string, unknown>; spec: Record<string, unknown>; status: Record<string, unknown> };
    assert.equal(o.apiVersion, "core.spinkube.dev/v1alpha1");
    assert.equal(o.spec.enableAutoscaling, false, "CRD default applied");
    assert.equal(o.metadata.generation, 1);
    assert.match(String(o.metadata.resourceVersion), /^\d+$/);
    assert.equal(o.status.activeScheduler, "containerd-shim-spin");
    const conds = o.status.conditions as Array<{ type: string; status: string; reason: string }>;
    assert.deepEqual(
      conds.map((c) => [c.type, c.status, c.reason]),
      [
        ["Available", "True", "MinimumReplicasAvailable"],
        ["Progressing", "True", "NewReplicaSetAvailable"],
      ],
    );
    assert.ok(String((o.metadata.annotations as Record<string, string>)["kubectl.kubernetes.io/last-applied-configuration"]).includes('"simple-spinapp"'));
  });

  it("rejects a typo field with strict validation, client-side and server-side, as a real server does", async () => {
    const typo = readFileSync(SIMPLE, "utf8").replace("  replicas: 1", "  replicas: 1\n  replica: 2").replace("simple-spinapp", "typo-app");
    const r = await kubectl(cluster, ["apply", "-f", "-"], { input: typo });
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'Error from server (BadRequest): error when creating "STDIN": SpinApp in version "v1alpha1" cannot be handled as a SpinApp: strict decoding error: unknown field "spec.replica"');
    const s = await kubectl(cluster, ["apply", "--server-side", "-f", "-"], { input: typo });
    assert.equal(s.code, 1);
    assert.equal(s.stderr.trim(), "Error from server: failed to create typed patch object (default/typo-app; core.spinkube.dev/v1alpha1, Kind=SpinApp): .spec.replica: field not declared in schema");
    const w = await kubectl(cluster, ["apply", "--validate=warn", "-f", "-"], { input: typo });
    assert.equal(w.code, 0, w.stderr);
    assert.match(w.stderr, /Warning: unknown field "spec\.replica"/);
    const del = await kubectl(cluster, ["delete", "spinapp", "typo-app"]);
    assert.equal(del.code, 0, del.stderr);
  });

  it("runs the operator's admission webhooks and knows only the current API group", async () => {
    const noReplicas = 'apiVersion: core.spinkube.dev/v1alpha1\nkind: SpinApp\nmetadata:\n  name: no-replicas\nspec:\n  image: ghcr.io/example/app:v1\n';
    const r = await kubectl(cluster, ["apply", "-f", "-"], { input: noReplicas });
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'The SpinApp "no-replicas" is invalid: spec.replicas: Invalid value: 0: replicas must be > 0');
    const wrongExec = noReplicas.replace("spec:\n", "spec:\n  replicas: 1\n  executor: cyclotron\n");
    const e = await kubectl(cluster, ["create", "-f", "-"], { input: wrongExec });
    assert.equal(e.stderr.trim(), 'The SpinApp "no-replicas" is invalid: spec.executor: Invalid value: "cyclotron": executor does not exist in namespace');
    const legacy = await kubectl(cluster, ["apply", "-f", LEGACY]);
    assert.equal(legacy.code, 1);
    assert.match(legacy.stderr, /no matches for kind "SpinApp" in version "core\.spinoperator\.dev\/v1alpha1"/);
  });

  it("server-side applies with field managers, conflicts and --force-conflicts", async () => {
    const ssa = await kubectl(cluster, ["apply", "--server-side", "-f", VARIABLES]);
    assert.equal(ssa.code, 0, ssa.stderr);
    assert.equal(ssa.stdout.trim(), "spinapp.core.spinkube.dev/variables-spinapp serverside-applied");
    const y = parse((await kubectl(cluster, ["get", "spinapp", "variables-spinapp", "-o", "yaml", "--show-managed-fields"])).stdout) as { metadata: { managedFields: Array<{ manager: string; operation: string; fieldsV1: Record<string, unknown> }> } };
    const mine = y.metadata.managedFields.find((m) => m.manager === "kubectl");
    assert.equal(mine?.operation, "Apply");
    assert.deepEqual(Object.keys(mine?.fieldsV1["f:spec"] as object).sort(), ["f:executor", "f:image", "f:replicas", "f:variables"]);
    const changed = readFileSync(VARIABLES, "utf8").replace(/replicas: 1/, "replicas: 3");
    const conflict = await kubectl(cluster, ["apply", "--server-side", "--field-manager", "other-tool", "-f", "-"], { input: changed });
    assert.equal(conflict.code, 1);
    assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl": \.spec\.replicas/);
    const forced = await kubectl(cluster, ["apply", "--server-side", "--field-manager", "other-tool", "--force-conflicts", "-f", "-"], { input: changed });
    assert.equal(forced.code, 0, forced.stderr);
    const desired = await kubectl(cluster, ["get", "spinapp", "variables-spinapp", "-o", "jsonpath={.spec.replicas}"]);
    assert.equal(desired.stdout, "3");
  });

  it("scales a Deployment through its scale subresource and not a SpinApp, which has none", async () => {
    await cluster.waitFor(() => cluster.get("apps/v1", "Deployment", "default", "variables-spinapp"), 5000, "deployment");
    const s = await kubectl(cluster, ["scale", "spinapp", "simple-spinapp", "--replicas=2"]);
    assert.equal(s.code, 1);
    assert.equal(s.stderr.trim(), "Error from server (NotFound): the server could not find the requested resource");
    const p = await kubectl(cluster, ["patch", "spinapp", "simple-spinapp", "--type", "merge", "-p", '{"spec":{"replicas":2}}']);
    assert.equal(p.stdout.trim(), "spinapp.core.spinkube.dev/simple-spinapp patched");
    await cluster.waitFor(() => cluster.list("v1", "Pod", "default", { "core.spinkube.dev/app-name": "simple-spinapp" }).filter((x) => (x.status as { phase?: string }).phase === "Running").length === 2, 10_000, "2 pods");
    const d = await kubectl(cluster, ["scale", "deployment", "simple-spinapp", "--replicas=3"]);
    assert.equal(d.stdout.trim(), "deployment.apps/simple-spinapp scaled");
    // The operator owns the Deployment's replicas and puts them back to the SpinApp's.
    await cluster.waitFor(() => (cluster.get("apps/v1", "Deployment", "default", "simple-spinapp")?.spec as { replicas: number }).replicas === 2, 5000, "operator reconciles replicas");
  });

  it("streams changes with get -w", async () => {
    const w = kubectlStream(cluster, ["get", "spinapps", "-w"]);
    try {
      await w.waitForLine(/^simple-spinapp\s+\d+\s+2\s+containerd-shim-spin$/);
      const p = await kubectl(cluster, ["patch", "spinapp", "simple-spinapp", "--type", "merge", "-p", '{"spec":{"replicas":1}}']);
      assert.equal(p.code, 0, p.stderr);
      const line = await w.waitForLine(/^simple-spinapp\s+\d+\s+1\s+containerd-shim-spin$/);
      assert.ok(line);
      assert.equal(w.lines.filter((l) => l.startsWith("NAME")).length, 1, "headers printed once");
    } finally {
      await w.stop();
    }
  });

  it("explains SpinApp fields from the published OpenAPI v3 schema", async () => {
    const e = await kubectl(cluster, ["explain", "spinapp.spec.executor"]);
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stdout, /^GROUP:\s+core\.spinkube\.dev$/m);
    assert.match(e.stdout, /^FIELD: executor <string>$/m);
    assert.match(e.stdout, /Executor controls how this app is executed in the cluster/);
    const spec = await kubectl(cluster, ["explain", "spinapp.spec"]);
    assert.match(spec.stdout, /^ {2}replicas\t<integer>$/m);
    assert.match(spec.stdout, /^ {2}image\t<string> -required-$/m);
  });

  it("deletes a SpinApp and garbage-collects its Deployment, Service and pods", async () => {
    const d = await kubectl(cluster, ["delete", "spinapp", "variables-spinapp"]);
    assert.equal(d.code, 0, d.stderr);
    assert.equal(d.stdout.trim(), 'spinapp.core.spinkube.dev "variables-spinapp" deleted');
    await cluster.waitFor(() => !cluster.get("apps/v1", "Deployment", "default", "variables-spinapp") && !cluster.get("v1", "Service", "default", "variables-spinapp") && cluster.list("v1", "Pod", "default", { "core.spinkube.dev/app-name": "variables-spinapp" }).length === 0, 10_000, "dependents gone");
    const g = await kubectl(cluster, ["get", "deploy,svc", "variables-spinapp"]);
    assert.match(g.stderr, /Error from server \(NotFound\): deployments\.apps "variables-spinapp" not found/);
    assert.match(g.stderr, /Error from server \(NotFound\): services "variables-spinapp" not found/);
  });

  it("answers 403 with the RBAC message for a limited user and 401 for an unknown token", async () => {
    const ok = await kubectl(cluster, ["get", "spinapps", "-A"], { context: cluster.users.viewer.context });
    assert.equal(ok.code, 0, ok.stderr);
    const denied = await kubectl(cluster, ["get", "secrets"], { context: cluster.users.viewer.context });
    assert.equal(denied.code, 1);
    assert.equal(denied.stderr.trim(), 'Error from server (Forbidden): secrets is forbidden: User "viewer" cannot list resource "secrets" in API group "" in the namespace "default"');
    cluster.faults.revokeToken(cluster.users.viewer.token);
    const revoked = await kubectl(cluster, ["get", "spinapps"], { context: cluster.users.viewer.context });
    assert.equal(revoked.code, 1);
    assert.match(revoked.stderr, /error: You must be logged in to the server \(Unauthorized\)/);
  });
});
