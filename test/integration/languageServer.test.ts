/**
 * The language client talking to the real language server (dist/server.js, forked by the
 * extension host) on the sample workspace's files: diagnostics placed where the fix goes, with the
 * right severity; completion, hover and quick fixes through VS Code's own command API. Assertions
 * are about behaviour (range, severity, code, edits), not message wording.
 */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import {
  EXTENSION_ID,
  SERVER_TIMEOUT_MS,
  closeAllEditors,
  codeOf,
  hoverText,
  keyRange,
  labelOf,
  openFixture,
  poll,
  rangeText,
  spinKubeDiagnostics,
  valueRange,
  waitForDiagnostic,
  waitForEvent,
  waitForNoDiagnostics,
} from "./helpers";

/** Quick fixes VS Code offers for `diagnostic` (CodeActions with an edit, not bare Commands). */
async function quickFixes(uri: vscode.Uri, diagnostic: vscode.Diagnostic): Promise<vscode.CodeAction[]> {
  const actions =
    (await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
      "vscode.executeCodeActionProvider",
      uri,
      diagnostic.range,
      vscode.CodeActionKind.QuickFix.value,
    )) ?? [];
  return actions.filter((a): a is vscode.CodeAction => "edit" in a && a.edit !== undefined);
}

/** True when `action` edits `uri` somewhere inside or touching `range`. */
function edits(action: vscode.CodeAction, uri: vscode.Uri, range: vscode.Range): boolean {
  return action.edit?.get(uri).some((e) => e.range.intersection(range) !== undefined) ?? false;
}

/** Applies a code action's edit and waits until the document has changed. */
async function apply(doc: vscode.TextDocument, action: vscode.CodeAction): Promise<void> {
  assert.ok(action.edit, `code action "${action.title}" has no edit`);
  const version = doc.version;
  assert.ok(await vscode.workspace.applyEdit(action.edit), `applying "${action.title}" failed`);
  await waitForEvent(
    vscode.workspace.onDidChangeTextDocument,
    () => (doc.version > version ? true : undefined),
    5_000,
    `"${action.title}" to change ${doc.uri.path}`,
  );
}

/** Replaces `range` (on one line) with `text` in the open document; returns the new text's range. */
async function replace(editor: vscode.TextEditor, range: vscode.Range, text: string): Promise<vscode.Range> {
  assert.ok(await editor.edit((b) => b.replace(range, text)), "the edit was not applied");
  return new vscode.Range(range.start, range.start.translate(0, text.length));
}

suite("Language server", () => {
  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed`);
    await ext.activate();
  });
  teardown(closeAllEditors);

  test("underlines a misspelled key (replica) on the key itself, as an error naming it", async () => {
    const { document: doc } = await openFixture("manifests/misspelled-key.yaml");
    const expected = keyRange(doc, "replica");
    const d = await waitForDiagnostic(doc.uri, (x) => x.range.isEqual(expected), `a diagnostic on ${rangeText(expected)} ("replica")`);
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.match(d.message, /\breplica\b/, "the message names the unknown field");
    assert.equal(codeOf(d), "unknown-field");
  });

  test("offers a quick fix for the misspelled key that renames it to replicas", async () => {
    const { document: doc } = await openFixture("manifests/misspelled-key.yaml");
    const expected = keyRange(doc, "replica");
    const d = await waitForDiagnostic(doc.uri, (x) => x.range.isEqual(expected), "the unknown-field diagnostic");
    const fixes = await quickFixes(doc.uri, d);
    const rename = fixes.find((f) => edits(f, doc.uri, expected) && /replicas/.test(f.title));
    assert.ok(rename, `no quick fix mentioning replicas among: ${fixes.map((f) => f.title).join(" | ") || "(none)"}`);
    await apply(doc, rename);
    assert.match(doc.lineAt(expected.start.line).text, /^\s*replicas:\s*2\s*$/);
    await waitForEvent(
      vscode.languages.onDidChangeDiagnostics,
      () => (spinKubeDiagnostics(doc.uri).some((x) => codeOf(x) === "unknown-field") ? undefined : true),
      SERVER_TIMEOUT_MS,
      "the unknown-field diagnostic to go away after the fix",
    );
  });

  test("reports replicas: 0 and invocationLimits.memory: 32MB on their values", async () => {
    const { document: doc } = await openFixture("manifests/invalid-values.yaml");
    const replicas = valueRange(doc, "replicas");
    const memory = valueRange(doc, "memory");
    const r = await waitForDiagnostic(doc.uri, (x) => x.range.isEqual(replicas), `a diagnostic on replicas' value ${rangeText(replicas)}`);
    assert.equal(r.severity, vscode.DiagnosticSeverity.Error);
    const m = await waitForDiagnostic(doc.uri, (x) => x.range.isEqual(memory), `a diagnostic on memory's value ${rangeText(memory)}`);
    assert.equal(m.severity, vscode.DiagnosticSeverity.Error);
    assert.match(m.message, /32MB/, "the message quotes the rejected quantity");
  });

  test("warns about the legacy core.spinoperator.dev group and fixes the apiVersion", async () => {
    const { document: doc } = await openFixture("manifests/legacy-group.yaml");
    const api = valueRange(doc, "apiVersion");
    const d = await waitForDiagnostic(doc.uri, (x) => x.range.isEqual(api), `a diagnostic on the apiVersion value ${rangeText(api)}`);
    assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
    const fixes = await quickFixes(doc.uri, d);
    const fix = fixes.find((f) => edits(f, doc.uri, api));
    assert.ok(fix, `no quick fix for the legacy group among: ${fixes.map((f) => f.title).join(" | ") || "(none)"}`);
    await apply(doc, fix);
    assert.equal(doc.lineAt(api.start.line).text.trim(), "apiVersion: core.spinkube.dev/v1alpha1");
    await waitForNoDiagnostics(doc.uri);
  });

  test("a valid SpinApp is clean: an error introduced by an edit appears, and goes when undone", async () => {
    const editor = await openFixture("manifests/hello-spinapp.yaml");
    const doc = editor.document;
    const zero = await replace(editor, valueRange(doc, "replicas"), "0");
    await waitForDiagnostic(doc.uri, (x) => x.range.isEqual(zero), "replicas: 0 to be reported");
    await replace(editor, zero, "2");
    await waitForNoDiagnostics(doc.uri);
  });

  test("checks only the SpinKube documents of a multi-document file", async () => {
    const editor = await openFixture("manifests/app-with-config.yaml");
    const doc = editor.document;
    // The ConfigMap's data key `greeting` would be an unknown field in a SpinApp; it must not be
    // reported. Break the SpinApp (4th document) to see the server has processed the file.
    const imag = await replace(editor, keyRange(doc, "image"), "imag");
    const d = await waitForDiagnostic(doc.uri, (x) => x.range.isEqual(imag), "the unknown key imag");
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    const spinAppStart = doc.getText().indexOf("kind: SpinApp\n");
    const hpaStart = doc.getText().indexOf("kind: HorizontalPodAutoscaler");
    for (const x of spinKubeDiagnostics(doc.uri)) {
      const at = doc.offsetAt(x.range.start);
      assert.ok(at > spinAppStart && at < hpaStart, `diagnostic outside the SpinApp document: ${rangeText(x.range)} ${x.message}`);
    }
  });

  test("completes SpinApp spec keys from the schema", async () => {
    const doc = await vscode.workspace.openTextDocument({
      language: "yaml",
      content: [
        "apiVersion: core.spinkube.dev/v1alpha1",
        "kind: SpinApp",
        "metadata:",
        "  name: completion-demo",
        "spec:",
        "  image: ghcr.io/spinframework/containerd-shim-spin/examples/spin-rust-hello:v0.23.0",
        "  executor: containerd-shim-spin",
        "  ",
        "",
      ].join("\n"),
    });
    await vscode.window.showTextDocument(doc);
    // replicas is missing: once that is reported, the server has this document.
    await waitForDiagnostic(doc.uri, () => true, "the server to analyse the untitled SpinApp");
    const at = new vscode.Position(7, 2);
    const labels = await poll(async () => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>("vscode.executeCompletionItemProvider", doc.uri, at);
      const ls = list.items.map(labelOf);
      return ls.includes("replicas") ? ls : undefined;
    }, SERVER_TIMEOUT_MS, "completion to offer replicas");
    // Keys that appear nowhere in the text cannot come from word-based suggestions.
    for (const key of ["enableAutoscaling", "invocationLimits", "serviceAccountName"])
      assert.ok(labels.includes(key), `completion lacks ${key}: ${labels.join(", ")}`);
  });

  test("hover on a SpinApp key shows its schema description", async () => {
    const { document: doc } = await openFixture("manifests/hello-spinapp.yaml");
    const key = keyRange(doc, "executor");
    const text = await poll(async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>("vscode.executeHoverProvider", doc.uri, key.start.translate(0, 2));
      const t = hoverText(hovers);
      return t.trim() ? t : undefined;
    }, SERVER_TIMEOUT_MS, "a hover on spec.executor");
    assert.match(text, /executor/i);
  });

  test("'Restart Language Server' restarts it and diagnostics come back", async () => {
    const { document: doc } = await openFixture("manifests/misspelled-key.yaml");
    const expected = keyRange(doc, "replica");
    await waitForDiagnostic(doc.uri, (x) => x.range.isEqual(expected), "the unknown-field diagnostic before the restart");
    await vscode.commands.executeCommand("spinkube.restartServer");
    await waitForDiagnostic(doc.uri, (x) => x.range.isEqual(expected), "the unknown-field diagnostic after the restart");
  });
});
