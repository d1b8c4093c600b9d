/**
 * The spin CLI as the extension uses it: finding the binary (the `spinkube.spin.path` setting, then
 * PATH), reading `spin --version` and judging it against SpinKube, checking and installing the
 * `kube` plugin, and running any spin command in the app's folder with streamed output and
 * AbortSignal cancellation of the whole process tree (./process.ts). Argument lists come only from
 * ./spinArgs.ts. Results are {@link Result}s with one message naming what to fix. vscode-free.
 */
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import path from "node:path";
import which from "which";
import type { ProcessOptions, ProcessResult, RunningProcess } from "./process";
import { runProcess, startProcess } from "./process";
import { fail, ok } from "./result";
import type { Result } from "./result";
import { installKubePluginArgs, pluginsListJsonArgs, pluginsListPlainArgs, versionArgs } from "./spinArgs";
import type { Compatibility, PluginInfo, SpinVersion } from "./spinOutput";
import { MIN_SPIN_FOR_PLUGIN_JSON, compareVersions, parseErrorBlock, parsePluginInstall, parsePluginsJson, parsePluginsPlain, parseVersion, spinKubeCompatibility, stripAnsi } from "./spinOutput";

/** Where to read how to install Spin. */
export const SPIN_INSTALL_URL = "https://spinframework.dev/install";
/** Where to read about the kube plugin. */
export const KUBE_PLUGIN_URL = "https://www.spinkube.dev/docs/topics/packaging/";

/** Inputs for locating spin. */
export interface LocateOptions {
  /** The `spinkube.spin.path` setting (empty = not set). */
  configuredPath?: string;
  /** The PATH to search (defaults to the process's). */
  envPath?: string;
  /** Folder a relative configured path is resolved against (the first workspace folder). */
  baseDir?: string;
}

async function isExecutableFile(p: string): Promise<boolean> {
  try {
    const s = await stat(p);
    if (!s.isFile()) return false;
    await access(p, process.platform === "win32" ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds the spin binary: the configured path (which must exist), else `spin` on PATH. */
export async function locateSpin(o: LocateOptions = {}): Promise<Result<string>> {
  const configured = o.configuredPath?.trim();
  if (configured) {
    const p = path.resolve(o.baseDir ?? process.cwd(), configured.replace(/^~(?=$|[\\/])/, process.env.HOME ?? "~"));
    if (await isExecutableFile(p)) return ok(p);
    return fail("spinMissing", `The spinkube.spin.path setting points at ${p}, which is not an executable file: fix the setting or clear it to use spin from PATH.`);
  }
  const found = await which("spin", { nothrow: true, path: o.envPath ?? process.env.PATH ?? "" });
  if (found) return ok(found);
  return fail("spinMissing", `The spin CLI was not found on PATH: install Spin (${SPIN_INSTALL_URL}) or set spinkube.spin.path.`);
}

/** A located spin binary with its version. */
export interface SpinInfo {
  path: string;
  version: SpinVersion;
  compatibility: Compatibility;
}

/** Options of every spin run. */
export interface SpinRunOptions extends Omit<ProcessOptions, "env"> {
  /** Extra environment variables on top of the extension host's. */
  env?: Record<string, string | undefined>;
}

/** A spin binary the extension can run. */
export class SpinCli {
  constructor(
    readonly binary: string,
    private readonly baseEnv: NodeJS.ProcessEnv = process.env,
  ) {}

  private env(extra?: Record<string, string | undefined>): NodeJS.ProcessEnv {
    // Piped output has no colours anyway; NO_COLOR makes sure.
    const env: NodeJS.ProcessEnv = { ...this.baseEnv, NO_COLOR: "1" };
    for (const [k, val] of Object.entries(extra ?? {})) {
      if (val === undefined) delete env[k];
      else env[k] = val;
    }
    return env;
  }

  /** Runs `spin <args>` to completion. */
  run(args: readonly string[], opts: SpinRunOptions = {}): Promise<ProcessResult> {
    return runProcess(this.binary, args, { ...opts, env: this.env(opts.env) });
  }

  /** Starts a long-running `spin <args>` (spin up). */
  start(args: readonly string[], opts: SpinRunOptions = {}): RunningProcess {
    return startProcess(this.binary, args, { ...opts, env: this.env(opts.env) });
  }

  /** `spin --version`, parsed and judged against SpinKube. */
  async version(signal?: AbortSignal): Promise<Result<SpinInfo>> {
    const r = await this.run(versionArgs(), { signal });
    if (r.spawnError) return fail("spinMissing", `Could not run ${this.binary} (${r.spawnError.code ?? r.spawnError.message}): install Spin (${SPIN_INSTALL_URL}) or fix spinkube.spin.path.`);
    const parsed = r.code === 0 ? parseVersion(r.stdout) : undefined;
    if (!parsed) {
      return fail("spinUnusable", `${this.binary} --version did not print a Spin version (exit ${r.code ?? r.signal}): is spinkube.spin.path the Spin CLI?`, { detail: (r.stdout + r.stderr).trim() });
    }
    const compatibility = spinKubeCompatibility(parsed);
    if (!compatibility.usable) return fail("spinUnusable", compatibility.note ?? `Spin ${parsed.version} cannot be used.`);
    return ok({ path: this.binary, version: parsed, compatibility });
  }

  /** The installed plugins (`--format json` on Spin ≥ 3.2, the plain list before). */
  async installedPlugins(ver: SpinVersion, signal?: AbortSignal): Promise<Result<PluginInfo[]>> {
    const json = compareVersions(ver, MIN_SPIN_FOR_PLUGIN_JSON) >= 0;
    const r = await this.run(json ? pluginsListJsonArgs() : pluginsListPlainArgs(), { signal });
    if (r.cancelled) return fail("cancelled", "Listing spin plugins was cancelled.");
    if (r.code !== 0) return fail("failed", `spin plugins list failed: ${parseErrorBlock(r.stderr)?.message ?? `exit ${r.code}`}`, { detail: r.stderr });
    if (!json) return ok(parsePluginsPlain(r.stdout));
    const list = parsePluginsJson(r.stdout);
    return list ? ok(list) : fail("failed", "spin plugins list printed something that is not the JSON list it documents.", { detail: r.stdout });
  }

  /** True when the kube plugin is installed. */
  async hasKubePlugin(ver: SpinVersion, signal?: AbortSignal): Promise<Result<boolean>> {
    const r = await this.installedPlugins(ver, signal);
    return r.ok ? ok(r.value.some((p) => p.name === "kube" && p.installed)) : r;
  }

  /** `spin plugins install kube -y`. */
  async installKubePlugin(opts: SpinRunOptions = {}): Promise<Result<"installed" | "alreadyInstalled">> {
    const r = await this.run(installKubePluginArgs(), opts);
    if (r.cancelled) return fail("cancelled", "Installing the kube plugin was cancelled.");
    const outcome = parsePluginInstall(r.stdout, r.stderr, "kube");
    if (r.code === 0 && outcome) return ok(outcome);
    const err = parseErrorBlock(r.stderr);
    return fail("pluginMissing", `Installing the kube plugin failed${err ? `: ${[err.message, ...err.causes].join(": ")}` : ` (exit ${r.code})`}. Run \`spin plugins update\` and \`spin plugins install kube\` in a terminal.`, {
      detail: stripAnsi(r.stdout + r.stderr),
    });
  }
}

/** Locates spin and reads its version in one go. */
export async function findSpin(o: LocateOptions = {}, signal?: AbortSignal): Promise<Result<{ cli: SpinCli; info: SpinInfo }>> {
  const where = await locateSpin(o);
  if (!where.ok) return where;
  const cli = new SpinCli(where.value);
  const info = await cli.version(signal);
  return info.ok ? ok({ cli, info: info.value }) : info;
}
