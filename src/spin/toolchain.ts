/**
 * The spin operations of the build-and-deploy loop, each one call that returns a {@link Result}
 * whose failure names what to fix: build (component ids checked against spin.toml first; a failure
 * points at the first compiler error), push (digest captured; 401 and unreachable registries told
 * apart), registry login (password on stdin only), scaffold (`spin kube scaffold` to YAML, with the
 * kube plugin's quirks handled: it needs a kubeconfig even though it never calls the cluster, and
 * reads ./spin.toml, so it runs in a neutral folder), and the manifest step that either updates
 * the image of an existing SpinApp file in place or writes a scaffolded one. Every operation runs
 * spin in the app's folder, streams output through `onLine` and stops on the AbortSignal.
 * vscode-free.
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { appNameFromRef, parseImageRef, withDigest } from "./imageRef";
import type { SpinManifest } from "./manifest";
import { checkComponentIds } from "./manifest";
import type { Stream } from "./process";
import type { BuildProblem } from "./problems";
import { findProblems } from "./problems";
import { resolveDigest } from "./registryClient";
import type { RegistryCredentials } from "./registryClient";
import { fail, ok } from "./result";
import type { Result } from "./result";
import { buildArgs, loginArgs, pushArgs, scaffoldArgs } from "./spinArgs";
import type { ScaffoldOptions } from "./spinArgs";
import type { SpinCli } from "./spinCli";
import { KUBE_PLUGIN_URL } from "./spinCli";
import { classifyRegistryError, isUnknownSpinCommand, parseBuildFailure, parseErrorBlock, parseLogin, parseManifestNotFound, parsePushed, parseUnknownComponents, stripAnsi } from "./spinOutput";
import { findSpinApps, setSpinAppImage } from "./spinAppManifest";

/** Options shared by the operations. */
export interface StepOptions {
  signal?: AbortSignal;
  onLine?(stream: Stream, line: string): void;
}

function errorText(stderr: string): string {
  const e = parseErrorBlock(stderr);
  return e ? [e.message, ...e.causes].join(": ") : stripAnsi(stderr).trim().split("\n").slice(-1)[0] ?? "";
}

/** A finished build. */
export interface BuildOutcome {
  durationMs: number;
  /** Warnings the compilers printed (errors make the build fail). */
  problems: BuildProblem[];
}

/** `spin build` for the app, optionally only some components. */
export async function build(cli: SpinCli, m: SpinManifest, o: StepOptions & { componentIds?: readonly string[] } = {}): Promise<Result<BuildOutcome>> {
  if (o.componentIds?.length) {
    const check = checkComponentIds(m, o.componentIds);
    if (!check.ok) return check;
  }
  const r = await cli.run(buildArgs({ manifest: m.file, componentIds: o.componentIds }), { cwd: m.dir, signal: o.signal, onLine: o.onLine });
  if (r.cancelled) return fail("cancelled", `Building ${m.name} was cancelled (the build processes were stopped).`);
  if (r.spawnError) return fail("spinMissing", `Could not run spin (${r.spawnError.code ?? r.spawnError.message}).`);
  const problems = findProblems(`${r.stdout}\n${r.stderr}`, m.dir, m.file).filter((p) => p.source !== "spin");
  if (r.code === 0) return ok({ durationMs: r.durationMs, problems: problems.filter((p) => p.severity === "warning") });
  const unknown = parseUnknownComponents(r.stderr);
  if (unknown) return fail("unknownComponent", `Unknown component(s) ${unknown.join(", ")}: pick a component that spin.toml defines.`, { file: m.file, detail: r.stderr });
  if (parseManifestNotFound(r.stderr)) return fail("noManifest", `spin found no spin.toml for ${m.dir}: open the app's folder.`, { detail: r.stderr });
  const failed = parseBuildFailure(r.stderr);
  const first = problems.find((p) => p.severity === "error");
  const where = first ? ` First error: ${path.relative(m.dir, first.file)}:${first.line}:${first.column} ${first.message}` : "";
  if (failed) {
    return fail("buildFailed", `The build command of component ${failed.component} failed (${failed.status}): fix the error in the Spin output.${where}`, {
      detail: stripAnsi(r.stderr),
      ...(first ? { file: first.file, line: first.line, column: first.column } : { file: m.file }),
    });
  }
  const pos = /line (\d+), column (\d+)/.exec(r.stderr);
  return fail(pos ? "manifestInvalid" : "buildFailed", `spin build failed: ${errorText(r.stderr) || `exit ${r.code}`}.${where}`, {
    detail: stripAnsi(r.stderr),
    file: first?.file ?? m.file,
    ...(pos ? { line: Number(pos[1]), column: Number(pos[2]) } : first ? { line: first.line, column: first.column } : {}),
  });
}

/** A finished push. */
export interface PushOutcome {
  reference: string;
  /** The pushed digest (from spin's output, else resolved through the registry). */
  digest?: string;
  /** `<repository>@<digest>` when the digest is known, else the reference. */
  immutableRef: string;
}

/** `spin registry push` of the built app to `reference`. */
export async function push(cli: SpinCli, m: SpinManifest, reference: string, o: StepOptions & { insecure?: boolean; credentials?: RegistryCredentials } = {}): Promise<Result<PushOutcome>> {
  const ref = parseImageRef(reference);
  if (!ref) return fail("pushFailed", `"${reference}" is not an image reference: use <registry>/<user>/<app>:<tag>, e.g. ghcr.io/you/${m.name}:latest.`);
  const r = await cli.run(pushArgs({ manifest: m.file, reference, insecure: o.insecure }), { cwd: m.dir, signal: o.signal, onLine: o.onLine });
  if (r.cancelled) return fail("cancelled", `Pushing ${m.name} was cancelled.`);
  if (r.spawnError) return fail("spinMissing", `Could not run spin (${r.spawnError.code ?? r.spawnError.message}).`);
  if (r.code !== 0) {
    const text = errorText(r.stderr);
    const cls = classifyRegistryError(r.stderr);
    if (cls === "unauthorized") return fail("unauthorized", `The registry ${ref.registry} refused the push (${text}): log in with SpinKube: Log In to Registry, with an account that may push to ${ref.repository}.`, { detail: r.stderr });
    if (cls === "unreachable") return fail("registryUnreachable", `Cannot reach the registry ${ref.registry} (${text}): check the reference${o.insecure ? "" : " or, for a plain-HTTP registry, add it to spinkube.registry.insecureRegistries"}.`, { detail: r.stderr });
    if (/not find|No such file|does not exist|ensure_wasms|Failed to read|wasm/i.test(text)) return fail("pushFailed", `Push failed because the app is not built (${text}): build it first.`, { detail: r.stderr });
    return fail("pushFailed", `spin registry push failed: ${text || `exit ${r.code}`}.`, { detail: r.stderr });
  }
  const pushed = parsePushed(r.stdout);
  let digest = pushed?.digest;
  if (!digest) {
    const resolved = await resolveDigest(reference, { insecure: o.insecure, credentials: o.credentials, signal: o.signal });
    if (resolved.ok) digest = resolved.value;
  }
  return ok({ reference, ...(digest ? { digest } : {}), immutableRef: digest ? withDigest(ref, digest) : reference });
}

/** `spin registry login --username <u> --password-stdin <server>`; the password only goes to stdin. */
export async function login(cli: SpinCli, server: string, username: string, password: string, o: { signal?: AbortSignal } = {}): Promise<Result<{ user: string; server: string }>> {
  const r = await cli.run(loginArgs({ server, username }), { stdin: password, signal: o.signal });
  if (r.cancelled) return fail("cancelled", "Logging in was cancelled.");
  const outcome = parseLogin(r.stdout, r.stderr);
  if (r.code === 0 && outcome.ok) return ok({ user: outcome.user, server: outcome.server });
  const reason = outcome.ok ? `exit ${r.code}` : outcome.reason;
  if (classifyRegistryError(reason) === "unreachable") return fail("registryUnreachable", `Cannot reach the registry ${server} (${reason}): check the server name.`);
  return fail("loginFailed", `The registry ${server} did not accept ${username} (${reason}): check the user name and password or token.`);
}

/** `spin kube scaffold …` → the YAML it prints. */
export async function scaffold(cli: SpinCli, opts: ScaffoldOptions, o: StepOptions & { kubeconfig?: string; cwd?: string } = {}): Promise<Result<string>> {
  // The plugin reads ./spin.toml unless SPIN_KUBE_DISABLE_DIR_CONTEXT=true (an unparsable one would fail it), and needs
  // some kubeconfig to start although it never calls the cluster (KUBE pkg/cmd/root.go, issue #79): pass ours.
  const r = await cli.run(scaffoldArgs(opts), {
    cwd: o.cwd ?? os.tmpdir(),
    signal: o.signal,
    onLine: (s, l) => o.onLine?.(s, l),
    env: { SPIN_KUBE_DISABLE_DIR_CONTEXT: "true", ...(o.kubeconfig ? { KUBECONFIG: o.kubeconfig } : {}) },
  });
  if (r.cancelled) return fail("cancelled", "Scaffolding was cancelled.");
  if (r.spawnError) return fail("spinMissing", `Could not run spin (${r.spawnError.code ?? r.spawnError.message}).`);
  if (isUnknownSpinCommand(r.stderr, "kube")) return fail("pluginMissing", `The spin kube plugin is not installed: install it with \`spin plugins install kube\` (${KUBE_PLUGIN_URL}).`);
  if (r.code !== 0) {
    const text = errorText(r.stderr);
    if (/no configuration has been provided|kubeconfig|KUBERNETES_MASTER/i.test(text)) return fail("scaffoldFailed", `spin kube scaffold needs a kubeconfig even though it never calls the cluster (${text}): set spinkube.kubeconfig or create ~/.kube/config.`, { detail: r.stderr });
    return fail("scaffoldFailed", `spin kube scaffold failed: ${text || `exit ${r.code}`}.`, { detail: r.stderr });
  }
  if (!/kind:\s*SpinApp/.test(r.stdout)) return fail("scaffoldFailed", "spin kube scaffold printed no SpinApp.", { detail: r.stdout });
  return ok(r.stdout);
}

/** What {@link prepareManifest} did. */
export interface ManifestOutcome {
  file: string;
  text: string;
  /** "updated" (image replaced in place), "unchanged" (same image already), "scaffolded" (new file). */
  action: "updated" | "unchanged" | "scaffolded";
  appName: string;
}

/**
 * Points the workspace SpinApp manifest at `image`: updates `spec.image` in place when `file`
 * exists and has a SpinApp, else writes what `spin kube scaffold --from <image>` prints.
 */
export async function prepareManifest(
  file: string,
  image: string,
  doScaffold: () => Promise<Result<string>>,
  o: { appName?: string; signal?: AbortSignal } = {},
): Promise<Result<ManifestOutcome>> {
  if (existsSync(file)) {
    const text = await readFile(file, "utf8");
    const apps = findSpinApps(text);
    if (!apps.ok) return fail("manifestFile", `${path.basename(file)}: ${apps.error.message}`, { file, ...(apps.error.line ? { line: apps.error.line } : {}) });
    if (apps.value.length) {
      const ref = parseImageRef(image);
      const byName = o.appName ?? (ref ? appNameFromRef(ref) : undefined);
      const name = apps.value.length === 1 ? apps.value[0].name : apps.value.find((a) => a.name === byName)?.name;
      const r = setSpinAppImage(text, image, name);
      if (!r.ok) return fail("manifestFile", `${path.basename(file)}: ${r.error.message}`, { file });
      if (o.signal?.aborted) return fail("cancelled", "Updating the manifest was cancelled.");
      if (r.value.changed) await writeFile(file, r.value.text);
      return ok({ file, text: r.value.text, action: r.value.changed ? "updated" : "unchanged", appName: r.value.name });
    }
  }
  const y = await doScaffold();
  if (!y.ok) return y;
  if (o.signal?.aborted) return fail("cancelled", "Scaffolding was cancelled.");
  const apps = findSpinApps(y.value);
  if (!apps.ok || !apps.value.length) return fail("scaffoldFailed", "spin kube scaffold printed YAML without a SpinApp.");
  await writeFile(file, y.value);
  return ok({ file, text: y.value, action: "scaffolded", appName: apps.value[0].name });
}
