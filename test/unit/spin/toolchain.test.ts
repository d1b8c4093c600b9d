// The toolchain operations against the stand-in spin, a real build of the TypeScript fixture app
// (tsc, esbuild, Spin's j2w) and two real registries (Debian's docker-registry: plain HTTP, and
// TLS with htpasswd users): build, failing builds with the compiler's location, unknown
// components, cancellation of a build's process tree, push with the digest the registry serves,
// 401 / unreachable / not built, login (password only on stdin), tag → digest resolution, the stale
// check, scaffold (plugin missing, kubeconfig missing) and the manifest step, and `spin up`
// serving the component for real.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { readManifest } from "../../../src/spin/manifest";
import type { SpinManifest } from "../../../src/spin/manifest";
import { resolveDigest } from "../../../src/spin/registryClient";
import { SpinCli } from "../../../src/spin/spinCli";
import { ServingParser } from "../../../src/spin/spinOutput";
import { checkStale } from "../../../src/spin/stale";
import { build, login, prepareManifest, push, scaffold } from "../../../src/spin/toolchain";
import { upArgs } from "../../../src/spin/spinArgs";
import { freePort } from "../../spin-standin/jco";
import { STANDIN_SPIN, standinEnv } from "../../spin-standin/harness";
import type { TestRegistry } from "../../spin-standin/registry";
import { startRegistry } from "../../spin-standin/registry";

let plain: TestRegistry;
let secure: TestRegistry;
let se: ReturnType<typeof standinEnv>;
let cli: SpinCli;
let app: SpinManifest;
const USER = "dev";
const PASSWORD = "s3cret-Pa55";

before(async () => {
  [plain, secure] = await Promise.all([startRegistry(), startRegistry({ tls: true, users: { [USER]: PASSWORD } })]);
  se = standinEnv({ caFile: secure.caFile, kubePlugin: true });
  cli = new SpinCli(STANDIN_SPIN, se.env);
  const m = await readManifest(se.copyApp("hello"));
  assert.ok(m.ok);
  app = m.value;
});

after(async () => {
  await Promise.all([plain?.stop(), secure?.stop()]);
  const bad = se?.factsViolations() ?? [];
  const argv = JSON.stringify(se?.invocations() ?? []);
  se?.cleanup();
  assert.deepEqual(bad, []);
  assert.ok(!argv.includes(PASSWORD), "the registry password appeared in spin's argv");
});

test("build: the fixture compiles to a real Wasm component, progress streamed line by line", async () => {
  const lines: string[] = [];
  const r = await build(cli, app, { onLine: (_s, l) => lines.push(l) });
  assert.ok(r.ok, JSON.stringify(r));
  const wasm = readFileSync(path.join(app.dir, "dist", "hello.wasm"));
  assert.equal(wasm.subarray(0, 4).toString("latin1"), "\0asm");
  assert.ok(statSync(path.join(app.dir, "dist", "hello.wasm")).size > 1_000_000);
  assert.ok(lines.includes("Building component hello (3 commands)"));
  assert.ok(lines.includes("Finished building all Spin components"));
  assert.deepEqual(se.invocations().at(-1)?.argv, ["build", "--from", app.file]);
  assert.equal(se.invocations().at(-1)?.cwd, app.dir);
});

test("push: the digest spin printed is the one the registry serves for the tag; a second push is a new digest", async () => {
  const ref = `${plain.host}/hello:v1`;
  const r = await push(cli, app, ref, { insecure: true });
  assert.ok(r.ok, JSON.stringify(r));
  assert.match(r.value.digest ?? "", /^sha256:[0-9a-f]{64}$/);
  assert.equal(r.value.immutableRef, `${plain.host}/hello@${r.value.digest}`);
  const resolved = await resolveDigest(ref, { insecure: true });
  assert.deepEqual(resolved, { ok: true, value: r.value.digest });
  // The manifest carries Spin's media types.
  const manifest = (await (await fetch(`${plain.url}/v2/hello/manifests/${r.value.digest}`, { headers: { accept: "application/vnd.oci.image.manifest.v1+json" } })).json()) as { layers: { mediaType: string }[]; config: { mediaType: string } };
  assert.deepEqual(
    manifest.layers.map((l) => l.mediaType),
    ["application/vnd.wasm.content.layer.v1+wasm", "application/vnd.fermyon.spin.application.v1+config"],
  );
  // Stale check: the cluster runs the tag (resolved) or a digest; a newer push makes it stale.
  const last = { reference: ref, digest: r.value.digest!, at: Date.now() };
  const resolve = (x: string) => resolveDigest(x, { insecure: true });
  assert.deepEqual(await checkStale(ref, last, resolve), { state: "current", digest: r.value.digest });
  const second = await push(cli, app, ref, { insecure: true });
  assert.ok(second.ok && second.value.digest !== r.value.digest);
  const stale = await checkStale(r.value.immutableRef, { ...last, digest: second.value.digest! }, resolve);
  assert.equal(stale.state, "stale");
  assert.match(stale.state === "stale" ? stale.message : "", /^The cluster runs an older build/);
  assert.deepEqual(await checkStale(ref, { ...last, digest: second.value.digest! }, resolve), { state: "current", digest: second.value.digest });
  assert.equal((await checkStale(undefined, last, resolve)).state, "unknown");
  assert.equal((await checkStale("ghcr.io/other/app:1", last, resolve)).state, "unknown");
});

test("push failures: 401 without login, an unreachable registry, a TLS registry over plain HTTP, an app not built", async () => {
  const refused = await push(cli, app, `${secure.host}/hello:v1`);
  assert.ok(!refused.ok);
  assert.equal(refused.error.kind, "unauthorized");
  assert.match(refused.error.message, new RegExp(`^The registry ${secure.host.replace(/\./g, "\\.")} refused the push \\(.*Not authorized.*\\): log in with SpinKube: Log In to Registry, with an account that may push to hello\\.$`));
  const port = await freePort();
  const down = await push(cli, app, `127.0.0.1:${port}/hello:v1`, { insecure: true });
  assert.ok(!down.ok);
  assert.equal(down.error.kind, "registryUnreachable");
  assert.match(down.error.message, /^Cannot reach the registry 127\.0\.0\.1:\d+ \(.*Connection refused.*\): check the reference\.$/);
  const notRef = await push(cli, app, "Not A Ref");
  assert.ok(!notRef.ok && /is not an image reference: use <registry>\/<user>\/<app>:<tag>, e\.g\. ghcr\.io\/you\/hello:latest\./.test(notRef.error.message));
  const other = path.join(se.root, "unbuilt");
  mkdirSync(other, { recursive: true });
  writeFileSync(path.join(other, "spin.toml"), readFileSync(app.file, "utf8"));
  const m = await readManifest(other);
  assert.ok(m.ok);
  const nb = await push(cli, m.value, `${plain.host}/unbuilt:v1`, { insecure: true });
  assert.ok(!nb.ok);
  assert.equal(nb.error.kind, "pushFailed");
  assert.match(nb.error.message, /^Push failed because the app is not built \(.*cannot read wasm module.*\): build it first\.$/);
});

test("login: a wrong password is refused without saving; the right one is saved and push then succeeds; the password only goes to stdin", async () => {
  const wrong = await login(cli, secure.host, USER, "wrong-password");
  assert.ok(!wrong.ok);
  assert.equal(wrong.error.kind, "loginFailed");
  assert.match(wrong.error.message, new RegExp(`^The registry ${secure.host.replace(/\./g, "\\.")} did not accept dev \\(UNAUTHORIZED: authentication required\\): check the user name and password or token\\.$`));
  assert.ok(!existsSync(path.join(se.env.XDG_CONFIG_HOME!, "fermyon", "registry-auth.json")));
  const ok = await login(cli, secure.host, USER, PASSWORD);
  assert.deepEqual(ok, { ok: true, value: { user: USER, server: secure.host } });
  const r = await push(cli, app, `${secure.host}/hello:v1`);
  assert.ok(r.ok, JSON.stringify(r));
  const resolved = await resolveDigest(`${secure.host}/hello:v1`, { credentials: { username: USER, password: PASSWORD } });
  // Node's own fetch does not trust the test CA (only the stand-in got NODE_EXTRA_CA_CERTS): the failure is named.
  if (!resolved.ok) assert.equal(resolved.error.kind, "registryUnreachable");
  const anonymous = await resolveDigest(`${plain.host}/nothing:v9`, { insecure: true });
  assert.ok(!anonymous.ok && /has no nothing:v9 \(HTTP 404\): push it first\./.test(anonymous.error.message));
  const port = await freePort();
  const loginDown = await login(cli, `127.0.0.1:${port}`, USER, PASSWORD);
  assert.ok(!loginDown.ok && loginDown.error.kind === "registryUnreachable");
});

test("build failures: a type error points at the file, line and column; an unknown component is named", async () => {
  const broken = se.copyApp("hello", "broken");
  writeFileSync(path.join(broken, "src", "index.ts"), 'const n: number = "not a number";\nexport {};\n');
  const m = await readManifest(broken);
  assert.ok(m.ok);
  const r = await build(cli, m.value);
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "buildFailed");
  assert.equal(r.error.file, path.join(broken, "src", "index.ts"));
  assert.equal(r.error.line, 1);
  assert.equal(r.error.column, 7);
  assert.match(r.error.message, /^The build command of component hello failed \(Exited\(\d\)\): fix the error in the Spin output\. First error: src\/index\.ts:1:7 TS2322: /);
  const unknown = await build(cli, app, { componentIds: ["nope"] });
  assert.ok(!unknown.ok);
  assert.equal(unknown.error.kind, "unknownComponent");
  assert.match(unknown.error.message, /^Unknown component\(s\) nope in hello\/spin\.toml \(its components: hello\)\.$/);
});

test("build cancellation stops spin and every build process it started", async () => {
  const dir = path.join(se.root, "slow");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, "spin.toml"),
    `spin_manifest_version = 2\n[application]\nname = "slow"\n[component.slow]\nsource = "x.wasm"\n[component.slow.build]\ncommand = "node -e \\"console.log('building ' + process.pid); setInterval(() => {}, 1000)\\""\n`,
  );
  const m = await readManifest(dir);
  assert.ok(m.ok);
  const ac = new AbortController();
  let pid = 0;
  const r = await build(cli, m.value, {
    signal: ac.signal,
    onLine: (_s, l) => {
      const g = /^building (\d+)$/.exec(l);
      if (g) {
        pid = Number(g[1]);
        ac.abort();
      }
    },
  });
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "cancelled");
  assert.equal(r.error.message, "Building slow was cancelled (the build processes were stopped).");
  assert.ok(pid > 0);
  // The build resolves when spin's pipes close, while the kernel may still be tearing the killed
  // tool down (as in spinCli.test.ts): it must be gone (or a zombie) within a bounded moment.
  const alive = (): boolean => {
    try {
      return !/ Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
    } catch {
      return false; // gone
    }
  };
  const deadline = Date.now() + 2000;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(alive(), false, "the build tool outlived the cancellation");
});

test("scaffold: kube plugin missing, kubeconfig missing, then the YAML; the manifest step updates in place or writes the scaffold", async () => {
  const noPlugin = new SpinCli(STANDIN_SPIN, { ...se.env, XDG_DATA_HOME: path.join(se.root, "no-plugins") });
  const missing = await scaffold(noPlugin, { from: `${plain.host}/hello:v1` });
  assert.ok(!missing.ok);
  assert.equal(missing.error.kind, "pluginMissing");
  assert.match(missing.error.message, /^The spin kube plugin is not installed: install it with `spin plugins install kube`/);
  const noConfig = await scaffold(cli, { from: `${plain.host}/hello:v1` }, { kubeconfig: path.join(se.root, "none") });
  assert.ok(!noConfig.ok);
  assert.match(noConfig.error.message, /^spin kube scaffold needs a kubeconfig even though it never calls the cluster .*: set spinkube\.kubeconfig or create ~\/\.kube\/config\.$/);
  const kubeconfig = path.join(se.root, "kubeconfig");
  writeFileSync(kubeconfig, "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: https://127.0.0.1:1}\n");
  const digestRef = `${plain.host}/hello@sha256:${"d".repeat(64)}`;
  const y = await scaffold(cli, { from: digestRef, replicas: 1 }, { kubeconfig, cwd: app.dir });
  assert.ok(y.ok, JSON.stringify(y));
  assert.match(y.value, /^apiVersion: core\.spinkube\.dev\/v1alpha1\nkind: SpinApp\nmetadata:\n {2}name: hello\nspec:\n {2}image: ".*@sha256:d{64}"\n {2}executor: containerd-shim-spin\n {2}replicas: 1\n$/);

  const file = path.join(app.dir, "spinapp.yaml");
  let scaffolds = 0;
  const doScaffold = async () => {
    scaffolds++;
    return scaffold(cli, { from: digestRef, replicas: 1 }, { kubeconfig, cwd: app.dir });
  };
  const first = await prepareManifest(file, digestRef, doScaffold);
  assert.ok(first.ok);
  assert.equal(first.value.action, "scaffolded");
  assert.equal(readFileSync(file, "utf8"), y.value);
  writeFileSync(file, `# my notes\n${y.value.replace("replicas: 1", "replicas: 1 # keep one")}`);
  const next = `${plain.host}/hello@sha256:${"e".repeat(64)}`;
  const second = await prepareManifest(file, next, doScaffold);
  assert.ok(second.ok);
  assert.equal(second.value.action, "updated");
  assert.equal(scaffolds, 1, "an existing SpinApp file is updated, not scaffolded again");
  assert.equal(readFileSync(file, "utf8"), `# my notes\n${y.value.replace("d".repeat(64), "e".repeat(64)).replace("replicas: 1", "replicas: 1 # keep one")}`);
  const same = await prepareManifest(file, next, doScaffold);
  assert.ok(same.ok && same.value.action === "unchanged");
});

test("spin up: serves the built component; the Serving line and routes parse; the response is the app's; stop ends it", async () => {
  const port = await freePort();
  const parser = new ServingParser();
  let resolveServing: () => void = () => undefined;
  const serving = new Promise<void>((r) => (resolveServing = r));
  const running = cli.start(upArgs({ manifest: app.file, listen: `127.0.0.1:${port}` }), {
    cwd: app.dir,
    onLine: (s, l) => {
      if (s === "stdout" && parser.feed(l) && parser.serving?.routes.length) resolveServing();
    },
  });
  try {
    await serving;
    assert.deepEqual(parser.serving, { baseUrl: `http://127.0.0.1:${port}`, routes: [{ component: "hello", url: `http://127.0.0.1:${port}`, wildcard: true }] });
    const res = await fetch(`http://127.0.0.1:${port}/greet/me`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "Hello from Spin on SpinKube! You asked for /greet/me\n");
    // A second `spin up` on the same port fails with spin's message.
    const busy = await cli.run(upArgs({ manifest: app.file, listen: `127.0.0.1:${port}` }), { cwd: app.dir });
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, new RegExp(`Error: 127\\.0\\.0\\.1:${port} is already in use\\. To have Spin search for a free port, use the --find-free-port option\\.`));
  } finally {
    const r = await running.stop();
    assert.equal(r.cancelled, true);
  }
  await assert.rejects(fetch(`http://127.0.0.1:${port}/`));
});
