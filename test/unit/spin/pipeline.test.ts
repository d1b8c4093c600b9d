// Build & Deploy as a pipeline against the stand-in spin, a real registry and the test API server:
// cancellation at every step (the running step stops, later steps never start, nothing is applied
// before the apply step), and each failure the issue lists stopping the pipeline with one message
// and nothing applied after it. A tiny app whose build writes a minimal Wasm module keeps it fast.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import type { KubeClient } from "../../../src/cluster/kubeApi";
import type { BuildDeployPlan } from "../../../src/spin/buildDeploy";
import { firstRoutePath, runBuildDeploy } from "../../../src/spin/buildDeploy";
import { deployClusterOf } from "../../../src/spin/kubeDeploy";
import { readManifest } from "../../../src/spin/manifest";
import { formatDuration, formatTimings, runPipeline } from "../../../src/spin/pipeline";
import { ok } from "../../../src/spin/result";
import { SpinCli } from "../../../src/spin/spinCli";
import { parseVersion } from "../../../src/spin/spinOutput";
import type { TestCluster } from "../../cluster";
import { spinTestCluster } from "../../spin-standin/testCluster";
import { STANDIN_SPIN, standinEnv } from "../../spin-standin/harness";
import type { TestRegistry } from "../../spin-standin/registry";
import { startRegistry } from "../../spin-standin/registry";

let cluster: TestCluster;
let registry: TestRegistry;
let client: KubeClient;
const se = standinEnv({ kubePlugin: true });
const STEPS = ["check", "build", "push", "manifest", "apply", "wait"];

/** A small app: its build writes the 8-byte empty Wasm module (enough for the stand-in's push). */
function tinyApp(name: string, o: { buildCommand?: string } = {}): string {
  const dir = path.join(se.root, "tiny", name);
  mkdirSync(dir, { recursive: true });
  const build = o.buildCommand ?? `node -e "require('fs').writeFileSync('app.wasm', Buffer.from([0,97,115,109,1,0,0,0]))"`;
  writeFileSync(path.join(dir, "spin.toml"), `spin_manifest_version = 2\n[application]\nname = "${name}"\n[[trigger.http]]\nroute = "/api/..."\ncomponent = "${name}"\n[component.${name}]\nsource = "app.wasm"\n[component.${name}.build]\ncommand = ${JSON.stringify(build)}\n`);
  return dir;
}

async function plan(name: string, o: Partial<BuildDeployPlan> & { dir?: string } = {}): Promise<BuildDeployPlan> {
  const m = await readManifest(o.dir ?? tinyApp(name));
  assert.ok(m.ok);
  const cli = new SpinCli(STANDIN_SPIN, se.env);
  return {
    cli,
    spinVersion: parseVersion("spin 3.6.3")!,
    app: m.value,
    reference: `${registry.host}/${name}:v1`,
    insecure: true,
    manifestFile: path.join(m.value.dir, "spinapp.yaml"),
    scaffold: { replicas: 1 },
    kubeconfig: cluster.kubeconfigPath,
    connect: async () => ok(deployClusterOf(client)),
    timeoutMs: 10_000,
    ...o,
  };
}

before(async () => {
  [{ cluster, client }, registry] = await Promise.all([spinTestCluster({ podStartDelayMs: 100 }), startRegistry()]);
});

after(async () => {
  client?.dispose();
  await Promise.all([cluster?.stop(), registry?.stop()]);
  const bad = se.factsViolations();
  se.cleanup();
  assert.deepEqual(bad, []);
});

const spinApp = (name: string) => cluster.get("core.spinkube.dev/v1alpha1", "SpinApp", "default", name);

test("pipeline runner: order, timings, first failure stops it, a throwing step is a failure", async () => {
  let t = 0;
  const now = () => (t += 100);
  const seen: string[] = [];
  const r = await runPipeline(
    [
      { id: "a", title: "A", run: async () => ok(1) },
      { id: "b", title: "B", run: async () => ({ ok: false as const, error: { kind: "failed" as const, message: "b broke" } }) },
      { id: "c", title: "C", run: async () => ok(3) },
    ],
    {},
    new AbortController().signal,
    { stepStarted: (s) => seen.push(`start ${s.id} ${s.index + 1}/${s.count}`), stepEnded: (s) => seen.push(`end ${s.id} ${s.status}`) },
    now,
  );
  assert.deepEqual(seen, ["start a 1/3", "end a ok", "start b 2/3", "end b failed"]);
  assert.equal(r.ok, false);
  assert.equal(r.failedStep, "b");
  assert.deepEqual(r.skipped, ["c"]);
  assert.equal(formatTimings(r), "A 100 ms · B 100 ms (failed) (total 500 ms)");
  assert.equal(formatDuration(21_340), "21.3 s");
  const thrown = await runPipeline([{ id: "x", title: "X", run: async () => Promise.reject(new Error("kaboom")) }], {}, new AbortController().signal);
  assert.equal(thrown.error?.message, "X failed unexpectedly: kaboom");
});

test("Build & Deploy succeeds: six timed steps, manifest scaffolded with the pushed digest, SpinApp Available", async () => {
  const p = await plan("tiny-ok");
  const lines: string[] = [];
  const { result, state } = await runBuildDeploy({ ...p, onLine: (_s, l) => lines.push(l) }, new AbortController().signal);
  assert.ok(result.ok, JSON.stringify(result.error));
  assert.deepEqual(result.steps.map((s) => [s.id, s.status]), STEPS.map((s) => [s, "ok"]));
  assert.match(formatTimings(result), /^Check \d+ ms · Build .* · Push .* · Manifest .* · Apply .* · Wait .* \(total .*\)$/);
  assert.equal(state.manifest?.action, "scaffolded");
  assert.match(readFileSync(p.manifestFile, "utf8"), new RegExp(`image: "${registry.host.replace(/\./g, "\\.")}/tiny-ok@sha256:[0-9a-f]{64}"`));
  assert.equal(state.deployed?.readyReplicas, 1);
  assert.equal((spinApp("tiny-ok")?.spec as { image: string }).image, state.pushed?.immutableRef);
  assert.ok(lines.some((l) => l.startsWith("Pushed with digest sha256:")));
  assert.equal(firstRoutePath(p.app), "/api");
});

for (const step of STEPS) {
  test(`cancelling during ${step}: that step stops, the rest never start${STEPS.indexOf(step) < 4 ? ", nothing is applied" : ""}`, async () => {
    const name = `cancel-${step}`;
    // A build slow enough to be cancelled while it runs.
    const p = await plan(name, step === "build" ? { dir: tinyApp(name, { buildCommand: `node -e "console.log('compiling'); setInterval(() => {}, 1000)"` }) } : {});
    const ac = new AbortController();
    const { result } = await runBuildDeploy(
      {
        ...p,
        onLine: (_s, l) => {
          if (step === "build" && l === "compiling") ac.abort();
        },
      },
      ac.signal,
      {
        stepStarted: (s) => {
          if (s.id === step && step !== "build" && step !== "wait") ac.abort();
        },
        stepProgress: (s, m) => {
          // The SpinApp was applied and its pods are starting: cancel the wait.
          if (step === "wait" && s.id === "wait" && /replica/.test(m)) ac.abort();
        },
      },
    );
    assert.equal(result.ok, false);
    assert.equal(result.failedStep, step);
    assert.equal(result.error?.kind, "cancelled");
    assert.deepEqual(result.skipped, STEPS.slice(STEPS.indexOf(step) + 1));
    assert.equal(result.steps.at(-1)?.status, "cancelled");
    if (STEPS.indexOf(step) <= STEPS.indexOf("apply")) assert.equal(spinApp(name), undefined, "nothing may be applied");
    else assert.match(result.error?.message ?? "", new RegExp(`^Stopped waiting for ${name} \\(cancelled\\)\\. Applied: SpinApp/${name}\\.$`));
    if (step === "build") assert.ok(!se.invocations().some((i) => i.argv[0] === "registry" && i.argv.includes(p.reference)), "no push after a cancelled build");
  });
}

test("failures stop the pipeline with one message, nothing applied after them", async () => {
  // Namespace missing: found before anything is built.
  const ns = await plan("fail-ns", { namespace: "nope" });
  const before = se.invocations().length;
  const r1 = await runBuildDeploy(ns, new AbortController().signal);
  assert.equal(r1.result.failedStep, "check");
  assert.equal(r1.result.error?.kind, "namespaceMissing");
  assert.equal(se.invocations().length, before, "spin never ran");

  // No cluster.
  const down = await plan("fail-nocluster", { connect: async () => ({ ok: false, error: { kind: "noCluster", message: "No kubeconfig found: set spinkube.kubeconfig." } }) });
  const r2 = await runBuildDeploy(down, new AbortController().signal);
  assert.equal(r2.result.failedStep, "check");
  assert.equal(r2.result.error?.message, "No kubeconfig found: set spinkube.kubeconfig.");

  // A failing build: no push, no manifest, nothing applied.
  const bad = await plan("fail-build", { dir: tinyApp("fail-build", { buildCommand: "echo 'src/main.go:3:5: undefined: x' && exit 2" }) });
  const r3 = await runBuildDeploy(bad, new AbortController().signal);
  assert.equal(r3.result.failedStep, "build");
  assert.equal(r3.result.error?.kind, "buildFailed");
  assert.match(r3.result.error?.message ?? "", /First error: src\/main\.go:3:5 undefined: x$/);
  assert.ok(!existsSync(bad.manifestFile));
  assert.equal(spinApp("fail-build"), undefined);

  // Unknown component id.
  const unknown = await plan("fail-component", { componentIds: ["ghost"] });
  const r4 = await runBuildDeploy(unknown, new AbortController().signal);
  assert.equal(r4.result.failedStep, "build");
  assert.equal(r4.result.error?.kind, "unknownComponent");

  // The registry refuses: nothing applied.
  const authRegistry = await startRegistry({ users: { someone: "pw" } });
  try {
    const refused = await plan("fail-push", { reference: `${authRegistry.host}/fail-push:v1` });
    const r5 = await runBuildDeploy(refused, new AbortController().signal);
    assert.equal(r5.result.failedStep, "push");
    assert.equal(r5.result.error?.kind, "unauthorized");
    assert.equal(spinApp("fail-push"), undefined);
  } finally {
    await authRegistry.stop();
  }

  // The webhook rejects the SpinApp (its executor does not exist): nothing applied.
  const rejected = await plan("fail-webhook", { scaffold: { replicas: 1, executor: "cyclotron" } });
  const r6 = await runBuildDeploy(rejected, new AbortController().signal);
  assert.equal(r6.result.failedStep, "apply");
  assert.equal(r6.result.error?.kind, "rejected");
  assert.match(r6.result.error?.message ?? "", /executor does not exist in namespace.*Fix spec\.executor\. Nothing was applied\.$/);
  assert.equal(spinApp("fail-webhook"), undefined);

  // The kube plugin is missing and a scaffold is needed: said before building.
  const noPlugin = await plan("fail-plugin");
  const r7 = await runBuildDeploy({ ...noPlugin, cli: new SpinCli(STANDIN_SPIN, { ...se.env, XDG_DATA_HOME: path.join(se.root, "empty-data") }) }, new AbortController().signal);
  assert.equal(r7.result.failedStep, "check");
  assert.equal(r7.result.error?.kind, "pluginMissing");
});
