/**
 * Hover content on real SpinApp / SpinAppExecutor fields: path, type, CRD description, default,
 * the admission-webhook rule with its exact message, the range it applies to; the legacy-group
 * explanation; nothing on other documents.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Hover } from "vscode-languageserver-types";
import { hover } from "../../../src/server/hover";
import { cursor } from "./editingHelpers";

function at(src: string): { text: string; h: Hover | null } {
  const { text, offset } = cursor(src);
  return { text, h: hover(text, offset) };
}

function md(src: string): string {
  const { h } = at(src);
  assert.ok(h, "expected a hover");
  return (h.contents as { value: string }).value;
}

const app = `apiVersion: core.spinkube.dev/v1alpha1
kind: SpinApp
metadata:
  name: hello
spec:
  image: "ghcr.io/spinkube/hello:v1"
  executor: containerd-shim-spin
  replicas: 2
  enableAutoscaling: false
  podAnnotations:
    dapr.io/enabled: "true"
  invocationLimits:
    memory: 64Mi
  resources:
    limits:
      memory: 128Mi
  checks:
    readiness:
      periodSeconds: 5
  components:
    - api
`;

function on(needle: string, delta = 1): string {
  const i = app.indexOf(needle);
  assert.ok(i >= 0, needle);
  return app.slice(0, i + delta) + "§" + app.slice(i + delta);
}

test("replicas: path, type, description and both webhook messages", () => {
  const m = md(on("replicas:"));
  assert.match(m, /`spec\.replicas`/);
  assert.match(m, /integer \(int32\)/);
  assert.match(m, /Number of replicas to run/);
  assert.match(m, /`vspinapp\.kb\.io`/);
  assert.match(m, /`replicas must be > 0`/);
  assert.match(m, /`replicas cannot be set when autoscaling is enabled`/);
  // the value shows the same field
  assert.equal(md(on("replicas: 2", 11)), m);
});

test("the hover range is the key under the cursor, in file lines", () => {
  const { text, h } = at(on("replicas:"));
  assert.ok(h?.range);
  const line = text.split("\n")[h.range.start.line];
  assert.equal(line.slice(h.range.start.character, h.range.end.character), "replicas");
});

test("enableAutoscaling shows its default and the replicas rule", () => {
  const m = md(on("enableAutoscaling"));
  assert.match(m, /Default: `false`/);
  assert.match(m, /boolean/);
  assert.match(m, /replicas cannot be set when autoscaling is enabled/);
});

test("executor: defaulting and the namespace rule", () => {
  const m = md(on("executor:"));
  assert.match(m, /executor must be set, likely no default executor was set because you have no executors installed/);
  assert.match(m, /`executor does not exist in namespace`/);
  assert.match(m, /alphabetically first/);
});

test("podAnnotations, invocationLimits.memory, a map entry and a sequence item", () => {
  assert.match(md(on("podAnnotations")), /`podAnnotations can't be set when the executor does not use operator deployments`/);
  assert.match(md(on("podAnnotations")), /map of string/);
  const mem = md(on("memory: 64Mi"));
  assert.match(mem, /`spec\.invocationLimits\.memory`/);
  assert.match(mem, /`memory limit must be a valid memory quantity \(e\.g\. 128Mi, 1Gi\)`/);
  assert.match(mem, /cannot be greater than the memory limit/);
  // a resources map entry borrows the map's description
  const lim = md(on("memory: 128Mi"));
  assert.match(lim, /`spec\.resources\.limits\.memory`/);
  assert.match(lim, /Limits describes the maximum amount of compute resources allowed/);
  assert.doesNotMatch(lim, /Admission webhook/);
  // probes: default
  assert.match(md(on("periodSeconds")), /Default: `10`/);
  // a sequence item
  assert.match(md(on("- api", 3)), /`spec\.components\[0\]`/);
});

test("SpinAppExecutor runtimeClassName and spinImage: the XOR rule", () => {
  const ex = `apiVersion: core.spinkube.dev/v1alpha1
kind: SpinAppExecutor
metadata:
  name: shim
spec:
  createDeployment: true
  deploymentConfig:
    runtimeClass§Name: wasmtime-spin-v2
`;
  const m = md(ex);
  assert.match(m, /`vspinappexecutor\.kb\.io`/);
  assert.match(m, /`runtimeClassName and spinImage are mutually exclusive`/);
  assert.match(m, /`either runtimeClassName or spinImage must be set`/);
  assert.match(md(ex.replace("runtimeClass§Name", "runtimeClassName").replace("createDeployment", "createDeploy§ment")), /Required|CreateDeployment specifies/);
});

test("legacy apiVersion explains the rename; other legacy fields get nothing", () => {
  const legacy = "apiVersion: core.spin§operator.dev/v1alpha1\nkind: SpinAppExecutor\nmetadata:\n  name: x\nspec:\n  createDeployment: true\n";
  const m = md(legacy);
  assert.match(m, /spin-operator v0\.4\.0/);
  assert.match(m, /core\.spinkube\.dev/);
  assert.match(m, /no matches for kind "SpinAppExecutor" in version "core\.spinoperator\.dev\/v1alpha1"/);
  assert.equal(at(legacy.replace("core.spin§operator", "core.spinoperator").replace("createDeployment", "create§Deployment")).h, null);
});

test("nothing on other documents, unknown fields or blank space", () => {
  assert.equal(at("apiVersion: apps/v1\nkind: Deployment\nspec:\n  repl§icas: 1\n").h, null);
  assert.equal(at(app.replace("  name: hello\n", "  name: hello\n  bog§us: 1\n")).h, null);
  assert.equal(at(app.replace("spec:\n", "spec:\n§\n")).h, null);
});

test("a middle document of a multi-document file", () => {
  const file = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n---\n${on("replicas:")}---\napiVersion: v1\nkind: Secret\n`;
  const { text, h } = at(file);
  assert.ok(h?.range);
  assert.equal(text.split("\n")[h.range.start.line].trim(), "replicas: 2");
});
