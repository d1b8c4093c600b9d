// OCI distribution for the stand-in spin and for the test cluster's kubelet hook: pushing a Spin
// app as SPIN crates/oci/src/client.rs does (one `application/vnd.wasm.content.layer.v1+wasm`
// layer per component, the locked app as an `application/vnd.fermyon.spin.application.v1+config`
// layer, an OCI image config with architecture `wasm`, os `wasip1` and the
// `com.fermyon.spin.lockedAppDigest` label, annotations title/version/description/authors/created),
// pulling one back, validating credentials (`spin registry login`, always HTTPS as spin's login
// client is), and the credential file spin registry login writes
// (`<config dir>/fermyon/registry-auth.json`) with Docker's config as the fallback. HTTP with
// `insecure`, HTTPS otherwise; Basic auth from the saved credentials after a 401 challenge.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { App } from "./app";
import { SpinError } from "./app";

export const SPIN_APPLICATION_MEDIA_TYPE = "application/vnd.fermyon.spin.application.v1+config";
export const WASM_LAYER_MEDIA_TYPE = "application/vnd.wasm.content.layer.v1+wasm";
export const OCI_MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
export const OCI_CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json";

/** A parsed reference. */
export interface Ref {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** Parses `registry/repo[:tag][@digest]` (the stand-in only needs references with a registry). */
export function parseRef(ref: string): Ref {
  let r = ref;
  let digest: string | undefined;
  const at = r.indexOf("@");
  if (at >= 0) {
    digest = r.slice(at + 1);
    r = r.slice(0, at);
  }
  let tag: string | undefined;
  const colon = r.lastIndexOf(":");
  if (colon > r.lastIndexOf("/")) {
    tag = r.slice(colon + 1);
    r = r.slice(0, colon);
  }
  const slash = r.indexOf("/");
  const first = slash < 0 ? "" : r.slice(0, slash);
  if (!first || !(first.includes(".") || first.includes(":") || first === "localhost")) return { registry: "docker.io", repository: slash < 0 ? `library/${r}` : r, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
  if (!/^[a-z0-9]+(?:[._/-][a-z0-9]+)*$/.test(r.slice(slash + 1))) throw new SpinError(`cannot parse reference ${ref}`, ["invalid reference format"]);
  return { registry: first, repository: r.slice(slash + 1), ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** The user config folder (dirs::config_dir on Linux: $XDG_CONFIG_HOME or ~/.config). */
function configDir(): string {
  return process.env.XDG_CONFIG_HOME || path.join(os.homedir(), ".config");
}

/** Where `spin registry login` saves credentials. */
export function authFile(): string {
  return path.join(configDir(), "fermyon", "registry-auth.json");
}

/** Saved credentials for a registry host (spin's file first, then Docker's config). */
export function savedCredentials(server: string): { username: string; password: string } | undefined {
  const decode = (b64: string): { username: string; password: string } => {
    const s = Buffer.from(b64, "base64").toString("utf8");
    const i = s.indexOf(":");
    return { username: s.slice(0, i), password: s.slice(i + 1) };
  };
  for (const f of [authFile(), path.join(process.env.DOCKER_CONFIG || path.join(os.homedir(), ".docker"), "config.json")]) {
    if (!existsSync(f)) continue;
    try {
      const data = JSON.parse(readFileSync(f, "utf8")) as { auths?: Record<string, { auth?: string }> };
      const e = data.auths?.[server];
      if (e?.auth) return decode(e.auth);
    } catch {
      // unreadable file: anonymous
    }
  }
  return undefined;
}

/** Saves credentials as spin registry login does. */
export function saveCredentials(server: string, username: string, password: string): void {
  const f = authFile();
  let data: { auths: Record<string, { auth: string }> } = { auths: {} };
  if (existsSync(f)) {
    try {
      data = JSON.parse(readFileSync(f, "utf8")) as typeof data;
      data.auths ??= {};
    } catch {
      data = { auths: {} };
    }
  }
  data.auths[server] = { auth: Buffer.from(`${username}:${password}`).toString("base64") };
  mkdirSync(path.dirname(f), { recursive: true });
  writeFileSync(f, JSON.stringify(data, null, 2), { mode: 0o600 });
}

const sha = (b: Buffer): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** A registry connection for one repository. */
class Registry {
  private authorization: string | undefined;
  constructor(
    private readonly ref: Ref,
    private readonly insecure: boolean,
    private readonly creds: { username: string; password: string } | undefined,
    private readonly what = "cannot push Spin application",
  ) {}

  get base(): string {
    return `${this.insecure ? "http" : "https"}://${this.ref.registry}/v2/`;
  }

  async request(method: string, url: string, init: { body?: Buffer; headers?: Record<string, string> } = {}): Promise<Response> {
    const send = (): Promise<Response> =>
      fetch(url, { method, headers: { ...init.headers, ...(this.authorization ? { authorization: this.authorization } : {}) }, body: init.body, redirect: "manual" });
    let res: Response;
    try {
      res = await send();
    } catch (err) {
      throw connectError(this.what, url, err);
    }
    if (res.status === 401 && !this.authorization) {
      const challenge = res.headers.get("www-authenticate") ?? "";
      if (/^basic/i.test(challenge) && this.creds) {
        this.authorization = `Basic ${Buffer.from(`${this.creds.username}:${this.creds.password}`).toString("base64")}`;
        try {
          res = await send();
        } catch (err) {
          throw connectError(this.what, url, err);
        }
      }
    }
    if (res.status === 401 || res.status === 403) throw new SpinError(this.what, [`Not authorized: url ${url}`]);
    return res;
  }
}

function connectError(what: string, url: string, err: unknown): SpinError {
  const e = err as { cause?: { code?: string; message?: string } };
  const code = e.cause?.code;
  const detail =
    code === "ECONNREFUSED"
      ? ["client error (Connect)", "tcp connect error: Connection refused (os error 111)"]
      : code === "ENOTFOUND" || code === "EAI_AGAIN"
        ? ["client error (Connect)", "dns error: failed to lookup address information: Name or service not known"]
        : [`client error (Connect)`, e.cause?.message ?? String(err)];
  return new SpinError(what, [`error sending request for url (${url})`, ...detail]);
}

/** Pushes the built app; returns the manifest digest. */
export async function pushApp(app: App, reference: string, o: { insecure: boolean; annotations: Record<string, string> }): Promise<string> {
  const ref = parseRef(reference);
  const layers: { mediaType: string; data: Buffer }[] = [];
  const components = [];
  for (const c of app.components) {
    if (!c.source) throw new SpinError(`Component ${c.id} has no local source`);
    const file = path.resolve(app.dir, c.source);
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch {
      throw new SpinError(`cannot read wasm module ${JSON.stringify(file)}`, ["No such file or directory (os error 2)"]);
    }
    if (data.subarray(0, 4).toString("latin1") !== "\0asm") throw new SpinError(`Component ${c.id}: ${JSON.stringify(file)} is not a Wasm binary`);
    layers.push({ mediaType: WASM_LAYER_MEDIA_TYPE, data });
    components.push({ id: c.id, metadata: {}, source: { content_type: "application/wasm", content: { digest: sha(data) } }, env: {}, files: [] });
  }
  const locked = {
    spin_lock_version: 1,
    metadata: { name: app.name, ...(app.version ? { version: app.version } : {}), ...(app.description ? { description: app.description } : {}), authors: app.authors, trigger: { type: "http" } },
    triggers: app.routes.map((r) => ({ id: `trigger--${r.component}`, trigger_type: "http", trigger_config: { component: r.component, route: r.private ? { private: true } : r.route } })),
    components,
  };
  const lockedBytes = Buffer.from(JSON.stringify(locked));
  layers.push({ mediaType: SPIN_APPLICATION_MEDIA_TYPE, data: lockedBytes });
  const config = Buffer.from(JSON.stringify({ architecture: "wasm", os: "wasip1", config: { Labels: { "com.fermyon.spin.lockedAppDigest": sha(lockedBytes) } }, rootfs: { type: "layers", diff_ids: [] } }));
  const annotations: Record<string, string> = { ...o.annotations };
  annotations["org.opencontainers.image.title"] ??= app.name;
  if (app.version) annotations["org.opencontainers.image.version"] ??= app.version;
  if (app.description) annotations["org.opencontainers.image.description"] ??= app.description;
  if (app.authors.length) annotations["org.opencontainers.image.authors"] ??= app.authors.join(", ");
  annotations["org.opencontainers.image.created"] ??= new Date().toISOString();
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      config: { mediaType: OCI_CONFIG_MEDIA_TYPE, digest: sha(config), size: config.length },
      layers: layers.map((l) => ({ mediaType: l.mediaType, digest: sha(l.data), size: l.data.length })),
      annotations,
    }),
  );
  const reg = new Registry(ref, o.insecure, savedCredentials(ref.registry));
  for (const blob of [...layers.map((l) => l.data), config]) {
    const digest = sha(blob);
    const head = await reg.request("HEAD", `${reg.base}${ref.repository}/blobs/${digest}`);
    if (head.ok) continue;
    const start = await reg.request("POST", `${reg.base}${ref.repository}/blobs/uploads/`);
    if (start.status !== 202) throw new SpinError("cannot push Spin application", [`Registry error: starting an upload answered HTTP ${start.status}: ${await start.text()}`]);
    const loc = new URL(start.headers.get("location") ?? "", reg.base);
    loc.searchParams.set("digest", digest);
    const put = await reg.request("PUT", loc.toString(), { body: blob, headers: { "content-type": "application/octet-stream" } });
    if (put.status !== 201) throw new SpinError("cannot push Spin application", [`Registry error: uploading ${digest} answered HTTP ${put.status}: ${await put.text()}`]);
  }
  const tag = ref.tag ?? "latest";
  const res = await reg.request("PUT", `${reg.base}${ref.repository}/manifests/${tag}`, { body: manifest, headers: { "content-type": OCI_MANIFEST_MEDIA_TYPE } });
  if (res.status !== 201) throw new SpinError("cannot push Spin application", [`Registry error: pushing the manifest answered HTTP ${res.status}: ${await res.text()}`]);
  return res.headers.get("docker-content-digest") ?? sha(manifest);
}

/** A pulled app: the locked app and each Wasm layer by digest. */
export interface PulledApp {
  digest: string;
  locked: { metadata: Record<string, unknown>; triggers: { trigger_type: string; trigger_config: { component: string; route: unknown } }[]; components: { id: string; source: { content: { digest: string } } }[] };
  wasm: Map<string, Buffer>;
  mediaTypes: string[];
}

/** Pulls a Spin app (used by `spin registry pull` and by the test cluster's kubelet). */
export async function pullApp(reference: string, o: { insecure: boolean; credentials?: { username: string; password: string } }): Promise<PulledApp> {
  const ref = parseRef(reference);
  const reg = new Registry(ref, o.insecure, o.credentials ?? savedCredentials(ref.registry), "cannot pull Spin application");
  const res = await reg.request("GET", `${reg.base}${ref.repository}/manifests/${ref.digest ?? ref.tag ?? "latest"}`, { headers: { accept: OCI_MANIFEST_MEDIA_TYPE } });
  if (res.status === 404) throw new SpinError(`cannot pull Spin application`, [`manifest unknown: ${reference}`]);
  if (!res.ok) throw new SpinError(`cannot pull Spin application`, [`Registry error: HTTP ${res.status}`]);
  const body = Buffer.from(await res.arrayBuffer());
  const digest = res.headers.get("docker-content-digest") ?? sha(body);
  const manifest = JSON.parse(body.toString("utf8")) as { layers: { mediaType: string; digest: string }[] };
  const blob = async (d: string): Promise<Buffer> => {
    const r = await reg.request("GET", `${reg.base}${ref.repository}/blobs/${d}`);
    if (!r.ok) throw new SpinError("cannot pull Spin application", [`blob ${d}: HTTP ${r.status}`]);
    const b = Buffer.from(await r.arrayBuffer());
    if (sha(b) !== d) throw new SpinError("cannot pull Spin application", [`blob ${d} has the wrong digest`]);
    return b;
  };
  let locked: PulledApp["locked"] | undefined;
  const wasm = new Map<string, Buffer>();
  for (const l of manifest.layers) {
    if (l.mediaType === SPIN_APPLICATION_MEDIA_TYPE) locked = JSON.parse((await blob(l.digest)).toString("utf8")) as PulledApp["locked"];
    else if (l.mediaType === WASM_LAYER_MEDIA_TYPE || l.mediaType === "application/wasm") wasm.set(l.digest, await blob(l.digest));
  }
  if (!locked) throw new SpinError("cannot pull Spin application", ["the image has no Spin application layer"]);
  return { digest, locked, wasm, mediaTypes: manifest.layers.map((l) => l.mediaType) };
}

/** Validates credentials against a registry over HTTPS (what spin registry login does first). */
export async function validateLogin(server: string, username: string, password: string): Promise<void> {
  const url = `https://${server}/v2/`;
  const fail = (detail: string): SpinError => new SpinError("cannot log in to the registry", [`cannot authenticate as ${username} to registry ${server}: ${detail}`]);
  let res: Response;
  try {
    res = await fetch(url, { headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` } });
  } catch (err) {
    const e = err as { cause?: { code?: string; message?: string } };
    throw fail(`http error: error sending request for url (${url}): ${e.cause?.code === "ECONNREFUSED" ? "client error (Connect): tcp connect error: Connection refused (os error 111)" : (e.cause?.message ?? String(err))}`);
  }
  if (res.status === 401 || res.status === 403) throw fail(`UNAUTHORIZED: authentication required`);
  if (!res.ok) throw fail(`unexpected HTTP status ${res.status}`);
}
