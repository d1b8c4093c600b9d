/**
 * Build and deploy inside VS Code, offline and for real: the stand-in spin (settings
 * `spinkube.spin.path`), a Debian docker-registry and a test API server whose pods pull the pushed
 * image and serve it with jco, all started by this suite. The commands run as a user runs them
 * (with the spin.toml Uri a CodeLens passes): Build & Deploy to a URL that answers with the app's
 * response through the explorer's port-forward, the stale marker after a newer push, a failing
 * build's Problems, Run Locally and Stop, the `spin` tasks and the CodeLenses.
 */
import * as assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as vscode from "vscode";
import type { SpinKubeApi } from "../../src/extension";
import type { BuildDeployState } from "../../src/spin/buildDeploy";
import type { PipelineResult } from "../../src/spin/pipeline";
import type { Serving } from "../../src/spin/spinOutput";
import type { TestCluster } from "../cluster";
import { startTestCluster } from "../cluster";
import { spinWorkloads } from "../spin-standin/clusterRuntime";
import { violations } from "../spin-standin/facts";
import { STANDIN_SPIN, standinEnv } from "../spin-standin/harness";
import type { TestRegistry } from "../spin-standin/registry";
import { startRegistry } from "../spin-standin/registry";
import { SHIM_SETUP } from "../spin-standin/testCluster";
import { activeExtension, closeAllEditors, fixture, poll } from "./helpers";

const CTX = "spinkube-test";
const SETTINGS = ["kubeconfig", "spin.path", "registry.insecureRegistries", "deploy.timeoutSeconds"] as const;

suite("Spin build and deploy", () => {
  let api: SpinKubeApi;
  let cluster: TestCluster;
  let registry: TestRegistry;
  const se = standinEnv({ kubePlugin: true });
  const saved: Record<string, unknown> = {};
  const envBefore = { PATH: process.env.PATH, XDG_DATA_HOME: process.env.XDG_DATA_HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, SPIN_STANDIN_LOG: process.env.SPIN_STANDIN_LOG };
  let app: string;

  suiteSetup(async function () {
    this.timeout(120_000);
    registry = await startRegistry();
    cluster = await startTestCluster({ seed: "empty", podStartDelayMs: 50, podReadyDelayMs: 50, podStopDelayMs: 50, logLinesPerSecond: 0, workloads: spinWorkloads([{ host: registry.host, insecure: true }]) });
    cluster.apply(SHIM_SETUP);
    // spin (the stand-in) runs with the extension host's environment: its build tools, plugin and login state.
    Object.assign(process.env, { PATH: se.env.PATH, XDG_DATA_HOME: se.env.XDG_DATA_HOME, XDG_CONFIG_HOME: se.env.XDG_CONFIG_HOME, SPIN_STANDIN_LOG: se.logFile });
    api = (await activeExtension()).exports as SpinKubeApi;
    const config = vscode.workspace.getConfiguration("spinkube");
    for (const k of SETTINGS) saved[k] = config.inspect(k)?.globalValue;
    await config.update("kubeconfig", cluster.kubeconfigPath, vscode.ConfigurationTarget.Global);
    await config.update("spin.path", STANDIN_SPIN, vscode.ConfigurationTarget.Global);
    await config.update("registry.insecureRegistries", [registry.host], vscode.ConfigurationTarget.Global);
    await config.update("deploy.timeoutSeconds", 60, vscode.ConfigurationTarget.Global);
    await poll(() => (api.explorer.model.contexts().some((c) => c.name === CTX) ? true : undefined), 20_000, "the explorer to read the test cluster's kubeconfig");
    api.explorer.model.setCurrentContext(CTX);
    app = se.copyApp("hello");
    await api.spin.store.update(path.join(app, "spin.toml"), { reference: `${registry.host}/hello:latest` });
  });

  suiteTeardown(async function () {
    this.timeout(60_000);
    await closeAllEditors();
    await api?.spin.runs.stop();
    await api?.explorer.portForwards.stopAll();
    const config = vscode.workspace.getConfiguration("spinkube");
    for (const k of SETTINGS) await config.update(k, saved[k], vscode.ConfigurationTarget.Global);
    for (const [k, v] of Object.entries(envBefore)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await cluster?.stop();
    await registry?.stop();
    const bad = se.factsViolations();
    se.cleanup();
    assert.deepEqual(bad, [], "the extension passed a flag FACTS.md does not list");
  });

  test("Build & Deploy: from spin.toml to a port-forwarded URL answering with the app's response; the manifest is scaffolded", async function () {
    this.timeout(150_000);
    const manifest = vscode.Uri.file(path.join(app, "spin.toml"));
    const out = (await vscode.commands.executeCommand(SPIN_BUILD_AND_DEPLOY, manifest)) as { result: PipelineResult; state: BuildDeployState } | undefined;
    assert.ok(out, `no result; last failure: ${JSON.stringify(api.spin.lastFailure())}`);
    assert.ok(out.result.ok, `${out.result.failedStep}: ${out.result.error?.message}\n${out.result.error?.detail ?? ""}`);
    assert.deepEqual(out.result.steps.map((s) => s.id), ["check", "build", "push", "manifest", "apply", "wait"]);
    assert.equal(out.state.manifest?.action, "scaffolded");
    assert.match(readFileSync(path.join(app, "spinapp.yaml"), "utf8"), /image: ".*\/hello@sha256:[0-9a-f]{64}"/);
    const mem = api.spin.store.get(manifest.fsPath);
    assert.deepEqual(mem.target, { context: CTX, namespace: "default", name: "hello" });
    assert.equal(mem.lastPush?.digest, out.state.pushed?.digest);
    const pf = await api.explorer.portForwards.start(CTX, "default", out.state.deployed!.service);
    const res = await fetch(`${pf.url}in-vscode`);
    assert.equal(await res.text(), "Hello from Spin on SpinKube! You asked for /in-vscode\n");
    await api.explorer.portForwards.stop(pf.id);
    await poll(() => (api.spin.stale.get(manifest.fsPath)?.state === "current" ? true : undefined), 20_000, "the stale check to say current");
  });

  test("a newer push makes the cluster's build stale: the CodeLens on spin.toml and the explorer node say so", async function () {
    this.timeout(60_000);
    const manifest = vscode.Uri.file(path.join(app, "spin.toml"));
    const pushed = (await vscode.commands.executeCommand(SPIN_PUSH, manifest)) as { digest?: string } | undefined;
    assert.ok(pushed?.digest, JSON.stringify(api.spin.lastFailure()));
    await poll(() => (api.spin.stale.get(manifest.fsPath)?.state === "stale" ? true : undefined), 20_000, "the stale check to notice the newer push");
    const doc = await vscode.workspace.openTextDocument(manifest);
    await vscode.window.showTextDocument(doc);
    let titles: string[] = [];
    await poll(async () => {
      const lenses = ((await vscode.commands.executeCommand("vscode.executeCodeLensProvider", doc.uri)) as vscode.CodeLens[] | undefined) ?? [];
      titles = lenses.map((l) => l.command?.title ?? "");
      return titles.includes("$(warning) Cluster runs an older build") ? true : undefined;
    }, 20_000, "the stale CodeLens");
    assert.ok(titles.includes("$(rocket) Build & Deploy"), titles.join(" | "));
    // The explorer's node for the deployed SpinApp says so too.
    const item = api.explorer.tree.getTreeItem({ kind: "spinApp", id: `${CTX}/default/hello`, context: CTX, namespace: "default", name: "hello" });
    assert.match(String(item.description), /older build$/);
  });

  test("a failing build: one message naming the file and line, and the compiler's error in Problems", async function () {
    this.timeout(60_000);
    const broken = se.copyApp("hello", "broken");
    writeFileSync(path.join(broken, "src", "index.ts"), 'const port: number = "eighty";\nexport {};\n');
    await vscode.commands.executeCommand(SPIN_BUILD, vscode.Uri.file(path.join(broken, "spin.toml")));
    const f = api.spin.lastFailure();
    assert.equal(f?.kind, "buildFailed");
    assert.equal(f?.file, path.join(broken, "src", "index.ts"));
    assert.equal(f?.line, 1);
    const problems = api.spin.diagnostics.get(vscode.Uri.file(path.join(broken, "src", "index.ts"))) ?? [];
    assert.ok(problems.some((d) => d.range.start.line === 0 && /TS2322/.test(d.message) && d.source === "tsc"), problems.map((d) => d.message).join(" | "));
  });

  test("Run Locally serves the built app at its route; Stop ends it", async function () {
    this.timeout(60_000);
    const manifest = vscode.Uri.file(path.join(app, "spin.toml"));
    await vscode.workspace.getConfiguration("spinkube").update("spin.listen", "127.0.0.1:0", vscode.ConfigurationTarget.Global);
    try {
      const serving = (await vscode.commands.executeCommand(SPIN_UP, manifest)) as Serving | undefined;
      assert.ok(serving, JSON.stringify(api.spin.lastFailure()));
      assert.equal(serving.routes[0]?.component, "hello");
      const res = await fetch(`${serving.routes[0].url}/locally`);
      assert.equal(await res.text(), "Hello from Spin on SpinKube! You asked for /locally\n");
      assert.equal(await vscode.commands.executeCommand(SPIN_STOP, manifest), 1);
      await assert.rejects(fetch(`${serving.baseUrl}/`));
    } finally {
      await vscode.workspace.getConfiguration("spinkube").update("spin.listen", undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test("the spin task type: build, up and push tasks per spin.toml, run with argument arrays FACTS.md allows", async () => {
    const tasks = await vscode.tasks.fetchTasks({ type: "spin" });
    const def = (t: vscode.Task): { command?: string; manifest?: string } => t.definition as { command?: string; manifest?: string };
    const ws = tasks.filter((t) => def(t).manifest === path.join("hello-js", "spin.toml"));
    assert.deepEqual(ws.map((t) => def(t).command).sort(), ["build", "up"]);
    const build = ws.find((t) => def(t).command === "build")!;
    const up = ws.find((t) => def(t).command === "up")!;
    const exec = up.execution as vscode.ProcessExecution;
    assert.equal(exec.process, STANDIN_SPIN);
    assert.deepEqual(exec.args.slice(0, 3), ["up", "--from", fixture("hello-js/spin.toml").fsPath]);
    assert.equal(exec.options?.cwd, fixture("hello-js").fsPath);
    // hello-js is in a subfolder: VS Code would resolve the compilers' paths against the workspace
    // folder, so its build task has no matchers and runs in the extension's task terminal, which
    // reads the output for Problems (spinTasks.test.ts runs one).
    assert.deepEqual(build.problemMatchers, []);
    assert.ok(build.execution instanceof vscode.CustomExecution, "the subfolder app's build task reads its own problems");
    assert.equal(build.detail, `spin build --from ${fixture("hello-js/spin.toml").fsPath}`);
    assert.equal(build.group?.id, vscode.TaskGroup.Build.id);
    assert.deepEqual(violations(exec.args), []);
  });
});

const SPIN_BUILD_AND_DEPLOY = "spinkube.buildAndDeploy";
const SPIN_PUSH = "spinkube.spinPush";
const SPIN_BUILD = "spinkube.spinBuild";
const SPIN_UP = "spinkube.spinUp";
const SPIN_STOP = "spinkube.spinStop";
