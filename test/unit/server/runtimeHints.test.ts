/**
 * Runtime hints while editing (issue 6, editing part): runtimeClassName placement, Wasm workloads
 * without a Wasm runtime, unknown classes, Wasm containers in mixed pods, RuntimeClass handlers.
 * The no-false-alarm half runs over the real workloads and RuntimeClasses of the corpus.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import type { Diagnostic } from "vscode-languageserver-types";
import { SpinKubeService } from "../../../src/server/service";
import { imageRepository, runtimeClassExplanation } from "../../../src/server/runtimeHints";
import { corpusDir } from "../../helpers/paths";

function check(text: string, setup?: (s: SpinKubeService) => void): Diagnostic[] {
  const s = new SpinKubeService();
  setup?.(s);
  return s.validateNow("file:///w.yaml", text);
}
const covered = (text: string, d: Diagnostic) => text.split("\n")[d.range.start.line].slice(d.range.start.character, d.range.end.character);
const codes = (ds: Diagnostic[]) => ds.map((d) => d.code);

const spinApp = `apiVersion: core.spinkube.dev/v1alpha1
kind: SpinApp
metadata:
  name: hello
spec:
  image: ghcr.io/acme/hello:v1
  executor: containerd-shim-spin
  replicas: 1
`;

const deployment = (podSpec: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
spec:
  selector:
    matchLabels: { app: hello }
  template:
    metadata:
      labels: { app: hello }
    spec:
${podSpec}`;

test("runtimeClassName under a container → error on the key, with the move data", () => {
  const text = deployment(`      containers:
        - name: hello
          image: ghcr.io/acme/hello:v1
          command: ["/"]
          runtimeClassName: wasmtime-spin-v2
`);
  const ds = check(text);
  assert.deepEqual(codes(ds), ["runtime-class-in-container"]);
  assert.equal(ds[0].severity, 1);
  assert.equal(covered(text, ds[0]), "runtimeClassName");
  assert.match(String(ds[0].message), /pod-level field.*spec\.template\.spec\.runtimeClassName/);
  assert.deepEqual(ds[0].data, { podSpecPath: ["spec", "template", "spec"], value: "wasmtime-spin-v2" });
});

test('command: ["/"] without any runtimeClassName → warning that says why it looks like Wasm', () => {
  const text = deployment(`      containers:
        - name: hello
          image: ghcr.io/acme/anything:v1
          command: ["/"]
`);
  const ds = check(text);
  assert.deepEqual(codes(ds), ["wasm-without-runtime-class"]);
  assert.equal(ds[0].severity, 2);
  assert.equal(covered(text, ds[0]), "ghcr.io/acme/anything:v1");
  assert.match(String(ds[0].message), /command is \["\/"\]/);
  assert.deepEqual(ds[0].data, { podSpecPath: ["spec", "template", "spec"], runtimeClassName: "wasmtime-spin-v2" });
});

test("an image a SpinApp in the workspace runs, in a raw Deployment without runtimeClassName → warning naming the SpinApp", () => {
  const text = `${spinApp}---\n${deployment(`      containers:
        - name: web
          image: ghcr.io/acme/hello@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
`)}`;
  const ds = check(text);
  const d = ds.find((x) => x.code === "wasm-without-runtime-class")!;
  assert.ok(d, JSON.stringify(ds));
  assert.match(String(d.message), /Spin app \(its image .* is the Spin app run by SpinApp "hello"/);
});

test("the suggested class is the workspace's Spin RuntimeClass when it has one", () => {
  const text = `apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata:
  name: spin-rcm
handler: spin-v2
---
${deployment(`      containers:
        - name: hello
          image: x
          command: ["/"]
`)}`;
  const d = check(text).find((x) => x.code === "wasm-without-runtime-class")!;
  assert.equal((d.data as { runtimeClassName: string }).runtimeClassName, "spin-rcm");
});

test("a Spin image under a non-Spin class (gVisor) → warning; under a Spin class → nothing", () => {
  const bad = `${spinApp}---\n${deployment(`      runtimeClassName: gvisor
      containers:
        - name: web
          image: ghcr.io/acme/hello:v2
`)}`;
  assert.match(String(check(bad).find((x) => x.code === "wasm-without-runtime-class")!.message), /runtimeClassName gvisor, which is not a Spin runtime/);
  const good = bad.replace("gvisor", "wasmtime-spin-v2");
  assert.deepEqual(codes(check(good)), []);
});

test("ordinary workloads get nothing", () => {
  assert.deepEqual(check(deployment(`      containers:\n        - name: nginx\n          image: nginx:1.27\n          livenessProbe:\n            exec:\n              command: [cat, /tmp/ok]\n`)), []);
});

test("mixed pod under the Spin shim: exec probes and shell commands on the Wasm container are flagged, the Linux sidecar is not", () => {
  const text = `apiVersion: v1
kind: Pod
metadata:
  name: mixed
spec:
  runtimeClassName: wasmtime-spin-v2
  containers:
    - name: redis
      image: redis:7
      command: ["sh", "-c", "redis-server"]
      livenessProbe:
        exec:
          command: [redis-cli, ping]
    - name: app
      image: ghcr.io/acme/app:v1
      command: ["/"]
      readinessProbe:
        exec:
          command: [cat, /ready]
`;
  const ds = check(text);
  assert.deepEqual(codes(ds), ["wasm-exec-probe"]);
  assert.equal(ds[0].range.start.line, 17);
  assert.match(String(ds[0].message), /readinessProbe uses exec.*"app".*httpGet/);
  const shell = text.replace('      command: ["/"]\n', '      command: ["/bin/sh", "-c", "spin up"]\n').replace("ghcr.io/acme/app:v1", "ghcr.io/acme/hello:v1");
  assert.ok(codes(check(`${spinApp}---\n${shell}`)).includes("wasm-shell-command"));
});

test("two Spin containers on the default port in one pod → port clash warning; distinct SPIN_HTTP_LISTEN_ADDR → nothing", () => {
  const pod = (env: string) => `apiVersion: v1
kind: Pod
metadata:
  name: two
spec:
  runtimeClassName: wasmtime-spin-v2
  containers:
    - name: a
      image: ghcr.io/acme/a:v1
      command: ["/"]
    - name: b
      image: ghcr.io/acme/b:v1
      command: ["/"]
${env}`;
  const ds = check(pod(""));
  assert.deepEqual(codes(ds), ["wasm-port-clash"]);
  assert.match(String(ds[0].message), /0\.0\.0\.0:80/);
  assert.deepEqual(codes(check(pod("      env:\n        - name: SPIN_HTTP_LISTEN_ADDR\n          value: 0.0.0.0:8080\n"))), []);
});

test("unknown runtimeClassName: warning with did-you-mean against the connected cluster; silent without one", () => {
  const pod = (rc: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  runtimeClassName: ${rc}\n  containers:\n    - name: a\n      image: x\n      command: ["/"]\n`;
  assert.deepEqual(codes(check(pod("wasmtime-spin-v3"))), []);
  const withCluster = (s: SpinKubeService) =>
    s.knowledge.setCluster({ context: "kind-spin", executors: [], runtimeClasses: [{ name: "wasmtime-spin-v2", handler: "spin" }], secrets: [], configMaps: [] });
  const ds = check(pod("wasmtime-spin-v3"), withCluster);
  assert.deepEqual(codes(ds), ["unknown-runtime-class"]);
  assert.match(String(ds[0].message), /cluster context kind-spin.*Did you mean "wasmtime-spin-v2"/);
  assert.deepEqual(codes(check(pod("wasmtime-spin-v2"), withCluster)), []);
});

test("a SpinAppExecutor's runtimeClassName is checked against the cluster's and workspace's classes too", () => {
  const text = `apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata:
  name: wasmtime-spin-v2
handler: spin
---
apiVersion: core.spinkube.dev/v1alpha1
kind: SpinAppExecutor
metadata:
  name: containerd-shim-spin
spec:
  createDeployment: true
  deploymentConfig:
    runtimeClassName: wasmtime-spn-v2
`;
  assert.deepEqual(codes(check(text)), [], "without a cluster nobody can tell");
  const ds = check(text, (s) => s.knowledge.setCluster({ context: "c", executors: [], runtimeClasses: [], secrets: [], configMaps: [] }));
  assert.deepEqual(codes(ds), ["unknown-runtime-class"]);
  assert.equal(covered(text, ds[0]), "wasmtime-spn-v2");
});

test("RuntimeClass handler hint: Spin-looking class with a handler the shim never registers", () => {
  const rc = (handler: string, name = "wasmtime-spin-v2") => `apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: ${name}\nhandler: ${handler}\n`;
  const ds = check(rc("spin-v1"));
  assert.deepEqual(codes(ds), ["runtime-class-handler"]);
  assert.equal(ds[0].severity, 4);
  assert.match(String(ds[0].message), /"spin".*"spin-v2".*no runtime for "spin-v1" is configured/);
  assert.deepEqual(codes(check(rc("spin"))), []);
  assert.deepEqual(codes(check(rc("spin-v2"))), []);
  assert.deepEqual(codes(check(rc("runsc", "gvisor"))), []);
});

test("hover text explains the legacy and current class names", () => {
  const s = new SpinKubeService();
  assert.match(runtimeClassExplanation("wasmtime-spin-v1", s.knowledge)!, /legacy.*v1 shim/);
  assert.match(runtimeClassExplanation("wasmtime-spin-v2", s.knowledge)!, /handler `spin`.*`spin-v2`/);
  assert.match(runtimeClassExplanation("wasmtime-spin", s.knowledge)!, /own demos and tests/);
  assert.equal(runtimeClassExplanation("gvisor", s.knowledge), undefined);
});

test("image references compare by repository", () => {
  assert.equal(imageRepository("ghcr.io/a/b:v1"), "ghcr.io/a/b");
  assert.equal(imageRepository("ghcr.io/a/b@sha256:abc"), "ghcr.io/a/b");
  assert.equal(imageRepository("localhost:5000/app:1"), "localhost:5000/app");
  assert.equal(imageRepository("redis"), "docker.io/library/redis");
  assert.equal(imageRepository("acme/app:2"), "docker.io/acme/app");
});

test("no false alarm on the corpus's real Wasm workloads and RuntimeClasses (each repository's files together)", () => {
  const dirs = ["wasm-workload", "runtimeclass"].map((d) => path.join(corpusDir, "real", d));
  const files = dirs.flatMap((d) => readdirSync(d).map((f) => path.join(d, f)));
  assert.ok(files.length >= 40);
  const byRepo = new Map<string, string[]>();
  for (const f of files) {
    const repo = path.basename(f).split("__").slice(0, 2).join("__");
    byRepo.set(repo, [...(byRepo.get(repo) ?? []), f]);
  }
  for (const group of byRepo.values()) {
    const s = new SpinKubeService();
    for (const f of group) s.indexFile(`file://${f}`, readFileSync(f, "utf8"));
    for (const f of group) {
      const ds = s.validateNow(`file://${f}`, readFileSync(f, "utf8"));
      assert.deepEqual(ds.map((d) => String(d.message)), [], path.basename(f));
    }
  }
});
