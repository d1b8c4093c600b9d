/**
 * The little of the OCI distribution API the extension calls itself: resolving a tag to the digest
 * the registry serves (`HEAD /v2/<repo>/manifests/<tag>`, `Docker-Content-Digest`), with the
 * registry's auth challenge answered (Basic, or a Bearer token from the realm, anonymous or with
 * the credentials the user logged in with). Used by the stale-deploy check: the cluster's
 * `spec.image` may be a tag, and only its digest says which build runs. `insecure` means plain
 * HTTP, as spin's `--insecure` does. Credentials stay in memory and are never logged. vscode-free.
 */
import { createHash } from "node:crypto";
import type { ImageRef } from "./imageRef";
import { parseImageRef, registryApiHost } from "./imageRef";
import { fail, ok } from "./result";
import type { Result } from "./result";

/** A user name and password (or token) for one registry. */
export interface RegistryCredentials {
  username: string;
  password: string;
}

/** Options of {@link resolveDigest}. */
export interface RegistryOptions {
  /** Plain HTTP (spin's `--insecure`). */
  insecure?: boolean;
  credentials?: RegistryCredentials;
  signal?: AbortSignal;
  /** Per-request timeout (default 15 s). */
  timeoutMs?: number;
}

const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
].join(", ");

/** Parses a `WWW-Authenticate` header: scheme and its parameters. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const m = /^\s*(\w+)\s*(.*)$/.exec(header) ?? ["", "", ""];
  const params: Record<string, string> = {};
  for (const p of m[2].matchAll(/(\w+)="([^"]*)"|(\w+)=([^,\s]*)/g)) params[(p[1] ?? p[3]).toLowerCase()] = p[2] ?? p[4];
  return { scheme: m[1].toLowerCase(), params };
}

function basic(c: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;
}

function describeNetworkError(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "AbortError" || e?.name === "TimeoutError") return "the request timed out";
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}

/** Resolves `ref` to the digest its registry serves now (a digest reference resolves to itself). */
export async function resolveDigest(refText: string, opts: RegistryOptions = {}): Promise<Result<string>> {
  const ref = parseImageRef(refText);
  if (!ref) return fail("failed", `"${refText}" is not an image reference.`);
  if (ref.digest) return ok(ref.digest);
  return manifestDigest(ref, ref.tag ?? "latest", opts);
}

async function manifestDigest(ref: ImageRef, tagOrDigest: string, opts: RegistryOptions): Promise<Result<string>> {
  const host = registryApiHost(ref.registry);
  const url = `${opts.insecure ? "http" : "https"}://${host}/v2/${ref.repository}/manifests/${tagOrDigest}`;
  const signal = (): AbortSignal => AbortSignal.any([AbortSignal.timeout(opts.timeoutMs ?? 15_000), ...(opts.signal ? [opts.signal] : [])]);
  const request = async (method: "HEAD" | "GET", authorization?: string): Promise<Response> =>
    fetch(url, { method, headers: { accept: MANIFEST_ACCEPT, ...(authorization ? { authorization } : {}) }, signal: signal(), redirect: "follow" });
  try {
    let authorization: string | undefined;
    let res = await request("HEAD");
    if (res.status === 401) {
      const challenge = parseChallenge(res.headers.get("www-authenticate") ?? "");
      if (challenge.scheme === "basic") {
        if (!opts.credentials) return fail("unauthorized", `${host} needs a login to read ${ref.repository}: run SpinKube: Log In to Registry.`);
        authorization = basic(opts.credentials);
      } else if (challenge.scheme === "bearer" && challenge.params.realm) {
        const tokenUrl = new URL(challenge.params.realm);
        if (challenge.params.service) tokenUrl.searchParams.set("service", challenge.params.service);
        tokenUrl.searchParams.set("scope", challenge.params.scope ?? `repository:${ref.repository}:pull`);
        const tr = await fetch(tokenUrl, { headers: opts.credentials ? { authorization: basic(opts.credentials) } : {}, signal: signal() });
        if (!tr.ok) return fail("unauthorized", `${host} refused a token to read ${ref.repository} (HTTP ${tr.status}): log in with an account that can pull it.`);
        const body = (await tr.json()) as { token?: string; access_token?: string };
        const token = body.token ?? body.access_token;
        if (!token) return fail("unauthorized", `${host} answered the token request without a token.`);
        authorization = `Bearer ${token}`;
      } else {
        return fail("unauthorized", `${host} asks for an authentication scheme the extension does not know (${challenge.scheme || "none"}).`);
      }
      res = await request("HEAD", authorization);
    }
    if (res.status === 401 || res.status === 403) return fail("unauthorized", `${host} refused access to ${ref.repository} (HTTP ${res.status}): log in with an account that can pull it.`);
    if (res.status === 404) return fail("failed", `${host} has no ${ref.repository}:${tagOrDigest} (HTTP 404): push it first.`);
    if (!res.ok) return fail("failed", `${host} answered HTTP ${res.status} for ${ref.repository}:${tagOrDigest}.`);
    const header = res.headers.get("docker-content-digest");
    if (header && /^sha256:[0-9a-f]{64}$/.test(header)) return ok(header);
    // Some registries leave the header off HEAD answers: hash the manifest itself.
    const full = await request("GET", authorization);
    if (!full.ok) return fail("failed", `${host} answered HTTP ${full.status} for the manifest of ${ref.repository}:${tagOrDigest}.`);
    const bytes = Buffer.from(await full.arrayBuffer());
    return ok(`sha256:${createHash("sha256").update(bytes).digest("hex")}`);
  } catch (err) {
    if (opts.signal?.aborted) return fail("cancelled", "Resolving the image digest was cancelled.");
    return fail("registryUnreachable", `Could not reach the registry ${host} (${describeNetworkError(err)}): check the address${opts.insecure ? "" : ", or mark it insecure (plain HTTP) in spinkube.registry.insecureRegistries"}.`);
  }
}
