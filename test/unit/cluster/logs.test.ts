// Pod logs through the real kubectl (--tail, --since, --timestamps, -f, --previous, -c, -l with
// --prefix) and a 100,000 lines/s container followed over HTTPS, plus kubectl 1.27–1.33 (the
// versions beside the 1.32 dispatcher) against the same server.

import assert from "node:assert/strict";
import https from "node:https";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { KObject, TestCluster } from "../../cluster";
import { startTestCluster } from "../../cluster";
import { cleanupKubectl, kubectl, kubectlStream, request, shimExecutor, tableRows } from "./harness";

const SA = "core.spinkube.dev/v1alpha1";

function spinApp(name: string, replicas = 1): KObject {
  return { apiVersion: SA, kind: "SpinApp", metadata: { name, namespace: "default" }, spec: { image: `ghcr.io/example/${name}:v1`, executor: "containerd-shim-spin", replicas } };
}

async function runningPods(cluster: TestCluster, app: string, n: number): Promise<string[]> {
  const pods = await cluster.waitFor(() => {
    const ps = cluster.list("v1", "Pod", "default", { "core.spinkube.dev/app-name": app }).filter((p) => (p.status as { phase?: string }).phase === "Running");
    return ps.length === n ? ps : undefined;
  }, 10_000, `${n} running pods of ${app}`);
  return pods.map((p) => p.metadata.name ?? "");
}

describe("pod logs through kubectl", { timeout: 60_000 }, () => {
  let cluster: TestCluster;

  before(async () => {
    cluster = await startTestCluster({ seed: "empty", podStartDelayMs: 50, podReadyDelayMs: 10, logLinesPerSecond: 20 });
    cluster.apply([...shimExecutor(), spinApp("logger", 2)]);
  });

  after(async () => {
    await cluster.stop();
    cleanupKubectl(cluster);
  });

  it("reads --tail, --timestamps and --since", async () => {
    const [pod] = await runningPods(cluster, "logger", 2);
    await cluster.waitFor(() => cluster.logLines("default", pod).length >= 8, 5000, "some request lines");
    const tail = await kubectl(cluster, ["logs", pod, "--tail=2"]);
    assert.equal(tail.code, 0, tail.stderr);
    const lines = tail.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 2);
    for (const l of lines) assert.match(l, new RegExp(`^${pod}: handled request #\\d+: GET / -> 200 OK$`));
    const all = await kubectl(cluster, ["logs", pod, "--since=1h"]);
    assert.deepEqual(all.stdout.split("\n").slice(0, 3), ["Serving http://0.0.0.0:80", "Available Routes:", "  logger: http://0.0.0.0:80 (wildcard)"]);
    const before = Date.now();
    const since = await kubectl(cluster, ["logs", pod, "--since=1s", "--timestamps"]);
    const stamped = since.stdout.trimEnd().split("\n");
    assert.ok(stamped.length >= 1 && stamped.length <= 22, `${stamped.length} lines in the last second at 20/s`);
    for (const l of stamped) {
      const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z) (.*)$/.exec(l);
      assert.ok(m, l);
      assert.ok(Date.parse(m[1]) >= before - 1100, `${m[1]} is within --since=1s`);
    }
  });

  it("follows with -f, reads --previous after a restart, and rejects unknown containers", async () => {
    const [pod] = await runningPods(cluster, "logger", 2);
    const f = kubectlStream(cluster, ["logs", "-f", pod, "--tail=0"]);
    try {
      await f.waitForLine(/handled request/);
      cluster.appendLog("default", pod, "logger", "a line the test wrote");
      await f.waitForLine(/^a line the test wrote$/);
    } finally {
      await f.stop();
    }
    const none = await kubectl(cluster, ["logs", pod, "--previous"]);
    assert.equal(none.stderr.trim(), `Error from server (BadRequest): previous terminated container "logger" in pod "${pod}" not found`);
    cluster.restartContainer("default", pod, "logger", 1);
    const prev = await kubectl(cluster, ["logs", pod, "--previous", "--tail=2"]);
    assert.equal(prev.code, 0, prev.stderr);
    assert.equal(prev.stdout.trimEnd().split("\n")[1], "Error: exited with code 1");
    const row = tableRows((await kubectl(cluster, ["get", "pod", pod])).stdout)[1];
    assert.match(row[3], /^1 \(\d+s ago\)$/);
    const bad = await kubectl(cluster, ["logs", pod, "-c", "nope"]);
    assert.equal(bad.stderr.trim(), `error: container nope is not valid for pod ${pod}`, "kubectl checks container names itself");
    const raw = await request(cluster, "GET", `/api/v1/namespaces/default/pods/${pod}/log?container=nope`);
    assert.equal(raw.status, 400);
    assert.equal(raw.json().message, `container nope is not valid for pod ${pod}`);
  });

  it("reads all pods of an app by label with --prefix", async () => {
    const pods = await runningPods(cluster, "logger", 2);
    const r = await kubectl(cluster, ["logs", "-l", "core.spinkube.dev/app-name=logger", "--prefix", "--tail=1"]);
    assert.equal(r.code, 0, r.stderr);
    const prefixes = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => /^\[(pod\/[^/]+\/logger)\] /.exec(l)?.[1])
      .sort();
    assert.deepEqual(prefixes, pods.map((p) => `pod/${p}/logger`).sort());
  });

  it("works with every kubectl from 1.27 to 1.33", async () => {
    const versions = ["1.27", "1.28", "1.29", "1.30", "1.31", "1.32", "1.33"].filter((v) => existsSync(`/usr/lib/google-cloud-sdk/bin/kubectl.${v}`));
    assert.ok(versions.length >= 1, "the Google Cloud SDK kubectl versions are installed");
    for (const v of versions) {
      const binary = `/usr/lib/google-cloud-sdk/bin/kubectl.${v}`;
      const g = await kubectl(cluster, ["get", "spinapps"], { binary });
      assert.equal(g.code, 0, `${v}: ${g.stderr}`);
      assert.deepEqual(tableRows(g.stdout)[1], ["logger", "2", "2", "containerd-shim-spin"], v);
      const a = await kubectl(cluster, ["apply", "--server-side", "-f", "-"], { binary, input: JSON.stringify(spinApp(`v${v.replace(".", "-")}`)) });
      assert.equal(a.stdout.trim(), `spinapp.core.spinkube.dev/v${v.replace(".", "-")} serverside-applied`, `${v}: ${a.stderr}`);
    }
  });
});

describe("a 100,000 lines/s container", { timeout: 30_000 }, () => {
  let cluster: TestCluster;

  before(async () => {
    cluster = await startTestCluster({ seed: "empty", podStartDelayMs: 20, podReadyDelayMs: 10, logLinesPerSecond: 100_000 });
    cluster.apply([...shimExecutor(), spinApp("firehose")]);
  });

  after(async () => {
    await cluster.stop();
  });

  it("streams at least 50,000 lines in a second of following", async () => {
    const [pod] = await runningPods(cluster, "firehose", 1);
    let lines = 0;
    let first = 0;
    let last = -1;
    let ordered = true;
    await new Promise<void>((resolve, reject) => {
      const req = https.get(`${cluster.url}/api/v1/namespaces/default/pods/${pod}/log?follow=true&tailLines=0`, { ca: cluster.ca, headers: { Authorization: `Bearer ${cluster.token}` } }, (res) => {
        let partial = "";
        res.on("data", (d: Buffer) => {
          if (!first) first = Date.now();
          partial += d.toString();
          const parts = partial.split("\n");
          partial = parts.pop() ?? "";
          for (const p of parts) {
            const m = /#(\d+):/.exec(p);
            if (m) {
              const n = Number(m[1]);
              if (n !== last + 1 && last !== -1) ordered = false;
              last = n;
            }
            lines++;
          }
          if (Date.now() - first >= 1000) {
            req.destroy();
            resolve();
          }
        });
        res.on("error", () => resolve());
      });
      req.on("error", (e) => (first ? resolve() : reject(e)));
    });
    assert.ok(lines >= 50_000, `${lines} lines in one second`);
    assert.ok(ordered, "no line lost or repeated");
  });
});
