/**
 * Quick fixes end to end: real diagnostics from the language service, each fix applied to the text,
 * the result re-parsed and compared as values, comments and untouched lines preserved, and the
 * diagnostic gone when the file is validated again.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { CodeAction, Diagnostic } from "vscode-languageserver-types";
import { codeActions } from "../../../src/server/codeActions";
import { Codes } from "../../../src/server/diagnosticCodes";
import { SpinKubeService } from "../../../src/server/service";
import { applyAction, parseAll } from "./editingHelpers";

const URI = "file:///fix.yaml";

function service(): SpinKubeService {
  const s = new SpinKubeService();
  s.indexFile(
    "file:///executors.yaml",
    "apiVersion: core.spinkube.dev/v1alpha1\nkind: SpinAppExecutor\nmetadata:\n  name: containerd-shim-spin\nspec:\n  createDeployment: true\n  deploymentConfig:\n    runtimeClassName: wasmtime-spin-v2\n",
  );
  return s;
}

/** The diagnostic with `code`, its quick fixes, and the text after applying the fix titled like `title`. */
function fix(text: string, code: string, title?: RegExp, message?: RegExp): { diag: Diagnostic; actions: CodeAction[]; fixed: string } {
  const diags = service().validateNow(URI, text);
  const diag = diags.find((d) => d.code === code && (!message || message.test(String(d.message))));
  assert.ok(diag, `no ${code} diagnostic in ${JSON.stringify(diags.map((d) => [d.code, d.message]))}`);
  const actions = codeActions(URI, text, [diag]);
  const action = title ? actions.find((a) => title.test(a.title)) : actions.find((a) => a.isPreferred);
  assert.ok(action, `no fix ${title ?? "(preferred)"} among ${JSON.stringify(actions.map((a) => a.title))}`);
  assert.deepEqual(action.diagnostics, [diag]);
  assert.equal(action.kind, "quickfix");
  const fixed = applyAction(text, action);
  const after = service().validateNow(URI, fixed);
  assert.ok(!after.some((d) => d.code === code && d.message === diag.message), `${code} still reported after "${action.title}":\n${fixed}`);
  return { diag, actions, fixed };
}

/** Lines of `a` missing from `b` and lines of `b` missing from `a` (as multisets, order kept). */
function lineDiff(a: string, b: string): { removed: string[]; added: string[] } {
  const left = a.split("\n");
  const right = b.split("\n");
  const removed = left.filter((l) => {
    const i = right.indexOf(l);
    if (i < 0) return true;
    right.splice(i, 1);
    return false;
  });
  return { removed, added: right };
}

const app = (spec: string, meta = "") => `# my app
apiVersion: core.spinkube.dev/v1alpha1
kind: SpinApp
metadata:
  name: hello # the name
${meta}spec:
${spec}`;

type Spec = { spec: Record<string, unknown> };

test("unknown-field: did-you-mean replaces only the key, first suggestion preferred", () => {
  const text = app("  image: ghcr.io/a/b:1 # image\n  executor: containerd-shim-spin\n  replica: 2 # two\n");
  const { actions, fixed } = fix(text, Codes.unknownField);
  assert.equal(actions[0].title, "Change 'replica' to 'replicas'");
  assert.equal(actions[0].isPreferred, true);
  assert.deepEqual((parseAll(fixed)[0] as Spec).spec, { image: "ghcr.io/a/b:1", executor: "containerd-shim-spin", replicas: 2 });
  assert.deepEqual(lineDiff(text, fixed), { removed: ["  replica: 2 # two"], added: ["  replicas: 2 # two"] });
});

test("unknown-field in a nested object and a sequence item", () => {
  const text = app(
    "  image: x\n  executor: containerd-shim-spin\n  replicas: 1\n  variables:\n    - name: a\n      valu: b\n  checks:\n    readiness:\n      periodSecond: 3\n",
  );
  const first = fix(text, Codes.unknownField);
  const second = fix(first.fixed, Codes.unknownField);
  const spec = (parseAll(second.fixed)[0] as Spec).spec;
  assert.deepEqual(spec.variables, [{ name: "a", value: "b" }]);
  assert.deepEqual(spec.checks, { readiness: { periodSeconds: 3 } });
});

test("legacy-group: rewrites only the apiVersion value; the all-documents fix rewrites each", () => {
  const legacyApp = `# keep me
apiVersion: "core.spinoperator.dev/v1alpha1" # old
kind: SpinApp
metadata:
  name: old
  labels:
    core.spinoperator.dev/app-name: old
spec:
  image: x
  executor: containerd-shim-spin
  replicas: 1
`;
  const legacyExec = "apiVersion: core.spinoperator.dev/v1alpha1\nkind: SpinAppExecutor\nmetadata:\n  name: e\nspec:\n  createDeployment: true\n";
  const text = `${legacyApp}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: core.spinoperator.dev\n---\n${legacyExec}`;
  const { actions, fixed } = fix(text, Codes.legacyGroup, /^Change apiVersion to core\.spinkube\.dev\/v1alpha1$/);
  assert.deepEqual(lineDiff(text, fixed), {
    removed: ['apiVersion: "core.spinoperator.dev/v1alpha1" # old'],
    added: ['apiVersion: "core.spinkube.dev/v1alpha1" # old'],
  });
  const all = actions.find((a) => /all 2 documents/.test(a.title));
  assert.ok(all, JSON.stringify(actions.map((a) => a.title)));
  const both = applyAction(text, all);
  const docs = parseAll(both) as { apiVersion: string; metadata: { name: string; labels?: unknown } }[];
  assert.deepEqual(docs.map((d) => d.apiVersion), ["core.spinkube.dev/v1alpha1", "v1", "core.spinkube.dev/v1alpha1"]);
  assert.equal(docs[1].metadata.name, "core.spinoperator.dev", "other documents are untouched");
  assert.deepEqual(docs[0].metadata.labels, { "core.spinoperator.dev/app-name": "old" }, "labels are not the apiVersion");
  assert.ok(both.startsWith("# keep me\n"));
});

test("quantity: 32MB becomes 32Mi, quoting kept", () => {
  const text = app('  image: x\n  executor: containerd-shim-spin\n  replicas: 1\n  resources:\n    limits:\n      memory: 32MB\n      cpu: "1 "\n');
  const { fixed } = fix(text, Codes.quantity);
  const limits = ((parseAll(fixed)[0] as Spec).spec.resources as { limits: Record<string, unknown> }).limits;
  assert.equal(limits.memory, "32Mi");
  const quoted = app('  image: x\n  executor: containerd-shim-spin\n  replicas: 1\n  resources:\n    requests:\n      memory: "1.5GiB"\n');
  const q = fix(quoted, Codes.quantity).fixed;
  assert.match(q, /memory: "1\.5Gi"/);
});

test("missing-field: a required key is added under its parent at the parent's indentation", () => {
  const text = app("  executor: containerd-shim-spin # shim\n  replicas: 1\n  checks:\n    readiness:\n      httpGet:\n        httpHeaders: []\n");
  const image = fix(text, Codes.missingField, /Add 'image: ""'/);
  const spec = (parseAll(image.fixed)[0] as Spec).spec;
  assert.equal(spec.image, "");
  assert.ok(image.fixed.includes("  executor: containerd-shim-spin # shim\n"), "comments stay");
  const path = fix(text, Codes.missingField, /^Add 'path: \/'$/, /path/);
  assert.deepEqual(((parseAll(path.fixed)[0] as Spec).spec.checks as Record<string, unknown>).readiness, { httpGet: { httpHeaders: [], path: "/" } });
});

test("missing-field in a flow mapping and in a sequence item", () => {
  const flow = app("  image: x\n  executor: containerd-shim-spin\n  replicas: 1\n  checks:\n    liveness:\n      httpGet: {}\n");
  const f = fix(flow, Codes.missingField);
  assert.deepEqual(((parseAll(f.fixed)[0] as Spec).spec.checks as Record<string, unknown>).liveness, { httpGet: { path: "/" } });
  const seq = app("  image: x\n  executor: containerd-shim-spin\n  replicas: 1\n  volumeMounts:\n    - name: data\n      readOnly: true\n");
  const s = fix(seq, Codes.missingField);
  assert.deepEqual((parseAll(s.fixed)[0] as Spec).spec.volumeMounts, [{ name: "data", readOnly: true, mountPath: "" }]);
});

test("executor-missing and replicas-min: the field is inserted with a working value", () => {
  const text = app("  image: x\n");
  const exec = fix(text, Codes.executorMissing);
  assert.equal((parseAll(exec.fixed)[0] as Spec).spec.executor, "containerd-shim-spin");
  const rep = fix(text, Codes.replicasMin);
  assert.equal((parseAll(rep.fixed)[0] as Spec).spec.replicas, 1);
});

test("yaml11-scalar: yes is quoted as a string", () => {
  const text = app('  image: x\n  executor: containerd-shim-spin\n  replicas: 1\n  podAnnotations:\n    dapr.io/enabled: yes # on\n    dapr.io/app-id: "a"\n');
  const { fixed } = fix(text, Codes.yaml11Scalar);
  assert.deepEqual((parseAll(fixed)[0] as Spec).spec.podAnnotations, { "dapr.io/enabled": "yes", "dapr.io/app-id": "a" });
  assert.ok(fixed.includes('dapr.io/enabled: "yes" # on'));
});

test("executor-not-found: the executor name is replaced with a known one", () => {
  const text = app("  image: x\n  executor: containerd-shim-spn\n  replicas: 1\n");
  const { actions, fixed } = fix(text, Codes.executorNotFound);
  assert.equal(actions[0].title, "Change executor to 'containerd-shim-spin'");
  assert.equal((parseAll(fixed)[0] as Spec).spec.executor, "containerd-shim-spin");
});

test("webhook conflicts: replicas with autoscaling, runtimeClassName with spinImage, neither", () => {
  const auto = app("  image: x\n  executor: containerd-shim-spin\n  enableAutoscaling: true\n  replicas: 3 # three\n  resources: {}\n");
  const a = fix(auto, Codes.replicasWithAutoscaling);
  assert.deepEqual((parseAll(a.fixed)[0] as Spec).spec, { image: "x", executor: "containerd-shim-spin", enableAutoscaling: true, resources: {} });

  const ex = (dc: string) => `apiVersion: core.spinkube.dev/v1alpha1\nkind: SpinAppExecutor\nmetadata:\n  name: e\nspec:\n  createDeployment: true\n  deploymentConfig:\n${dc}`;
  const both = ex("    runtimeClassName: wasmtime-spin-v2\n    spinImage: ghcr.io/fermyon/spin:v2.7.0\n    installDefaultCACerts: true\n");
  const keepShim = fix(both, Codes.executorRuntimeExclusive, /Remove spinImage/);
  assert.deepEqual((parseAll(keepShim.fixed)[0] as Spec).spec.deploymentConfig, { runtimeClassName: "wasmtime-spin-v2", installDefaultCACerts: true });
  const keepSpintainer = fix(both, Codes.executorRuntimeExclusive, /Remove runtimeClassName/);
  assert.deepEqual((parseAll(keepSpintainer.fixed)[0] as Spec).spec.deploymentConfig, { spinImage: "ghcr.io/fermyon/spin:v2.7.0", installDefaultCACerts: true });

  const none = fix(ex("    installDefaultCACerts: true\n"), Codes.executorRuntimeMissing);
  assert.deepEqual((parseAll(none.fixed)[0] as Spec).spec.deploymentConfig, { installDefaultCACerts: true, runtimeClassName: "wasmtime-spin-v2" });
});

test("runtime hints: runtimeClassName moved from a container to the pod, or added to the pod", () => {
  const misplaced = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: app
      image: ghcr.io/a/app:1
      command: ["/"]
      runtimeClassName: wasmtime-spin-v2
`;
  const moved = fix(misplaced, Codes.runtimeClassInContainer);
  const pod = parseAll(moved.fixed)[0] as { spec: { runtimeClassName: string; containers: Record<string, unknown>[] } };
  assert.equal(pod.spec.runtimeClassName, "wasmtime-spin-v2");
  assert.deepEqual(pod.spec.containers, [{ name: "app", image: "ghcr.io/a/app:1", command: ["/"] }]);

  const missing = misplaced.replace("      runtimeClassName: wasmtime-spin-v2\n", "");
  const added = fix(missing, Codes.wasmWithoutRuntimeClass);
  assert.equal((parseAll(added.fixed)[0] as { spec: { runtimeClassName: string } }).spec.runtimeClassName, "wasmtime-spin-v2");
});

test("diagnostics without fix data give no action, and foreign codes are ignored", () => {
  const text = app("  image: x\n  executor: containerd-shim-spin\n  replicas: 1\n");
  const d: Diagnostic = { range: { start: { line: 7, character: 2 }, end: { line: 7, character: 9 } }, message: "m", code: Codes.unknownField };
  assert.deepEqual(codeActions(URI, text, [d]), []);
  assert.deepEqual(codeActions(URI, text, [{ ...d, code: "something-else", data: { suggestions: ["x"] } }]), []);
});

test("executor-missing offers the executors the workspace has in the app's namespace", () => {
  const s = new SpinKubeService();
  s.indexFile(
    "file:///ex.yaml",
    ["alpha", "beta"]
      .map((n) => `apiVersion: core.spinkube.dev/v1alpha1\nkind: SpinAppExecutor\nmetadata:\n  name: ${n}\n  namespace: apps\nspec:\n  createDeployment: true\n  deploymentConfig:\n    runtimeClassName: wasmtime-spin-v2\n`)
      .join("---\n"),
  );
  const text = app("  image: ghcr.io/acme/hello:v1\n  replicas: 1\n", "  namespace: apps\n");
  const diag = s.validateNow(URI, text).find((d) => d.code === Codes.executorMissing)!;
  assert.ok(diag);
  const actions = s.codeActions(URI, text, [diag]);
  assert.deepEqual(actions.map((a) => a.title), ["Add 'executor: alpha'", "Add 'executor: beta'"]);
  assert.equal(actions[0].isPreferred, true);
  const fixed = applyAction(text, actions[1]);
  assert.equal((parseAll(fixed)[0] as { spec: { executor: string } }).spec.executor, "beta");
});
