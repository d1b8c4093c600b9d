/**
 * In-host: "SpinKube: Check Runtime Readiness" on an open SpinApp manifest, against the demo
 * cluster the e2e harness gives the extension host (nodes set up with runtime "spin-v2"; namespace
 * `broken` has an executor on RuntimeClass wasmtime-spin, handler "spin"). The command returns the
 * report and opens the chain as a markdown document.
 */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { ReadinessReport } from "../../src/cluster/diagnosis";
import { activeExtension, closeAllEditors } from "./helpers";

const MANIFEST = `apiVersion: core.spinkube.dev/v1alpha1
kind: SpinApp
metadata:
  name: readiness-probe-app
  namespace: broken
spec:
  image: ghcr.io/example/readiness-probe-app:v1
  executor: containerd-shim-spin
  replicas: 1
`;

suite("Check Runtime Readiness", () => {
  suiteTeardown(closeAllEditors);

  test("on an open manifest: the handler mismatch is the first broken link, and the chain opens as markdown", async () => {
    await activeExtension();
    if (!process.env.KUBECONFIG || !process.env.KUBECONFIG.includes("spinkube-cluster")) {
      // The harness always provides the demo cluster; without it this suite cannot mean anything.
      assert.fail(`the in-host suites need the demo cluster's kubeconfig in KUBECONFIG (got ${process.env.KUBECONFIG ?? "nothing"})`);
    }
    const doc = await vscode.workspace.openTextDocument({ language: "yaml", content: MANIFEST });
    await vscode.window.showTextDocument(doc);
    const report = (await vscode.commands.executeCommand("spinkube.checkRuntimeReadiness")) as ReadinessReport | undefined;
    assert.ok(report, "the command returned no report (see Output → SpinKube)");
    assert.equal(report.mode, "manifest");
    assert.deepEqual(report.app, { name: "readiness-probe-app", namespace: "broken" });
    assert.equal(report.firstBroken?.id, "handler");
    assert.match(report.firstBroken?.detail ?? "", /^RuntimeClass wasmtime-spin has handler spin but this cluster's nodes register spin-v2/);
    assert.match(report.firstBroken?.fix ?? "", /^Recreate RuntimeClass wasmtime-spin with handler: spin-v2 .* or point the executor's deploymentConfig\.runtimeClassName at wasmtime-spin-v2/);
    const shown = vscode.workspace.textDocuments.find((d) => d.uri.scheme === "spinkube-readiness" && d.uri.path === "/broken/readiness-probe-app.md");
    assert.ok(shown, "the report document was not opened");
    assert.match(shown.getText(), /^# Runtime readiness: broken\/readiness-probe-app\n/);
    assert.ok(shown.getText().includes("❌ **Handler** — RuntimeClass wasmtime-spin has handler spin"));
  });
});
