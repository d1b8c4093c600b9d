/**
 * In-host: "SpinKube: Show Logs" against the demo cluster the e2e harness gives the extension
 * host (hello-spin: two pods writing lines; broken/needs-runtime: pods whose sandbox fails
 * because the nodes have no runtime "spin"). The show commands return the view's handle; the
 * tests read its buffer, toggle timestamps, save it to a file, stop it, and check the CodeLens
 * above a SpinApp manifest and the output-channel view.
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as vscode from "vscode";
import type { LogViewHandle } from "../../src/cluster/logViews";
import { activeExtension, closeAllEditors, poll } from "./helpers";

const TIMEOUT_MS = 20_000;

function needsDemoCluster(): void {
  if (!process.env.KUBECONFIG || !process.env.KUBECONFIG.includes("spinkube-cluster")) {
    assert.fail(`the in-host suites need the demo cluster's kubeconfig in KUBECONFIG (got ${process.env.KUBECONFIG ?? "nothing"})`);
  }
}

suite("Show Logs", () => {
  const views: LogViewHandle[] = [];
  let tmp: string;

  suiteSetup(async () => {
    await activeExtension();
    needsDemoCluster();
    tmp = mkdtempSync(path.join(os.tmpdir(), "spinkube-logs-"));
  });

  suiteTeardown(async () => {
    for (const v of views) v.stop();
    for (const t of vscode.window.terminals.filter((x) => x.name.startsWith("Logs: "))) t.dispose();
    await vscode.workspace.getConfiguration("spinkube.logs").update("view", undefined, vscode.ConfigurationTarget.Global);
    await closeAllEditors();
    rmSync(tmp, { recursive: true, force: true });
  });

  test("a SpinApp's two pods in one terminal, timestamps on request, saved to a file, stopped", async () => {
    const view = (await vscode.commands.executeCommand("spinkube.showAppLogs", { namespace: "default", name: "hello-spin" })) as LogViewHandle | undefined;
    assert.ok(view, "the command returned no view (see Output → SpinKube)");
    views.push(view);
    assert.equal(view.kind, "terminal");
    assert.ok(vscode.window.terminals.some((t) => t.name === "Logs: hello-spin"), "a terminal named after the app");
    const text = await poll(() => {
      const t = view.text();
      const pods = new Set([...t.matchAll(/^(\S+) +(hello-spin-\S+): handled request/gm)].map((m) => m[1]));
      return pods.size === 2 && (t.match(/Serving http:\/\/0\.0\.0\.0:80/g) ?? []).length === 2 ? t : undefined;
    }, TIMEOUT_MS, "request lines from both hello-spin pods");
    assert.match(text, /^── following SpinApp default\/hello-spin$/m);
    assert.match(text, /^ℹ SpinKube: Spin's HTTP trigger is up/m, "the banner is explained once");
    assert.equal((text.match(/ℹ SpinKube: Spin's HTTP trigger is up/g) ?? []).length, 1);

    assert.equal(await vscode.commands.executeCommand("spinkube.toggleLogTimestamps"), true);
    await poll(() => (/^\S+ +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z hello-spin-\S+: handled request/m.test(view.text()) ? true : undefined), TIMEOUT_MS, "a line with its timestamp");

    const file = vscode.Uri.file(path.join(tmp, "hello.log"));
    await vscode.commands.executeCommand("spinkube.saveLogs", file);
    const saved = readFileSync(file.fsPath, "utf8");
    assert.ok(saved.length > 0 && saved.includes("handled request"), "the buffer was written");
    assert.ok(!saved.includes("\u001b["), "saved as plain text");

    await vscode.commands.executeCommand("spinkube.stopLogs");
    assert.equal(view.stopped, true);
  });

  test("a pod whose sandbox fails: the view says why, with the runtime diagnosis", async () => {
    const view = (await vscode.commands.executeCommand("spinkube.showAppLogs", { namespace: "broken", name: "needs-runtime" })) as LogViewHandle;
    views.push(view);
    const text = await poll(() => (/cannot start its containers/.test(view.text()) ? view.text() : undefined), TIMEOUT_MS, "the sandbox notice");
    assert.match(text, /cannot start its containers: Pods cannot start: node \S+ has no containerd runtime "spin"/);
    assert.match(text, /Run "Check Runtime Readiness" on the SpinApp for the whole diagnosis\./);
    view.stop();
  });

  test("the CodeLens above a SpinApp manifest, and the output channel view", async () => {
    const doc = await vscode.workspace.openTextDocument({
      language: "yaml",
      content: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n---\napiVersion: core.spinkube.dev/v1alpha1\nkind: SpinApp\nmetadata:\n  name: hello-spin\n  namespace: default\nspec:\n  image: ghcr.io/example/hello:v1\n  executor: containerd-shim-spin\n  replicas: 2\n",
    });
    await vscode.window.showTextDocument(doc);
    const lenses = await poll(async () => {
      const l = (await vscode.commands.executeCommand("vscode.executeCodeLensProvider", doc.uri)) as vscode.CodeLens[] | undefined;
      const mine = (l ?? []).filter((x) => x.command?.command === "spinkube.showAppLogs");
      return mine.length ? mine : undefined;
    }, TIMEOUT_MS, "the Show Logs CodeLens");
    assert.equal(lenses.length, 1);
    assert.equal(lenses[0].range.start.line, 5, "above the SpinApp document, not the ConfigMap");
    assert.deepEqual(lenses[0].command?.arguments, [{ name: "hello-spin", namespace: "default" }]);

    await vscode.workspace.getConfiguration("spinkube.logs").update("view", "outputChannel", vscode.ConfigurationTarget.Global);
    const view = (await vscode.commands.executeCommand(lenses[0].command?.command ?? "", ...(lenses[0].command?.arguments ?? []))) as LogViewHandle;
    views.push(view);
    assert.equal(view.kind, "outputChannel");
    await poll(() => (/^\S+ +hello-spin-\S+: handled request/m.test(view.text()) ? true : undefined), TIMEOUT_MS, "lines in the output channel view");
    view.stop();
  });
});
