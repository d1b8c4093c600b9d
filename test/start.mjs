#!/usr/bin/env node
// `npm start`: the README's one command to see the extension working.
//   1. installs what is missing (test/e2e/setup.sh: Chromium's and code-server's Debian needs,
//      code-server 4.100.3 in a tools folder outside the repository; test/spin-standin/setup.sh:
//      Debian's docker-registry);
//   2. builds the extension (dist/) and packages it;
//   3. uses the cluster you already have (KUBECONFIG, or ~/.kube/config), or else starts the test
//      Kubernetes API server with its demo population (`npm run cluster`, test/cluster/);
//      with an OCI registry on loopback whose Spin apps the demo's pods run, so Build & Deploy
//      works against it: with your `spin` when it is on PATH, else with the offline stand-in
//      (test/spin-standin, compiled on first use) and a TypeScript sample app in the workspace;
//   4. starts code-server (the real VS Code 1.100 in your browser) on 127.0.0.1 with the extension
//      installed and a throw-away copy of the sample workspace (test/fixtures/workspace), and prints
//      the URL to open on a line of its own once the workbench answers.
// Ctrl-C stops everything it started and removes the temporary folder (with the workspace copy).
//
// Usage: npm start -- [--port N] [--demo-cluster | --no-cluster] [--skip-setup] [--skip-build]
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { APP, prepareSpinWorkspace, spinBuildEnv } from "./e2e/buildDeployParts.mjs";
import {
  cleanupAll,
  freePort,
  installVsix,
  makeProfile,
  packageVsix,
  registerCleanup,
  removeDir,
  root,
  startCodeServer,
  stopGroup,
  tempDir,
} from "./e2e/codeServer.mjs";

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const CLUSTER_TIMEOUT_MS = 60_000;

const say = (msg) => process.stdout.write(`[spinkube] ${msg}\n`);
function fail(msg) {
  process.stderr.write(`[spinkube] ${msg}\n`);
  return shutdown(1);
}

let stopping = false;
let tmp;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  say("stopping…");
  await cleanupAll();
  if (tmp) removeDir(tmp);
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

function run(cmd, argv, what) {
  const r = spawnSync(cmd, argv, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status ?? r.signal})`);
}

/** The kubeconfig already configured on this machine, if any (the same lookup kubectl does). */
function existingKubeconfig() {
  const fromEnv = (process.env.KUBECONFIG ?? "").split(path.delimiter).filter((p) => p && existsSync(p));
  if (fromEnv.length) return fromEnv.join(path.delimiter);
  const home = path.join(os.homedir(), ".kube", "config");
  return existsSync(home) ? home : undefined;
}

/** Whether the test API server (another part of this repository) is there to be started. */
function demoClusterAvailable() {
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
  return existsSync(path.join(root, "test", "cluster", "index.ts")) && Boolean(pkg.scripts?.cluster);
}

/**
 * Starts `npm run cluster` detached and resolves with `{ kubeconfig, registry }` from the lines it
 * prints (`REGISTRY=<host:port>` with `withRegistry`, then `KUBECONFIG=<path>`); its other output is
 * mirrored with a prefix.
 */
function startDemoCluster(withRegistry) {
  return new Promise((resolve, reject) => {
    let registry;
    const child = spawn("npm", ["run", "--silent", "cluster", "--", ...(withRegistry ? ["--registry"] : [])], { cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    registerCleanup(child, () => stopGroup(child));
    const timer = setTimeout(() => reject(new Error(`the test cluster printed no KUBECONFIG= line within ${CLUSTER_TIMEOUT_MS / 1000} s`)), CLUSTER_TIMEOUT_MS);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the test cluster exited (code ${code})`));
      if (!stopping) void fail("the test cluster stopped; stopping everything.");
    });
    createInterface({ input: child.stderr }).on("line", (l) => process.stderr.write(`[cluster] ${l}\n`));
    createInterface({ input: child.stdout }).on("line", (line) => {
      const r = /^REGISTRY=(.+)$/.exec(line.trim());
      const m = /^KUBECONFIG=(.+)$/.exec(line.trim());
      if (r) registry = r[1];
      else if (m) {
        clearTimeout(timer);
        resolve({ kubeconfig: m[1], registry });
      } else process.stdout.write(`[cluster] ${line}\n`);
    });
  });
}

const REGISTRY_BIN = "/usr/bin/docker-registry";

/** Whether `spin` answers on PATH (yours, used as it is). */
function realSpin() {
  const r = spawnSync("spin", ["--version"], { encoding: "utf8", timeout: 10_000 });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * Build & Deploy against the demo: the TypeScript sample app and the registry in the workspace's
 * settings; with your spin when there is one, else the offline stand-in (compiled here on first
 * use). Returns the environment code-server needs for spin's build commands.
 */
async function demoSpin(profile, registry) {
  const mine = realSpin();
  let spinPath;
  if (!existsSync(path.join(root, "out", "test", "spin-standin", "cli.js"))) {
    say("compiling the offline spin stand-in and its helpers (test/spin-standin, tsc)…");
    run("npx", ["tsc", "-p", "."], "compiling the tests (tsc)");
  }
  if (mine) say(`Build & Deploy: your ${mine} pushes to the demo registry ${registry}`);
  else {
    spinPath = path.join(root, "test", "spin-standin", "bin", "spin");
    say(`Build & Deploy: no spin on PATH, so the demo uses the offline stand-in ${path.relative(root, spinPath)} (install Spin for real builds: https://spinframework.dev/install); registry ${registry}`);
  }
  // The first push is offered `<registry>/hello:latest`: Enter takes it.
  prepareSpinWorkspace(profile, profile.workspace, registry, { defaultPath: registry, ...(spinPath ? { spinPath } : {}) });
  say(`  open ${APP}/spin.toml and click "Build & Deploy" above it`);
  return spinBuildEnv();
}

async function main() {
  const t0 = Date.now();
  if (!flag("--skip-setup")) {
    run("bash", [path.join(root, "test", "e2e", "setup.sh")], "setup (test/e2e/setup.sh)");
    run("bash", [path.join(root, "test", "spin-standin", "setup.sh")], "setup (test/spin-standin/setup.sh)");
  }
  if (!flag("--skip-build")) {
    say("building the extension…");
    run("npm", ["run", "--silent", "build"], "npm run build");
  }

  tmp = tempDir("spinkube-start");
  const profile = makeProfile(tmp);
  const { bytes } = packageVsix(path.join(tmp, "spinkube.vsix"));
  installVsix(profile, path.join(tmp, "spinkube.vsix"));
  say(`extension packaged (${(bytes / 1024).toFixed(0)} KB) and installed into a fresh code-server profile`);

  // The cluster: yours if you have one, else the demo API server.
  let kubeconfig;
  let env = {};
  if (flag("--no-cluster")) {
    kubeconfig = path.join(tmp, "no-kubeconfig"); // hides yours too
    say("no cluster (--no-cluster)");
  } else if (!flag("--demo-cluster") && (kubeconfig = existingKubeconfig())) {
    say(`using your cluster configuration: ${kubeconfig} (--demo-cluster to use the demo instead)`);
  } else if (demoClusterAvailable()) {
    say("starting the demo Kubernetes API server (test/cluster)…");
    const withRegistry = existsSync(REGISTRY_BIN);
    if (!withRegistry) say(`no ${REGISTRY_BIN} (bash test/spin-standin/setup.sh installs it): the demo has no registry to Build & Deploy to`);
    let registry;
    ({ kubeconfig, registry } = await startDemoCluster(withRegistry));
    say(`demo cluster ready: KUBECONFIG=${kubeconfig}`);
    if (registry) env = { ...env, ...(await demoSpin(profile, registry)) };
  } else {
    say("no kubeconfig found, and this checkout has no demo cluster (test/cluster, `npm run cluster`)");
  }

  const port = Number(opt("--port") ?? process.env.PORT ?? (await freePort()));
  const logFile = path.join(tmp, "code-server.log");
  say(`starting code-server on 127.0.0.1:${port} (log: ${logFile})…`);
  const server = await startCodeServer({
    profile,
    port,
    logStream: createWriteStream(logFile),
    env: kubeconfig ? { ...env, KUBECONFIG: kubeconfig } : env,
  });
  server.child.on("exit", () => {
    if (!stopping) void fail(`code-server exited; see ${logFile}`);
  });

  say(`ready in ${((Date.now() - t0) / 1000).toFixed(0)} s. Sample workspace (a throw-away copy): ${profile.workspace}`);
  say("open this URL in a browser; Ctrl-C stops everything:");
  process.stdout.write(`${server.url}/?folder=${encodeURIComponent(profile.workspace)}\n`);
}

main().catch((err) => fail(err instanceof Error ? err.message : String(err)));
