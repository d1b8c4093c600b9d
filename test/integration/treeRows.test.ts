/**
 * In-host: a Clusters-tree row stays the target of its menu commands while the cluster changes
 * under it. A tree menu hands its command `{ $treeViewId, $treeItemHandle }`, which the extension
 * host turns back into the element (extHostTreeViews.ts: `_convertArgument` →
 * `getExtensionElement`). When the provider fires `onDidChangeTreeData` for a node, VS Code drops
 * the handles of everything under it until it has listed the children again: a command on such a
 * row gets `undefined`, and `TreeView.selection` loses the row. The explorer used to repaint a
 * whole namespace for any pod event in it, so every SpinApp row there lost its target for a
 * moment whenever a pod changed.
 *
 * Here the pods of an expanded, selected SpinApp restart (each restart is a watch event). The row
 * must resolve whenever VS Code asks the provider for anything (the moments a repaint is under
 * way), and the serialized argument a menu sends, run through the workbench (`runCommands`
 * executes the command there, as a menu click does), must resolve to the row right after each
 * change. The tree stays live: VS Code shows each pod's new restart count.
 */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { TestCluster } from "../cluster";
import { startTestCluster } from "../cluster";
import type { SpinKubeApi } from "../../src/extension";
import type { TreeNode } from "../../src/cluster/nodes";
import type { ReadinessReport } from "../../src/cluster/diagnosis";
import { activeExtension, poll, waitForEvent } from "./helpers";
import { SHIM_SETUP } from "../spin-standin/testCluster";

const SA = "core.spinkube.dev/v1alpha1";
const CTX = "spinkube-test";
const VIEW = "spinkube.clusters";
const PROBE = "spinkubeTest.treeRowProbe";
const RESTARTS = 8;

suite("Clusters tree rows under live updates", () => {
  let cluster: TestCluster;
  let api: SpinKubeApi;
  let previousSetting: string | undefined;

  suiteSetup(async function () {
    this.timeout(120_000);
    cluster = await startTestCluster({ seed: "empty", podStartDelayMs: 50, podReadyDelayMs: 20, podStopDelayMs: 20, logLinesPerSecond: 0 });
    cluster.apply(SHIM_SETUP);
    cluster.apply([
      { apiVersion: SA, kind: "SpinApp", metadata: { name: "busy", namespace: "default" }, spec: { image: "ghcr.io/example/busy:v1", executor: "containerd-shim-spin", replicas: 2 } },
    ] as unknown as Parameters<TestCluster["apply"]>[0]);
    api = (await activeExtension()).exports as SpinKubeApi;
    const config = vscode.workspace.getConfiguration("spinkube");
    previousSetting = config.inspect<string>("kubeconfig")?.globalValue;
    await config.update("kubeconfig", cluster.kubeconfigPath, vscode.ConfigurationTarget.Global);
    await poll(() => (api.explorer.model.contexts().some((c) => c.name === CTX) ? true : undefined), 20_000, "the explorer to read the test cluster's kubeconfig");
  });

  suiteTeardown(async function () {
    this.timeout(60_000);
    await vscode.workspace.getConfiguration("spinkube").update("kubeconfig", previousSetting, vscode.ConfigurationTarget.Global);
    if (cluster) await cluster.stop();
  });

  test("a selected SpinApp row resolves, as the selection and as a menu's argument, while its pods restart", async function () {
    this.timeout(150_000);
    const { treeView, tree, model } = api.explorer;
    const short = (n?: TreeNode): string => (n ? n.id.split("\u001f").slice(-2).join("/") : "the root");
    // What VS Code asks the provider, and whether the watched row resolves at that moment. Nodes
    // are found by their own fields: asking the model for views would not be what VS Code shows.
    const listings = new Map<string, TreeNode[]>();
    const painted = new Map<string, string>();
    const asked = new vscode.EventEmitter<void>();
    const lost: string[] = [];
    let watched: TreeNode | undefined;
    const check = (where: string): void => {
      if (watched && !treeView.selection.includes(watched)) lost.push(where);
    };
    const getTreeItem = tree.getTreeItem.bind(tree);
    const getChildren = tree.getChildren.bind(tree);
    tree.getTreeItem = (n: TreeNode) => {
      check(`VS Code repainting ${short(n)}`);
      const item = getTreeItem(n);
      painted.set(n.id, String(item.description ?? ""));
      asked.fire();
      return item;
    };
    tree.getChildren = (n?: TreeNode) => {
      check(`VS Code listing the children of ${short(n)}`);
      const out = getChildren(n);
      listings.set(n?.id ?? "", out);
      asked.fire();
      return out;
    };
    const listed = (parent: TreeNode, kind: TreeNode["kind"], name: string): Promise<TreeNode> =>
      waitForEvent(asked.event, () => listings.get(parent.id)?.find((c) => c.kind === kind && (c.kind === "namespace" ? c.namespace : "name" in c ? c.name : "") === name), 30_000, `VS Code to list ${kind} ${name} under ${short(parent)}`);
    const received: unknown[] = [];
    const probe = vscode.commands.registerCommand(PROBE, (...args: unknown[]) => void received.push(args[0]));
    const restartCount = (pod: string): number => ((cluster.get("v1", "Pod", "default", pod)?.status as { containerStatuses?: { restartCount?: number }[] } | undefined)?.containerStatuses?.[0]?.restartCount ?? 0);
    try {
      await vscode.commands.executeCommand("workbench.view.extension.spinkube");
      await vscode.commands.executeCommand(`${VIEW}.focus`);
      await poll(() => (treeView.visible ? true : undefined), 20_000, "the Clusters view to show");
      await cluster.waitFor(() => cluster.list("v1", "Pod", "default").filter((p) => p.metadata.name?.startsWith("busy-") && (p.status as { phase?: string })?.phase === "Running").length === 2, 30_000, "busy's two pods running");
      // As a user clicks it: the namespace expands, the row is selected and expanded (its pods show).
      const ctx = await waitForEvent(asked.event, () => listings.get("")?.find((c) => c.kind === "context" && c.context === CTX), 30_000, "VS Code to list the context");
      // The cluster's SpinKube health (checked once per connection) repaints the context node and so
      // the whole tree: a one-time repaint right after connecting, before the user gets to the rows.
      await waitForEvent(asked.event, () => (/core\.spinkube\.dev/.test(painted.get(ctx.id) ?? "") ? true : undefined), 30_000, "VS Code to show the cluster's health on the context", () => painted.get(ctx.id) ?? "");
      const ns = await listed(ctx, "namespace", "default");
      await treeView.reveal(ns, { expand: true });
      const app = await listed(ns, "spinApp", "busy");
      // Selected as a user clicks it. Right after connecting, the context's health repaint may
      // still be on its way (VS Code batches repaints): a reveal it overtakes is lost, so try again.
      const selection = treeView.onDidChangeSelection(() => asked.fire());
      for (let attempt = 1; ; attempt++) {
        await treeView.reveal(app, { select: true, focus: true, expand: true }).then(undefined, () => undefined);
        try {
          await waitForEvent(asked.event, () => (treeView.selection.includes(app) ? true : undefined), 5_000, "the busy row selected");
          break;
        } catch (err) {
          if (attempt >= 3) throw err;
        }
      }
      selection.dispose();
      const pods = await waitForEvent(asked.event, () => {
        const ps = (listings.get(app.id) ?? []).filter((c) => c.kind === "pod");
        return ps.length === 2 ? ps : undefined;
      }, 20_000, "VS Code to list busy's two pods");
      const podName = (i: number): string => {
        const pod = pods[i % pods.length];
        return pod.kind === "pod" ? pod.name : "";
      };
      const shown = async (i: number, count: number): Promise<void> => {
        const pod = pods[i % pods.length];
        await waitForEvent(asked.event, () => (new RegExp(` · ${count} restarts? `).test(`${painted.get(pod.id) ?? ""} `) ? true : undefined), 20_000, `VS Code to show ${podName(i)} with ${count} restarts`, () => painted.get(pod.id) ?? "");
      };
      // VS Code batches repaints (a 200 ms debounce) and runs them in order: once it shows a change
      // made now, the repaints from connecting (state, the namespaces, the context's health) are done.
      cluster.restartContainer("default", podName(1));
      await cluster.waitFor(() => restartCount(podName(1)) > 0, 10_000, `${podName(1)} restarted`);
      await shown(1, restartCount(podName(1)));
      watched = app;

      for (let i = 0; i < RESTARTS; i++) {
        const name = podName(i);
        const before = restartCount(name);
        const flushed = new Promise<void>((resolve) => {
          const off = model.onDidFlush((changes) => {
            if (changes.some((c) => c.key.startsWith("pods."))) {
              off();
              resolve();
            }
          });
        });
        cluster.restartContainer("default", name);
        await flushed;
        // The tree is being repainted now. What a menu item on the row sends, through the workbench:
        await vscode.commands.executeCommand("runCommands", { commands: [{ command: PROBE, args: { $treeViewId: VIEW, $treeItemHandle: `1/${app.id}` } }] });
        assert.equal(received.length, i + 1, "the probe ran");
        if (received[i] !== app) lost.push(`restart ${i + 1}: a menu on the row got ${received[i] === undefined ? "undefined" : JSON.stringify(received[i])}`);
        // Live: VS Code shows the restarted pod's new count.
        await cluster.waitFor(() => restartCount(name) > before, 10_000, `${name} restarted`);
        await shown(i, restartCount(name));
      }
    } finally {
      probe.dispose();
      asked.dispose();
      delete (tree as Partial<typeof tree>).getTreeItem;
      delete (tree as Partial<typeof tree>).getChildren;
    }
    assert.deepEqual(lost, [], "the row resolves whenever VS Code asks the provider and whenever its menu runs");
  });

  test("a menu's row VS Code cannot resolve is reported, not replaced by a picker or the manifest's SpinApp", async () => {
    const { rows } = api.explorer;
    const reported: string[] = [];
    const reportLost = rows.reportLost.bind(rows);
    rows.reportLost = (command: string) => {
      reported.push(command);
      reportLost(command);
    };
    try {
      // A handle the extension host does not know: what a command gets when its row's parent is
      // being repainted. Show Logs would otherwise wait in its SpinApp picker, and Check Runtime
      // Readiness would check the SpinApp of the open manifest.
      const doc = await vscode.workspace.openTextDocument({ language: "yaml", content: `apiVersion: ${SA}\nkind: SpinApp\nmetadata:\n  name: in-editor\n  namespace: default\nspec:\n  image: ghcr.io/example/in-editor:v1\n  executor: containerd-shim-spin\n  replicas: 1\n` });
      await vscode.window.showTextDocument(doc);
      const stale = { $treeViewId: VIEW, $treeItemHandle: "1/ctx\u001fspinkube-test\u001fns\u001fdefault\u001fapp\u001fno-such-row" };
      for (const command of ["spinkube.showAppLogs", "spinkube.checkRuntimeReadiness", "spinkube.scaleApp"]) {
        await vscode.commands.executeCommand("runCommands", { commands: [{ command, args: stale }] });
      }
      assert.deepEqual(reported, ["spinkube.showAppLogs", "spinkube.checkRuntimeReadiness", "spinkube.scaleApp"]);
      assert.equal(vscode.workspace.textDocuments.some((d) => d.uri.scheme === "spinkube-readiness" && d.uri.path === "/default/in-editor.md"), false, "no report was made for the manifest's SpinApp");
    } finally {
      delete (rows as Partial<typeof rows>).reportLost;
      await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    }
  });

  test("from the Command Palette without a SpinApp manifest, Check Runtime Readiness checks the selected SpinApp row", async function () {
    this.timeout(60_000);
    const { treeView, model } = api.explorer;
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    const app = model.nodeById("ctx\u001fspinkube-test\u001fns\u001fdefault\u001fapp\u001fbusy");
    assert.ok(app, "the busy row is known");
    if (!treeView.selection.includes(app)) {
      await treeView.reveal(app, { select: true, focus: true });
      await waitForEvent(treeView.onDidChangeSelection, () => (treeView.selection.includes(app) ? true : undefined), 20_000, "the busy row selected");
    }
    const report = (await vscode.commands.executeCommand("spinkube.checkRuntimeReadiness")) as ReadinessReport | undefined;
    assert.ok(report, "a report");
    assert.deepEqual(report.app, { name: "busy", namespace: "default" });
    assert.equal(report.mode, "cluster");
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  });
});
