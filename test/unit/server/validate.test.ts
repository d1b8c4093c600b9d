/**
 * Validation of hand-written SpinApp / SpinAppExecutor documents: every schema and admission rule,
 * with the range the squiggle sits on, the severity the cluster would give and the fix data.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Diagnostic } from "vscode-languageserver-types";
import { SpinKubeService } from "../../../src/server/service";

function validate(text: string, setup?: (s: SpinKubeService) => void): Diagnostic[] {
  const s = new SpinKubeService();
  setup?.(s);
  return s.validateNow("file:///test.yaml", text);
}

/** The text a diagnostic's range covers. */
function covered(text: string, d: Diagnostic): string {
  const lines = text.split("\n");
  const { start, end } = d.range;
  if (start.line === end.line) return lines[start.line].slice(start.character, end.character);
  return [lines[start.line].slice(start.character), ...lines.slice(start.line + 1, end.line), lines[end.line].slice(0, end.character)].join("\n");
}

function only(ds: Diagnostic[], code: string): Diagnostic {
  const hits = ds.filter((d) => d.code === code);
  assert.equal(hits.length, 1, `expected one ${code}, got ${JSON.stringify(ds.map((d) => [d.code, d.message]))}`);
  return hits[0];
}

const app = (spec: string, extra = "") => `apiVersion: core.spinkube.dev/v1alpha1
kind: SpinApp
metadata:
  name: hello
${extra}spec:
  image: "ghcr.io/spinkube/hello:v1"
  executor: containerd-shim-spin
${spec}`;

test("a valid SpinApp has no diagnostics", () => {
  assert.deepEqual(validate(app("  replicas: 2\n")), []);
});

test("unknown key: error on the key with a did-you-mean, and no echo about the key it meant", () => {
  const text = app("  replica: 2\n");
  const ds = validate(text);
  const d = only(ds, "unknown-field");
  assert.equal(covered(text, d), "replica");
  assert.equal(d.severity, 1);
  assert.match(String(d.message), /Did you mean "replicas"/);
  assert.deepEqual(d.data, { key: "replica", parentPath: ["spec"], suggestions: ["replicas"] });
});

test("unknown key deep inside (checks.readiness.httpGet)", () => {
  const text = app("  replicas: 1\n  checks:\n    readiness:\n      httpGet:\n        paht: /healthz\n");
  const d = only(validate(text), "unknown-field");
  assert.equal(covered(text, d), "paht");
  assert.match(String(d.message), /in spec\.checks\.readiness\.httpGet/);
  assert.match(String(d.message), /"path"/);
});

test("unknown metadata field is rejected like the API server does", () => {
  const text = app("  replicas: 1\n", "").replace("  name: hello\n", "  name: hello\n  label:\n    a: b\n");
  const d = only(validate(text), "unknown-field");
  assert.equal(covered(text, d), "label");
  assert.match(String(d.message), /"labels"/);
});

test("missing image: error on the spec key", () => {
  const text = `apiVersion: core.spinkube.dev/v1alpha1
kind: SpinApp
metadata:
  name: hello
spec:
  executor: containerd-shim-spin
  replicas: 1
`;
  const d = only(validate(text), "missing-field");
  assert.equal(covered(text, d), "spec");
  assert.match(String(d.message), /"image"/);
  assert.deepEqual(d.data, { field: "image", parentPath: ["spec"] });
});

test("missing executor is a warning (the webhook defaults it), not an error", () => {
  const text = app("  replicas: 1\n").replace("  executor: containerd-shim-spin\n", "");
  const d = only(validate(text), "executor-missing");
  assert.equal(d.severity, 2);
  assert.equal(covered(text, d), "spec");
  assert.equal(validate(text).filter((x) => x.severity === 1).length, 0);
});

test("replicas: 0 without autoscaling → webhook error on the value", () => {
  const text = app("  replicas: 0\n");
  const d = only(validate(text), "replicas-min");
  assert.equal(covered(text, d), "0");
  assert.match(String(d.message), /replicas must be > 0/);
});

test("no replicas and no autoscaling → webhook error (no default)", () => {
  const text = app("");
  const d = only(validate(text), "replicas-min");
  assert.equal(covered(text, d), "spec");
  assert.equal(d.severity, 1);
});

test("replicas with enableAutoscaling → error on the replicas key", () => {
  const text = app("  replicas: 3\n  enableAutoscaling: true\n");
  const d = only(validate(text), "replicas-with-autoscaling");
  assert.equal(covered(text, d), "replicas");
  assert.match(String(d.message), /replicas cannot be set when autoscaling is enabled/);
});

test("autoscaling without replicas is fine", () => {
  assert.deepEqual(validate(app("  enableAutoscaling: true\n")), []);
});

test("replicas as a quoted string → type error on the value with 'remove the quotes'", () => {
  const text = app('  replicas: "2"\n');
  const d = only(validate(text), "type");
  assert.equal(covered(text, d), '"2"');
  assert.match(String(d.message), /must be an integer.*Remove the quotes/);
});

test("replicas beyond int32 → format error", () => {
  const text = app("  replicas: 3000000000\n");
  const d = only(validate(text), "format");
  assert.equal(covered(text, d), "3000000000");
  assert.match(String(d.message), /32-bit/);
});

test("resources quantity 32MB → quantity error with the 32Mi fix", () => {
  const text = app("  replicas: 1\n  resources:\n    limits:\n      memory: 32MB\n");
  const ds = validate(text);
  const d = only(ds, "quantity");
  assert.equal(covered(text, d), "32MB");
  assert.deepEqual(d.data, { replacement: "32Mi" });
  assert.equal(ds.length, 1, "the int-or-string anyOf collapses into one diagnostic");
});

test("invocationLimits.memory not a quantity → webhook message", () => {
  const text = app("  replicas: 1\n  invocationLimits:\n    memory: lots\n");
  const d = only(validate(text), "invocation-memory-invalid");
  assert.equal(covered(text, d), "lots");
  assert.match(String(d.message), /memory limit must be a valid memory quantity \(e\.g\. 128Mi, 1Gi\)/);
});

test("invocationLimits.memory above the memory limit → webhook message naming the limit", () => {
  const text = app("  replicas: 1\n  resources:\n    limits:\n      memory: 128Mi\n  invocationLimits:\n    memory: 1Gi\n");
  const d = only(validate(text), "invocation-memory-too-large");
  assert.equal(covered(text, d), "1Gi");
  assert.match(String(d.message), /cannot be greater than the memory limit \(128Mi\)/);
});

test("invocationLimits.memory compared with the request when only requests are set", () => {
  const text = app("  replicas: 1\n  resources:\n    requests:\n      memory: 64Mi\n  invocationLimits:\n    memory: 100M\n");
  assert.match(String(only(validate(text), "invocation-memory-too-large").message), /memory request \(64Mi\)/);
  assert.deepEqual(validate(text.replace("100M", "64Mi")), []);
});

test("YAML 1.1 boolean where a string is expected → quote fix", () => {
  const text = app("  replicas: 1\n  variables:\n  - name: debug\n    value: yes\n");
  const d = only(validate(text), "yaml11-scalar");
  assert.equal(covered(text, d), "yes");
  assert.deepEqual(d.data, { text: "yes" });
  assert.match(String(d.message), /boolean true/);
});

test("label values must be strings", () => {
  const text = app("  replicas: 1\n", "").replace("  name: hello\n", "  name: hello\n  labels:\n    version: 2\n");
  const d = only(validate(text), "yaml11-scalar");
  assert.equal(covered(text, d), "2");
});

test("components: [] → minItems message", () => {
  const text = app("  replicas: 1\n  components: []\n");
  assert.match(String(only(validate(text), "schema").message), /at least one component/);
});

test("metadata.name missing", () => {
  const text = app("  replicas: 1\n").replace("  name: hello\n", "  namespace: apps\n");
  const d = only(validate(text), "missing-name");
  assert.equal(covered(text, d), "metadata");
});

test("an unknown kind in the group", () => {
  const text = app("  replicas: 1\n").replace("kind: SpinApp", "kind: SpinApplication");
  assert.match(String(only(validate(text), "enum").message), /no kind "SpinApplication"/);
});

test("legacy group: exactly one warning on the apiVersion value, nothing else", () => {
  const text = app("  replica: 0\n").replace("core.spinkube.dev", "core.spinoperator.dev");
  const ds = validate(text);
  assert.equal(ds.length, 1);
  assert.equal(ds[0].code, "legacy-group");
  assert.equal(ds[0].severity, 2);
  assert.equal(covered(text, ds[0]), "core.spinoperator.dev/v1alpha1");
  assert.deepEqual(ds[0].data, { replacement: "core.spinkube.dev/v1alpha1" });
});

test("executor rules: runtimeClassName XOR spinImage", () => {
  const base = `apiVersion: core.spinkube.dev/v1alpha1
kind: SpinAppExecutor
metadata:
  name: shim
spec:
  createDeployment: true
  deploymentConfig:
`;
  const both = base + "    runtimeClassName: wasmtime-spin-v2\n    spinImage: ghcr.io/fermyon/spin:v2.7.0\n";
  const d1 = only(validate(both), "executor-runtime-exclusive");
  assert.equal(covered(both, d1), "runtimeClassName");
  assert.match(String(d1.message), /runtimeClassName and spinImage are mutually exclusive/);
  const neither = base + "    installDefaultCACerts: true\n";
  const d2 = only(validate(neither), "executor-runtime-missing");
  assert.equal(covered(neither, d2), "deploymentConfig");
  assert.match(String(d2.message), /either runtimeClassName or spinImage must be set/);
  assert.deepEqual(validate(base + "    runtimeClassName: wasmtime-spin-v2\n"), []);
});

test("executor createDeployment is required", () => {
  const text = "apiVersion: core.spinkube.dev/v1alpha1\nkind: SpinAppExecutor\nmetadata:\n  name: x\nspec: {}\n";
  assert.match(String(only(validate(text), "missing-field").message), /"createDeployment"/);
});

const executor = (name: string, ns: string | undefined, createDeployment = true) => `---
apiVersion: core.spinkube.dev/v1alpha1
kind: SpinAppExecutor
metadata:
  name: ${name}
${ns ? `  namespace: ${ns}\n` : ""}spec:
  createDeployment: ${createDeployment}
  deploymentConfig:
    runtimeClassName: wasmtime-spin-v2
`;

test("executor known in the same file and namespace → nothing", () => {
  assert.deepEqual(validate(app("  replicas: 1\n") + executor("containerd-shim-spin", undefined)), []);
});

test("executor misspelled while the workspace defines executors there → information with did-you-mean, never an error", () => {
  const text = app("  replicas: 1\n").replace("executor: containerd-shim-spin", "executor: containerd-shim-spn") + executor("containerd-shim-spin", undefined);
  const d = only(validate(text), "executor-not-found");
  assert.equal(d.severity, 3);
  assert.equal(covered(text, d), "containerd-shim-spn");
  assert.deepEqual((d.data as { suggestions: string[] }).suggestions, ["containerd-shim-spin"]);
});

test("executor only in another namespace → says executors are namespaced", () => {
  const text = app("  replicas: 1\n", "").replace("  name: hello\n", "  name: hello\n  namespace: apps\n") + executor("containerd-shim-spin", "other") + executor("spintainer", "apps");
  const d = only(validate(text), "executor-not-found");
  assert.match(String(d.message), /exists in namespace other/);
});

test("nothing in the workspace and no cluster → no executor diagnostic at all", () => {
  assert.equal(validate(app("  replicas: 1\n").replace("containerd-shim-spin", "my-executor")).length, 0);
});

test("with the cluster connected, an unknown executor is the webhook's error", () => {
  const text = app("  replicas: 1\n").replace("containerd-shim-spin", "cyclotron");
  const ds = validate(text, (s) =>
    s.knowledge.setCluster({ context: "kind-dev", executors: [{ namespace: "default", name: "containerd-shim-spin" }], runtimeClasses: [], secrets: [], configMaps: [] }),
  );
  const d = only(ds, "executor-not-found");
  assert.equal(d.severity, 1);
  assert.match(String(d.message), /executor does not exist in namespace/);
  assert.match(String(d.message), /kind-dev/);
  const ok = validate(app("  replicas: 1\n"), (s) =>
    s.knowledge.setCluster({ context: "kind-dev", executors: [{ namespace: "default", name: "containerd-shim-spin" }], runtimeClasses: [], secrets: [], configMaps: [] }),
  );
  assert.deepEqual(ok, []);
});

test("annotations with an executor that does not create deployments → errors on both keys", () => {
  const text = app("  replicas: 1\n  podAnnotations:\n    a: b\n  deploymentAnnotations:\n    c: d\n") + executor("containerd-shim-spin", undefined, false);
  const ds = validate(text).filter((d) => d.code === "annotations-without-deployment");
  assert.deepEqual(ds.map((d) => covered(text, d)).sort(), ["deploymentAnnotations", "podAnnotations"]);
  assert.match(String(ds[0].message), /can't be set when the executor does not use operator deployments/);
});

test("YAML syntax errors are reported where they are", () => {
  const tab = app("  replicas: 1\n").replace("  replicas: 1", "\treplicas: 1");
  const d1 = validate(tab).find((d) => d.code === "yaml-syntax")!;
  assert.ok(d1, "tab reported");
  assert.equal(d1.range.start.line, 7);
  assert.match(String(d1.message), /Tabs/);
  const dup = app("  replicas: 1\n  replicas: 2\n");
  const d2 = validate(dup).find((d) => d.code === "yaml-syntax")!;
  assert.equal(d2.range.start.line, 8);
  assert.match(String(d2.message), /Duplicate key/);
  const quote = app('  replicas: 1\n  serviceAccountName: "unclosed\n');
  assert.ok(validate(quote).some((d) => d.code === "yaml-syntax" && /quote/i.test(String(d.message))));
});

test("syntax errors can be left to Red Hat YAML", () => {
  const s = new SpinKubeService();
  s.configure({ validation: { enable: true, syntaxErrors: false } });
  const dup = app("  replicas: 1\n  replicas: 2\n");
  assert.equal(s.validateNow("file:///x.yaml", dup).filter((d) => d.code === "yaml-syntax").length, 0);
});

test("validation can be switched off", () => {
  const s = new SpinKubeService();
  s.configure({ validation: { enable: false, syntaxErrors: true } });
  assert.deepEqual(s.validateNow("file:///x.yaml", app("  replica: 1\n")), []);
});

test("multi-document files: only SpinKube documents are claimed; ranges are file-absolute", () => {
  const text = `apiVersion: v1
kind: Service
metadata:
  name: whatever
  bogus: field
spec:
  ports: [{ port: 80 }]
---
${app("  replica: 2\n")}---
apiVersion: apps/v1
kind: Deployment
metadata: { name: d }
spec: {}
`;
  const ds = validate(text);
  assert.equal(ds.length, 1);
  assert.equal(covered(text, ds[0]), "replica");
  assert.equal(ds[0].range.start.line, 15);
});

test("Helm templates produce nothing and do not crash", () => {
  const text = `apiVersion: core.spinkube.dev/v1alpha1
kind: SpinApp
metadata:
  name: {{ .Release.Name }}
spec:
  image: {{ .Values.image | quote }}
  {{- if .Values.autoscaling }}
  enableAutoscaling: true
  {{- end }}
`;
  assert.deepEqual(validate(text), []);
});
