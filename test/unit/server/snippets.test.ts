/**
 * The snippets in snippets/spinkube.code-snippets, expanded with their placeholder defaults: every
 * document parses; every SpinApp/SpinAppExecutor passes the CRD schema (no unknown or missing
 * fields) and the operator's webhook rules; the autoscaler, executor and RuntimeClass snippets
 * match the upstream samples and scaffold golden files they are modelled on; and the language
 * service reports no error or warning on any of them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { DiagnosticSeverity } from "vscode-languageserver-types";
import { schemaRegistry } from "../../../src/server/schemas";
import { SpinKubeService } from "../../../src/server/service";
import { API_VERSION, KIND_EXECUTOR, KIND_SPINAPP, SPIN_HANDLERS, isSpinKind } from "../../../src/shared/spinApp";
import { repoRoot, spinkubeDataDir } from "../../helpers/paths";
import { expandSnippet, parseAll } from "./editingHelpers";

interface Snippet {
  scope?: string;
  prefix: string | string[];
  description?: string;
  body: string | string[];
}

type Obj = Record<string, unknown>;

const snippets = JSON.parse(readFileSync(path.join(repoRoot, "snippets", "spinkube.code-snippets"), "utf8")) as Record<string, Snippet>;

function expand(name: string): string {
  const s = snippets[name];
  assert.ok(s, `no snippet "${name}"`);
  return expandSnippet(Array.isArray(s.body) ? s.body.join("\n") : s.body);
}

function docs(name: string): Obj[] {
  return parseAll(expand(name)) as Obj[];
}

function byKind(ds: Obj[], kind: string): Obj {
  const d = ds.find((x) => x.kind === kind);
  assert.ok(d, `no ${kind}`);
  return d;
}

/** Upstream file from ../shared/spinkube without its provenance comment, or undefined when absent. */
function upstream(rel: string): Obj[] | undefined {
  const file = path.join(spinkubeDataDir, rel);
  if (!existsSync(file)) return undefined;
  return parseAll(readFileSync(file, "utf8")) as Obj[];
}

test("the snippet set: prefixes, scope, descriptions", () => {
  const names = Object.keys(snippets);
  assert.deepEqual(names, [
    "SpinApp",
    "SpinApp with resources",
    "SpinApp with HPA autoscaling",
    "SpinApp with KEDA autoscaling",
    "SpinApp variables from a Secret and a ConfigMap",
    "SpinApp runtime config from a Secret",
    "SpinAppExecutor for the containerd shim",
    "SpinAppExecutor spintainer",
    "RuntimeClass for the Spin shim",
    "Pod with a Spin app next to a Linux container",
  ]);
  const seen = new Set<string>();
  for (const [name, s] of Object.entries(snippets)) {
    assert.equal(s.scope, "yaml", name);
    assert.ok(s.description && s.description.length > 20, name);
    for (const p of Array.isArray(s.prefix) ? s.prefix : [s.prefix]) {
      assert.match(p, /^(spinkube-|spinapp)/, `${name}: prefix ${p}`);
      assert.ok(!seen.has(p), `duplicate prefix ${p}`);
      seen.add(p);
    }
  }
});

test("every SpinApp and SpinAppExecutor passes the CRD schema and the webhook rules", () => {
  let checked = 0;
  for (const name of Object.keys(snippets)) {
    for (const d of docs(name)) {
      if (!isSpinKind(d.kind)) continue;
      checked++;
      assert.equal(d.apiVersion, API_VERSION, name);
      const validate = schemaRegistry().validator(d.kind);
      assert.ok(validate(d), `${name}: ${JSON.stringify(validate.errors)}`);
      const spec = d.spec as Obj;
      if (d.kind === KIND_SPINAPP) {
        assert.ok(typeof spec.executor === "string" && spec.executor, `${name}: executor set`);
        if (spec.enableAutoscaling === true) assert.equal(spec.replicas, undefined, `${name}: no replicas with autoscaling`);
        else assert.ok(typeof spec.replicas === "number" && spec.replicas >= 1, `${name}: replicas ≥ 1`);
      } else {
        const dc = spec.deploymentConfig as Obj;
        assert.equal(spec.createDeployment, true, name);
        assert.ok(("runtimeClassName" in dc) !== ("spinImage" in dc), `${name}: runtimeClassName XOR spinImage`);
      }
    }
  }
  assert.equal(checked, 8);
});

test("the language service reports no error or warning on any snippet", () => {
  const s = new SpinKubeService();
  s.indexFile("file:///executors.yaml", expand("SpinAppExecutor for the containerd shim"));
  s.indexFile("file:///runtimeclass.yaml", expand("RuntimeClass for the Spin shim"));
  for (const name of Object.keys(snippets)) {
    const bad = s.validateNow(`file:///${encodeURIComponent(name)}.yaml`, expand(name)).filter((d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning);
    assert.deepEqual(bad.map((d) => d.message), [], name);
  }
});

test("HPA autoscaling targets the SpinApp's Deployment like the scaffold golden file", () => {
  const ds = docs("SpinApp with HPA autoscaling");
  const app = byKind(ds, KIND_SPINAPP);
  const hpa = byKind(ds, "HorizontalPodAutoscaler");
  const name = (app.metadata as Obj).name;
  assert.equal(hpa.apiVersion, "autoscaling/v2");
  assert.deepEqual((hpa.spec as Obj).scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name });
  assert.ok(((app.spec as Obj).resources as Obj).limits, "HPA utilization needs resources");
  const golden = upstream("spin-plugin-kube/scaffold-testdata/hpa_autoscaler.yml");
  if (golden) {
    const renamed = parseAll(expand("SpinApp with HPA autoscaling").replace(/my-app/g, "example-app")) as Obj[];
    assert.deepEqual(byKind(renamed, "HorizontalPodAutoscaler"), byKind(golden, "HorizontalPodAutoscaler"));
    const { image: _a, ...spec } = byKind(renamed, KIND_SPINAPP).spec as Obj;
    const { image: _b, ...goldenSpec } = byKind(golden, KIND_SPINAPP).spec as Obj;
    assert.deepEqual(spec, goldenSpec);
  }
});

test("KEDA autoscaling: a ScaledObject on the SpinApp's Deployment like the scaffold golden file", () => {
  const ds = docs("SpinApp with KEDA autoscaling");
  const app = byKind(ds, KIND_SPINAPP);
  const so = byKind(ds, "ScaledObject");
  assert.equal(so.apiVersion, "keda.sh/v1alpha1");
  assert.deepEqual((so.spec as Obj).scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name: (app.metadata as Obj).name });
  const golden = upstream("spin-plugin-kube/scaffold-testdata/keda_autoscaler.yml");
  if (golden) {
    const renamed = parseAll(expand("SpinApp with KEDA autoscaling").replace(/my-app/g, "example-app")) as Obj[];
    assert.deepEqual(byKind(renamed, "ScaledObject"), byKind(golden, "ScaledObject"));
  }
});

test("variables come from a literal, a ConfigMap key and a Secret key", () => {
  const vars = ((byKind(docs("SpinApp variables from a Secret and a ConfigMap"), KIND_SPINAPP).spec as Obj).variables as Obj[]);
  assert.equal(vars.length, 3);
  assert.ok(vars.some((v) => typeof v.value === "string"));
  assert.ok(vars.some((v) => ((v.valueFrom as Obj | undefined)?.configMapKeyRef as Obj | undefined)?.key));
  assert.ok(vars.some((v) => ((v.valueFrom as Obj | undefined)?.secretKeyRef as Obj | undefined)?.key));
});

test("runtime config: loadFromSecret names the Secret holding runtime-config.toml", () => {
  const ds = docs("SpinApp runtime config from a Secret");
  const rc = (byKind(ds, KIND_SPINAPP).spec as Obj).runtimeConfig as Obj;
  assert.deepEqual(Object.keys(rc), ["loadFromSecret"]);
  const secret = byKind(ds, "Secret");
  assert.equal((secret.metadata as Obj).name, rc.loadFromSecret);
  const toml = (secret.stringData as Obj)["runtime-config.toml"];
  assert.match(String(toml), /^\[key_value_store\.default\]\ntype = "redis"\nurl = "redis:\/\/redis:6379"\n$/);
});

test("executors and the RuntimeClass equal the operator's samples", () => {
  const pairs: [string, string][] = [
    ["SpinAppExecutor for the containerd shim", "spin-operator/samples/spin-shim-executor.yaml"],
    ["SpinAppExecutor spintainer", "spin-operator/samples/spintainer-executor.yaml"],
    ["RuntimeClass for the Spin shim", "spin-operator/samples/spin-runtime-class.yaml"],
  ];
  for (const [name, rel] of pairs) {
    const ours = docs(name);
    assert.equal(ours.length, 1, name);
    const sample = upstream(rel);
    if (sample) assert.deepEqual(ours, sample, name);
  }
  const rc = docs("RuntimeClass for the Spin shim")[0];
  assert.ok(SPIN_HANDLERS.includes(String(rc.handler)));
  assert.equal(byKind(docs("SpinAppExecutor spintainer"), KIND_EXECUTOR).kind, KIND_EXECUTOR);
});

test("the mixed pod: runtimeClassName at pod level, a Spin container and a Linux container", () => {
  const pod = byKind(docs("Pod with a Spin app next to a Linux container"), "Pod");
  const spec = pod.spec as Obj;
  assert.equal(pod.apiVersion, "v1");
  assert.equal(spec.runtimeClassName, "wasmtime-spin-v2");
  const containers = spec.containers as Obj[];
  assert.equal(containers.length, 2);
  for (const c of containers) assert.ok(!("runtimeClassName" in c), "never on a container");
  assert.deepEqual(containers[0].command, ["/"], "the Spin container uses the shim's entrypoint");
  assert.equal(containers[1].command, undefined, "the Linux container keeps its image entrypoint");
});
