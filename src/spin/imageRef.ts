/**
 * OCI image references as spin, the kube plugin and registries read them
 * (`[registry/]repository[:tag][@sha256:…]`, the distribution reference grammar: the first path
 * part is a registry when it has a dot or a port or is `localhost`; bare names are Docker Hub's
 * `library/`). Also the SpinApp name the kube plugin derives (last repository segment).
 * vscode-free.
 */

/** A parsed image reference. */
export interface ImageRef {
  /** Registry host[:port] as written (`docker.io` when none). */
  registry: string;
  /** Repository path (`library/x` for bare Docker Hub names). */
  repository: string;
  tag?: string;
  /** `sha256:<64 hex>`. */
  digest?: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const REPO_PART = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/** Parses a reference; undefined when it is not one. */
export function parseImageRef(ref: string): ImageRef | undefined {
  let r = ref.trim();
  if (!r || /\s/.test(r)) return undefined;
  let digest: string | undefined;
  const at = r.indexOf("@");
  if (at >= 0) {
    digest = r.slice(at + 1);
    r = r.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const slash = r.lastIndexOf("/");
  const colon = r.lastIndexOf(":");
  if (colon > slash) {
    tag = r.slice(colon + 1);
    r = r.slice(0, colon);
    if (!TAG.test(tag)) return undefined;
  }
  const parts = r.split("/");
  let registry = "docker.io";
  if (parts.length > 1 && (parts[0].includes(".") || parts[0].includes(":") || parts[0] === "localhost")) {
    registry = parts.shift() as string;
  }
  if (!parts.length || !parts.every((p) => REPO_PART.test(p))) return undefined;
  if (registry === "docker.io" && parts.length === 1) parts.unshift("library");
  return { registry, repository: parts.join("/"), ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** `registry/repository` (the reference without tag and digest). */
export function repositoryOf(ref: ImageRef): string {
  return `${ref.registry}/${ref.repository}`;
}

/** The immutable reference `<registry>/<repository>@<digest>` (the tag is dropped, as spin kube scaffold accepts). */
export function withDigest(ref: ImageRef, digest: string): string {
  return `${repositoryOf(ref)}@${digest}`;
}

/** Formats a reference back to text. */
export function formatImageRef(ref: ImageRef): string {
  return `${repositoryOf(ref)}${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
}

/** The SpinApp name `spin kube scaffold` derives: the last repository segment (KUBE pkg/cmd/scaffold.go). */
export function appNameFromRef(ref: ImageRef): string {
  const parts = ref.repository.split("/");
  return parts[parts.length - 1];
}

/** The registry API host: Docker Hub's API lives at registry-1.docker.io. */
export function registryApiHost(registry: string): string {
  return registry === "docker.io" || registry === "index.docker.io" ? "registry-1.docker.io" : registry;
}

/** True when two references name the same repository (registry and path). */
export function sameRepository(a: ImageRef, b: ImageRef): boolean {
  return registryApiHost(a.registry) === registryApiHost(b.registry) && a.repository === b.repository;
}

/**
 * The reference a first push of `app` is offered: `<defaultPath>/<app>:latest`, the app's name
 * made a valid repository component (lower case; runs of other characters become one `-`); with no
 * usable default path, the `ghcr.io/<user>/<app>:latest` template for the user to complete.
 */
export function suggestedReference(app: string, defaultPath: string): string {
  const name = app.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "") || "app";
  const path = defaultPath.trim().replace(/\/+$/, "");
  const ref = `${path}/${name}:latest`;
  return path && parseImageRef(ref) ? ref : `ghcr.io/<user>/${name}:latest`;
}
