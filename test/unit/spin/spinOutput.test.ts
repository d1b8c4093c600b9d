// Parsers of spin output, on text the way spin prints it (FACTS.md (c); SPIN sources quoted there):
// version banners, build progress, error chains, pushed digests, `spin up` routes, login, plugins.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Serving } from "../../../src/spin/spinOutput";
import {
  ServingParser,
  classifyRegistryError,
  isUnknownSpinCommand,
  parseBuildFailure,
  parseBuildLine,
  parseErrorBlock,
  parseLogin,
  parseManifestNotFound,
  parseParentManifest,
  parsePluginInstall,
  parsePluginsJson,
  parsePluginsPlain,
  parsePortInUse,
  parsePushed,
  parseServing,
  parseTomlErrorPosition,
  parseUnknownComponents,
  parseVersion,
  spinKubeCompatibility,
  stripAnsi,
} from "../../../src/spin/spinOutput";

test("version banner: clap's `spin <version> (<sha> <date>)`, pre-releases, garbage", () => {
  assert.deepEqual(parseVersion("spin 3.6.3 (88d51cf 2025-09-04)\n"), { version: "3.6.3", major: 3, minor: 6, patch: 3, commit: "88d51cf", date: "2025-09-04" });
  assert.deepEqual(parseVersion("spin 4.0.0-pre0 (abc1234 2026-01-02)"), { version: "4.0.0-pre0", major: 4, minor: 0, patch: 0, pre: "pre0", commit: "abc1234", date: "2026-01-02" });
  assert.equal(parseVersion("spin 2.0.0")?.version, "2.0.0");
  assert.equal(parseVersion("kube version 0.4.0"), undefined);
  assert.equal(parseVersion(""), undefined);
});

test("compatibility: too old for the kube plugin, fine on 3.x, usable with a template note on 4.x", () => {
  const v = (s: string) => parseVersion(`spin ${s}`)!;
  assert.equal(spinKubeCompatibility(v("2.3.0")).usable, false);
  assert.match(spinKubeCompatibility(v("2.3.0")).note ?? "", /2\.3\.1/);
  assert.deepEqual(spinKubeCompatibility(v("2.3.1")), { usable: true });
  assert.deepEqual(spinKubeCompatibility(v("3.6.3")), { usable: true });
  const four = spinKubeCompatibility(v("4.0.2"));
  assert.equal(four.usable, true);
  assert.match(four.note ?? "", /3\.6\.3/);
  assert.match(four.note ?? "", /http-rust-p2/);
});

test("build progress lines of one and several commands, workdir, finish, nothing to build, the v2 form", () => {
  assert.deepEqual(parseBuildLine("Building component hello with `cargo build --target wasm32-wasip1 --release`"), { kind: "component", component: "hello", command: "cargo build --target wasm32-wasip1 --release" });
  assert.deepEqual(parseBuildLine("Building component hello (3 commands)"), { kind: "component", component: "hello", commands: 3 });
  assert.deepEqual(parseBuildLine("Running build step 2/3 for component hello with 'esbuild src/index.ts'"), { kind: "step", component: "hello", step: 2, of: 3, command: "esbuild src/index.ts" });
  assert.deepEqual(parseBuildLine('Working directory: "/app/sub"'), { kind: "workdir", dir: "/app/sub" });
  assert.deepEqual(parseBuildLine("Finished building all Spin components"), { kind: "finished" });
  assert.deepEqual(parseBuildLine("None of the components have a build command."), { kind: "nothingToBuild" });
  assert.deepEqual(parseBuildLine("Executing the build command for component api: npm run build"), { kind: "component", component: "api", command: "npm run build" });
  assert.equal(parseBuildLine("   Compiling serde v1.0.0"), undefined);
  assert.deepEqual(parseBuildLine("\u001b[1m\u001b[32mFinished building all Spin components\u001b[0m"), { kind: "finished" });
});

test("error blocks: one cause indented, several numbered, clap usage errors, ANSI colours", () => {
  assert.deepEqual(parseErrorBlock("Error: cannot log in to the registry\n\nCaused by:\n      cannot authenticate as bob to registry ghcr.io: UNAUTHORIZED\n"), {
    message: "cannot log in to the registry",
    causes: ["cannot authenticate as bob to registry ghcr.io: UNAUTHORIZED"],
  });
  assert.deepEqual(parseErrorBlock("noise\nError: cannot push Spin application\n\nCaused by:\n   0: error sending request for url (http://x/v2/)\n   1: client error (Connect)\n   2: tcp connect error: Connection refused (os error 111)\n"), {
    message: "cannot push Spin application",
    causes: ["error sending request for url (http://x/v2/)", "client error (Connect)", "tcp connect error: Connection refused (os error 111)"],
  });
  assert.equal(parseErrorBlock("error: unexpected argument '--nope' found\n\nUsage: spin build [OPTIONS] [UP_ARGS]...\n")?.message, "unexpected argument '--nope' found");
  assert.equal(parseErrorBlock("\u001b[31mError\u001b[0m: boom")?.message, "boom");
  assert.equal(stripAnsi("\u001b[31mError\u001b[0m: x"), "Error: x");
  assert.equal(parseErrorBlock("all good"), undefined);
});

test("known one-line failures: build status, unknown components, missing plugin, manifest discovery, TOML position, busy port", () => {
  assert.deepEqual(parseBuildFailure("Error: Build command for component hello failed with status Exited(2)\n"), { component: "hello", status: "Exited(2)" });
  assert.deepEqual(parseUnknownComponents("Error: Unknown component(s) nope, other\n"), ["nope", "other"]);
  assert.equal(isUnknownSpinCommand("Error: 'kube' is not a known Spin command. See spin --help.\n", "kube"), true);
  assert.deepEqual(parseManifestNotFound('Error: "spin.toml" not found\n'), {});
  assert.deepEqual(parseManifestNotFound("Error: Directory /w/app does not contain a file named 'spin.toml'\n"), { dir: "/w/app" });
  assert.equal(parseParentManifest("No 'spin.toml' in current directory.\nUsing 'spin.toml' from parent directory (/w/app/spin.toml)\n"), "/w/app/spin.toml");
  assert.deepEqual(parseTomlErrorPosition("Error: TOML parse error at line 6, column 12\n  |\n6 | [component.bad_id]\n"), { line: 6, column: 12 });
  assert.equal(parsePortInUse("Error: 127.0.0.1:3000 is already in use. To have Spin search for a free port, use the --find-free-port option."), "127.0.0.1:3000");
});

test("push: the digest line, the no-digest line, nothing", () => {
  const d = "sha256:3c408a1b29b3098286c7ea5ab22f47248ccfadcc63ad5596ca0d85e3f522c43d";
  assert.deepEqual(parsePushed(`Pushed with digest ${d}\n`), { digest: d });
  assert.deepEqual(parsePushed("Pushed; the registry did not return the digest\n"), { digest: undefined });
  assert.equal(parsePushed("Pushed with digest sha256:123\n"), undefined);
  assert.equal(classifyRegistryError("Caused by:\n      Not authorized: url https://ghcr.io/v2/x/blobs/uploads/"), "unauthorized");
  assert.equal(classifyRegistryError("   2: tcp connect error: Connection refused (os error 111)"), "unreachable");
  assert.equal(classifyRegistryError("dns error: failed to lookup address information"), "unreachable");
  assert.equal(classifyRegistryError("manifest invalid"), "other");
});

test("spin up: Serving, routes with wildcard and description, streamed line by line", () => {
  const out = "\nServing http://127.0.0.1:3000\nAvailable Routes:\n  hello: http://127.0.0.1:3000/hello\n  api: http://127.0.0.1:3000/api (wildcard)\n    The API component\n";
  assert.deepEqual(parseServing(out), {
    baseUrl: "http://127.0.0.1:3000",
    routes: [
      { component: "hello", url: "http://127.0.0.1:3000/hello", wildcard: false },
      { component: "api", url: "http://127.0.0.1:3000/api", wildcard: true, description: "The API component" },
    ],
  });
  const p = new ServingParser();
  assert.equal(new ServingParser().serving, undefined);
  assert.equal(p.feed(""), false);
  assert.equal(p.feed("Serving http://127.0.0.1:3001"), true);
  assert.deepEqual(p.serving, { baseUrl: "http://127.0.0.1:3001", routes: [] });
  p.feed("Available Routes:");
  assert.equal(p.feed("  root: http://127.0.0.1:3001 (wildcard)"), true);
  const current = (): Serving | undefined => p.serving;
  assert.equal(current()?.routes[0].wildcard, true);
  assert.equal(p.feed("Logging component stdio to ..."), false);
  assert.equal(p.feed("  late: http://127.0.0.1:3001/late"), false, "routes end at the first unindented line");
});

test("login: success line, the cause of a refused login, no output", () => {
  assert.deepEqual(parseLogin("Successfully logged in as bob to registry ghcr.io\n", ""), { ok: true, user: "bob", server: "ghcr.io" });
  assert.deepEqual(parseLogin("", "Error: cannot log in to the registry\n\nCaused by:\n      cannot authenticate as bob to registry ghcr.io: UNAUTHORIZED: authentication required\n"), { ok: false, reason: "UNAUTHORIZED: authentication required" });
  assert.equal(parseLogin("", "").ok, false);
});

test("plugins: JSON (camelCase as in SPIN src/commands/plugins.rs, or snake_case as FACTS writes), plain list, install outcomes", () => {
  assert.deepEqual(parsePluginsJson('[\n  {\n    "name": "kube",\n    "installed": true,\n    "version": "0.4.0",\n    "installedVersion": "0.4.0"\n  }\n]'), [{ name: "kube", version: "0.4.0", installed: true, installedVersion: "0.4.0" }]);
  assert.deepEqual(parsePluginsJson('[{"name": "kube", "installed": true, "version": "0.3.1", "installed_version": "0.3.1"}]'), [{ name: "kube", version: "0.3.1", installed: true, installedVersion: "0.3.1" }]);
  assert.deepEqual(parsePluginsJson("[]"), []);
  assert.equal(parsePluginsJson("not json"), undefined);
  assert.deepEqual(parsePluginsPlain("cloud 0.8.0 [installed]\nkube 0.4.0 [installed version: 0.3.1]\n"), [
    { name: "cloud", version: "0.8.0", installed: true },
    { name: "kube", version: "0.4.0", installed: true, installedVersion: "0.3.1" },
  ]);
  assert.deepEqual(parsePluginsPlain("No plugins found\n"), []);
  assert.equal(parsePluginInstall("Plugin 'kube' was installed successfully!\n\nDescription:\n", "", "kube"), "installed");
  assert.equal(parsePluginInstall("", "Plugin 'kube' is already installed with version 0.4.0.\n", "kube"), "alreadyInstalled");
  assert.equal(parsePluginInstall("", "Error: boom", "kube"), undefined);
});
