/**
 * The cluster explorer inside VS Code, against a test API server this suite starts itself (its
 * kubeconfig goes into the `spinkube.kubeconfig` setting, restored afterwards): the Clusters view
 * contacts the cluster only once shown, the tree provider's items, and the commands — live YAML
 * refreshed on change, describe, edit and apply, apply and diff a file, scale, restart, port-forward
 * carrying real bytes, copy image, delete — with their effects checked on the server.
 */
import * as assert from "node:assert/strict";
import http from "node:http";
import * as vscode from "vscode";
import type { TestCluster } from "../cluster";
import { startTestCluster } from "../cluster";
import type { SpinKubeApi } from "../../src/extension";
import type { TreeNode } from "../../src/cluster/nodes";
import type { PortForwardSession } from "../../src/cluster/portForwards";
import { activeExtension, closeAllEditors, poll, waitForEvent } from "./helpers";
import { SHIM_SETUP } from "../spin-standin/testCluster";

const SA = "core.spinkube.dev/v1alpha1";
const CTX = "spinkube-test";

suite("Cluster explorer", () => {
  let cluster: TestCluster;
  let api: SpinKubeApi;
  let previousSetting: string | undefined;

  const model = () => api.explorer.model;
  const labelsOf = (n?: TreeNode) => model().children(n).map((c) => model().view(c).label);
  const childNamed = async (parent: TreeNode | undefined, label: string, timeoutMs = 20_000): Promise<TreeNode> =>
    poll(() => model().children(parent).find((c) => model().view(c).label === label), timeoutMs, `"${label}" under ${parent ? model().view(parent).label : "the root"} (have ${labelsOf(parent).join(", ")})`);
  const appNode = async (name: string): Promise<TreeNode> => {
    const ctx = await childNamed(undefined, CTX);
    const ns = await childNamed(ctx, "default");
    return childNamed(ns, name);
  };

  suiteSetup(async function () {
    this.timeout(120_000);
    cluster = await startTestCluster({ seed: "empty", podStartDelayMs: 50, podReadyDelayMs: 20, podStopDelayMs: 20, logLinesPerSecond: 0 });
    cluster.apply(SHIM_SETUP);
    cluster.apply([
      { apiVersion: SA, kind: "SpinApp", metadata: { name: "hello", namespace: "default" }, spec: { image: "ghcr.io/example/hello:v1", executor: "containerd-shim-spin", replicas: 1 } },
      { apiVersion: SA, kind: "SpinApp", metadata: { name: "doomed", namespace: "default" }, spec: { image: "ghcr.io/example/doomed:v1", executor: "containerd-shim-spin", replicas: 1 } },
      // Fails: its executor does not exist in the namespace.
      { apiVersion: SA, kind: "SpinApp", metadata: { name: "no-executor", namespace: "default" }, spec: { image: "ghcr.io/example/no-executor:v1", executor: "cyclotron", replicas: 1 } },
    ] as unknown as Parameters<TestCluster["apply"]>[0]);
    api = (await activeExtension()).exports as SpinKubeApi;
    assert.ok(api.explorer, "the extension's API exposes the explorer");
    const config = vscode.workspace.getConfiguration("spinkube");
    previousSetting = config.inspect<string>("kubeconfig")?.globalValue;
    await config.update("kubeconfig", cluster.kubeconfigPath, vscode.ConfigurationTarget.Global);
    await poll(() => (model().contexts().some((c) => c.name === CTX) ? true : undefined), 20_000, "the explorer to read the test cluster's kubeconfig");
  });

  suiteTeardown(async function () {
    this.timeout(60_000);
    await closeAllEditors();
    if (api) await api.explorer.portForwards.stopAll();
    await vscode.workspace.getConfiguration("spinkube").update("kubeconfig", previousSetting, vscode.ConfigurationTarget.Global);
    if (cluster) await cluster.stop();
  });

  teardown(closeAllEditors);

  test("the Clusters view reaches the cluster only once shown, then lists contexts, namespaces and SpinApps", async () => {
    const userRequests = () => cluster.requests.filter((r) => r.user === "kubernetes-admin").length;
    if (!api.explorer.treeView.visible) {
      assert.equal(model().session(CTX), undefined, "no connection while the view has not been shown");
      assert.equal(userRequests(), 0, "no request before the view shows");
    }
    await vscode.commands.executeCommand("workbench.view.extension.spinkube");
    await vscode.commands.executeCommand("spinkube.clusters.focus");
    await poll(() => (api.explorer.treeView.visible ? true : undefined), 20_000, "the Clusters view to show");
    // VS Code itself asks the provider for the current context's children (it is expanded).
    await poll(() => model().session(CTX), 20_000, "VS Code to expand the current context");
    const app = await appNode("hello");
    const v = model().view(app);
    assert.equal(v.contextValue, "spinkube.resource.spinApp");
    await poll(() => (/^Ready 1\/1 · containerd-shim-spin$/.test(model().view(app).description ?? "") ? true : undefined), 30_000, "hello Ready 1/1");
    assert.ok(userRequests() > 0);
    const ctx = await childNamed(undefined, CTX);
    assert.equal(api.explorer.treeView.selection.length, 0);
    assert.ok(labelsOf(ctx).includes("Executors"));
  });

  test("tree items carry the light and dark SVG of their state from the extension's media/icons; minor nodes keep codicons", async () => {
    const ext = await activeExtension();
    const iconsOf = (node: TreeNode): { light: string; dark: string } => {
      const p = api.explorer.tree.getTreeItem(node).iconPath;
      assert.ok(p && typeof p === "object" && "light" in p && "dark" in p, `a light/dark icon pair, not ${String(p)}`);
      return { light: (p.light as vscode.Uri).toString(), dark: (p.dark as vscode.Uri).toString() };
    };
    const expected = async (file: string): Promise<{ light: string; dark: string }> => {
      const pair = { light: vscode.Uri.joinPath(ext.extensionUri, "media", "icons", "light", file), dark: vscode.Uri.joinPath(ext.extensionUri, "media", "icons", "dark", file) };
      for (const u of [pair.light, pair.dark]) assert.ok((await vscode.workspace.fs.stat(u)).size > 0, `${u.toString()} is installed`);
      return { light: pair.light.toString(), dark: pair.dark.toString() };
    };
    const ready = await appNode("hello");
    await poll(() => (model().view(ready).svg === "spinapp-ready" ? true : undefined), 30_000, `hello ready (have ${model().view(ready).description ?? ""})`);
    assert.deepEqual(iconsOf(ready), await expected("spinapp-ready.svg"));
    const failing = await appNode("no-executor");
    await poll(() => (model().view(failing).svg === "spinapp-failing" ? true : undefined), 30_000, `no-executor failing (have ${model().view(failing).tooltip ?? ""})`);
    assert.deepEqual(iconsOf(failing), await expected("spinapp-failing.svg"));
    assert.match(model().view(failing).tooltip ?? "", /SpinAppExecutor "cyclotron" does not exist/);
    const ctx = await childNamed(undefined, CTX);
    assert.deepEqual(iconsOf(ctx), await expected("context-connected.svg"));
    assert.deepEqual(iconsOf(await childNamed(ctx, "default")), await expected("namespace-failing.svg"));
    const dep = api.explorer.tree.getTreeItem(await childNamed(ready, "Deployment hello")).iconPath;
    assert.ok(dep instanceof vscode.ThemeIcon && dep.id === "layers", "the Deployment child keeps its codicon");
  });

  test("a SpinApp has a Runtime readiness child: its runtime chain, checked when expanded", async () => {
    const app = await appNode("hello");
    const r = await childNamed(app, "Runtime readiness");
    await poll(() => (model().view(r).description === "runtime chain holds" ? true : undefined), 30_000, `hello's runtime chain to hold (have "${model().view(r).description ?? ""}")`);
    assert.equal(model().view(r).contextValue, "spinkube.readiness.ok");
  });

  test("Open Live YAML shows the object read-only and refreshes when the cluster changes it", async () => {
    const app = await appNode("hello");
    await vscode.commands.executeCommand("spinkube.openYaml", app);
    const editor = await poll(() => vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === "spinkube-live"), 20_000, "the live YAML editor");
    const doc = editor.document;
    assert.equal(doc.languageId, "yaml");
    assert.match(doc.getText(), /^kind: SpinApp$/m);
    assert.match(doc.getText(), /^ {2}name: hello$/m);
    assert.doesNotMatch(doc.getText(), /managedFields/);
    const changed = waitForEvent(vscode.workspace.onDidChangeTextDocument, () => (/serviceAnnotations:\n\s+team: checkout/.test(doc.getText()) ? true : undefined), 20_000, "the live document to refresh", () => doc.getText().slice(0, 400));
    const live = cluster.get(SA, "SpinApp", "default", "hello");
    assert.ok(live);
    cluster.apply([{ ...live, spec: { ...(live.spec as object), serviceAnnotations: { team: "checkout" } } }]);
    await changed;
  });

  test("Describe shows the object with its events", async () => {
    const ctx = await childNamed(undefined, CTX);
    const ns = await childNamed(ctx, "default");
    const app = await childNamed(ns, "hello");
    const dep = await childNamed(app, "Deployment hello");
    await vscode.commands.executeCommand("spinkube.describeResource", dep);
    const editor = await poll(() => vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === "spinkube-describe"), 20_000, "the describe document");
    assert.match(editor.document.getText(), /^Name:\s+hello$/m);
    assert.match(editor.document.getText(), /^Events:$/m);
    assert.match(editor.document.getText(), /ScalingReplicaSet/);
  });

  test("Scale and Restart change the SpinApp and its Deployment on the server", async () => {
    const app = await appNode("hello");
    await vscode.commands.executeCommand("spinkube.scaleApp", app, 2);
    await cluster.waitFor(() => (cluster.get("apps/v1", "Deployment", "default", "hello")?.spec as { replicas?: number })?.replicas === 2, 20_000, "the Deployment scaled to 2");
    await vscode.commands.executeCommand("spinkube.restartApp", app);
    const tpl = (cluster.get("apps/v1", "Deployment", "default", "hello")?.spec as { template: { metadata: { annotations?: Record<string, string> } } }).template;
    assert.match(tpl.metadata.annotations?.["kubectl.kubernetes.io/restartedAt"] ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  test("Port-forward carries real bytes to a pod of the SpinApp and is listed until stopped", async () => {
    const app = await appNode("hello");
    await cluster.waitFor(() => cluster.list("v1", "Pod", "default").some((p) => p.metadata.name?.startsWith("hello-") && (p.status as { phase?: string })?.phase === "Running"), 20_000, "a running pod");
    const s = (await vscode.commands.executeCommand("spinkube.portForward", app, { open: false })) as PortForwardSession | undefined;
    assert.ok(s, "the command returns the session");
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get({ host: "127.0.0.1", port: s.localPort, path: "/from-vscode", agent: false }, (res) => {
          let b = "";
          res.on("data", (d: Buffer) => (b += d.toString()));
          res.on("end", () => resolve(b));
        })
        .on("error", reject);
    });
    assert.match(body, /^Hello from default\/hello-[a-z0-9-]+ \(image ghcr\.io\/example\/hello:v1, port 80\): GET \/from-vscode$/m);
    assert.equal(api.explorer.portForwards.list().length, 1);
    await vscode.commands.executeCommand("spinkube.stopPortForward", s);
    assert.equal(api.explorer.portForwards.list().length, 0);
  });

  test("Copy Image Reference returns (and copies) the SpinApp's image", async () => {
    const app = await appNode("hello");
    const image = await vscode.commands.executeCommand("spinkube.copyImage", app);
    assert.equal(image, "ghcr.io/example/hello:v1");
  });

  test("Apply File and Diff File with Live Object work on a YAML editor", async () => {
    const doc = await vscode.workspace.openTextDocument({
      language: "yaml",
      content: `apiVersion: ${SA}\nkind: SpinApp\nmetadata:\n  name: from-file\n  namespace: default\nspec:\n  image: ghcr.io/example/from-file:v1\n  executor: containerd-shim-spin\n  replicas: 1\n`,
    });
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand("spinkube.applyFile");
    await cluster.waitFor(() => cluster.get(SA, "SpinApp", "default", "from-file"), 20_000, "the applied SpinApp");
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand("spinkube.diffWithLive");
    const tab = await poll(() => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputTextDiff ? input : undefined;
    }, 20_000, "a diff editor");
    assert.equal(tab.original.scheme, "spinkube-live");
    assert.equal(tab.modified.toString(), doc.uri.toString());
  });

  test("Edit and Apply: saving the writable copy applies it with server-side apply", async () => {
    // from-file was applied by the explorer (field manager spinkube-vscode), so no other manager
    // owns what the copy changes; conflicts (a modal here) are covered by the unit tests.
    const app = await appNode("from-file");
    await vscode.commands.executeCommand("spinkube.editAndApply", app);
    const editor = await poll(() => vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === "spinkube-edit"), 20_000, "the edit document");
    const text = editor.document.getText();
    assert.doesNotMatch(text, /^status:/m);
    const m = /^(\s+replicas:) 1$/m.exec(text);
    assert.ok(m, text);
    const start = editor.document.positionAt(m.index);
    const end = editor.document.positionAt(m.index + m[0].length);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(editor.document.uri, new vscode.Range(start, end), `${m[1]} 3`);
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(await editor.document.save(), "the save (server-side apply) succeeds");
    await cluster.waitFor(() => (cluster.get(SA, "SpinApp", "default", "from-file")?.spec as { replicas?: number })?.replicas === 3, 20_000, "replicas 3 applied");
  });

  test("Delete removes the SpinApp (confirmed) and the tree follows", async () => {
    const app = await appNode("doomed");
    await vscode.commands.executeCommand("spinkube.deleteResource", app, true);
    await cluster.waitFor(() => !cluster.get(SA, "SpinApp", "default", "doomed"), 20_000, "doomed deleted");
    const ctx = await childNamed(undefined, CTX);
    const ns = await childNamed(ctx, "default");
    await poll(() => (labelsOf(ns).includes("doomed") ? undefined : true), 20_000, "doomed gone from the tree");
  });
});
