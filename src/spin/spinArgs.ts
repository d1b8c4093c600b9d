/**
 * Every argument list the extension passes to `spin`, built in one place so that the contract test
 * (test/unit/spin/contract.test.ts) can check each of them against the flags
 * ../shared/spinkube/FACTS.md section (c) lists for the real CLI. Nothing else in the extension
 * writes a spin flag. Long flag names are used where FACTS gives one (they read better in logs);
 * `-y` has no long form in FACTS. `--version` is clap's automatic flag on the root command
 * (SPIN src/lib.rs `SpinApp::command().version(build_info())`), the one flag outside section (c).
 * vscode-free.
 */

/** `spin --version`. */
export function versionArgs(): string[] {
  return ["--version"];
}

/** `spin build --from <manifest> [--component-id <id>]…`. */
export function buildArgs(o: { manifest: string; componentIds?: readonly string[] }): string[] {
  return ["build", "--from", o.manifest, ...(o.componentIds ?? []).flatMap((id) => ["--component-id", id])];
}

/** `spin up --from <manifest> [--listen <addr>] [--find-free-port] [--component-id <id>]…` (`--find-free-port` needs Spin 3.4.0). */
export function upArgs(o: { manifest: string; listen?: string; findFreePort?: boolean; componentIds?: readonly string[] }): string[] {
  return ["up", "--from", o.manifest, ...(o.listen ? ["--listen", o.listen] : []), ...(o.findFreePort ? ["--find-free-port"] : []), ...(o.componentIds ?? []).flatMap((id) => ["--component-id", id])];
}

/** `spin registry push --from <manifest> [--insecure] <reference>`. */
export function pushArgs(o: { manifest: string; reference: string; insecure?: boolean }): string[] {
  return ["registry", "push", "--from", o.manifest, ...(o.insecure ? ["--insecure"] : []), o.reference];
}

/** `spin registry login --username <user> --password-stdin <server>` (the password goes to stdin). */
export function loginArgs(o: { server: string; username: string }): string[] {
  return ["registry", "login", "--username", o.username, "--password-stdin", o.server];
}

/** `spin plugins list --installed --format json` (Spin 3.2.0+). */
export function pluginsListJsonArgs(): string[] {
  return ["plugins", "list", "--installed", "--format", "json"];
}

/** `spin plugins list --installed` (plain format, older Spin). */
export function pluginsListPlainArgs(): string[] {
  return ["plugins", "list", "--installed"];
}

/** `spin plugins install kube -y` (no confirmation prompt). */
export function installKubePluginArgs(): string[] {
  return ["plugins", "install", "kube", "-y"];
}

/** Options of {@link scaffoldArgs}: the flags of `spin kube scaffold` the extension offers. */
export interface ScaffoldOptions {
  /** Image reference, ideally `<repo>@sha256:…` (immutable). */
  from: string;
  replicas?: number;
  executor?: string;
  imagePullSecrets?: readonly string[];
  components?: readonly string[];
  /** `name=value` static variables. */
  variables?: Readonly<Record<string, string>>;
}

/** `spin kube scaffold --from <ref> [--replicas n] [--executor e] [--image-pull-secret s]… [--component c]… [--variable k=v]…` (YAML on stdout). */
export function scaffoldArgs(o: ScaffoldOptions): string[] {
  const a = ["kube", "scaffold", "--from", o.from];
  if (o.replicas !== undefined) a.push("--replicas", String(o.replicas));
  if (o.executor) a.push("--executor", o.executor);
  for (const s of o.imagePullSecrets ?? []) a.push("--image-pull-secret", s);
  for (const c of o.components ?? []) a.push("--component", c);
  for (const [k, val] of Object.entries(o.variables ?? {})) a.push("--variable", `${k}=${val}`);
  return a;
}
