/**
 * Pure parsers of what the spin CLI prints (../shared/spinkube/FACTS.md section (c)): the version
 * banner, build progress lines, `Error:` blocks with their `Caused by:` chain, the pushed digest,
 * `spin up`'s `Serving http://…` and route list, registry login success/failure, plugin lists and
 * install results, and the known one-line failures (unknown component, busy port, missing plugin,
 * missing spin.toml). Every parser accepts ANSI colour codes and CRLF. vscode-free; unit-tested
 * against captured output.
 */

/** Removes ANSI escape sequences (spin colours output on a TTY). */
export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007/g, "");
}

function lines(text: string): string[] {
  return stripAnsi(text).replace(/\r\n?/g, "\n").split("\n");
}

// ---------------------------------------------------------------------------------------------
// Version

/** A parsed `spin --version` banner. */
export interface SpinVersion {
  /** The semver text, e.g. `3.6.3` or `4.0.0-pre0`. */
  version: string;
  major: number;
  minor: number;
  patch: number;
  pre?: string;
  commit?: string;
  date?: string;
}

/**
 * Parses `spin 3.6.3 (88d51cf 2025-09-01)` (clap prints the binary name and Spin's build info,
 * SPIN src/lib.rs `build_info`). Returns undefined for anything else.
 */
export function parseVersion(stdout: string): SpinVersion | undefined {
  for (const l of lines(stdout)) {
    const m = /^\s*spin\s+v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?(?:\s+\(([0-9a-f]+)\s+([0-9-]+)\))?\s*$/.exec(l);
    if (m) {
      return {
        version: `${m[1]}.${m[2]}.${m[3]}${m[4] ? `-${m[4]}` : ""}`,
        major: Number(m[1]),
        minor: Number(m[2]),
        patch: Number(m[3]),
        ...(m[4] ? { pre: m[4] } : {}),
        ...(m[5] ? { commit: m[5] } : {}),
        ...(m[6] ? { date: m[6] } : {}),
      };
    }
  }
  return undefined;
}

/** Compares two versions by major.minor.patch (pre-releases sort before their release). */
export function compareVersions(a: Pick<SpinVersion, "major" | "minor" | "patch" | "pre">, b: Pick<SpinVersion, "major" | "minor" | "patch" | "pre">): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch || (a.pre ? (b.pre ? a.pre.localeCompare(b.pre) : -1) : b.pre ? 1 : 0);
}

const v = (major: number, minor: number, patch: number): Pick<SpinVersion, "major" | "minor" | "patch"> => ({ major, minor, patch });

/** The oldest Spin the kube plugin installs on (KUBE `spin-pluginify.toml`: `>=2.3.1`). */
export const MIN_SPIN_FOR_KUBE_PLUGIN = v(2, 3, 1);
/** `spin plugins list --installed --format json` exists from Spin 3.2.0 on. */
export const MIN_SPIN_FOR_PLUGIN_JSON = v(3, 2, 0);
/** `spin up --find-free-port` exists from Spin 3.4.0 on. */
export const MIN_SPIN_FOR_FIND_FREE_PORT = v(3, 4, 0);
/** The Spin the newest containerd-shim-spin (v0.24.0) embeds. */
export const SHIM_EMBEDDED_SPIN = "3.6.3";

/** How well a Spin version works with SpinKube. */
export interface Compatibility {
  /** False when the toolchain cannot work with this Spin (too old for the kube plugin). */
  usable: boolean;
  /** A note to show (a warning when usable, the reason when not). */
  note?: string;
}

/** Checks a Spin version against what SpinKube needs (FACTS (c): kube plugin ≥2.3.1; Spin 4 template caveat). */
export function spinKubeCompatibility(ver: SpinVersion): Compatibility {
  if (compareVersions({ ...ver, pre: undefined }, MIN_SPIN_FOR_KUBE_PLUGIN) < 0) {
    return { usable: false, note: `Spin ${ver.version} is too old for the kube plugin (it needs Spin 2.3.1 or later). Install a current Spin 3.x.` };
  }
  if (ver.major >= 4) {
    return {
      usable: true,
      note:
        `Spin ${ver.version}: SpinKube's newest shim runs apps with Spin ${SHIM_EMBEDDED_SPIN}. Apps from Spin 4's default templates (http-rust with spin-sdk 6, wasm32-wasip2) ` +
        "will probably not run on the cluster: start from the *-p2 templates (http-rust-p2, http-py-p2) or declare a SpinKube target in spin.toml.",
    };
  }
  return { usable: true };
}

// ---------------------------------------------------------------------------------------------
// Errors

/** An `Error: …` block from stderr (SPIN src/bin/spin.rs `print_error_chain`). */
export interface SpinErrorBlock {
  message: string;
  causes: string[];
}

/**
 * The last `Error: <message>` block of stderr with its `Caused by:` chain (single cause indented,
 * several numbered `   0: …`). Clap usage errors (`error: unexpected argument …`) count too.
 */
export function parseErrorBlock(stderr: string): SpinErrorBlock | undefined {
  const ls = lines(stderr);
  let start = -1;
  for (let i = ls.length - 1; i >= 0; i--) {
    if (/^(Error|error): /.test(ls[i])) {
      start = i;
      break;
    }
  }
  if (start < 0) return undefined;
  const message = ls[start].replace(/^(Error|error):\s*/, "").trim();
  const causes: string[] = [];
  let inCauses = false;
  for (const l of ls.slice(start + 1)) {
    if (/^Caused by:\s*$/.test(l)) {
      inCauses = true;
      continue;
    }
    if (!inCauses) continue;
    const m = /^\s+(?:\d+:\s+)?(.*\S)\s*$/.exec(l);
    if (m) causes.push(m[1]);
    else if (l.trim() === "") continue;
    else break;
  }
  return { message, causes };
}

/** `Error: Build command for component <id> failed with status Exited(<code>)`. */
export function parseBuildFailure(stderr: string): { component: string; status: string } | undefined {
  const m = /Build command for component (\S+) failed with status (.+?)\s*$/m.exec(stripAnsi(stderr));
  return m ? { component: m[1], status: m[2] } : undefined;
}

/** `Unknown component(s) a, b` → ["a", "b"]. */
export function parseUnknownComponents(stderr: string): string[] | undefined {
  const m = /Unknown component\(s\) (.+?)\s*$/m.exec(stripAnsi(stderr));
  return m ? m[1].split(/,\s*/).filter(Boolean) : undefined;
}

/** `Error: 'kube' is not a known Spin command. See spin --help.` (exit 2 without the plugin). */
export function isUnknownSpinCommand(stderr: string, command: string): boolean {
  return stripAnsi(stderr).includes(`'${command}' is not a known Spin command`);
}

/** Manifest discovery failures: `"spin.toml" not found` and `Directory <dir> does not contain a file named 'spin.toml'`. */
export function parseManifestNotFound(stderr: string): { dir?: string } | undefined {
  const s = stripAnsi(stderr);
  const m = /Directory (.+) does not contain a file named 'spin\.toml'/.exec(s);
  if (m) return { dir: m[1] };
  return /"spin\.toml" not found/.test(s) ? {} : undefined;
}

/** `Using 'spin.toml' from parent directory (<path>)` → the manifest spin used. */
export function parseParentManifest(stderr: string): string | undefined {
  const m = /Using 'spin\.toml' from parent directory \((.+)\)\s*$/m.exec(stripAnsi(stderr));
  return m?.[1];
}

/** `TOML parse error at line 6, column 12` → 1-based line and column. */
export function parseTomlErrorPosition(text: string): { line: number; column: number } | undefined {
  const m = /TOML parse error at line (\d+), column (\d+)/.exec(stripAnsi(text));
  return m ? { line: Number(m[1]), column: Number(m[2]) } : undefined;
}

// ---------------------------------------------------------------------------------------------
// Build

/** One recognised `spin build` progress line. */
export type BuildEvent =
  | { kind: "component"; component: string; command?: string; commands?: number }
  | { kind: "step"; component: string; step: number; of: number; command: string }
  | { kind: "workdir"; dir: string }
  | { kind: "finished" }
  | { kind: "nothingToBuild" };

/**
 * Classifies one stdout line of `spin build` (SPIN crates/build/src/lib.rs, plus the v2-era
 * `Executing the build command for component <id>: <cmd>`). Other lines (the build tool's own
 * output) return undefined.
 */
export function parseBuildLine(line: string): BuildEvent | undefined {
  const l = stripAnsi(line).trim();
  let m = /^Building component (\S+) with `(.*)`$/.exec(l);
  if (m) return { kind: "component", component: m[1], command: m[2] };
  m = /^Building component (\S+) \((\d+) commands\)$/.exec(l);
  if (m) return { kind: "component", component: m[1], commands: Number(m[2]) };
  m = /^Running build step (\d+)\/(\d+) for component (\S+) with '(.*)'$/.exec(l);
  if (m) return { kind: "step", component: m[3], step: Number(m[1]), of: Number(m[2]), command: m[4] };
  m = /^Executing the build command for component (\S+): (.*)$/.exec(l);
  if (m) return { kind: "component", component: m[1], command: m[2] };
  m = /^Working directory: "(.*)"$/.exec(l);
  if (m) return { kind: "workdir", dir: m[1] };
  if (l === "Finished building all Spin components") return { kind: "finished" };
  if (l.startsWith("None of the components have a build command")) return { kind: "nothingToBuild" };
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Push

/** What `spin registry push` printed last: the digest, or that the registry returned none. */
export type PushOutcome = { digest: string } | { digest: undefined };

/** `Pushed with digest sha256:<64 hex>` or `Pushed; the registry did not return the digest`; undefined when neither. */
export function parsePushed(stdout: string): PushOutcome | undefined {
  const s = stripAnsi(stdout);
  const m = /^Pushed with digest (sha256:[0-9a-f]{64})\s*$/m.exec(s);
  if (m) return { digest: m[1] };
  if (/^Pushed; the registry did not return the digest\s*$/m.test(s)) return { digest: undefined };
  return undefined;
}

/** Why a push failed, classified from the error chain (401/403, unreachable, other). */
export function classifyRegistryError(text: string): "unauthorized" | "unreachable" | "other" {
  const s = stripAnsi(text);
  if (/\b(401|403)\b|(un|not )authori[sz]ed|authentication required|denied|forbidden|UNAUTHORIZED|DENIED/i.test(s)) return "unauthorized";
  if (/connection refused|ECONNREFUSED|dns error|failed to lookup address|error trying to connect|tcp connect error|timed out|ENOTFOUND|EHOSTUNREACH|no route to host|Connection reset/i.test(s)) return "unreachable";
  return "other";
}

// ---------------------------------------------------------------------------------------------
// Up

/** A route `spin up` listed. */
export interface ServedRoute {
  component: string;
  url: string;
  wildcard: boolean;
  description?: string;
}

/** What `spin up` announced. */
export interface Serving {
  baseUrl: string;
  routes: ServedRoute[];
}

/**
 * Incremental parser of `spin up` stdout: `Serving http://…`, `Available Routes:`, then
 * `  <component>: <url>[ (wildcard)]` lines, each optionally followed by a deeper-indented
 * description line.
 */
export class ServingParser {
  private base: string | undefined;
  private readonly list: ServedRoute[] = [];
  private inRoutes = false;

  /** Feeds one stdout line; returns true when it changed what is known. */
  feed(line: string): boolean {
    const l = stripAnsi(line).replace(/\s+$/, "");
    const serving = /^Serving (https?:\/\/\S+)$/.exec(l.trim());
    if (serving) {
      this.base = serving[1];
      this.inRoutes = false;
      return true;
    }
    if (l.trim() === "Available Routes:") {
      this.inRoutes = true;
      return false;
    }
    if (!this.inRoutes) return false;
    const route = /^ {2}(\S+): (https?:\/\/\S+?)( \(wildcard\))?$/.exec(l);
    if (route) {
      this.list.push({ component: route[1], url: route[2], wildcard: !!route[3] });
      return true;
    }
    const desc = /^ {4,}(\S.*)$/.exec(l);
    if (desc && this.list.length) {
      this.list[this.list.length - 1].description = desc[1];
      return true;
    }
    if (l.trim() !== "") this.inRoutes = false;
    return false;
  }

  /** The announcement so far (undefined before `Serving`). */
  get serving(): Serving | undefined {
    return this.base ? { baseUrl: this.base, routes: this.list.map((r) => ({ ...r })) } : undefined;
  }
}

/** Parses a complete `spin up` stdout. */
export function parseServing(stdout: string): Serving | undefined {
  const p = new ServingParser();
  for (const l of lines(stdout)) p.feed(l);
  return p.serving;
}

/** `<addr> is already in use. To have Spin search for a free port, use the --find-free-port option.` → addr. */
export function parsePortInUse(stderr: string): string | undefined {
  const m = /(\S+) is already in use\./.exec(stripAnsi(stderr));
  return m?.[1];
}

// ---------------------------------------------------------------------------------------------
// Registry login

/** The outcome of `spin registry login`. */
export type LoginOutcome = { ok: true; user: string; server: string } | { ok: false; reason: string };

/**
 * `Successfully logged in as <user> to registry <server>` on stdout; otherwise
 * `Error: cannot log in to the registry` with `cannot authenticate as <user> to registry <server>: <detail>` as cause.
 */
export function parseLogin(stdout: string, stderr: string): LoginOutcome {
  const m = /^Successfully logged in as (.+) to registry (\S+)\s*$/m.exec(stripAnsi(stdout));
  if (m) return { ok: true, user: m[1], server: m[2] };
  const err = parseErrorBlock(stderr);
  if (!err) return { ok: false, reason: stripAnsi(stderr).trim() || "spin registry login printed no result" };
  const auth = err.causes.map((c) => /cannot authenticate as .+? to registry \S+?: (.*)$/.exec(c)).find((x) => x);
  return { ok: false, reason: auth ? auth[1] : [err.message, ...err.causes].join(": ") };
}

// ---------------------------------------------------------------------------------------------
// Plugins

/** One installed plugin. */
export interface PluginInfo {
  name: string;
  version: string;
  installed: boolean;
  installedVersion?: string;
}

/**
 * `spin plugins list --installed --format json`: `[{"name", "installed", "version", "installedVersion"}]`
 * (serde camelCase in SPIN src/commands/plugins.rs; FACTS writes `installed_version`: both are read).
 */
export function parsePluginsJson(stdout: string): PluginInfo[] | undefined {
  const s = stripAnsi(stdout);
  const start = s.indexOf("[");
  if (start < 0) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(s.slice(start));
  } catch {
    return undefined;
  }
  if (!Array.isArray(data)) return undefined;
  const out: PluginInfo[] = [];
  for (const p of data) {
    if (typeof p !== "object" || p == null) continue;
    const o = p as Record<string, unknown>;
    if (typeof o.name !== "string") continue;
    const iv = o.installedVersion ?? o.installed_version;
    out.push({ name: o.name, version: String(o.version ?? ""), installed: o.installed !== false, ...(typeof iv === "string" ? { installedVersion: iv } : {}) });
  }
  return out;
}

/** Plain `spin plugins list --installed`: `<name> <version> [installed]` lines, or `No plugins found`. */
export function parsePluginsPlain(stdout: string): PluginInfo[] {
  const out: PluginInfo[] = [];
  for (const l of lines(stdout)) {
    const m = /^(\S+) (\S+)(.*)$/.exec(l.trim());
    if (!m || l.trim() === "No plugins found") continue;
    const iv = /\[installed version: ([^\]]+)\]/.exec(m[3]);
    out.push({ name: m[1], version: m[2], installed: /\[installed/.test(m[3]), ...(iv ? { installedVersion: iv[1] } : {}) });
  }
  return out;
}

/** `Plugin 'kube' was installed successfully!` (stdout) or `Plugin 'kube' is already installed with version <v>.` (stderr). */
export function parsePluginInstall(stdout: string, stderr: string, name: string): "installed" | "alreadyInstalled" | undefined {
  if (stripAnsi(stdout).includes(`Plugin '${name}' was installed successfully!`)) return "installed";
  if (stripAnsi(stderr).includes(`Plugin '${name}' is already installed`)) return "alreadyInstalled";
  return undefined;
}
