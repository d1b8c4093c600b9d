// The runtime diagnosis in the explorer: a "Runtime readiness" child under each SpinApp (checked
// when the app is expanded, "checking…" meanwhile, re-checked when the app's objects change, its
// explained pod failures as children) and the cluster's SpinKube health on the context node, on the
// demo population (spin-apps/cart-api is healthy; broken/needs-runtime uses RuntimeClass
// wasmtime-spin, handler spin, which no node runs: the nodes register spin-v2).

import assert from "node:assert/strict";
import { test } from "node:test";
import type { ExplorerModel } from "../../../src/cluster/model";
import type { TreeNode } from "../../../src/cluster/nodes";
import { fixture, until, waitChild } from "./helpers";

const readinessOf = (model: ExplorerModel, app: TreeNode): TreeNode | undefined => model.children(app).find((n) => n.kind === "readiness");
const settled = (model: ExplorerModel, app: TreeNode, re: RegExp, what: string): Promise<TreeNode> =>
  until(
    model,
    () => {
      const r = readinessOf(model, app);
      return r && re.test(model.view(r).description ?? "") ? r : undefined;
    },
    what,
    20_000,
  );
/** The title of the first ❌ link in a readiness tooltip. */
const firstBrokenLink = (tooltip: string | undefined): string | undefined => /❌ \*\*([^*]+)\*\*/.exec(tooltip ?? "")?.[1];

test("the Runtime readiness node: checking…, a healthy app's chain, a handler no node runs with its explained failure, and a re-check on change", async () => {
  const f = await fixture({ seed: "demo" });
  try {
    const [ctx] = f.model.children();
    const spinApps = await waitChild(f.model, ctx, "spin-apps");
    const cart = await waitChild(f.model, spinApps, "cart-api");
    const first = await until(f.model, () => readinessOf(f.model, cart), "the readiness child");
    assert.equal(f.model.view(first).label, "Runtime readiness");
    assert.equal(f.model.view(first).description, "checking…", "computed lazily, after the app's children were asked for");

    const healthy = await settled(f.model, cart, /^runtime chain holds$/, "cart-api's chain holds");
    const hv = f.model.view(healthy);
    assert.deepEqual([hv.label, hv.icon, hv.contextValue, hv.collapsible, hv.markdown], ["Runtime readiness", "pass", "spinkube.readiness.ok", "none", true]);
    assert.equal(firstBrokenLink(hv.tooltip), undefined);
    assert.match(hv.tooltip ?? "", /✅ \*\*RuntimeClass\*\* — RuntimeClass wasmtime-spin-v2 exists \(handler spin-v2\)\./);

    const broken = await waitChild(f.model, ctx, "broken");
    const needsRuntime = await waitChild(f.model, broken, "needs-runtime");
    const r = await settled(f.model, needsRuntime, /^Handler: /, "needs-runtime's broken handler");
    const rv = f.model.view(r);
    assert.equal(rv.label, "Runtime readiness");
    assert.match(rv.description ?? "", /^Handler: RuntimeClass wasmtime-spin has handler spin but this cluster's nodes register spin-v2 /);
    assert.equal(firstBrokenLink(rv.tooltip), "Handler");
    assert.deepEqual([rv.icon, rv.contextValue], ["error", "spinkube.readiness.broken"]);
    const failure = await until(f.model, () => (f.model.view(r).collapsible === "collapsed" ? f.model.children(r)[0] : undefined), "an explained failure under the readiness node", 20_000);
    const fv = f.model.view(failure);
    assert.match(fv.label, /^Pods cannot start: node spinkube-worker2? has no containerd runtime "spin" \(RuntimeClass wasmtime-spin\)$/);
    assert.equal(fv.contextValue, "spinkube.failure");
    assert.match(fv.tooltip ?? "", /no runtime for "spin" is configured/);

    // Pointing the executor at the class the nodes run: the app's objects change, the node re-checks.
    f.cluster.apply({
      apiVersion: "core.spinkube.dev/v1alpha1",
      kind: "SpinAppExecutor",
      metadata: { name: "containerd-shim-spin", namespace: "broken" },
      spec: { createDeployment: true, deploymentConfig: { runtimeClassName: "wasmtime-spin-v2" } },
    } as unknown as Parameters<typeof f.cluster.apply>[0]);
    const fixed = await until(
      f.model,
      () => {
        const x = readinessOf(f.model, needsRuntime);
        return x && /✅ \*\*Handler\*\*/.test(f.model.view(x).tooltip ?? "") ? f.model.view(x) : undefined;
      },
      "the handler link holds after the executor changed",
      20_000,
    );
    assert.notEqual(firstBrokenLink(fixed.tooltip), "Handler");
  } finally {
    await f.stop();
  }
});

test("the context node carries the cluster's SpinKube health, once per connection", async () => {
  const f = await fixture({ seed: "demo", controllers: false });
  try {
    const [ctx] = f.model.children();
    await waitChild(f.model, ctx, "spin-apps");
    const v = await until(f.model, () => (/^connected · all namespaces · /.test(f.model.view(ctx).description ?? "") ? f.model.view(ctx) : undefined), "the health summary on the context", 20_000);
    assert.match(v.description ?? "", /^connected · all namespaces · (\d+ problems? · )?core\.spinkube\.dev · .*wasmtime-spin-v2→spin-v2.* · \d+ executors? in \d+ namespaces?$/);
    assert.equal(v.markdown, true);
    assert.match(v.tooltip ?? "", /^Context spinkube-test \(current\) {2}\n/);
    assert.match(v.tooltip ?? "", /\*\*SpinKube on spinkube-test\*\*/);
    assert.equal(v.contextValue, "spinkube.context.current");
    const healthRequests = (): number => f.cluster.requests.filter((r) => r.path === "/apis/node.k8s.io/v1/runtimeclasses" && r.query.watch !== "true").length;
    const before = healthRequests();
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let i = 0; i < 3; i++) f.model.view(ctx);
    assert.equal(healthRequests(), before, "not recomputed while the connection lasts");
    f.model.retry();
    f.model.view(ctx); // VS Code repaints the context after Refresh
    await f.cluster.waitFor(() => healthRequests() > before, 10_000, "Refresh re-checks the health");
  } finally {
    await f.stop();
  }
});
