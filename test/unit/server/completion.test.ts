/**
 * Completion at many positions of real SpinApp / SpinAppExecutor YAML: which items appear (and
 * which must not), their order (required first), and what accepting one inserts — the result is
 * parsed and compared as values, so snippet indentation mistakes fail the test.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { CompletionItem } from "vscode-languageserver-types";
import { complete } from "../../../src/server/completion";
import { Knowledge } from "../../../src/server/knowledge";
import { parseChunk, splitDocuments } from "../../../src/server/documents";
import { acceptCompletion, cursor, parseAll } from "./editingHelpers";

function knowledge(): Knowledge {
  const k = new Knowledge();
  k.setFile("file:///executors.yaml", {
    executors: [
      { name: "containerd-shim-spin", namespace: "default", origin: "workspace", runtimeClassName: "wasmtime-spin-v2", createDeployment: true },
      { name: "spintainer", namespace: "default", origin: "workspace", spinImage: "ghcr.io/fermyon/spin:v2.7.0", createDeployment: true },
      { name: "prod-shim", namespace: "prod", origin: "workspace", runtimeClassName: "wasmtime-spin-v2", createDeployment: true },
    ],
    runtimeClasses: [{ name: "wasmtime-spin-v2", namespace: "", origin: "workspace", handler: "spin" }],
    secrets: [
      { name: "app-secret", namespace: "default", origin: "workspace" },
      { name: "prod-secret", namespace: "prod", origin: "workspace" },
    ],
    configMaps: [{ name: "app-config", namespace: "default", origin: "workspace" }],
    spinImages: [],
  });
  return k;
}

function run(src: string, k = knowledge()): { text: string; items: CompletionItem[] } {
  const { text, offset } = cursor(src);
  return { text, items: complete(text, offset, k) };
}

function labels(src: string, k?: Knowledge): string[] {
  return run(src, k).items.map((i) => i.label);
}

function accept(src: string, label: string): unknown[] {
  const { text, items } = run(src);
  const item = items.find((i) => i.label === label);
  assert.ok(item, `no item ${label} in ${items.map((i) => i.label).join(", ")}`);
  return parseAll(acceptCompletion(text, item));
}

const app = (spec: string, meta = "") => `apiVersion: core.spinkube.dev/v1alpha1
kind: SpinApp
metadata:
  name: hello
${meta}spec:
${spec}`;

function sorted(items: CompletionItem[]): string[] {
  return [...items].sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label)).map((i) => i.label);
}

test("a new document offers the SpinKube apiVersion and kind", () => {
  assert.deepEqual(labels("§"), ["apiVersion", "kind"]);
  assert.deepEqual(accept("§", "apiVersion"), [{ apiVersion: "core.spinkube.dev/v1alpha1" }]);
  assert.deepEqual(accept("apiVersion: core.spinkube.dev/v1alpha1\n§", "kind"), [{ apiVersion: "core.spinkube.dev/v1alpha1", kind: "SpinApp" }]);
  assert.deepEqual(labels("apiVersion: §"), ["core.spinkube.dev/v1alpha1"]);
  assert.deepEqual(labels("apiVersion: core.spinkube.dev/v1alpha1\nkind: §"), ["SpinApp", "SpinAppExecutor"]);
  assert.deepEqual(labels("apiVersion: core.spinkube.dev/v1alpha1\nkind: Spin§"), ["SpinApp", "SpinAppExecutor"]);
});

test("root of a SpinApp: metadata and spec, required first, no status, nothing already present", () => {
  const { items } = run("apiVersion: core.spinkube.dev/v1alpha1\nkind: SpinApp\n§");
  assert.deepEqual(sorted(items), ["metadata", "spec"]);
  assert.deepEqual(accept("apiVersion: core.spinkube.dev/v1alpha1\nkind: SpinApp\n§", "spec")[0], {
    apiVersion: "core.spinkube.dev/v1alpha1",
    kind: "SpinApp",
    spec: { executor: "containerd-shim-spin", image: null, replicas: 1 },
  });
});

test("under spec: every spec field not yet present, required ones first", () => {
  const { items } = run(app("  image: ghcr.io/a/b:1\n  §\n  variables: []\n"));
  const names = sorted(items);
  assert.deepEqual(names.slice(0, 2), ["executor", "replicas"]);
  for (const k of ["checks", "resources", "runtimeConfig", "enableAutoscaling", "invocationLimits", "serviceAccountName", "components"]) assert.ok(names.includes(k), k);
  assert.ok(!names.includes("image") && !names.includes("variables"), "present keys are not offered");
  const replicas = items.find((i) => i.label === "replicas")!;
  assert.match(replicas.detail ?? "", /integer \(int32\)/);
  assert.match((replicas.documentation as { value: string }).value, /replicas must be > 0/);
});

test("with enableAutoscaling present, replicas is no longer sorted as required", () => {
  const { items } = run(app("  enableAutoscaling: true\n  §\n"));
  const names = sorted(items);
  assert.deepEqual(names.slice(0, 2), ["executor", "image"]);
  assert.ok(names.indexOf("replicas") > 2);
});

test("accepting keys inserts valid YAML with the right placeholders", () => {
  const spec = (src: string, label: string) => (accept(app(src), label)[0] as { spec: Record<string, unknown> }).spec;
  assert.equal(spec("  §\n", "replicas").replicas, 1);
  assert.equal(spec("  §\n", "enableAutoscaling").enableAutoscaling, true);
  assert.deepEqual(spec("  §\n", "resources").resources, null, "an object key opens an indented block");
  assert.deepEqual(spec("  resources:\n    §\n", "limits").resources, { limits: { cpu: "100m", memory: "128Mi" } });
  assert.deepEqual(spec("  §\n", "invocationLimits").invocationLimits, { memory: "128Mi" });
  assert.deepEqual(spec("  §\n", "variables").variables, [{ name: null }]);
  assert.deepEqual(spec("  §\n", "volumeMounts").volumeMounts, [{ mountPath: null, name: null }]);
  assert.deepEqual(spec("  §\n", "imagePullSecrets").imagePullSecrets, [{ name: "app-secret" }]);
  assert.deepEqual(spec("  checks:\n    readiness:\n      §\n", "httpGet").checks, { readiness: { httpGet: { path: "/" } } });
  assert.deepEqual(spec("  checks:\n    liveness:\n      §\n", "periodSeconds").checks, { liveness: { periodSeconds: 10 } });
  // executors known in the namespace become a choice; the first is the default
  assert.equal(spec("  §\n", "executor").executor, "containerd-shim-spin");
});

test("inside checks.readiness.httpGet", () => {
  const src = app("  checks:\n    readiness:\n      httpGet:\n        §\n");
  const { items } = run(src);
  assert.deepEqual(sorted(items), ["path", "httpHeaders"]);
  assert.deepEqual(labels(app("  checks:\n    readiness:\n      httpGet:\n        path: /\n        §\n")), ["httpHeaders"]);
});

test("inside a variables item, a fresh item and a partially typed key", () => {
  assert.deepEqual(labels(app("  variables:\n    - name: a\n      §\n")).sort(), ["value", "valueFrom"]);
  assert.deepEqual(labels(app("  variables:\n    - name: a\n    - §\n")).sort(), ["name", "value", "valueFrom"]);
  const vf = accept(app("  variables:\n    - name: a\n      valueFrom:\n        §\n"), "secretKeyRef")[0] as { spec: { variables: unknown[] } };
  assert.deepEqual(vf.spec.variables, [{ name: "a", valueFrom: { secretKeyRef: { key: null } } }]);
  // partially typed: the typed text is replaced, other keys stay
  const { text, items } = run(app("  image: x\n  rep§\n  executor: my-exec\n"));
  const r = items.find((i) => i.label === "replicas")!;
  assert.deepEqual((parseAll(acceptCompletion(text, r))[0] as { spec: unknown }).spec, { image: "x", replicas: 1, executor: "my-exec" });
  // renaming an existing key inserts only the name
  const ren = run(app("  re§plicas: 2\n"));
  const e = ren.items.find((i) => i.label === "replicas")!;
  assert.deepEqual((parseAll(acceptCompletion(ren.text, e))[0] as { spec: unknown }).spec, { replicas: 2 });
});

test("values: booleans, executors by namespace, Secrets and ConfigMaps, defaults", () => {
  assert.deepEqual(labels(app("  enableAutoscaling: §\n")), ["true", "false"]);
  assert.deepEqual(labels(app("  executor: §\n")), ["containerd-shim-spin", "spintainer"]);
  assert.deepEqual(labels(app("  executor: §\n", "  namespace: prod\n")), ["prod-shim"]);
  assert.deepEqual(labels(app("  executor: §\n", "  namespace: empty\n")), []);
  assert.deepEqual(labels(app("  variables:\n    - name: a\n      valueFrom:\n        secretKeyRef:\n          name: §\n")), ["app-secret"]);
  assert.deepEqual(labels(app("  variables:\n    - name: a\n      valueFrom:\n        configMapKeyRef:\n          name: §\n")), ["app-config"]);
  assert.deepEqual(labels(app("  runtimeConfig:\n    loadFromSecret: §\n", "  namespace: prod\n")), ["prod-secret"]);
  assert.deepEqual(labels(app("  checks:\n    readiness:\n      periodSeconds: §\n")), ["10"]);
  // accepting a value right after the colon adds the space
  const { text, items } = run(app("  executor:§\n"));
  assert.equal((parseAll(acceptCompletion(text, items[0]))[0] as { spec: { executor: string } }).spec.executor, "containerd-shim-spin");
  // a typed-over word is replaced whole
  const w = run(app("  executor: spin§tainer-old\n"));
  const it = w.items.find((i) => i.label === "spintainer")!;
  assert.equal((parseAll(acceptCompletion(w.text, it))[0] as { spec: { executor: string } }).spec.executor, "spintainer");
});

test("SpinAppExecutor: keys and runtime classes", () => {
  const ex = (spec: string) => `apiVersion: core.spinkube.dev/v1alpha1\nkind: SpinAppExecutor\nmetadata:\n  name: x\nspec:\n${spec}`;
  assert.deepEqual(sorted(run(ex("  §\n")).items), ["createDeployment", "deploymentConfig"]);
  assert.deepEqual(labels(ex("  createDeployment: true\n  deploymentConfig:\n    runtimeClassName: §\n")), ["wasmtime-spin-v2"]);
  assert.ok(labels(ex("  deploymentConfig:\n    §\n")).includes("spinImage"));
  assert.deepEqual(labels(ex("  deploymentConfig:\n    otel:\n      §\n")).sort(), [
    "exporter_otlp_endpoint",
    "exporter_otlp_logs_endpoint",
    "exporter_otlp_metrics_endpoint",
    "exporter_otlp_traces_endpoint",
  ]);
});

test("metadata: name first, server-set fields hidden", () => {
  const names = labels("apiVersion: core.spinkube.dev/v1alpha1\nkind: SpinApp\nmetadata:\n  §\n");
  assert.ok(names.includes("name") && names.includes("namespace") && names.includes("labels"));
  for (const hidden of ["uid", "resourceVersion", "creationTimestamp", "managedFields"]) assert.ok(!names.includes(hidden), hidden);
});

test("multi-document file: the middle document decides, the others are not parsed into it", () => {
  const file = [
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: 1\n",
    "apiVersion: core.spinkube.dev/v1alpha1\nkind: SpinAppExecutor\nmetadata:\n  name: x\n  namespace: prod\nspec:\n  §\n",
    app("  image: x\n"),
  ].join("---\n");
  assert.deepEqual(labels(file).sort(), ["createDeployment", "deploymentConfig"]);
  const { text, offset } = cursor(file);
  const chunks = splitDocuments(text);
  assert.deepEqual(complete(text, offset, knowledge(), chunks).map((i) => i.label).sort(), ["createDeployment", "deploymentConfig"]);
  // the edit lands in the middle document, at file-absolute lines
  const item = complete(text, offset, knowledge()).find((i) => i.label === "createDeployment")!;
  const docs = parseAll(acceptCompletion(text, item));
  assert.deepEqual((docs[1] as { spec: unknown }).spec, { createDeployment: true });
  assert.equal((docs[0] as { kind: string }).kind, "Deployment");
});

test("a large file: completion in the middle document is correct", () => {
  const docs: string[] = [];
  for (let i = 0; i < 3000; i++) docs.push(app(`  image: ghcr.io/a/app-${i}:1\n  executor: containerd-shim-spin\n  replicas: 1\n`).replace("name: hello", `name: app-${i}`));
  docs[1500] = app("  image: x\n  §\n").replace("name: hello", "name: middle");
  const src = docs.join("---\n");
  const names = labels(src);
  assert.equal(names[0] !== undefined, true);
  assert.ok(names.includes("executor") && !names.includes("image"));
  const { text, offset } = cursor(src);
  const chunks = splitDocuments(text);
  assert.equal(parseChunk(chunks[1500].text).doc.get("kind"), "SpinApp");
  assert.ok(offset > chunks[1500].start && offset < chunks[1500].end);
});

test("nothing outside SpinKube documents, comments, legacy documents or templates", () => {
  assert.deepEqual(labels("apiVersion: apps/v1\nkind: Deployment\nspec:\n  §\n"), []);
  assert.deepEqual(labels("apiVersion: v1\nkind: Pod\n§"), []);
  assert.deepEqual(labels("apiVersion: apps/v1\nkind: §"), []);
  assert.deepEqual(labels(app("  # §\n")), []);
  assert.deepEqual(labels("apiVersion: core.spinoperator.dev/v1alpha1\nkind: SpinApp\nspec:\n  §\n"), []);
  // …but the legacy apiVersion value can be completed to the current one
  assert.deepEqual(labels("apiVersion: core.spinoperator.dev/v1al§\nkind: SpinApp\n"), ["core.spinkube.dev/v1alpha1"]);
  assert.deepEqual(labels("apiVersion: core.spinkube.dev/v1alpha1\nkind: SpinApp\nspec:\n  image: {{ .Values.image }}\n  §\n").includes("executor"), true);
  assert.doesNotThrow(() => labels("{{- if .Values.x }}\n§\n{{- end }}\n"));
});

test("flow mappings get single-line insertions", () => {
  const { text, items } = run(app("  resources: {limits: {cpu: 1}, §}\n"));
  assert.deepEqual(items.map((i) => i.label), ["requests"]);
  assert.deepEqual((parseAll(acceptCompletion(text, items[0]))[0] as { spec: unknown }).spec, { resources: { limits: { cpu: 1 }, requests: null } });
});
