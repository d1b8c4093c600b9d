/**
 * The bundled server as a process over stdio LSP, as Neovim, Helix or Zed would run it:
 * initialize, open, edit, close, settings, and the capabilities it announces.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CodeActionRequest,
  CompletionRequest,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DocumentSymbolRequest,
  HoverRequest,
  type CompletionItem,
  type CompletionList,
} from "vscode-languageserver-protocol/node";
import { startServer } from "../../helpers/lspClient";

const uri = "file:///tmp/spinkube-lsp-test/app.yaml";
const text = `apiVersion: core.spinkube.dev/v1alpha1
kind: SpinApp
metadata:
  name: hello
spec:
  image: ghcr.io/spinkube/hello:v1
  executor: containerd-shim-spin
  replica: 2
`;

test("node dist/server.js --stdio speaks LSP: diagnostics on open, after an edit, cleared on close", async () => {
  const server = await startServer();
  try {
    const caps = server.initializeResult.capabilities;
    assert.equal(caps.textDocumentSync, 2, "incremental sync");
    assert.ok(caps.hoverProvider && caps.completionProvider && caps.codeActionProvider && caps.documentSymbolProvider);

    const opened = server.nextDiagnostics(uri);
    await server.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: "yaml", version: 1, text } });
    const d1 = await opened;
    assert.equal(d1.diagnostics.length, 1);
    assert.equal(d1.diagnostics[0].code, "unknown-field");
    assert.deepEqual(d1.diagnostics[0].range, { start: { line: 7, character: 2 }, end: { line: 7, character: 9 } });

    const edited = server.nextDiagnostics(uri, (p) => p.version === 2);
    await server.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 7, character: 9 }, end: { line: 7, character: 9 } }, text: "s" }],
    });
    assert.deepEqual((await edited).diagnostics, []);

    const closed = server.nextDiagnostics(uri);
    await server.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    assert.deepEqual((await closed).diagnostics, []);
  } finally {
    await server.stop();
  }
});

test("settings from workspace/configuration switch validation off", async () => {
  const server = await startServer({ settings: { validation: { enable: false, syntaxErrors: true } } });
  try {
    const opened = server.nextDiagnostics(uri);
    await server.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: "yaml", version: 1, text } });
    assert.deepEqual((await opened).diagnostics, []);
  } finally {
    await server.stop();
  }
});

test("non-SpinKube YAML gets an empty diagnostics list, not noise", async () => {
  const server = await startServer();
  try {
    const other = "file:///tmp/spinkube-lsp-test/svc.yaml";
    const opened = server.nextDiagnostics(other);
    await server.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri: other, languageId: "yaml", version: 1, text: "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n  bogus: 1\n" },
    });
    assert.deepEqual((await opened).diagnostics, []);
  } finally {
    await server.stop();
  }
});

test("completion, hover, code actions and symbols over stdio", async () => {
  const server = await startServer();
  try {
    const opened = server.nextDiagnostics(uri);
    await server.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: "yaml", version: 1, text } });
    const { diagnostics } = await opened;
    const c = (await server.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: 7, character: 4 } })) as CompletionItem[] | CompletionList;
    const items = Array.isArray(c) ? c : c.items;
    assert.ok(items.some((i) => i.label === "replicas"), `completion offers replicas: ${items.map((i) => i.label).join(",")}`);
    const h = await server.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 6, character: 4 } });
    assert.match(JSON.stringify(h?.contents), /executor/i);
    const actions = await server.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: diagnostics[0].range, context: { diagnostics } });
    assert.ok(actions?.some((a) => "title" in a && /replicas/.test(a.title)), JSON.stringify(actions));
    const symbols = await server.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } });
    assert.match(JSON.stringify(symbols), /SpinApp hello/);
  } finally {
    await server.stop();
  }
});
