// Lazy start: building the explorer model and listing the kubeconfig's contexts makes no request
// to the API server and does not load @kubernetes/client-node; expanding the context does both.

import assert from "node:assert/strict";
import { test } from "node:test";
import { clientNodeLoaded } from "../../../src/cluster/kubeApi";
import { fixture, labels, namespace, objs, spinApp, until } from "./helpers";

test("no request and no client-node before the view shows a context; both after", async () => {
  const f = await fixture({ controllers: false });
  try {
    f.cluster.apply(objs(namespace("team-a"), spinApp("team-a", "cart")));
    f.cluster.clearRequests();
    const roots = f.model.children();
    assert.deepEqual(roots.map((n) => f.model.view(n).label), ["spinkube-test"]);
    const view = f.model.view(roots[0]);
    assert.equal(view.collapsible, "expanded", "the current context opens by itself when the view shows");
    assert.match(view.tooltip ?? "", /Server: https:\/\/127\.0\.0\.1:\d+/);
    assert.equal(f.model.facts().executors.length, 0);
    await new Promise((r) => setImmediate(r));
    assert.equal(f.cluster.requests.length, 0, "no request before the view asks for a context's children");
    assert.equal(clientNodeLoaded(), false, "client-node is not loaded yet");

    await until(f.model, () => labels(f.model, roots[0]).includes("team-a"), "team-a listed");
    assert.equal(clientNodeLoaded(), true);
    const paths = f.cluster.requests.map((r) => `${r.method} ${r.path}${r.query.watch === "true" ? " (watch)" : ""}`);
    assert.ok(paths.includes("GET /apis/core.spinkube.dev/v1alpha1/spinapps"), paths.join("\n"));
    assert.ok(f.cluster.requests.every((r) => r.headers["user-agent"] === "spinkube-vscode" || r.query.watch === "true"), "requests identify the extension");
  } finally {
    await f.stop();
  }
});

test("a context that was never expanded is never contacted", async () => {
  const f = await fixture({ controllers: false, users: [{ name: "dev", namespace: "team-a" }] });
  try {
    const roots = f.model.children();
    assert.deepEqual(roots.map((n) => f.model.view(n).label), ["spinkube-test", "dev@spinkube-test"]);
    await until(f.model, () => labels(f.model, roots[0]).includes("default"), "the current context listed");
    assert.ok(f.cluster.requests.length > 0);
    assert.ok(f.cluster.requests.every((r) => r.user === "kubernetes-admin"), "only the expanded context's user called");
    assert.equal(f.model.session("dev@spinkube-test"), undefined);
  } finally {
    await f.stop();
  }
});
