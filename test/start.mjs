#!/usr/bin/env node
// `npm start`: the README's one command to see the extension working.
//   1. installs what is missing (test/e2e/setup.sh: Chromium's and code-server's Debian needs,
//      code-server 4.100.3 in a tools folder outside the repository);
//   2. builds the extension (dist/) and packages it;
//   3. uses the cluster you already have (KUBECONFIG, or ~/.kube/config), or else starts the test
//      Kubernetes API server with its demo population (`npm run cluster`, test/cluster/);
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
 * Starts `npm run cluster` detached and resolves with the kubeconfig path it prints
 * (`KUBECONFIG=<path>` on a line of its own); its output is mirrored with a prefix.
 */
function startDemoCluster() {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", "cluster"], { cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    registerCleanup(child, () => stopGroup(child));
    const timer = setTimeout(() => reject(new Error(`the test cluster printed no KUBECONFIG= line within ${CLUSTER_TIMEOUT_MS / 1000} s`)), CLUSTER_TIMEOUT_MS);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the test cluster exited (code ${code})`));
      if (!stopping) void fail("the test cluster stopped; stopping everything.");
    });
    createInterface({ input: child.stderr }).on("line", (l) => process.stderr.write(`[cluster] ${l}\n`));
    createInterface({ input: child.stdout }).on("line", (line) => {
      const m = /^KUBECONFIG=(.+)$/.exec(line.trim());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      } else process.stdout.write(`[cluster] ${line}\n`);
    });
  });
}

async function main() {
  const t0 = Date.now();
  if (!flag("--skip-setup")) run("bash", [path.join(root, "test", "e2e", "setup.sh")], "setup (test/e2e/setup.sh)");
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
  if (flag("--no-cluster")) {
    kubeconfig = path.join(tmp, "no-kubeconfig"); // hides yours too
    say("no cluster (--no-cluster)");
  } else if (!flag("--demo-cluster") && (kubeconfig = existingKubeconfig())) {
    say(`using your cluster configuration: ${kubeconfig} (--demo-cluster to use the demo instead)`);
  } else if (demoClusterAvailable()) {
    say("starting the demo Kubernetes API server (test/cluster)…");
    kubeconfig = await startDemoCluster();
    say(`demo cluster ready: KUBECONFIG=${kubeconfig}`);
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
    env: kubeconfig ? { KUBECONFIG: kubeconfig } : {},
  });
  server.child.on("exit", () => {
    if (!stopping) void fail(`code-server exited; see ${logFile}`);
  });

  say(`ready in ${((Date.now() - t0) / 1000).toFixed(0)} s. Sample workspace (a throw-away copy): ${profile.workspace}`);
  say("open this URL in a browser; Ctrl-C stops everything:");
  process.stdout.write(`${server.url}/?folder=${encodeURIComponent(profile.workspace)}\n`);
}

main().catch((err) => fail(err instanceof Error ? err.message : String(err)));
