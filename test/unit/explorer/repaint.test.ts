// Which nodes a watch event repaints. VS Code repaints a node by getting its item and listing its
// children again, and a row under a repainted node has no menu target until then (shownTree.ts),
// so a change repaints the nodes whose own view changed, and re-lists a node only when its set of
// children changed. A fake tree drives the model here as VS Code does: it lists what is expanded,
// gets every listed node's view, and on each change event repaints the fired nodes.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Fixture } from "./helpers";
import { executor, fixture, namespace, objs, runtimeClass, spinApp, until } from "./helpers";
import type { ExplorerModel } from "../../../src/cluster/model";
import type { NodeView, TreeNode } from "../../../src/cluster/nodes";
import { ShownTree } from "../../../src/cluster/shownTree";

const SA = "core.spinkube.dev/v1alpha1";

/** What VS Code does with the model: list expanded nodes, paint listed ones, repaint fired ones. */
class FakeTree {
  readonly painted = new Map<string, NodeView>();
  readonly listed = new Map<string, TreeNode[]>();
  private readonly expanded = new Set<string>();
  /** Ids of the repainted nodes, in order ("*" = everything). */
  fired: string[] = [];

  constructor(private readonly model: ExplorerModel) {
    model.onDidChange((nodes) => {
      if (!nodes) {
        this.fired.push("*");
        this.list(undefined);
        return;
      }
      for (const n of nodes) {
        this.fired.push(n.id);
        this.painted.set(n.id, this.model.view(n));
        if (this.expanded.has(n.id)) this.list(n);
      }
    });
  }

  /** The user expands a node (undefined: the tree shows its roots). */
  expand(node?: TreeNode): TreeNode[] {
    if (node) this.expanded.add(node.id);
    return this.list(node);
  }

  collapse(node: TreeNode): void {
    this.expanded.delete(node.id);
    this.model.collapse(node);
  }

  /** The child of `parent` the tree shows with this label. */
  row(parent: TreeNode | undefined, label: string): TreeNode | undefined {
    return this.listed.get(parent?.id ?? "")?.find((n) => this.painted.get(n.id)?.label === label);
  }

  private list(node: TreeNode | undefined): TreeNode[] {
    const kids = this.model.children(node);
    this.listed.set(node?.id ?? "", kids);
    for (const k of kids) {
      this.painted.set(k.id, this.model.view(k));
      if (this.expanded.has(k.id)) this.list(k);
    }
    return kids;
  }
}

describe("explorer repaints", () => {
  let f: Fixture;
  let tree: FakeTree;
  let ctx: TreeNode;
  let ns: TreeNode;
  let hello: TreeNode;
  const painted = (n: TreeNode | undefined): NodeView | undefined => (n ? tree.painted.get(n.id) : undefined);
  const under = (id: string, ancestor: TreeNode): boolean => id === ancestor.id || id.startsWith(`${ancestor.id}\u001f`);

  before(async () => {
    f = await fixture();
    f.cluster.apply(objs(runtimeClass(), executor("default"), spinApp("default", "hello", { replicas: 2 }), spinApp("default", "other")));
    tree = new FakeTree(f.model);
    [ctx] = tree.expand();
    tree.expand(ctx);
    ns = await until(f.model, () => tree.row(ctx, "default"), "the default namespace row");
    tree.expand(ns);
    hello = await until(f.model, () => tree.row(ns, "hello"), "the hello row");
    tree.expand(hello);
    // Settled: both apps ready, hello's two pods running, its readiness checked.
    await until(f.model, () => /^Ready 2\/2/.test(painted(hello)?.description ?? "") && /^Ready 1\/1/.test(painted(tree.row(ns, "other"))?.description ?? ""), "both apps ready");
    await until(f.model, () => (tree.listed.get(hello.id) ?? []).filter((n) => n.kind === "pod" && /^Running · 0 restarts/.test(painted(n)?.description ?? "")).length === 2, "hello's pods running");
    await until(f.model, () => /runtime chain holds/.test(painted(tree.row(hello, "Runtime readiness"))?.description ?? ""), "hello's runtime readiness");
  });
  after(() => f.stop());

  test("a pod's update repaints the pod (and its app), never the namespace or the context", async () => {
    const pod = (tree.listed.get(hello.id) ?? []).find((n) => n.kind === "pod");
    assert.ok(pod && pod.kind === "pod");
    tree.fired = [];
    f.cluster.restartContainer("default", pod.name);
    await until(f.model, () => /^Running · 1 restart\b/.test(painted(pod)?.description ?? ""), "the pod row shows its restart");
    await until(f.model, () => /^Ready 2\/2/.test(painted(hello)?.description ?? ""), "hello ready again");
    // The restart makes the pod briefly not ready: the app's Ready count changes too, and a repaint
    // of the app (its row keeps its target) covers its pods.
    assert.ok(tree.fired.includes(pod.id) || tree.fired.includes(hello.id), `the pod is repainted (fired: ${tree.fired.join(" ")})`);
    const outside = tree.fired.filter((id) => !under(id, hello));
    assert.deepEqual(outside, [], "only hello and nodes under it are repainted");
    assert.equal(tree.row(ns, "hello"), hello, "the app row is the same node object");
  });

  test("a SpinApp's update repaints its row, not its namespace, context or sibling rows", async () => {
    const other = tree.row(ns, "other");
    assert.ok(other);
    tree.fired = [];
    const live = f.cluster.get(SA, "SpinApp", "default", "other");
    assert.ok(live);
    f.cluster.apply(objs({ ...live, spec: { ...(live.spec as object), replicas: 3 } }));
    await until(f.model, () => /^Ready \d\/3/.test(painted(other)?.description ?? ""), "other shows 3 desired replicas");
    assert.ok(tree.fired.includes(other.id));
    // (The namespace's changes re-check the readiness of expanded apps: hello's readiness row may repaint.)
    assert.ok(!tree.fired.some((id) => [ns.id, ctx.id, hello.id, "*"].includes(id)), `not its namespace, context or siblings (fired: ${tree.fired.join(" ")})`);
  });

  test("an added SpinApp re-lists its namespace (not the context); existing rows keep their node objects", async () => {
    tree.fired = [];
    f.cluster.apply(objs(spinApp("default", "added")));
    const added = await until(f.model, () => tree.row(ns, "added"), "the added row");
    assert.ok(tree.fired.includes(ns.id), "the namespace is re-listed");
    assert.ok(!tree.fired.includes(ctx.id) && !tree.fired.includes("*"), "the context is not");
    assert.equal(tree.row(ns, "hello"), hello, "hello is the same object after the re-listing");
    assert.equal(f.model.parentOf(added), ns, "getParent answers for the new row");
  });

  test("a deleted SpinApp re-lists its namespace and its node is forgotten", async () => {
    const added = tree.row(ns, "added");
    assert.ok(added);
    tree.fired = [];
    f.cluster.remove(SA, "SpinApp", "default", "added");
    await until(f.model, () => !tree.row(ns, "added"), "the added row gone");
    assert.ok(tree.fired.includes(ns.id));
    assert.ok(!tree.fired.includes(ctx.id) && !tree.fired.includes("*"));
    assert.equal(f.model.nodeById(added.id), undefined, "the gone row's node is dropped");
    assert.equal(f.model.parentOf(added), undefined);
  });

  test("a SpinApp in a new namespace re-lists the context", async () => {
    tree.fired = [];
    f.cluster.apply(objs(namespace("team-b"), executor("team-b"), spinApp("team-b", "fresh")));
    await until(f.model, () => tree.row(ctx, "team-b"), "the team-b row");
    assert.ok(tree.fired.includes(ctx.id));
    assert.equal(tree.row(ctx, "default"), ns, "the default row is the same object");
  });

  test("collapsing repaints the node (VS Code then lists it again on expand) and stops its watches", async () => {
    const session = f.model.session("spinkube-test");
    assert.ok(session);
    const services = (): boolean => session.activeWatches().some((w) => w.key.startsWith("services.|default"));
    assert.ok(services());
    tree.fired = [];
    tree.collapse(hello);
    assert.deepEqual(tree.fired, [hello.id], "the collapsed node is repainted, nothing else");
    assert.ok(!services(), "its Service watch stopped");
    tree.expand(hello);
    assert.ok(services(), "listing it again starts the watch");
    await until(f.model, () => tree.row(hello, "Service hello"), "its children shown again");
  });
});

describe("ShownTree", () => {
  test("a listing that lost children returns them, with what was listed under them", () => {
    const t = new ShownTree();
    t.listed("a", ["a\u001f1", "a\u001f2"]);
    t.listed("a\u001f2", ["a\u001f2\u001fx"]);
    t.viewed("a\u001f2\u001fx", { label: "x" });
    assert.deepEqual(t.listed("a", ["a\u001f1", "a\u001f3"]), ["a\u001f2", "a\u001f2\u001fx"]);
    assert.equal(t.differs("a\u001f2\u001fx", { label: "x" }), true, "a forgotten node's view is no longer known");
    assert.deepEqual(t.listed("a", ["a\u001f1", "a\u001f3"]), [], "nothing gone");
  });

  test("views and listings are compared exactly, order included", () => {
    const t = new ShownTree();
    assert.equal(t.differs("n", { label: "n" }), true, "never shown");
    t.viewed("n", { label: "n", description: "Ready 1/2" });
    assert.equal(t.differs("n", { label: "n", description: "Ready 1/2" }), false);
    assert.equal(t.differs("n", { label: "n", description: "Ready 2/2" }), true);
    assert.equal(t.listingDiffers("p", ["a"]), true, "never listed");
    t.listed("p", ["a", "b"]);
    assert.equal(t.listingDiffers("p", ["a", "b"]), false);
    assert.equal(t.listingDiffers("p", ["b", "a"]), true);
    assert.equal(t.listingDiffers("p", ["a"]), true);
    assert.deepEqual(t.allListings().map(([id]) => id), ["p"]);
    assert.deepEqual(t.forgetUnder("p"), ["a", "b"]);
    assert.deepEqual(t.allListings(), []);
  });
});
