// The test cluster, proven with the real @kubernetes/client-node 1.4.0 over TLS with the
// generated kubeconfig (CA data + bearer token): typed and custom-object lists, watch with
// resume and 410 Gone, an informer that relists after expiry, following pod logs, and
// server-side apply through KubernetesObjectApi.

import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import type { KObject, TestCluster } from "../../cluster";
import { startTestCluster } from "../../cluster";
import { bounded, kubeConfigFor, loadClientNode, shimExecutor } from "./harness";

const GROUP = "core.spinkube.dev";
const VERSION = "v1alpha1";

function spinApp(name: string, replicas = 1, namespace = "default"): KObject {
  return { apiVersion: `${GROUP}/${VERSION}`, kind: "SpinApp", metadata: { name, namespace }, spec: { image: `ghcr.io/example/${name}:v1`, executor: "containerd-shim-spin", replicas } };
}

describe("test cluster with real @kubernetes/client-node", { timeout: 60_000 }, () => {
  let cluster: TestCluster;

  before(async () => {
    cluster = await startTestCluster({ seed: "empty", podStartDelayMs: 50, podReadyDelayMs: 20, logLinesPerSecond: 50 });
    cluster.apply(shimExecutor());
  });

  after(async () => {
    await cluster.stop();
  });

  it("lists typed and custom objects over TLS with token auth", async () => {
    const k8s = await loadClientNode();
    const kc = await kubeConfigFor(cluster);
    assert.match(kc.getCurrentCluster()?.server ?? "", /^https:\/\/127\.0\.0\.1:\d+$/);
    cluster.apply([spinApp("list-a"), spinApp("list-b", 2)]);
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const list = (await custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: "default", plural: "spinapps" })) as { kind: string; metadata: { resourceVersion: string }; items: KObject[] };
    assert.equal(list.kind, "SpinAppList");
    assert.match(list.metadata.resourceVersion, /^\d+$/);
    assert.deepEqual(list.items.map((i) => i.metadata.name), ["list-a", "list-b"]);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const ns = await core.listNamespace();
    assert.deepEqual(ns.items.map((n) => n.metadata?.name), ["default", "kube-node-lease", "kube-public", "kube-system"]);
    await cluster.waitFor(() => cluster.list("v1", "Pod", "default", { "core.spinkube.dev/app-name": "list-b" }).length === 2, 5000, "pods of list-b");
    const pods = await core.listNamespacedPod({ namespace: "default", labelSelector: "core.spinkube.dev/app-name=list-b" });
    assert.equal(pods.items.length, 2);
    assert.equal(pods.items[0].spec?.containers[0].name, "list-b");
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const dep = await apps.readNamespacedDeployment({ name: "list-b", namespace: "default" });
    assert.equal(dep.spec?.selector.matchLabels?.["core.spinkube.dev/app.list-b.status"], "ready");
    await assert.rejects(
      () => custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: "default", plural: "spinapps", name: "nope" }),
      (e: { code?: number; body?: string }) => e.code === 404 && JSON.parse(String(e.body)).message === 'spinapps.core.spinkube.dev "nope" not found',
    );
  });

  it("watches from a resourceVersion, resumes after a disconnect without losing events, and gets 410 for expired versions", async () => {
    const k8s = await loadClientNode();
    const kc = await kubeConfigFor(cluster);
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const list = (await custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: "default", plural: "spinapps" })) as { metadata: { resourceVersion: string } };
    const path = `/apis/${GROUP}/${VERSION}/namespaces/default/spinapps`;
    const seen: Array<[string, string, string, number]> = [];
    let lastRv = list.metadata.resourceVersion;
    const watch = new k8s.Watch(kc);
    let wake: () => void = () => undefined;
    const cb = (type: string, obj: KObject): void => {
      seen.push([type, obj.metadata?.name ?? "", String((obj.spec as { replicas?: number } | undefined)?.replicas ?? ""), Number(obj.metadata?.resourceVersion)]);
      if (obj.metadata?.resourceVersion) lastRv = obj.metadata.resourceVersion;
      wake();
    };
    const until = (pred: () => boolean): Promise<void> =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`watch events so far: ${JSON.stringify(seen)}`)), 5000);
        wake = () => {
          if (pred()) {
            clearTimeout(t);
            resolve();
          }
        };
        wake();
      });
    let done1: (e: unknown) => void = () => undefined;
    const ended1 = new Promise<unknown>((r) => (done1 = r));
    const ctl = await bounded(watch.watch(path, { resourceVersion: lastRv }, cb, (e: unknown) => done1(e)), 5000, "watch 1 response");
    cluster.apply(spinApp("watched", 1));
    await until(() => seen.some(([t, n]) => t === "ADDED" && n === "watched"));
    cluster.apply({ ...spinApp("watched", 3) });
    await until(() => seen.some(([t, n, r]) => t === "MODIFIED" && n === "watched" && r === "3"));
    ctl.abort();
    await bounded(ended1, 5000, "watch 1 done after abort");
    // Changes while disconnected arrive when resuming from the last seen resourceVersion.
    const before = seen.length;
    const resumeRv = Number(lastRv);
    cluster.apply(spinApp("watched", 4));
    cluster.remove(`${GROUP}/${VERSION}`, "SpinApp", "default", "watched");
    const ctl2 = await bounded(watch.watch(path, { resourceVersion: lastRv }, cb, () => undefined), 5000, "watch 2 response");
    await until(() => seen.slice(before).some(([t, n]) => t === "DELETED" && n === "watched"));
    const resumed = seen.slice(before).filter(([, n]) => n === "watched");
    assert.ok(resumed.every(([, , , rv]) => rv > resumeRv), "only events after the resume point");
    assert.ok(resumed.every((e, i) => i === 0 || e[3] > resumed[i - 1][3]), "in resourceVersion order");
    assert.ok(resumed.some(([t, , r]) => t === "MODIFIED" && r === "4"), "the change made while disconnected");
    assert.equal(resumed[resumed.length - 1][0], "DELETED");
    ctl2.abort();
    // Expired resourceVersions: the watch gets an ERROR event with a 410 Status, then ends.
    const oldRv = lastRv;
    cluster.faults.expireResourceVersions();
    const errors: Array<{ code?: number; reason?: string }> = [];
    let done3: (e: unknown) => void = () => undefined;
    const ended3 = new Promise<unknown>((r) => (done3 = r));
    await bounded(watch.watch(path, { resourceVersion: oldRv }, (type: string, obj: { code?: number; reason?: string }) => type === "ERROR" && errors.push(obj), (e: unknown) => done3(e)), 5000, "watch 3 response");
    assert.equal(await bounded(ended3, 5000, "watch 3 done after 410"), null);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, 410);
    assert.equal(errors[0].reason, "Expired");
  });

  it("keeps an informer consistent across expiry (relist) and reports each change once", async () => {
    const k8s = await loadClientNode();
    const kc = await kubeConfigFor(cluster);
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const path = `/apis/${GROUP}/${VERSION}/namespaces/default/spinapps`;
    const listFn = async (): Promise<{ metadata: { resourceVersion: string }; items: KObject[] }> =>
      (await custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: "default", plural: "spinapps" })) as { metadata: { resourceVersion: string }; items: KObject[] };
    const informer = k8s.makeInformer(kc, path, listFn as never);
    const log: string[] = [];
    let connects = 0;
    const waiters = new Set<() => void>();
    const note = (s: string): void => {
      log.push(s);
      for (const w of [...waiters]) w();
    };
    informer.on("add", (o) => note(`add ${o.metadata?.name}`));
    informer.on("update", (o) => note(`update ${o.metadata?.name} ${String(((o as KObject).spec as { replicas: number }).replicas)}`));
    informer.on("delete", (o) => note(`delete ${o.metadata?.name}`));
    informer.on("connect", () => {
      connects++;
      note("connect");
    });
    const until = (pred: () => boolean, what: string): Promise<void> =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (pred()) {
            waiters.delete(check);
            clearTimeout(t);
            resolve();
          }
        };
        const t = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${what}; informer log: ${JSON.stringify(log)}`));
        }, 5000);
        waiters.add(check);
        check();
      });
    await bounded(informer.start(), 5000, "informer start");
    try {
      await until(() => log.includes("add list-a") && log.includes("add list-b"), "initial list");
      cluster.apply(spinApp("informed", 1));
      await until(() => log.includes("add informed"), "add");
      cluster.faults.expireResourceVersions();
      await until(() => connects >= 2, "reconnect after 410");
      cluster.apply(spinApp("informed", 2));
      await until(() => log.includes("update informed 2"), "update after relist");
      cluster.remove(`${GROUP}/${VERSION}`, "SpinApp", "default", "informed");
      await until(() => log.includes("delete informed"), "delete");
      assert.equal(log.filter((l) => l === "add informed").length, 1, "the relist did not re-add a known object");
      assert.deepEqual(
        informer.list().map((o) => o.metadata?.name).sort(),
        ["list-a", "list-b"],
      );
    } finally {
      await bounded(informer.stop(), 5000, "informer stop");
    }
  });

  it("follows pod logs (tail, then new lines as they are written) and reads the previous container", async () => {
    const k8s = await loadClientNode();
    const kc = await kubeConfigFor(cluster);
    const pod = await cluster.waitFor(() => cluster.list("v1", "Pod", "default", { "core.spinkube.dev/app-name": "list-a" }).find((p) => (p.status as { phase?: string }).phase === "Running"), 5000, "running pod");
    const name = pod.metadata.name ?? "";
    let text = "";
    const waiters = new Set<() => void>();
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        text += chunk.toString();
        for (const w of [...waiters]) w();
        cb();
      },
    });
    const until = (re: RegExp): Promise<void> =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (re.test(text)) {
            waiters.delete(check);
            clearTimeout(t);
            resolve();
          }
        };
        const t = setTimeout(() => reject(new Error(`no ${re} in ${JSON.stringify(text.slice(-500))}`)), 5000);
        waiters.add(check);
        check();
      });
    const ctl = await new k8s.Log(kc).log("default", name, "list-a", sink, { follow: true, tailLines: 1 });
    try {
      await until(/handled request #\d+/);
      const firstLines = text.trim().split("\n");
      assert.ok(firstLines.length >= 1);
      cluster.appendLog("default", name, "list-a", "marker line from the test");
      await until(/marker line from the test\n/);
      await until(/marker line from the test\n(.+\n){2}/);
    } finally {
      ctl.abort();
    }
    cluster.restartContainer("default", name, "list-a", 137);
    let prev = "";
    const prevSink = new Writable({
      write(chunk: Buffer, _e, cb) {
        prev += chunk.toString();
        cb();
      },
    });
    await new Promise<void>((resolve, reject) => {
      prevSink.on("finish", resolve);
      new k8s.Log(kc).log("default", name, "list-a", prevSink, { previous: true, tailLines: 2 }).catch(reject);
    });
    const prevLines = prev.trim().split("\n");
    assert.equal(prevLines.length, 2);
    assert.equal(prevLines[1], "Error: exited with code 137");
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const p = await core.readNamespacedPod({ name, namespace: "default" });
    const cs = p.status?.containerStatuses?.[0];
    assert.equal(cs?.restartCount, 1);
    assert.equal(cs?.lastState?.terminated?.exitCode, 137);
    assert.ok(cs?.state?.running);
  });

  it("server-side applies with KubernetesObjectApi and records the field manager", async () => {
    const k8s = await loadClientNode();
    const kc = await kubeConfigFor(cluster);
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    const applied = (await objects.patch(spinApp("ssa-app", 2) as never, undefined, undefined, "spinkube-vscode", true, k8s.PatchStrategy.ServerSideApply)) as unknown as KObject;
    assert.equal(applied.metadata.name, "ssa-app");
    assert.equal((applied.spec as { replicas: number }).replicas, 2);
    const mf = applied.metadata.managedFields ?? [];
    assert.deepEqual(mf.map((m) => [m.manager, m.operation]), [["spinkube-vscode", "Apply"]]);
    // Dropping a field from the applied configuration removes it (this manager owned it alone).
    const second = spinApp("ssa-app", 2);
    (second.spec as Record<string, unknown>).podLabels = { team: "a" };
    await objects.patch(second as never, undefined, undefined, "spinkube-vscode", true, k8s.PatchStrategy.ServerSideApply);
    const third = (await objects.patch(spinApp("ssa-app", 2) as never, undefined, undefined, "spinkube-vscode", true, k8s.PatchStrategy.ServerSideApply)) as unknown as KObject;
    assert.deepEqual((third.spec as Record<string, unknown>).podLabels ?? {}, {});
    const dry = (await objects.patch(spinApp("ssa-app", 5) as never, undefined, "All", "spinkube-vscode", true, k8s.PatchStrategy.ServerSideApply)) as unknown as KObject;
    assert.equal((dry.spec as { replicas: number }).replicas, 5);
    assert.equal((cluster.get(`${GROUP}/${VERSION}`, "SpinApp", "default", "ssa-app")?.spec as { replicas: number }).replicas, 2, "dryRun=All persisted nothing");
  });
});
