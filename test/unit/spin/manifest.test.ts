// spin.toml reading and discovery, image references, and the in-place image update of SpinApp
// manifests (comments and formatting kept byte-for-byte).
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { appNameFromRef, formatImageRef, parseImageRef, registryApiHost, suggestedReference, withDigest } from "../../../src/spin/imageRef";
import { buildDir, checkComponentIds, findManifestUpward, isValidComponentId, parseManifest, readManifest } from "../../../src/spin/manifest";
import { findSpinApps, manifestObjects, setSpinAppImage } from "../../../src/spin/spinAppManifest";
import { spinkubeDataDir } from "../../helpers/paths";

const tmp = mkdtempSync(path.join(os.tmpdir(), "spin-manifest-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const GOOD = `#:schema https://schemas.spinframework.dev/spin/manifest-v2/latest.json
spin_manifest_version = 2

[application]
name = "shop"
version = "1.2.0"

[[trigger.http]]
route = "/api/..."
component = "api"

[[trigger.http]]
route = { private = true }
component = "worker"

[[trigger.http]]
route = "/inline"
component = { source = "inline.wasm" }
id = "inline-one"

[component.api]
source = "target/wasm32-wasip1/release/api.wasm"
[component.api.build]
command = "cargo build --target wasm32-wasip1 --release"
workdir = "api"
watch = ["src/**/*.rs"]

[component.worker]
source = { url = "https://example.com/w.wasm", digest = "sha256:00" }
[component.worker.build]
command = ["npm install", "npm run build"]
`;

test("a manifest: components with build commands and workdir, routes (private and inline), remote sources", () => {
  const r = parseManifest(GOOD, "/w/shop/spin.toml");
  assert.ok(r.ok, JSON.stringify(r));
  const m = r.value;
  assert.equal(m.name, "shop");
  assert.equal(m.version, "1.2.0");
  assert.equal(m.dir, "/w/shop");
  assert.deepEqual(
    m.components.map((c) => [c.id, c.buildCommands, c.workdir, c.sourcePath]),
    [
      ["api", ["cargo build --target wasm32-wasip1 --release"], "api", "target/wasm32-wasip1/release/api.wasm"],
      ["worker", ["npm install", "npm run build"], undefined, undefined],
      ["inline-one", [], undefined, "inline.wasm"],
    ],
  );
  assert.deepEqual(m.components[1].sourceRemote, { url: "https://example.com/w.wasm", digest: "sha256:00" });
  assert.deepEqual(m.httpRoutes, [
    { route: "/api/...", private: false, component: "api" },
    { private: true, component: "worker" },
    { route: "/inline", private: false, component: "inline-one" },
  ]);
  assert.equal(buildDir(m, m.components[0]), "/w/shop/api");
  assert.equal(buildDir(m, m.components[1]), "/w/shop");
});

test("the upstream manifest fixtures: minimal and maximal parse; the invalid ones fail with a line to fix", () => {
  const dir = path.join(spinkubeDataDir, "spin", "manifest-fixtures");
  for (const f of ["minimal.toml", "maximal.toml"]) {
    const r = parseManifest(readFileSync(path.join(dir, f), "utf8"), path.join(dir, f));
    assert.ok(r.ok, `${f}: ${JSON.stringify(!r.ok && r.error)}`);
  }
  const bad = parseManifest(readFileSync(path.join(dir, "invalid", "bad_component_id.toml"), "utf8"), "/x/app/spin.toml");
  assert.ok(!bad.ok);
  assert.equal(bad.error.kind, "manifestInvalid");
  assert.match(bad.error.message, /component id "bad_id" is not kebab-case/);
  assert.equal(bad.error.line, 6);
  const version = parseManifest(readFileSync(path.join(dir, "invalid", "bad_version.toml"), "utf8"), "/x/app/spin.toml");
  assert.ok(!version.ok);
  assert.match(version.error.message, /spin_manifest_version = "0"|spin_manifest_version = 0/);
  const empty = parseManifest("", "/x/app/spin.toml");
  assert.ok(!empty.ok);
  assert.match(empty.error.message, /no spin_manifest_version: add `spin_manifest_version = 2`/);
});

test("malformed TOML names the file, line and column", () => {
  const r = parseManifest('spin_manifest_version = 2\n[application]\nname = "x"\nversion = = "1"\n', "/w/app/spin.toml");
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "manifestInvalid");
  assert.equal(r.error.line, 4);
  assert.match(r.error.message, /^app\/spin\.toml is not valid TOML at line 4, column \d+: .*Fix the syntax there\.$/);
});

test("other manifest problems: v1 manifests, no [application], a trigger naming a missing component", () => {
  const v1 = parseManifest('spin_version = "1"\nname = "x"\n', "/w/a/spin.toml");
  assert.ok(!v1.ok && /version 1 manifest/.test(v1.error.message));
  const noApp = parseManifest("spin_manifest_version = 2\n", "/w/a/spin.toml");
  assert.ok(!noApp.ok && /no \[application\] table/.test(noApp.error.message));
  const dangling = parseManifest('spin_manifest_version = 2\n[application]\nname = "x"\n[[trigger.http]]\nroute = "/..."\ncomponent = "ghost"\n', "/w/a/spin.toml");
  assert.ok(!dangling.ok);
  assert.match(dangling.error.message, /names component "ghost", which has no \[component\.ghost\] table/);
  assert.equal(dangling.error.line, 6);
});

test("component ids: kebab-case rules and the unknown-component message", () => {
  for (const ok of ["hello", "hello-world", "api2", "HELLO-WORLD", "a-b-c"]) assert.equal(isValidComponentId(ok), true, ok);
  for (const bad of ["bad_id", "1-2-3", "Hello", "a--b", "-a", "a+b"]) assert.equal(isValidComponentId(bad), false, bad);
  const m = parseManifest(GOOD, "/w/shop/spin.toml");
  assert.ok(m.ok);
  assert.deepEqual(checkComponentIds(m.value, ["api"]), { ok: true, value: undefined });
  const r = checkComponentIds(m.value, ["api", "nope", "also"]);
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "unknownComponent");
  assert.equal(r.error.message, "Unknown component(s) nope, also in shop/spin.toml (its components: api, worker, inline-one).");
});

test("discovery: the folder's spin.toml, else a parent's, up to a stop folder; reading a missing file", async () => {
  const app = path.join(tmp, "ws", "app");
  mkdirSync(path.join(app, "src", "deep"), { recursive: true });
  writeFileSync(path.join(app, "spin.toml"), GOOD);
  assert.equal(findManifestUpward(app), path.join(app, "spin.toml"));
  assert.equal(findManifestUpward(path.join(app, "src", "deep")), path.join(app, "spin.toml"));
  assert.equal(findManifestUpward(path.join(tmp, "ws"), path.join(tmp, "ws")), undefined);
  const read = await readManifest(app);
  assert.ok(read.ok && read.value.file === path.join(app, "spin.toml"));
  const missing = await readManifest(path.join(tmp, "ws"));
  assert.ok(!missing.ok);
  assert.equal(missing.error.kind, "noManifest");
  assert.match(missing.error.message, /There is no spin\.toml at .*ws\/spin\.toml: create the app with `spin new` or open its folder\./);
});

test("image references: registry detection, Docker Hub names, tags and digests, the scaffold name", () => {
  const d = `sha256:${"a".repeat(64)}`;
  assert.deepEqual(parseImageRef("ghcr.io/you/hello:v1"), { registry: "ghcr.io", repository: "you/hello", tag: "v1" });
  assert.deepEqual(parseImageRef(`127.0.0.1:5000/hello@${d}`), { registry: "127.0.0.1:5000", repository: "hello", digest: d });
  assert.deepEqual(parseImageRef(`localhost/a/b:1@${d}`), { registry: "localhost", repository: "a/b", tag: "1", digest: d });
  assert.deepEqual(parseImageRef("nginx"), { registry: "docker.io", repository: "library/nginx" });
  assert.deepEqual(parseImageRef("you/app:2"), { registry: "docker.io", repository: "you/app", tag: "2" });
  for (const bad of ["", "UPPER/case", "a b", "x@sha256:123", "ghcr.io/x:"]) assert.equal(parseImageRef(bad), undefined, bad);
  const ref = parseImageRef("ghcr.io/you/hello-spinkube:v1")!;
  assert.equal(appNameFromRef(ref), "hello-spinkube");
  assert.equal(withDigest(ref, d), `ghcr.io/you/hello-spinkube@${d}`);
  assert.equal(formatImageRef(ref), "ghcr.io/you/hello-spinkube:v1");
  assert.equal(registryApiHost("docker.io"), "registry-1.docker.io");
});

test("the first push's suggested reference: spinkube.registry.defaultPath plus the app's name as a valid repository", () => {
  assert.equal(suggestedReference("hello", "ghcr.io/you"), "ghcr.io/you/hello:latest");
  assert.equal(suggestedReference("hello", "127.0.0.1:5000/"), "127.0.0.1:5000/hello:latest");
  // Spin app names may hold what repositories may not (upper case, spaces, a leading dash).
  assert.equal(suggestedReference("My Spin_App", "ghcr.io/you"), "ghcr.io/you/my-spin_app:latest");
  assert.equal(suggestedReference("-Cart API!", "ghcr.io/you"), "ghcr.io/you/cart-api:latest");
  for (const s of ["ghcr.io/you/hello:latest", "127.0.0.1:5000/hello:latest"]) assert.ok(parseImageRef(s), s);
  // No default, or one that makes no reference: the template for the user to complete.
  assert.equal(suggestedReference("hello", ""), "ghcr.io/<user>/hello:latest");
  assert.equal(suggestedReference("hello", "Not A Path"), "ghcr.io/<user>/hello:latest");
});

const MANIFEST = `# Deploys the app in this folder.
apiVersion: core.spinkube.dev/v1alpha1
kind: SpinApp
metadata:
  name: hello # the app
spec:
  image: "ttl.sh/hello:24h"   # replaced by Build & Deploy
  executor: containerd-shim-spin

  replicas: 1
---
apiVersion: v1
kind: ConfigMap
metadata: {name: extra}
data:
  a: "1"
`;

test("image update in place keeps comments, spacing, quoting and the other documents", () => {
  const d = `127.0.0.1:5000/hello@sha256:${"b".repeat(64)}`;
  const r = setSpinAppImage(MANIFEST, d);
  assert.ok(r.ok);
  assert.equal(r.value.changed, true);
  assert.equal(r.value.name, "hello");
  assert.equal(r.value.text, MANIFEST.replace('"ttl.sh/hello:24h"', JSON.stringify(d)));
  const again = setSpinAppImage(r.value.text, d);
  assert.ok(again.ok && !again.value.changed && again.value.text === r.value.text);
  // Plain and single-quoted scalars keep their style.
  const plain = setSpinAppImage(MANIFEST.replace('"ttl.sh/hello:24h"', "ttl.sh/hello:24h"), "ghcr.io/a/b:2");
  assert.ok(plain.ok && plain.value.text.includes("  image: ghcr.io/a/b:2   # replaced"));
  const single = setSpinAppImage(MANIFEST.replace('"ttl.sh/hello:24h"', "'ttl.sh/hello:24h'"), "ghcr.io/a/b:2");
  assert.ok(single.ok && single.value.text.includes("  image: 'ghcr.io/a/b:2'   # replaced"));
});

test("image update: an image key is added when missing; several SpinApps need a name; errors name the fix", () => {
  const noImage = MANIFEST.replace('  image: "ttl.sh/hello:24h"   # replaced by Build & Deploy\n', "");
  const added = setSpinAppImage(noImage, "ghcr.io/a/hello:1");
  assert.ok(added.ok);
  assert.ok(added.value.text.includes('spec:\n  image: "ghcr.io/a/hello:1"\n  executor: containerd-shim-spin\n'));
  const two = `${MANIFEST}---\napiVersion: core.spinkube.dev/v1alpha1\nkind: SpinApp\nmetadata:\n  name: other\nspec:\n  image: x/y:1\n  executor: e\n  replicas: 1\n`;
  const ambiguous = setSpinAppImage(two, "a/b:1");
  assert.ok(!ambiguous.ok && /has 2 SpinApps \(hello, other\): say which one/.test(ambiguous.error.message));
  const named = setSpinAppImage(two, "a/b:1", "other");
  assert.ok(named.ok && named.value.text.endsWith("  image: a/b:1\n  executor: e\n  replicas: 1\n"));
  const none = setSpinAppImage("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", "a/b:1");
  assert.ok(!none.ok && /no SpinApp document: scaffold one first/.test(none.error.message));
  const broken = setSpinAppImage("a: [\n", "a/b:1");
  assert.ok(!broken.ok && /not valid YAML/.test(broken.error.message));
});

test("SpinApp documents and the objects to apply; the legacy group is refused with the fix", () => {
  const apps = findSpinApps(MANIFEST);
  assert.ok(apps.ok);
  assert.deepEqual(apps.value, [{ name: "hello", image: "ttl.sh/hello:24h", index: 0 }]);
  const objs = manifestObjects(MANIFEST);
  assert.ok(objs.ok);
  assert.deepEqual(
    objs.value.map((o) => `${o.kind}/${o.metadata.name}`),
    ["SpinApp/hello", "ConfigMap/extra"],
  );
  const legacy = manifestObjects(MANIFEST.replace("core.spinkube.dev", "core.spinoperator.dev"));
  assert.ok(!legacy.ok && /change it to core\.spinkube\.dev\/v1alpha1/.test(legacy.error.message));
  const nameless = manifestObjects("apiVersion: v1\nkind: ConfigMap\n");
  assert.ok(!nameless.ok && /Document 1 of the manifest needs apiVersion, kind and metadata\.name/.test(nameless.error.message));
});
