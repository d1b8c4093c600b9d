/**
 * SpinKube API identity in one place: groups, versions, kinds, labels. Imported by the language
 * server, the extension host and the tests. vscode-free.
 */

/** The current API group (operator v0.4.0 and later). */
export const GROUP = "core.spinkube.dev";
/** The pre-v0.4 group, renamed in operator v0.4.0 with no conversion. */
export const LEGACY_GROUP = "core.spinoperator.dev";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;
export const LEGACY_API_VERSION = `${LEGACY_GROUP}/${VERSION}`;

export const KIND_SPINAPP = "SpinApp";
export const KIND_EXECUTOR = "SpinAppExecutor";
export type SpinKind = typeof KIND_SPINAPP | typeof KIND_EXECUTOR;
export const SPIN_KINDS: readonly SpinKind[] = [KIND_SPINAPP, KIND_EXECUTOR];

export const PLURAL_SPINAPPS = "spinapps";
export const PLURAL_EXECUTORS = "spinappexecutors";

/** Label the operator puts on a SpinApp's Deployment, Service and pods. */
export const APP_NAME_LABEL = `${GROUP}/app-name`;
export const LEGACY_APP_NAME_LABEL = `${LEGACY_GROUP}/app-name`;

/** Handlers the containerd shim registers under (manual setup: `spin`; runtime-class-manager: `spin-v2`). */
export const SPIN_HANDLERS: readonly string[] = ["spin", "spin-v2"];

/** True for a RuntimeClass handler the Spin shim registers under (`spin` or `spin-v2`). */
export function isSpinHandler(handler: unknown): boolean {
  return typeof handler === "string" && SPIN_HANDLERS.includes(handler);
}

/** The RuntimeClass the operator's release assets install (handler `spin`). */
export const DEFAULT_SPIN_RUNTIME_CLASS = "wasmtime-spin-v2";

/** `ghcr.io/a/b:v1`, `ghcr.io/a/b@sha256:…` → `ghcr.io/a/b` (docker.io/library/ added for bare names). */
export function imageRepository(ref: string): string {
  let r = ref.trim();
  const at = r.indexOf("@");
  if (at >= 0) r = r.slice(0, at);
  const slash = r.lastIndexOf("/");
  const colon = r.lastIndexOf(":");
  if (colon > slash) r = r.slice(0, colon);
  const first = r.split("/")[0];
  const hasRegistry = r.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  if (!hasRegistry) r = `docker.io/${r.includes("/") ? r : `library/${r}`}`;
  return r.toLowerCase();
}

/** Splits `group/version` into its parts; the core group has no slash. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf("/");
  return i < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export function isSpinKind(kind: unknown): kind is SpinKind {
  return kind === KIND_SPINAPP || kind === KIND_EXECUTOR;
}
