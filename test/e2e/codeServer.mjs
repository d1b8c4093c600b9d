// code-server (the real VS Code 1.100 workbench, server and Node extension host) as the end-to-end
// harness and `npm start` use it: where setup.sh installed it, a throw-away profile (user data,
// extensions, XDG dirs, settings that keep the startup walkthrough and the network away), the
// extension packaged and installed into that profile, a free loopback port, start detached and
// stop by process group. Every wait is bounded. See ../shared/TESTING-OFFLINE.md.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (the extension's root). */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
/** Where setup.sh installs code-server. */
export const toolsDir = process.env.SPINKUBE_TOOLS ?? path.join(os.homedir(), ".cache", "spinkube-vscode-tools");
export const codeServerBin = path.join(toolsDir, "node_modules", ".bin", "code-server");
export const chromiumBin = process.env.SPINKUBE_CHROMIUM ?? "/usr/bin/chromium";
/** The sample workspace the tests and `npm start` open (always a copy of it). */
export const fixtureWorkspace = path.join(root, "test", "fixtures", "workspace");

/** Chromium flags for this closed network (no background calls to Google, no GPU, no sandbox as root). */
export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
  "--disable-default-apps",
  "--disable-features=Translate,OptimizationHints,MediaRouter",
];

/** What is missing for the end-to-end layer: `{ what, message }` pairs saying how to fix it (empty when ready). */
export function missingPrerequisites() {
  const missing = [];
  const setup = "run `bash test/e2e/setup.sh`";
  if (!existsSync(codeServerBin)) missing.push({ what: "code-server", message: `code-server is not installed at ${codeServerBin}: ${setup}` });
  if (!existsSync(chromiumBin)) missing.push({ what: "Chromium", message: `Chromium is not installed at ${chromiumBin}: ${setup}` });
  for (const f of ["dist/extension.js", "dist/server.js"])
    if (!existsSync(path.join(root, f))) missing.push({ what: f, message: `${f} is missing: run \`npm run build\`` });
  return missing;
}

/** A free TCP port on 127.0.0.1 (asked from the kernel, then released). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {import("node:net").AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves after `ms`, for polling intervals only (never as the thing a test waits for). */
export const delay = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `url` until it answers 2xx/3xx, at most `timeoutMs`. Rejects with the last error, or early
 * when `alive()` says the server process has exited.
 */
export async function waitForHttp(url, timeoutMs, alive = () => true) {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`the server exited before ${url} answered`);
    try {
      const res = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(2000) });
      if (res.status < 400) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await delay(250);
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s (${last})`);
}

/**
 * A throw-away profile under `dir`: user data with settings, an extensions dir, XDG dirs and a copy
 * of the sample workspace (so tests and users can edit it).
 */
export function makeProfile(dir, settings = {}) {
  const p = {
    dir,
    userData: path.join(dir, "user-data"),
    extensions: path.join(dir, "extensions"),
    xdgConfig: path.join(dir, "xdg-config"),
    xdgData: path.join(dir, "xdg-data"),
    workspace: path.join(dir, "workspace"),
  };
  for (const d of [p.userData, p.extensions, p.xdgConfig, p.xdgData]) mkdirSync(d, { recursive: true });
  cpSync(fixtureWorkspace, p.workspace, { recursive: true });
  mkdirSync(path.join(p.userData, "User"), { recursive: true });
  writeFileSync(
    path.join(p.userData, "User", "settings.json"),
    JSON.stringify(
      {
        // With the startup walkthrough open, F1 never opens the command palette.
        "workbench.startupEditor": "none",
        "workbench.welcomePage.walkthroughs.openOnInstall": false,
        "workbench.tips.enabled": false,
        // No fade-ins: screenshots show hovers and widgets fully drawn.
        "workbench.reduceMotion": "on",
        "workbench.enableExperiments": false,
        "telemetry.telemetryLevel": "off",
        "update.mode": "none",
        "extensions.autoCheckUpdates": false,
        "extensions.autoUpdate": false,
        "extensions.ignoreRecommendations": true,
        "security.workspace.trust.enabled": false,
        "git.enabled": false,
        "git.openRepositoryInParentFolders": "never",
        "chat.commandCenter.enabled": false,
        "window.commandCenter": false,
        ...settings,
      },
      null,
      2,
    ),
  );
  return p;
}

/** A fresh temporary folder for one run (`prefix` names it). */
export function tempDir(prefix) {
  return mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

/** Removes a folder made by tempDir, never failing. */
export function removeDir(dir) {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // A process that has not exited yet may still hold a file; the OS cleans tmp eventually.
  }
}

/**
 * Packages the built extension (dist/ must exist) into `outFile` with vsce, without dependencies
 * (the bundles contain them). Returns the .vsix path; throws with vsce's output on failure.
 */
export function packageVsix(outFile, timeoutMs = 120_000) {
  const vsce = path.join(root, "node_modules", "@vscode", "vsce", "vsce");
  const args = [vsce, "package", "--no-dependencies", "--no-rewrite-relative-links", "--out", outFile];
  const r = spawnSync(process.execPath, [...args, ...vsceAllowances()], {
    cwd: root,
    encoding: "utf8",
    timeout: timeoutMs,
    input: "", // vsce asks y/N questions on a TTY; with no input it takes the safe answer.
  });
  if (r.status !== 0 || !existsSync(outFile))
    throw new Error(`vsce package failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stdout}${r.stderr}`);
  return { file: outFile, bytes: statSync(outFile).size, output: `${r.stdout}${r.stderr}` };
}

/** vsce flags for what this repository deliberately does not have (a public repository URL). */
function vsceAllowances() {
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
  return pkg.repository ? [] : ["--allow-missing-repository"];
}

/** Environment for code-server: throw-away XDG dirs, and a gallery URL nothing listens on. */
export function codeServerEnv(profile, extra = {}) {
  const env = { ...process.env, XDG_CONFIG_HOME: profile.xdgConfig, XDG_DATA_HOME: profile.xdgData, ...extra };
  // Without this, code-server asks open-vsx.org for extension metadata.
  env.EXTENSIONS_GALLERY = JSON.stringify({
    serviceUrl: "http://127.0.0.1:9/gallery",
    itemUrl: "http://127.0.0.1:9/items",
    resourceUrlTemplate: "http://127.0.0.1:9/resource/{publisher}/{name}/{version}/{path}",
  });
  delete env.VSCODE_IPC_HOOK_CLI;
  delete env.ELECTRON_RUN_AS_NODE;
  return env;
}

/** Installs a .vsix into the profile's extensions dir with code-server's own CLI. */
export function installVsix(profile, vsix, timeoutMs = 60_000) {
  const r = spawnSync(
    codeServerBin,
    ["--user-data-dir", profile.userData, "--extensions-dir", profile.extensions, "--install-extension", vsix, "--force"],
    { env: codeServerEnv(profile), encoding: "utf8", timeout: timeoutMs },
  );
  if (r.status !== 0) throw new Error(`code-server --install-extension failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stdout}${r.stderr}`);
}

/**
 * Starts code-server detached (its own process group) on 127.0.0.1:`port`, waits until the
 * workbench answers, and returns a handle whose stop() ends the whole group. Output goes to
 * `logFile` when given.
 */
export async function startCodeServer({ profile, port, env = {}, logStream, timeoutMs = 60_000, workspaceTrust = false }) {
  const args = [
    "--auth", "none",
    "--bind-addr", `127.0.0.1:${port}`,
    "--disable-telemetry",
    "--disable-update-check",
    "--disable-getting-started-override",
    ...(workspaceTrust ? [] : ["--disable-workspace-trust"]),
    "--ignore-last-opened",
    "--user-data-dir", profile.userData,
    "--extensions-dir", profile.extensions,
    profile.workspace,
  ];
  const child = spawn(codeServerBin, args, {
    env: codeServerEnv(profile, env),
    detached: true,
    stdio: ["ignore", logStream ? "pipe" : "ignore", logStream ? "pipe" : "ignore"],
  });
  if (logStream) {
    child.stdout.pipe(logStream, { end: false });
    child.stderr.pipe(logStream, { end: false });
  }
  let exited = false;
  child.on("exit", () => (exited = true));
  const handle = {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    stop: () => stopGroup(child),
  };
  registerCleanup(child, handle.stop);
  try {
    await waitForHttp(`${handle.url}/healthz`, timeoutMs, () => !exited);
    await waitForHttp(`${handle.url}/?folder=${encodeURIComponent(profile.workspace)}`, timeoutMs, () => !exited);
  } catch (err) {
    await handle.stop();
    throw err;
  }
  return handle;
}

/** Ends a detached child's process group: SIGTERM, then SIGKILL after 5 s. Resolves when it is gone. */
export function stopGroup(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    killGroup(child.pid, "SIGKILL"); // stragglers (file watchers) may outlive the leader
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      killGroup(child.pid, "SIGKILL");
      resolve();
    }, 5000);
    child.once("exit", () => {
      clearTimeout(timer);
      killGroup(child.pid, "SIGKILL");
      resolve();
    });
    killGroup(child.pid, "SIGTERM");
  });
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

const groups = new Set();
const stops = new Set();
let hooked = false;
/**
 * Remembers a detached child so that this process's exit (normal, error, Ctrl-C or SIGTERM handled
 * by the caller) still ends its process group; `stop` is the graceful way cleanupAll() uses.
 */
export function registerCleanup(child, stop) {
  groups.add(child.pid);
  stops.add(stop);
  child.once("exit", () => stops.delete(stop));
  if (hooked) return;
  hooked = true;
  // On exit only synchronous work runs: SIGKILL every group still registered.
  process.on("exit", () => groups.forEach((pid) => killGroup(pid, "SIGKILL")));
}

/** Stops every registered child gracefully (bounded by stopGroup's 5 s), then forgets them. */
export async function cleanupAll() {
  const fns = [...stops];
  stops.clear();
  await Promise.allSettled(fns.map((f) => f()));
}
