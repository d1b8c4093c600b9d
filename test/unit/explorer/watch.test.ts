// The live tree against the test API server over HTTPS: initial state, every watch event kind,
// a dropped watch resumed from its resourceVersion (no relist), 410 Gone answered by a relist,
// the API server going away (reconnecting, then recovery with no duplicate or missing node),
// a burst of 1,000 changes repainted once, collapse and hide stopping the watches.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Fixture } from "./helpers";
import { child, executor, fixture, labels, namespace, objs, runtimeClass, spinApp, until, waitChild } from "./helpers";
import type { TreeNode } from "../../../src/cluster/nodes";
import { Resources } from "../../../src/cluster/kubeApi";

const SPINAPPS = "/apis/core.spinkube.dev/v1alpha1/spinapps";

describe("explorer watches", () => {
  let f: Fixture;
  let ctx: TreeNode;

  before(async () => {
    f = await fixture();
    f.cluster.apply(objs(runtimeClass(), namespace("team-a"), executor("default"), executor("team-a"), spinApp("default", "hello", { replicas: 2 }), spinApp("team-a", "cart")));
    [ctx] = f.model.children();
  });
  after(() => f.stop());

  test("initial state: the current context, its namespaces with SpinApp counts, the groups", async () => {
    assert.equal(f.model.view(ctx).label, "spinkube-test");
    assert.equal(f.model.view(ctx).contextValue, "spinkube.context.current");
    assert.equal(f.model.session("spinkube-test"), undefined, "no session before the context is expanded");
    await until(f.model, () => labels(f.model, ctx).includes("team-a") && f.model.session("spinkube-test")?.state.kind === "connected", "namespaces listed");
    assert.deepEqual(labels(f.model, ctx), ["default", "team-a", "Executors", "RuntimeClasses"]);
    const ns = child(f.model, ctx, "default");
    assert.match(f.model.view(ns).description ?? "", /^1 SpinApp\b/);
    const app = await waitChild(f.model, ns, "hello");
    await until(f.model, () => /^Ready 2\/2 · containerd-shim-spin$/.test(f.model.view(app).description ?? "") && f.model.view(app), "hello ready 2/2");
    assert.equal(f.model.view(app).svg, "spinapp-ready");
    assert.match(f.model.view(app).tooltip ?? "", /Available=True/);
    const kids = await until(f.model, () => {
      const l = labels(f.model, app);
      // Each watch syncs on its own: wait for the Deployment too.
      return l.filter((x) => x.startsWith("hello-")).length === 2 && l.includes("Deployment hello") && l;
    }, "deployment, service, 2 pods, executor");
    assert.deepEqual(kids.filter((l) => !l.startsWith("hello-")), ["Deployment hello", "Service hello", "Executor containerd-shim-spin", "Runtime readiness"]);
    const pod = f.model.children(app).find((n) => n.kind === "pod");
    assert.ok(pod);
    assert.match(f.model.view(pod).description ?? "", /^Running · 0 restarts · spinkube-worker$/);
  });

  test("every watch event kind: ADDED, MODIFIED and DELETED reach the tree", async () => {
    const ns = child(f.model, ctx, "team-a");
    await waitChild(f.model, ns, "cart");
    f.cluster.apply(objs(spinApp("team-a", "added")));
    await waitChild(f.model, ns, "added");
    f.cluster.apply(objs(spinApp("team-a", "added", { replicas: 3 })));
    await until(f.model, () => /Ready \d\/3/.test(f.model.view(child(f.model, ns, "added")).description ?? ""), "desired 3");
    f.cluster.remove("core.spinkube.dev/v1alpha1", "SpinApp", "team-a", "added");
    await until(f.model, () => !labels(f.model, ns).includes("added"), "added deleted");
    assert.deepEqual(labels(f.model, ns), ["cart"]);
    // A namespace appears with its first SpinApp.
    f.cluster.apply(objs(namespace("team-b"), spinApp("team-b", "fresh")));
    await until(f.model, () => labels(f.model, ctx).includes("team-b"), "team-b shown");
  });

  test("a dropped watch resumes from its resourceVersion without relisting", async () => {
    const lists = () => f.cluster.requests.filter((r) => r.path === SPINAPPS && r.query.watch !== "true").length;
    const before = lists();
    const watchesBefore = f.cluster.requests.filter((r) => r.path === SPINAPPS && r.query.watch === "true").length;
    f.cluster.faults.dropConnections();
    const resumed = await f.cluster.waitFor(
      () => f.cluster.requests.filter((r) => r.path === SPINAPPS && r.query.watch === "true").slice(watchesBefore).find((r) => r.query.resourceVersion && r.query.resourceVersion !== "0"),
      10_000,
      "the watch resumed",
    );
    assert.ok(Number(resumed.query.resourceVersion) > 0);
    f.cluster.apply(objs(spinApp("default", "after-drop")));
    await waitChild(f.model, child(f.model, ctx, "default"), "after-drop");
    assert.equal(lists(), before, "no relist after a dropped connection");
  });

  test("410 Gone: the informer relists and the tree stays exact", async () => {
    const lists = () => f.cluster.requests.filter((r) => r.path === SPINAPPS && r.query.watch !== "true").length;
    const before = lists();
    f.cluster.faults.expireResourceVersions();
    await f.cluster.waitFor(() => lists() > before, 10_000, "a relist");
    f.cluster.apply(objs(spinApp("default", "after-410")));
    const ns = child(f.model, ctx, "default");
    await waitChild(f.model, ns, "after-410");
    assert.deepEqual(labels(f.model, ns), ["after-410", "after-drop", "hello"]);
  });

  test("API server gone: reconnecting with the reason, then recovery with no duplicate or missing node", async () => {
    const session = f.model.session("spinkube-test");
    assert.ok(session);
    const refusing = f.cluster.faults.refuseFor(1500);
    await refusing;
    f.cluster.faults.dropConnections();
    await until(f.model, () => session.state.kind === "reconnecting" && session.state, "reconnecting");
    assert.match(f.model.view(ctx).description ?? "", /^reconnecting: /);
    const during = labels(f.model, ctx);
    assert.ok(during[0].startsWith("Reconnecting: "), during[0]);
    assert.deepEqual(during.slice(1), ["default", "team-a", "team-b", "Executors", "RuntimeClasses"], "nodes stay while reconnecting");
    // Changes while the server is unreachable arrive after recovery.
    f.cluster.apply(objs(spinApp("default", "during-outage")));
    f.cluster.remove("core.spinkube.dev/v1alpha1", "SpinApp", "default", "after-drop");
    await until(f.model, () => session.state.kind === "connected", "connected again", 15_000);
    const ns = child(f.model, ctx, "default");
    await until(f.model, () => labels(f.model, ns).join() === "after-410,during-outage,hello", "exact SpinApps after recovery");
    assert.equal(new Set(labels(f.model, ctx)).size, labels(f.model, ctx).length, "no duplicate namespace");
  });

  test("collapsing stops a node's watches; hiding the view pauses all and showing resumes from resourceVersions", async () => {
    const session = f.model.session("spinkube-test");
    assert.ok(session);
    const ns = child(f.model, ctx, "default");
    const app = child(f.model, ns, "hello");
    labels(f.model, app);
    assert.ok(session.activeWatches().some((w) => w.key.startsWith("services.|default")));
    f.model.collapse(app);
    assert.ok(!session.activeWatches().some((w) => w.key.startsWith("services.|default")), "the app's Service watch stopped");
    assert.ok(session.activeWatches().some((w) => w.key.startsWith("deployments.apps|default")), "the namespace still watches Deployments");
    f.model.collapse(ns);
    assert.ok(!session.activeWatches().some((w) => w.key.startsWith("pods.|default") || w.key.startsWith("deployments.apps|default")), "the namespace's pod and Deployment watches stopped");

    const lists = () => f.cluster.requests.filter((r) => r.path === SPINAPPS && r.query.watch !== "true").length;
    const listsBefore = lists();
    const watches = () => f.cluster.requests.filter((r) => r.path === SPINAPPS && r.query.watch === "true").length;
    f.model.setVisible(false);
    const watchesHidden = watches();
    f.cluster.apply(objs(spinApp("default", "while-hidden")));
    f.model.setVisible(true);
    await f.cluster.waitFor(() => watches() > watchesHidden, 10_000, "the watch resumed");
    const resumed = f.cluster.requests.filter((r) => r.path === SPINAPPS && r.query.watch === "true").at(-1);
    assert.ok(Number(resumed?.query.resourceVersion) > 0, "resumed from a resourceVersion");
    await waitChild(f.model, child(f.model, ctx, "default"), "while-hidden");
    assert.equal(lists(), listsBefore, "no relist after hide/show");

    f.model.collapse(ctx);
    assert.deepEqual(session.activeWatches(), [], "collapsing the context stops every watch");
  });

  test("while the view is hidden, the watches of open live documents keep running", async () => {
    const session = f.model.session("spinkube-test");
    assert.ok(session);
    const doc = { resource: Resources.spinApps, namespace: "default" };
    session.acquire("live:doc", doc);
    await until(f.model, () => labels(f.model, ctx).includes("default") && session.synced(doc), "tree and document watches");
    f.model.setVisible(false);
    assert.equal(session.status(doc), "synced", "the document's watch is not paused");
    assert.equal(session.status({ resource: Resources.spinApps }), "paused", "the tree's watch is paused");
    f.cluster.apply(objs(spinApp("default", "seen-while-hidden")));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("the document's watch did not deliver")), 10_000);
      const off = f.model.onDidFlush(() => {
        if (session.objects(doc).some((o) => o.metadata.name === "seen-while-hidden")) {
          clearTimeout(t);
          off();
          resolve();
        }
      });
    });
    f.model.setVisible(true);
    session.release("live:doc");
    await until(f.model, () => session.status({ resource: Resources.spinApps }) === "synced", "the tree's watch resumed");
  });
});

describe("explorer coalescing", () => {
  let f: Fixture;
  // No operator/kubelet: the burst is exactly the 1,000 SpinApp events.
  before(async () => {
    f = await fixture({ controllers: false });
    f.cluster.apply(objs(namespace("team-a"), spinApp("team-a", "cart")));
  });
  after(() => f.stop());

  test("a burst of 1,000 changes becomes one repaint", async () => {
    const [ctx] = f.model.children();
    const ns = await waitChild(f.model, ctx, "team-a");
    await waitChild(f.model, ns, "cart");
    await until(f.model, () => f.model.session("spinkube-test")?.state.kind === "connected", "connected");
    // Let earlier flushes settle: a marker change, then the burst.
    f.cluster.apply(objs(spinApp("team-a", "marker")));
    await waitChild(f.model, ns, "marker");
    await new Promise<void>((resolve) => setTimeout(resolve, 300));
    const repaintsBefore = f.model.repaints;
    const fired: (TreeNode[] | undefined)[] = [];
    const off = f.model.onDidChange((n) => fired.push(n));
    const burst = [];
    for (let i = 0; i < 1000; i++) burst.push(spinApp("team-a", `burst-${String(i).padStart(4, "0")}`));
    f.cluster.apply(objs(...burst));
    await until(f.model, () => f.model.appsIn("spinkube-test", "team-a").length >= 1002, "1,000 new SpinApps in the model", 20_000);
    // The flush that delivered the burst has happened; let the coalescing window close.
    await new Promise<void>((resolve) => setTimeout(resolve, 400));
    off();
    assert.equal(f.model.repaints - repaintsBefore, 1, `repaints during the burst: ${f.model.repaints - repaintsBefore}`);
    assert.equal(fired.length, 1);
    assert.ok(fired[0]?.some((n) => n.id === ns.id), "the namespace node is repainted");
    assert.equal(labels(f.model, ns).length, 1002);
  });
});
