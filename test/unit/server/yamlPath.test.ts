/**
 * The cursor's YAML path: the indentation model on complete and half-typed documents (keys with no
 * colon yet, empty lines, fresh `- ` items, compact sequences, block scalars, comments), the AST
 * fallback in flow collections, and the chunk helpers.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseChunk, splitDocuments } from "../../../src/server/documents";
import { astPathAt, chunkAtLine, chunkOffset, pathAtOffset, topLevelScalar, type CursorContext } from "../../../src/server/yamlPath";
import { cursor } from "./editingHelpers";

const head = `apiVersion: core.spinkube.dev/v1alpha1
kind: SpinApp
metadata:
  name: hello
spec:
`;

function at(src: string): CursorContext | undefined {
  const { text, offset } = cursor(src);
  return pathAtOffset(text, offset, parseChunk(text).doc);
}

function keyAt(src: string): { path: unknown; existing: string[]; prefix: string; indent: number } {
  const c = at(src);
  assert.ok(c, "expected a context");
  assert.equal(c.onKey, true, "expected a key position");
  return { path: c.path, existing: c.existingKeys, prefix: c.keyPrefix, indent: c.indent };
}

test("root of an empty document and of a document with keys", () => {
  assert.deepEqual(keyAt("§"), { path: [], existing: [], prefix: "", indent: 0 });
  assert.deepEqual(keyAt("§\nspec:\n  image: x\nkind: SpinApp\n").existing, ["spec", "kind"]);
  assert.deepEqual(keyAt(head + "  image: x\n§").path, []);
});

test("an empty line under spec: and a partially typed key", () => {
  assert.deepEqual(keyAt(head + "  §"), { path: ["spec"], existing: [], prefix: "", indent: 2 });
  const c = keyAt(head + "  image: x\n  rep§\n  executor: y\n");
  assert.deepEqual(c, { path: ["spec"], existing: ["image", "executor"], prefix: "rep", indent: 2 });
});

test("the replace range of a partial key covers the whole word", () => {
  const { text, offset } = cursor(head + "  re§plicas: 2\n");
  const c = pathAtOffset(text, offset)!;
  assert.equal(text.slice(c.replaceStart, c.replaceEnd), "replicas");
  assert.equal(c.keyHasColon, true);
});

test("deep block mappings: checks.readiness.httpGet", () => {
  const src = head + "  image: x\n  checks:\n    readiness:\n      httpGet:\n        path: /\n        §\n      periodSeconds: 3\n  replicas: 1\n";
  assert.deepEqual(keyAt(src), { path: ["spec", "checks", "readiness", "httpGet"], existing: ["path"], prefix: "", indent: 8 });
});

test("sequence items: inside an item, a fresh `- `, compact sequences, the index", () => {
  const vars = head + "  variables:\n    - name: a\n      value: b\n    - name: c\n      §\n    - name: d\n";
  assert.deepEqual(keyAt(vars), { path: ["spec", "variables", 1], existing: ["name"], prefix: "", indent: 6 });
  assert.deepEqual(keyAt(head + "  variables:\n    - name: a\n    - §\n").path, ["spec", "variables", 1]);
  assert.deepEqual(keyAt(head + "  variables:\n    - name: a\n    - §\n").existing, []);
  // compact: the dashes sit at the parent key's column
  assert.deepEqual(keyAt(head + "  variables:\n  - name: a\n    value: b\n  - name: c\n    §\n").path, ["spec", "variables", 1]);
  // after a compact sequence, back at the parent level
  assert.deepEqual(keyAt(head + "  variables:\n  - name: a\n  §\n"), { path: ["spec"], existing: ["variables"], prefix: "", indent: 2 });
  // nested item mapping under a sequence item
  assert.deepEqual(keyAt(head + "  volumes:\n    - name: v\n      secret:\n        §\n").path, ["spec", "volumes", 0, "secret"]);
  assert.deepEqual(keyAt(head + "  a:\n    - - x: 1\n        §\n").path, ["spec", "a", 0, 0]);
});

test("values: after the colon, inside a word, quoted, right after the colon", () => {
  const v = at(head + "  executor: §\n")!;
  assert.equal(v.onKey, false);
  assert.deepEqual(v.path, ["spec", "executor"]);
  assert.equal(v.valueKey, "executor");
  assert.equal(v.needsSpace, false);

  const { text, offset } = cursor(head + "  executor: con§tainerd # the shim\n");
  const w = pathAtOffset(text, offset)!;
  assert.equal(w.valuePrefix, "con");
  assert.equal(text.slice(w.replaceStart, w.replaceEnd), "containerd");

  const q = cursor(head + '  executor: "con§"\n');
  const qc = pathAtOffset(q.text, q.offset)!;
  assert.equal(qc.valuePrefix, "con");
  assert.equal(q.text.slice(qc.replaceStart, qc.replaceEnd), '"con"');

  assert.equal(at(head + "  executor:§\n")!.needsSpace, true);
  assert.deepEqual(at(head + "  resources:\n    limits:\n      memory: 1§\n")!.path, ["spec", "resources", "limits", "memory"]);
  assert.deepEqual(at(head + "  variables:\n    - name: x\n      valueFrom:\n        secretKeyRef:\n          name: §\n")!.path, [
    "spec",
    "variables",
    0,
    "valueFrom",
    "secretKeyRef",
    "name",
  ]);
});

test("no context in comments, block scalars and on a bare dash", () => {
  assert.equal(at(head + "  # a comm§ent\n"), undefined);
  assert.equal(at(head + "  image: x # a comm§ent\n"), undefined);
  assert.equal(at(head + "  script: |\n    echo §\n  replicas: 1\n"), undefined);
  assert.equal(at(head + "  script: |\n    echo\n\n    §\n"), undefined);
  assert.equal(at(head + "  variables:\n    -§\n"), undefined);
  // …but a key after the block scalar ends is back in spec
  assert.deepEqual(keyAt(head + "  script: |\n    echo\n  rep§\n").path, ["spec"]);
});

test("flow collections use the AST", () => {
  const c = at(head + "  resources: {limits: {cpu: 1}, re§}\n");
  assert.ok(c);
  assert.equal(c.onKey, true);
  assert.equal(c.flow, true);
  assert.deepEqual(c.path, ["spec", "resources"]);
  assert.deepEqual(c.existingKeys, ["limits"]);
  const v = at(head + "  resources: {limits: {memory: 12§8Mi}}\n");
  assert.deepEqual(v?.path, ["spec", "resources", "limits", "memory"]);
  assert.equal(v?.onKey, false);
});

test("astPathAt finds keys, values and sequence items", () => {
  const text = head + "  image: x\n  components:\n    - a\n    - b\n  resources: {limits: {memory: 1Gi}}\n";
  const { doc } = parseChunk(text);
  const onKey = astPathAt(doc, text.indexOf("image") + 2)!;
  assert.deepEqual([onKey.path, onKey.onKey], [["spec", "image"], true]);
  const item = astPathAt(doc, text.indexOf("- b") + 2)!;
  assert.deepEqual([item.path, item.onKey], [["spec", "components", 1], false]);
  const flow = astPathAt(doc, text.indexOf("1Gi"))!;
  assert.deepEqual(flow.path, ["spec", "resources", "limits", "memory"]);
});

test("topLevelScalar reads column-0 keys without parsing, even broken text", () => {
  const text = "apiVersion: 'core.spinkube.dev/v1alpha1' # c\nkind:   SpinApp\nspec:\n  kind: Other\n  : : broken [\n";
  assert.equal(topLevelScalar(text, "apiVersion"), "core.spinkube.dev/v1alpha1");
  assert.equal(topLevelScalar(text, "kind"), "SpinApp");
  assert.equal(topLevelScalar("kind:\n", "kind"), "");
  assert.equal(topLevelScalar("spec:\n  kind: X\n", "kind"), undefined);
});

test("chunkAtLine and chunkOffset map file positions into documents", () => {
  const text = "a: 1\n---\nb: 2\nc: 3\n---\nd: 4\n";
  const chunks = splitDocuments(text);
  assert.equal(chunkAtLine(chunks, 0), 0);
  assert.equal(chunkAtLine(chunks, 3), 1);
  assert.equal(chunkAtLine(chunks, 5), 2);
  const c = chunks[1];
  const { lines } = parseChunk(c.text);
  const off = chunkOffset(c, lines, { line: 3, character: 3 });
  assert.equal(c.text.slice(off, off + 1), "3");
  // characters past the end of a line clamp to the line end
  assert.equal(c.text[chunkOffset(c, lines, { line: 2, character: 99 })], "\n");
});
