// Test setup around the stand-in spin: a private environment per test file (PATH with the
// stand-in first and the repository's node_modules/.bin for the fixture's build tools, fresh
// XDG config/data folders for login and plugin state, an invocation log), copies of the fixture
// apps (with node_modules linked so j2w finds its WIT packages), and the FACTS check of every
// invocation the extension made.

import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { repoRoot } from "../helpers/paths";
import { violations } from "./facts";
import { KUBE_PLUGIN_VERSION, installPlugin } from "./kube";

/** The stand-in's bin folder (holds `spin`). */
export const STANDIN_BIN = path.join(repoRoot, "test", "spin-standin", "bin");
/** The stand-in executable. */
export const STANDIN_SPIN = path.join(STANDIN_BIN, "spin");
/** Fixture apps. */
export const FIXTURE_APPS = path.join(repoRoot, "test", "fixtures", "spin-apps");

/** One invocation the stand-in logged. */
export interface Invocation {
  argv: string[];
  cwd: string;
}

/** A private stand-in environment. */
export interface StandinEnv {
  root: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  invocations(): Invocation[];
  /** Every FACTS violation among the logged invocations. */
  factsViolations(): string[];
  /** Marks the kube plugin installed (as `spin plugins install kube -y` would). */
  installKubePlugin(): void;
  /** Copies a fixture app into the environment (as folder `as`); returns its folder. */
  copyApp(name?: string, as?: string): string;
  cleanup(): void;
}

/** Creates a stand-in environment. */
export function standinEnv(o: { version?: string; caFile?: string; kubePlugin?: boolean } = {}): StandinEnv {
  const root = mkdtempSync(path.join(os.tmpdir(), "spin-standin-"));
  const logFile = path.join(root, "invocations.jsonl");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: [STANDIN_BIN, path.join(repoRoot, "node_modules", ".bin"), process.env.PATH ?? ""].join(path.delimiter),
    XDG_CONFIG_HOME: path.join(root, "config"),
    XDG_DATA_HOME: path.join(root, "data"),
    DOCKER_CONFIG: path.join(root, "docker"),
    SPIN_STANDIN_LOG: logFile,
    ...(o.version ? { SPIN_STANDIN_VERSION: o.version } : {}),
    ...(o.caFile ? { NODE_EXTRA_CA_CERTS: o.caFile } : {}),
  };
  delete env.SPIN_HTTP_LISTEN_ADDR;
  delete env.SPIN_ALWAYS_BUILD;
  const invocations = (): Invocation[] =>
    existsSync(logFile)
      ? readFileSync(logFile, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Invocation)
      : [];
  const se: StandinEnv = {
    root,
    env,
    logFile,
    invocations,
    factsViolations: () => invocations().flatMap((i) => violations(i.argv)),
    installKubePlugin: () => installPlugin("kube", KUBE_PLUGIN_VERSION, env.XDG_DATA_HOME),
    copyApp: (name = "hello", as = name) => {
      const dir = path.join(root, "apps", as);
      cpSync(path.join(FIXTURE_APPS, name), dir, { recursive: true, filter: (src) => !/[\\/](node_modules|dist|build|\.spin)$/.test(src) });
      symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
      return dir;
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
  if (o.kubePlugin) se.installKubePlugin();
  return se;
}
