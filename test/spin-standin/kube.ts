// The stand-in's kube plugin (spin-plugin-kube 0.4.0, FACTS.md (c)): `spin kube scaffold` prints
// the SpinApp YAML the upstream golden files show (shared/spinkube/spin-plugin-kube/
// scaffold-testdata; the contract test compares), with the plugin's quirks: every command needs a
// usable kubeconfig although scaffold never calls the cluster (client-go's "no configuration has
// been provided"), an unparsable ./spin.toml fails it unless SPIN_KUBE_DISABLE_DIR_CONTEXT=true,
// `-o` writes the file with mode 0600 and logs `Application manifest saved to <path>` through Go's
// log package. Flags this stand-in does not render (autoscalers, runtime config) fail honestly.
// The plugin's state (installed or not) lives where Spin keeps plugins: `<data dir>/spin/plugins`.

import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import type { Parsed } from "./args";
import { SpinError, loadApp } from "./app";

/** The kube plugin version the stand-in reports. */
export const KUBE_PLUGIN_VERSION = "0.4.0";

/** Spin's plugin folder (dirs::data_local_dir()/spin/plugins). */
export function pluginsDir(dataHome = process.env.XDG_DATA_HOME || path.join(os.homedir(), ".local", "share")): string {
  return path.join(dataHome, "spin", "plugins");
}

/** Installed plugins: name → version. */
export function installedPlugins(): Map<string, string> {
  const dir = path.join(pluginsDir(), "manifests");
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    if (!f.endsWith(".json")) continue;
    try {
      const m = JSON.parse(readFileSync(path.join(dir, f), "utf8")) as { name: string; version: string };
      out.set(m.name, m.version);
    } catch {
      // ignore broken manifests, as spin does
    }
  }
  return out;
}

/** Records a plugin as installed. */
export function installPlugin(name: string, version: string, dataHome?: string): void {
  const dir = path.join(pluginsDir(dataHome), "manifests");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, `${name}.json`),
    JSON.stringify({ name, version, spinCompatibility: ">=2.3.1", license: "Apache-2.0", description: "Manage apps running on Kubernetes", homepage: "https://github.com/spinframework/spin-plugin-kube", packages: [] }, null, 2),
  );
}

function kubeconfigUsable(flagPath: string | undefined): boolean {
  const paths = flagPath ? [flagPath] : process.env.KUBECONFIG ? process.env.KUBECONFIG.split(path.delimiter).filter(Boolean) : [path.join(os.homedir(), ".kube", "config")];
  for (const p of paths) {
    if (!existsSync(p)) continue;
    try {
      const kc = parseYaml(readFileSync(p, "utf8")) as { clusters?: unknown[]; "current-context"?: string } | null;
      if (kc && Array.isArray(kc.clusters) && kc.clusters.length) return true;
    } catch {
      return false;
    }
  }
  return false;
}

function imageName(ref: string): string {
  const noDigest = ref.split("@")[0];
  const lastSlash = noDigest.lastIndexOf("/");
  const colon = noDigest.lastIndexOf(":");
  const repo = colon > lastSlash ? noDigest.slice(0, colon) : noDigest;
  if (!/^([a-z0-9.-]+(:\d+)?\/)?[a-z0-9]+([._/-][a-z0-9]+)*$/.test(repo)) throw new SpinError(`invalid image reference provided: '${ref}'`);
  if (ref.includes("@") && !/@sha256:[0-9a-f]{64}$/.test(ref)) throw new SpinError(`invalid image reference provided: '${ref}'`);
  return repo.slice(repo.lastIndexOf("/") + 1);
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** `spin kube scaffold`: the YAML on stdout (or in `--out`). */
export function scaffold(p: Parsed, cwd: string): void {
  if (!kubeconfigUsable(str(p.flags.kubeconfig))) {
    throw new SpinError("invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable");
  }
  if (process.env.SPIN_KUBE_DISABLE_DIR_CONTEXT !== "true" && existsSync(path.join(cwd, "spin.toml"))) loadApp(path.join(cwd, "spin.toml"));
  const from = str(p.flags.from);
  if (!from) throw new SpinError('required flag(s) "from" not set');
  const name = imageName(from);
  const replicas = p.flags.replicas === undefined ? 2 : Number(p.flags.replicas);
  if (!Number.isInteger(replicas)) throw new SpinError(`invalid argument "${String(p.flags.replicas)}" for "-r, --replicas" flag: strconv.ParseInt: parsing "${String(p.flags.replicas)}": invalid syntax`);
  if (replicas < 0) throw new SpinError(`the minimum replica count (${replicas}) must be greater than 0`);
  for (const unsupported of ["autoscaler", "runtime-config-file", "cpu-limit", "memory-limit", "cpu-request", "memory-request", "azure-identity"]) {
    if (p.flags[unsupported] !== undefined) throw new SpinError(`the spin stand-in does not render --${unsupported}`);
  }
  const lines = ["apiVersion: core.spinkube.dev/v1alpha1", "kind: SpinApp", "metadata:", `  name: ${name}`, "spec:", `  image: ${JSON.stringify(from)}`, `  executor: ${str(p.flags.executor) ?? "containerd-shim-spin"}`, `  replicas: ${replicas}`];
  const variables = list(p.flags.variable).flatMap((v) => v.split(","));
  if (variables.length) {
    lines.push("  variables:");
    for (const kv of variables.sort()) {
      const i = kv.indexOf("=");
      if (i < 0) throw new SpinError(`invalid argument "${kv}" for "-v, --variable" flag: ${kv} must be formatted as key=value`);
      lines.push(`  - name: ${kv.slice(0, i)}`, `    value: ${kv.slice(i + 1)}`);
    }
  }
  const components = list(p.flags.component).flatMap((c) => c.split(","));
  if (components.length) lines.push("  components:", ...components.map((c) => `  - ${c}`));
  const secrets = list(p.flags["image-pull-secret"]).flatMap((c) => c.split(","));
  if (secrets.length) lines.push("  imagePullSecrets:", ...secrets.map((s) => `    - name: ${s}`));
  const sa = str(p.flags["service-account-name"]);
  if (sa) lines.push(`  serviceAccountName: ${sa}`);
  const yaml = `${lines.join("\n")}\n`;
  const out = str(p.flags.out);
  if (out) {
    const file = path.resolve(cwd, out);
    writeFileSync(file, yaml, { mode: 0o600 });
    const d = new Date();
    const pad = (n: number): string => String(n).padStart(2, "0");
    process.stderr.write(`\n${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} Application manifest saved to ${file}\n`);
    return;
  }
  process.stdout.write(yaml);
}
