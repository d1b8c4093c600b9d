#!/usr/bin/env node
// The end-to-end layer of `npm test`: the extension in a real VS Code (code-server 4.100.3 = VS Code
// 1.100.3, its web workbench and its Node extension host) driven by Debian's Chromium.
//   0. packages the built extension with vsce (size against the 3 MB budget) and installs the .vsix
//      into a throw-away code-server profile, as a user would;
//   1. runs the compiled in-host Mocha suites (out/test/integration) in the extension host through
//      the workbench's `payload` mechanism (extensionDevelopmentPath + extensionTestsPath);
//   2. runs the UI flows of ./flows.mjs with playwright-core, one screenshot per flow in
//      .test-artifacts/screenshots/ (Build & Deploy's registry and stand-in spin: ./buildDeployParts.mjs);
//   3. runs the Restricted Mode flow (./restrictedMode.mjs) in a second code-server with Workspace
//      Trust on.
// Writes {"passed":N,"failed":M,"tests":[{name,ok,error?}]} to --result and prints
// `e2e: N passed, M failed`. Missing code-server or Chromium is a failure (with the fix), not a skip.
// Every wait is bounded, a watchdog caps the whole run, and every process it started is ended.
//
// Usage: node test/e2e/run.mjs [--result FILE] [--only inhost|ui] [--flow ID] [--screenshots DIR] [--keep]
import { createWriteStream, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { format } from "node:util";
import {
  chromiumArgs,
  chromiumBin,
  cleanupAll,
  fixtureWorkspace,
  freePort,
  installVsix,
  makeProfile,
  missingPrerequisites,
  packageVsix,
  removeDir,
  root,
  startCodeServer,
  tempDir,
} from "./codeServer.mjs";
import { APP, buildDeployPartsAvailable, standinViolations, startBuildDeployParts } from "./buildDeployParts.mjs";
import { closeEditors, flows, workbenchUrl, waitForWorkbench } from "./flows.mjs";
import { plantHostileSpin, restrictedFlow, TRUST_SETTINGS } from "./restrictedMode.mjs";
import { answers, startRunCommand } from "./startCommand.mjs";

const args = process.argv.slice(2);
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const artifacts = path.join(root, ".test-artifacts");
const resultFile = path.resolve(opt("--result") ?? path.join(artifacts, "e2e-result.json"));
const only = opt("--only");
// --flow ID runs that UI flow alone (with --only ui, for work on one flow).
const onlyFlow = opt("--flow");
const keep = args.includes("--keep");
// --screenshots DIR regenerates the README's pictures somewhere else (default: the artifacts folder).
const screenshots = path.resolve(opt("--screenshots") ?? path.join(artifacts, "screenshots"));

const VSIX_BUDGET_BYTES = 3 * 1024 * 1024;
const WATCHDOG_MS = 9 * 60_000;
const INHOST_TIMEOUT_MS = 4 * 60_000;
const FLOW_TIMEOUT_MS = 90_000;

const tests = [];
const t0 = Date.now();
let finished = false;

function log(msg) {
  process.stdout.write(`[e2e ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}\n`);
}

function record(name, ok, error) {
  tests.push(ok ? { name, ok } : { name, ok, error: String(error ?? "failed") });
  log(`${ok ? "✔" : "✘"} ${name}${ok ? "" : `\n      ${String(error).split("\n").slice(0, 12).join("\n      ")}`}`);
}

function writeResult() {
  const passed = tests.filter((t) => t.ok).length;
  const failed = tests.length - passed;
  mkdirSync(path.dirname(resultFile), { recursive: true });
  writeFileSync(resultFile, JSON.stringify({ passed, failed, tests }, null, 2));
  return { passed, failed };
}

/** In-process things to stop at the end (the test API server); child processes are in cleanupAll. */
const stops = [];

async function finish(code) {
  if (finished) return;
  finished = true;
  await cleanupAll();
  await within(Promise.allSettled(stops.map((stop) => stop())), 10_000, "stopping the test API server").catch(() => undefined);
  const { passed, failed } = writeResult();
  log(`took ${((Date.now() - t0) / 1000).toFixed(1)} s; result in ${path.relative(process.cwd(), resultFile)}`);
  process.stdout.write(`e2e: ${passed} passed, ${failed} failed\n`);
  process.exit(code ?? (failed ? 1 : 0));
}

/** Rejects after `ms` with a message naming `what`; clears its timer when `promise` settles. */
function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const watchdog = setTimeout(() => {
  record("e2e harness finishes in time", false, `the run exceeded ${WATCHDOG_MS / 60_000} minutes and was stopped`);
  void finish(1);
}, WATCHDOG_MS);
for (const sig of ["SIGINT", "SIGTERM"])
  process.on(sig, () => {
    record("e2e harness", false, `interrupted by ${sig}`);
    void finish(1);
  });

async function main() {
  const missing = missingPrerequisites();
  if (!existsSync(path.join(root, "out", "test", "integration", "index.js")))
    missing.push({ what: "compiled in-host suites", message: "out/test/integration/index.js is missing: run `npx tsc -p .`" });
  if (missing.length) {
    for (const m of missing) record(`e2e prerequisites: ${m.what} is in place`, false, m.message);
    return;
  }

  // Only this harness's own pictures are replaced (the folder may be one the user named).
  mkdirSync(screenshots, { recursive: true });
  const running = [...flows, restrictedFlow].filter((f) => !onlyFlow || f.id === onlyFlow);
  for (const name of ["inhost-failed", ...running.flatMap((f) => [f.id, `${f.id}-failed`])])
    rmSync(path.join(screenshots, `${name}.png`), { force: true });
  const tmp = tempDir("spinkube-e2e");
  if (!keep) process.on("exit", () => removeDir(tmp));
  else log(`keeping ${tmp}`);
  // xterm's DOM renderer, so that the log flow can read the terminal's rows (WebGL draws on a canvas).
  const profile = makeProfile(tmp, { "terminal.integrated.gpuAcceleration": "off" });

  // 0. Package and install, as a user would.
  const vsix = path.join(tmp, "spinkube.vsix");
  try {
    const { bytes } = packageVsix(vsix);
    const mb = (bytes / 1024 / 1024).toFixed(2);
    record(`package: vsce packages the extension (${mb} MB of the 3 MB budget)`, bytes <= VSIX_BUDGET_BYTES, `the .vsix is ${mb} MB, over the 3 MB budget`);
    installVsix(profile, vsix);
    record("package: the .vsix installs into code-server", true);
  } catch (err) {
    record("package: vsce packages the extension and it installs into code-server", false, err instanceof Error ? err.message : err);
    return;
  }

  // Build & Deploy's parts: a registry on loopback, pods that run what is pushed to it, the stand-in spin.
  let parts;
  if (buildDeployPartsAvailable()) {
    try {
      parts = await within(startBuildDeployParts(tmp), 30_000, "starting the test registry");
      stops.push(() => parts.stop());
    } catch (err) {
      record("build & deploy: the test registry starts", false, err instanceof Error ? err.message : err);
    }
  }

  // The test API server with its demo population, when this checkout has it (test/cluster):
  // the extension host gets its kubeconfig and nothing else (never the user's cluster).
  let kubeconfig = path.join(tmp, "no-kubeconfig");
  const clusterModule = path.join(root, "out", "test", "cluster", "index.js");
  if (existsSync(clusterModule)) {
    try {
      const { startTestCluster } = createRequire(import.meta.url)(clusterModule);
      const cluster = await within(startTestCluster({ seed: "demo", ...(parts ? { workloads: parts.workloads } : {}) }), 30_000, "starting the test API server");
      stops.push(() => cluster.stop());
      kubeconfig = cluster.kubeconfigPath;
      record("cluster: the test API server starts with the demo population", true);
    } catch (err) {
      record("cluster: the test API server starts with the demo population", false, err instanceof Error ? err.message : err);
    }
  }

  const { chromium } = await import("playwright-core");
  const port = await freePort();
  const csLog = createWriteStream(path.join(artifacts, "code-server.log"));
  const inhostResults = path.join(tmp, "inhost-results.json");
  let cs;
  try {
    cs = await startCodeServer({
      profile,
      port,
      logStream: csLog,
      env: { ...parts?.env, SPINKUBE_E2E_RESULTS: inhostResults, KUBECONFIG: kubeconfig },
    });
    log(`code-server answers on ${cs.url}`);
  } catch (err) {
    record("code-server starts and serves the workbench", false, `${err instanceof Error ? err.message : err} (log: .test-artifacts/code-server.log)`);
    return;
  }

  const browser = await chromium.launch({ executablePath: chromiumBin, headless: true, args: chromiumArgs, timeout: 30_000 });
  try {
    if (!only || only === "inhost") await runInHost(browser, cs, profile, inhostResults);
    if (!only || only === "ui") await runFlows(browser, cs, tmp, profile, parts);
    if ((!only || only === "ui") && (!onlyFlow || onlyFlow === restrictedFlow.id)) await runRestricted(browser, tmp, vsix);
    if ((!only || only === "ui") && (!onlyFlow || onlyFlow === "npm-start") && buildDeployPartsAvailable()) await runStartCommand(browser, tmp);
  } finally {
    await within(browser.close(), 10_000, "closing Chromium").catch(() => undefined);
  }
}

/** (1) The in-host suites, through the workbench's payload mechanism. */
async function runInHost(browser, cs, profile, inhostResults) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const hostLog = createWriteStream(path.join(artifacts, "inhost.log"));
  let exit;
  const exited = new Promise((resolve) => (exit = resolve));
  await page.exposeFunction("codeAutomationLog", (type, logArgs) => {
    // The extension host's console calls, forwarded by the workbench (format string first).
    hostLog.write(`[${type}] ${format(...(Array.isArray(logArgs) ? logArgs : [logArgs]))}\n`);
  });
  await page.exposeFunction("codeAutomationExit", (code) => exit(Number(code)));
  const remote = (p) => `vscode-remote://127.0.0.1:${cs.port}${p}`;
  const payload = [
    ["extensionDevelopmentPath", remote(root)],
    ["extensionTestsPath", remote(path.join(root, "out", "test", "integration", "index.js"))],
    ["skipWelcome", "true"],
  ];
  const url = `${cs.url}/?folder=${encodeURIComponent(profile.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  log("in-host suites: starting the extension host with the tests");
  const started = Date.now();
  let code;
  try {
    await page.goto(url, { waitUntil: "domcontentloaded", timeout: 60_000 });
    code = await within(exited, INHOST_TIMEOUT_MS, "the in-host test run");
  } catch (err) {
    await page.screenshot({ path: path.join(screenshots, "inhost-failed.png") }).catch(() => undefined);
    record("in-host suites finish", false, `${err instanceof Error ? err.message : err} (see .test-artifacts/inhost.log)`);
  }
  hostLog.end();
  await context.close().catch(() => undefined);
  if (code !== undefined) log(`in-host suites exited with code ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);

  let report;
  try {
    report = JSON.parse(readFileSync(inhostResults, "utf8"));
  } catch {
    if (code !== undefined) record("in-host suites report their results", false, `exit code ${code} and no results file (see .test-artifacts/inhost.log)`);
    return;
  }
  for (const r of report.results) record(`in-host: ${r.name}`, r.ok, r.error);
  if (code === undefined) return; // the timeout is already recorded; these are the tests that finished
  if (report.error) record("in-host suites load", false, report.error);
  if (report.results.length === 0) record("in-host suites run some tests", false, "no test ran");
  if (code !== 0 && report.results.every((r) => r.ok))
    record("in-host suites exit cleanly", false, `the extension host exited with code ${code} (see .test-artifacts/inhost.log)`);
}

/** (2) The UI flows, as a user: each in the same workbench page, with a screenshot. */
async function runFlows(browser, cs, tmp, profile, parts) {
  // A workspace copy of their own, so edits made by the in-host suites never meet the flows.
  const workspace = path.join(tmp, "ui-workspace");
  cpSync(fixtureWorkspace, workspace, { recursive: true });
  parts?.prepare(profile, workspace);
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
  context.setDefaultTimeout(20_000);
  let page;
  const open = async () => {
    page = await context.newPage();
    await page.goto(workbenchUrl(cs.url, workspace), { waitUntil: "domcontentloaded", timeout: 60_000 });
    await waitForWorkbench(page);
  };
  try {
    await open();
  } catch (err) {
    record("UI: the workbench loads in Chromium", false, err instanceof Error ? err.message : err);
    await context.close().catch(() => undefined);
    return;
  }
  for (const flow of flows.filter((f) => !onlyFlow || f.id === onlyFlow)) {
    const ok = await runFlow(flow, page, { workspace, spin: parts });
    if (!ok) {
      // A fresh page without editors, so that one broken flow does not take the others down.
      await page.close().catch(() => undefined);
      await open()
        .then(() => closeEditors(page))
        .catch(() => undefined);
    }
  }
  await context.close().catch(() => undefined);
}

/** Runs one flow on `page` within its time, with its screenshot; records and returns whether it passed. */
async function runFlow(flow, page, ctx, shots = screenshots) {
  const shot = path.join(shots, `${flow.id}.png`);
  const started = Date.now();
  try {
    await within(flow.run(page, { ...ctx, shot }), flow.timeoutMs ?? FLOW_TIMEOUT_MS, `flow "${flow.name}"`);
    if (!existsSync(shot)) await page.screenshot({ path: shot });
    record(`UI: ${flow.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`, true);
    return true;
  } catch (err) {
    await page.screenshot({ path: path.join(shots, `${flow.id}-failed.png`) }).catch(() => undefined);
    record(`UI: ${flow.name}`, false, err instanceof Error ? err.message : err);
    return false;
  }
}

/**
 * (3) Restricted Mode: a code-server of its own with Workspace Trust on (the setting needs a new
 * workbench), the same .vsix, and a workspace it has never trusted.
 */
async function runRestricted(browser, tmp, vsix) {
  const dir = path.join(tmp, "restricted");
  mkdirSync(dir, { recursive: true });
  const profile = makeProfile(dir, TRUST_SETTINGS);
  const mark = plantHostileSpin(profile.workspace);
  let cs;
  try {
    installVsix(profile, vsix);
    cs = await startCodeServer({ profile, port: await freePort(), logStream: createWriteStream(path.join(artifacts, "code-server-restricted.log")), env: { KUBECONFIG: path.join(dir, "no-kubeconfig") }, workspaceTrust: true });
  } catch (err) {
    record("UI: code-server starts with Workspace Trust on", false, err instanceof Error ? err.message : err);
    return;
  }
  try {
    await withWorkbench(browser, workbenchUrl(cs.url, profile.workspace), (page) => runFlow(restrictedFlow, page, { workspace: profile.workspace, mark }));
  } catch (err) {
    record("UI: the workbench loads in Restricted Mode", false, err instanceof Error ? err.message : err);
  }
}

/** Gives `use` a page of its own on the workbench at `url` once it has loaded; closes it after. */
async function withWorkbench(browser, url, use) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
  context.setDefaultTimeout(20_000);
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: "domcontentloaded", timeout: 60_000 });
    await waitForWorkbench(page);
    await use(page);
  } finally {
    await context.close().catch(() => undefined);
  }
}

/**
 * (4) The README's run command (`npm start`, here with --demo-cluster as on a machine without a
 * cluster): it prints the URL, the demo's registry and the workspace; in the workbench it opens,
 * Build & Deploy works against the demo with the prefilled reference; Ctrl-C stops everything.
 */
async function runStartCommand(browser, tmp) {
  const spinLog = path.join(tmp, "npm-start-spin.jsonl");
  let started;
  try {
    started = await startRunCommand({ port: await freePort(), env: { SPIN_STANDIN_LOG: spinLog }, logFile: path.join(artifacts, "npm-start.log") });
    const missing = ["registry", "workspace", "clusterUrl"].filter((k) => !started[k]);
    record("npm start: prints the URL, with the demo cluster, its registry and the sample workspace", missing.length === 0, `it did not say its ${missing.join(", ")}:\n${started.lines.join("\n")}`);
  } catch (err) {
    record("npm start: prints the URL once the workbench answers", false, err instanceof Error ? err.message : err);
    return;
  }
  const flow = flows.find((f) => f.id === "build-deploy");
  const spin = { registry: started.registry, app: APP, prefilled: true, factsViolations: () => standinViolations(spinLog) };
  try {
    await withWorkbench(browser, started.url, (page) =>
      runFlow({ ...flow, id: "npm-start-build-deploy", name: "npm start: Build & Deploy to the demo cluster with the prefilled demo registry" }, page, { workspace: started.workspace, spin }, path.join(artifacts, "screenshots")),
    );
  } catch (err) {
    record("npm start: the printed URL opens the workbench", false, err instanceof Error ? err.message : err);
  }
  const code = await started.interrupt();
  const left = [
    ...((await answers(started.url)) ? [`code-server still answers at ${started.url}`] : []),
    ...((await answers(`${started.clusterUrl}/version`)) ? [`the demo cluster still answers at ${started.clusterUrl}`] : []),
    ...((await answers(`http://${started.registry}/v2/`)) ? [`the demo registry still answers at ${started.registry}`] : []),
    ...(existsSync(started.workspace) ? [`the workspace copy ${started.workspace} is still there`] : []),
  ];
  record("npm start: Ctrl-C stops everything it started", code === 0 && left.length === 0, `exit ${code}; ${left.join("; ") || "nothing left"}`);
}

main()
  .catch((err) => record("e2e harness", false, err instanceof Error ? (err.stack ?? err.message) : err))
  .finally(() => {
    clearTimeout(watchdog);
    void finish();
  });
