// Port-forward through the test cluster's pods/portforward (WebSocket, channel protocol) with
// client-node's PortForward: real bytes both ways over a local TCP port, the next connection
// re-established to the new pod when the pod changes, clean stop, and a refused port.

import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { after, before, describe, test } from "node:test";
import { PortForwardManager } from "../../../src/cluster/portForwards";
import type { Fixture } from "./helpers";
import { executor, fixture, objs, runtimeClass, spinApp } from "./helpers";

function get(port: number, path: string): Promise<{ status: number; body: string; pod: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path, agent: false }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, pod: String(res.headers["x-pod-name"] ?? "") }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error("timed out")));
    req.on("error", reject);
  });
}

const running = (f: Fixture) => () =>
  f.cluster.list("v1", "Pod", "default").filter((p) => p.metadata.name?.startsWith("web-") && (p.status as { phase?: string })?.phase === "Running" && !p.metadata.deletionTimestamp);

describe("port-forward", () => {
  let f: Fixture;
  let pf: PortForwardManager;

  before(async () => {
    f = await fixture();
    f.cluster.apply(objs(runtimeClass(), executor("default"), spinApp("default", "web")));
    pf = new PortForwardManager(f.model);
    await f.cluster.waitFor(() => running(f)().length === 1 && (f.cluster.get("core.spinkube.dev/v1alpha1", "SpinApp", "default", "web")?.status as { readyReplicas?: number })?.readyReplicas === 1, 15_000, "web ready");
  });
  after(async () => {
    await pf.stopAll();
    await f.stop();
  });

  test("a SpinApp's Service forwarded to a local port carries real HTTP bytes both ways", async () => {
    const s = await pf.start("spinkube-test", "default", "web");
    assert.equal(s.servicePort, 80);
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const r = await get(s.localPort, "/hello?x=1");
    assert.equal(r.status, 200);
    const pod = running(f)()[0].metadata.name ?? "";
    assert.equal(r.pod, pod);
    assert.equal(r.body, `Hello from default/${pod} (image ghcr.io/example/web:v1, port 80): GET /hello?x=1\n`);
    const upgrade = f.cluster.requests.find((q) => q.path === `/api/v1/namespaces/default/pods/${pod}/portforward`);
    assert.equal(upgrade?.query.ports, "80", "forwarded to the container port the Service's targetPort names");
    // A large request body goes through intact (several websocket frames).
    const big = "x".repeat(200_000);
    const echoed = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(s.localPort, "127.0.0.1", () => sock.write(`POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: ${big.length}\r\nConnection: close\r\n\r\n${big}`));
      let text = "";
      sock.on("data", (d: Buffer) => (text += d.toString()));
      sock.on("end", () => resolve(text));
      sock.on("error", reject);
    });
    assert.match(echoed, /^HTTP\/1\.1 200 OK/);
    assert.match(echoed, /POST \/big \(200000 bytes\)/);
    assert.equal(pf.list()[0].pod, pod);
  });

  test("when the pod changes, the next connection reaches the new pod", async () => {
    const s = pf.list()[0];
    const old = running(f)()[0].metadata.name ?? "";
    f.cluster.remove("v1", "Pod", "default", old);
    const fresh = await f.cluster.waitFor(() => running(f)().find((p) => p.metadata.name !== old && (p.status as { conditions?: { type: string; status: string }[] })?.conditions?.some((c) => c.type === "Ready" && c.status === "True")), 15_000, "a replacement pod");
    // The session's pod watch has seen it once the old pod is gone from its cache.
    const session = f.model.session("spinkube-test");
    assert.ok(session);
    await f.cluster.waitFor(() => session.activeWatches().some((w) => w.key.startsWith("pods.|default|")), 5_000, "the session's pod watch");
    let r = await get(s.localPort, "/again");
    for (let i = 0; r.pod !== fresh.metadata.name && i < 40; i++) {
      await new Promise((res) => setTimeout(res, 50));
      r = await get(s.localPort, "/again");
    }
    assert.equal(r.pod, fresh.metadata.name);
  });

  test("stop closes the local port; a Service without a running pod is refused", async () => {
    const s = pf.list()[0];
    await pf.stop(s.id);
    assert.deepEqual(pf.list(), []);
    await assert.rejects(get(s.localPort, "/"), /ECONNREFUSED/);
    await assert.rejects(pf.start("spinkube-test", "default", "missing"), /not found/);
  });
});
