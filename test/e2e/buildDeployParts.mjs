// What the UI flow "Build & Deploy" needs around the workbench, the same parts the in-host suite
// uses (test/integration/spin.test.ts) and nothing of the user's: a real OCI registry on loopback
// (Debian's docker-registry), a container runtime for the test cluster whose Spin pods pull the
// pushed artifact from it and serve it with jco, and the stand-in `spin` (test/spin-standin) with
// its kube plugin installed, found through `spinkube.spin.path` in the workspace's settings.
// Every spin invocation is logged; `factsViolations()` names any flag FACTS.md does not list.
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, cpSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { root } from "./codeServer.mjs";

const compiled = path.join(root, "out", "test", "spin-standin");
const require = createRequire(import.meta.url);

/** Whether this checkout has the compiled stand-in (the e2e run needs `npm run compile-tests`). */
export function buildDeployPartsAvailable() {
  return existsSync(path.join(compiled, "registry.js"));
}

/** The fixture app (test/fixtures/spin-apps) the flow builds and deploys, and its folder in the workspace. */
export const APP = "hello";

/**
 * Readies a code-server profile and workspace for Build & Deploy against `registryHost`: with the
 * stand-in (`spinPath`), its kube plugin where it looks (the profile's XDG data); the TypeScript fixture app (its build
 * tools from the repository's node_modules), and the workspace settings a user would write —
 * the registry spoken to over plain HTTP, `defaultPath` to prefill the push reference, and
 * `spinPath` when spin is the stand-in. Returns the
 * app's folder.
 */
export function prepareSpinWorkspace(profile, workspace, registryHost, o = {}) {
  const { installPlugin, KUBE_PLUGIN_VERSION } = require(path.join(compiled, "kube.js"));
  const { FIXTURE_APPS } = require(path.join(compiled, "harness.js"));
  // The stand-in keeps plugins where real spin does, under XDG_DATA_HOME (code-server's: the profile's).
  if (o.spinPath) installPlugin("kube", KUBE_PLUGIN_VERSION, profile.xdgData);
  const dir = path.join(workspace, APP);
  cpSync(path.join(FIXTURE_APPS, APP), dir, { recursive: true, filter: (src) => !/[\\/](node_modules|dist|build|\.spin)$/.test(src) });
  symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
  const settings = {
    ...(o.spinPath ? { "spinkube.spin.path": o.spinPath } : {}),
    "spinkube.registry.insecureRegistries": [registryHost],
    ...(o.defaultPath ? { "spinkube.registry.defaultPath": o.defaultPath } : {}),
    ...(o.timeoutSeconds ? { "spinkube.deploy.timeoutSeconds": o.timeoutSeconds } : {}),
  };
  mkdirSync(path.join(workspace, ".vscode"), { recursive: true });
  writeFileSync(path.join(workspace, ".vscode", "settings.json"), JSON.stringify(settings, null, 2));
  return dir;
}

/** code-server environment for spin's build commands: the build tools on PATH, and that PATH kept. */
export function spinBuildEnv() {
  return {
    // The fixture app's build commands (tsc, esbuild, j2w) come from the repository's node_modules.
    PATH: [path.join(root, "node_modules", ".bin"), process.env.PATH ?? ""].join(path.delimiter),
    // code-server, like VS Code started from a desktop, gives the extension host a login shell's
    // environment (Debian's /etc/profile resets PATH); VSCODE_CLI=1 says the environment is
    // already the user's, as when `code .` starts from a terminal, so this PATH reaches spin.
    VSCODE_CLI: "1",
  };
}

/** The stand-in's invocations logged to `logFile` (SPIN_STANDIN_LOG) that used a flag FACTS.md does not list. */
export function standinViolations(logFile) {
  if (!existsSync(logFile)) return [];
  const { violations } = require(path.join(compiled, "facts.js"));
  return readFileSync(logFile, "utf8")
    .split("\n")
    .filter(Boolean)
    .flatMap((l) => violations(JSON.parse(l).argv));
}

/**
 * Starts the registry and returns the parts: `workloads` for startTestCluster, `env` for
 * code-server (the stand-in's invocation log; the build tools on PATH), and `prepare(profile,
 * workspace)`, which installs the kube plugin where the stand-in looks (the profile's XDG data)
 * and copies the fixture app into the workspace with the settings a user would write.
 */
export async function startBuildDeployParts(tmp) {
  const { startRegistry } = require(path.join(compiled, "registry.js"));
  const { spinWorkloads } = require(path.join(compiled, "clusterRuntime.js"));
  const { STANDIN_SPIN } = require(path.join(compiled, "harness.js"));

  const registry = await startRegistry();
  const logFile = path.join(tmp, "spin-invocations.jsonl");
  return {
    registry: registry.host,
    app: APP,
    workloads: spinWorkloads([{ host: registry.host, insecure: true }]),
    env: { ...spinBuildEnv(), SPIN_STANDIN_LOG: logFile },
    /** Installs the kube plugin for the profile and puts the app and its settings into `workspace`. */
    prepare: (profile, workspace) => prepareSpinWorkspace(profile, workspace, registry.host, { spinPath: STANDIN_SPIN, timeoutSeconds: 120 }),
    /** Every invocation of the stand-in that used a flag FACTS.md does not list for the real CLI. */
    factsViolations: () => standinViolations(logFile),
    stop: () => registry.stop(),
  };
}
