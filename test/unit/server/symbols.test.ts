/**
 * The outline: one symbol per SpinKube document (kind, name, namespace), spec keys as children,
 * file-absolute ranges in multi-document files, other documents left out.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { SymbolKind, type DocumentSymbol, type Range } from "vscode-languageserver-types";
import { documentSymbols } from "../../../src/server/symbols";

const file = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
---
# the app
apiVersion: core.spinkube.dev/v1alpha1
kind: SpinApp
metadata:
  name: hello
  namespace: prod
spec:
  image: "ghcr.io/spinkube/hello:v1"
  executor: containerd-shim-spin
  replicas: 2
  variables:
    - name: a
      value: b
  resources:
    limits:
      memory: 128Mi
---
apiVersion: core.spinkube.dev/v1alpha1
kind: SpinAppExecutor
metadata:
  name: containerd-shim-spin
spec:
  createDeployment: true
---
apiVersion: core.spinoperator.dev/v1alpha1
kind: SpinApp
metadata:
  name: old
spec:
  image: x
---
apiVersion: core.spinkube.dev/v1alpha1
kind: SpinApp
spec: {}
`;

const lines = file.split("\n");
function covered(r: Range): string {
  if (r.start.line === r.end.line) return lines[r.start.line].slice(r.start.character, r.end.character);
  return [lines[r.start.line].slice(r.start.character), ...lines.slice(r.start.line + 1, r.end.line), lines[r.end.line].slice(0, r.end.character)].join("\n");
}

function contains(outer: Range, inner: Range): boolean {
  const le = (a: Range["start"], b: Range["start"]) => a.line < b.line || (a.line === b.line && a.character <= b.character);
  return le(outer.start, inner.start) && le(inner.end, outer.end);
}

test("one symbol per SpinKube document, with kind, name and namespace", () => {
  const syms = documentSymbols(file);
  assert.deepEqual(
    syms.map((s) => [s.name, s.detail, s.kind]),
    [
      ["SpinApp hello", "prod", SymbolKind.Class],
      ["SpinAppExecutor containerd-shim-spin", "default", SymbolKind.Interface],
      ["SpinApp old", "default · legacy group core.spinoperator.dev", SymbolKind.Class],
      ["SpinApp (unnamed)", "default", SymbolKind.Class],
    ],
  );
});

test("ranges are file-absolute; the selection is the name; children are the spec keys", () => {
  const [app, exec] = documentSymbols(file);
  assert.equal(app.range.start.line, 8, "starts at apiVersion, after the comment, in file lines");
  assert.equal(covered(app.selectionRange), "hello");
  assert.ok(contains(app.range, app.selectionRange));
  assert.deepEqual(
    app.children!.map((c: DocumentSymbol) => [c.name, c.detail, c.kind]),
    [
      ["image", "ghcr.io/spinkube/hello:v1", SymbolKind.Property],
      ["executor", "containerd-shim-spin", SymbolKind.Property],
      ["replicas", "2", SymbolKind.Property],
      ["variables", "1 item", SymbolKind.Array],
      ["resources", "1 key", SymbolKind.Object],
    ],
  );
  for (const c of app.children!) {
    assert.equal(covered(c.selectionRange), c.name);
    assert.ok(contains(app.range, c.range) && contains(c.range, c.selectionRange), c.name);
  }
  assert.match(covered(app.children![3].range), /^variables:\n {4}- name: a\n {6}value: b$/);
  assert.equal(exec.range.start.line, 24);
  assert.deepEqual(exec.children!.map((c) => c.name), ["createDeployment"]);
});

test("files without SpinKube documents, templates and broken YAML give no symbols and no crash", () => {
  assert.deepEqual(documentSymbols("apiVersion: v1\nkind: ConfigMap\n"), []);
  assert.deepEqual(documentSymbols(""), []);
  assert.deepEqual(documentSymbols("apiVersion: core.spinkube.dev/v1alpha1\nkind: SpinApp\nmetadata: {{ .Values.meta }}\n").length <= 1, true);
  const broken = documentSymbols("apiVersion: core.spinkube.dev/v1alpha1\nkind: SpinApp\nmetadata:\n  name: x\nspec:\n  image: [unclosed\n");
  assert.equal(broken[0]?.name, "SpinApp x");
});

test("a document moved by an edit elsewhere keeps correct lines (symbols are cached by document text)", () => {
  const before = documentSymbols(file);
  const after = documentSymbols("apiVersion: v1\nkind: ConfigMap\n---\n" + file);
  assert.equal(after.length, before.length);
  after.forEach((s, i) => {
    assert.equal(s.range.start.line, before[i].range.start.line + 3, s.name);
    assert.equal(s.children?.[0]?.selectionRange.start.line, before[i].children?.[0] && before[i].children![0].selectionRange.start.line + 3);
  });
  assert.equal(before[0].range.start.line, 8, "the cached copy was not mutated");
});
