// The spin CLI contract (FACTS.md section (c)): every argument list the extension builds uses only
// flags FACTS.md lists for that command; the stand-in accepts exactly what FACTS.md lists (so it
// cannot hide a wrong flag) and answers like the real CLI (clap's exit 2 for usage errors, Error:
// chains with exit 1, aliases, upward spin.toml discovery, the kube plugin's scaffold YAML equal to
// the upstream golden files).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { buildArgs, installKubePluginArgs, loginArgs, pluginsListJsonArgs, pluginsListPlainArgs, pushArgs, scaffoldArgs, upArgs, versionArgs } from "../../../src/spin/spinArgs";
import { parseVersion } from "../../../src/spin/spinOutput";
import { COMMANDS, spellings } from "../../spin-standin/args";
import { factsFlags, sectionOf, violations } from "../../spin-standin/facts";
import { STANDIN_SPIN, standinEnv } from "../../spin-standin/harness";
import { spinkubeDataDir } from "../../helpers/paths";

const se = standinEnv({ kubePlugin: true });
after(() => se.cleanup());

function spin(args: string[], o: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(STANDIN_SPIN, args, { cwd: o.cwd ?? se.root, env: o.env ?? se.env, input: o.input ?? "", encoding: "utf8", timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every argument list the extension can build, with every option set. */
function everyExtensionArgv(): string[][] {
  return [
    versionArgs(),
    buildArgs({ manifest: "/a/spin.toml" }),
    buildArgs({ manifest: "/a/spin.toml", componentIds: ["a", "b"] }),
    upArgs({ manifest: "/a/spin.toml" }),
    upArgs({ manifest: "/a/spin.toml", listen: "127.0.0.1:3001", findFreePort: true, componentIds: ["a"] }),
    pushArgs({ manifest: "/a/spin.toml", reference: "ghcr.io/a/b:1" }),
    pushArgs({ manifest: "/a/spin.toml", reference: "ghcr.io/a/b:1", insecure: true }),
    loginArgs({ server: "ghcr.io", username: "me" }),
    pluginsListJsonArgs(),
    pluginsListPlainArgs(),
    installKubePluginArgs(),
    scaffoldArgs({ from: "ghcr.io/a/b@sha256:00", replicas: 1, executor: "containerd-shim-spin", imagePullSecrets: ["s"], components: ["a"], variables: { k: "v" } }),
  ];
}

test("FACTS.md (c) is readable: each command's flag list", () => {
  const f = factsFlags();
  for (const s of ["spin build", "spin registry push", "spin registry login", "spin up", "spin plugins", "spin kube scaffold"]) assert.ok(f.get(s)?.size, s);
  assert.ok(f.get("spin build")!.has("--component-id"));
  assert.ok(f.get("spin registry login")!.has("--password-stdin"));
  assert.ok(f.get("spin plugins")!.has("-y"));
  assert.ok(!f.get("spin build")!.has("--nope"));
});

test("every argument list the extension builds uses only flags FACTS.md lists", () => {
  for (const argv of everyExtensionArgv()) assert.deepEqual(violations(argv), [], argv.join(" "));
});

test("the check catches a flag FACTS.md does not list, and commands it does not cover", () => {
  assert.deepEqual(violations(["build", "--from", "x", "--release"]), ["spin build: --release is not listed in FACTS.md (c)"]);
  assert.deepEqual(violations(["registry", "push", "--yes", "r"]), ["spin registry push: --yes is not listed in FACTS.md (c)"]);
  assert.equal(violations(["deploy"]).length, 1);
  assert.equal(sectionOf(["oci", "push", "x"]), "spin registry push");
});

test("the stand-in accepts exactly the flags FACTS.md lists, per command", () => {
  const f = factsFlags();
  for (const spec of COMMANDS) {
    const section = sectionOf(spec.paths[0].split(" "));
    assert.ok(section, spec.paths[0]);
    const listed = f.get(section)!;
    for (const s of spellings(spec)) assert.ok(listed.has(s), `${spec.paths[0]} accepts ${s}, which FACTS.md (c) does not list`);
  }
});

test("stand-in: --version, aliases, clap usage errors (exit 2), unknown commands (exit 2)", () => {
  const v = spin(["--version"]);
  assert.equal(v.code, 0);
  assert.equal(parseVersion(v.stdout)?.version, "3.6.3");
  const bad = spin(["build", "--release"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^error: unexpected argument '--release' found\n\nUsage: spin build \[OPTIONS\] \[UP_ARGS\]\.\.\.\n/);
  const missing = spin(["registry", "push"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /the following required arguments were not provided:\n {2}<REFERENCE>/);
  const noValue = spin(["oci", "push", "--from"]);
  assert.equal(noValue.code, 2);
  assert.match(noValue.stderr, /a value is required for '--from <APP_MANIFEST_FILE>'/);
  const unknown = spin(["deploy-it"]);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr, "Error: 'deploy-it' is not a known Spin command. See spin --help.\n");
});

test("stand-in: upward spin.toml discovery with the two notes; not found; -f folder without spin.toml", () => {
  const app = path.join(se.root, "disc", "app");
  mkdirSync(path.join(app, "src"), { recursive: true });
  writeFileSync(path.join(app, "spin.toml"), 'spin_manifest_version = 2\n[application]\nname = "x"\n[component.x]\nsource = "x.wasm"\n');
  const up = spin(["b"], { cwd: path.join(app, "src") });
  assert.equal(up.code, 0);
  assert.equal(up.stderr, `No 'spin.toml' in current directory.\nUsing 'spin.toml' from parent directory (${path.join(app, "spin.toml")})\n`);
  assert.match(up.stdout, /None of the components have a build command\./);
  const none = spin(["build"], { cwd: path.join(se.root) });
  assert.equal(none.code, 1);
  assert.equal(none.stderr, 'Error: "spin.toml" not found\n');
  const dir = spin(["build", "-f", path.join(app, "src")]);
  assert.equal(dir.code, 1);
  assert.equal(dir.stderr, `Error: Directory ${path.join(app, "src")} does not contain a file named 'spin.toml'\n`);
  const unknownComponent = spin(["build", "--from", app, "-c", "nope"]);
  assert.equal(unknownComponent.code, 1);
  assert.equal(unknownComponent.stderr, "Error: Unknown component(s) nope\n");
  writeFileSync(path.join(app, "spin.toml"), "spin_manifest_version = 2\n[component.bad_id]\n");
  const toml = spin(["build"], { cwd: app });
  assert.equal(toml.code, 1);
  assert.match(toml.stderr, /^Error: TOML parse error at line 1, column 1\n/);
});

test("stand-in: build runs the commands through sh in the manifest folder, with spin's lines and failure status", () => {
  const app = path.join(se.root, "b", "app");
  mkdirSync(app, { recursive: true });
  writeFileSync(path.join(app, "spin.toml"), 'spin_manifest_version = 2\n[application]\nname = "b"\n[component.one]\nsource = "x.wasm"\n[component.one.build]\ncommand = ["echo step-one > out.txt", "exit 3"]\n[component.two]\nsource = "y.wasm"\n[component.two.build]\ncommand = "pwd"\nworkdir = "sub"\n');
  mkdirSync(path.join(app, "sub"));
  const r = spin(["build", "--from", path.join(app, "spin.toml")]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "Building component one (2 commands)\nRunning build step 1/2 for component one with 'echo step-one > out.txt'\nRunning build step 2/2 for component one with 'exit 3'\n");
  assert.equal(r.stderr, "Error: Build command for component one failed with status Exited(3)\n");
  assert.equal(readFileSync(path.join(app, "out.txt"), "utf8"), "step-one\n");
  const two = spin(["build", "-c", "two"], { cwd: app });
  assert.equal(two.code, 0);
  assert.equal(two.stdout, `Building component two with \`pwd\`\nWorking directory: ${JSON.stringify(path.join(app, "sub"))}\n${path.join(app, "sub")}\nFinished building all Spin components\n`);
});

test("stand-in: plugins list/install in both formats, and kube missing → exit 2", () => {
  const fresh = standinEnv();
  try {
    const run = (args: string[]) => spin(args, { env: fresh.env });
    assert.equal(run(["plugins", "list", "--installed", "--format", "json"]).stdout, "[]\n");
    assert.equal(run(["plugin", "list", "--installed"]).stdout, "No plugins found\n");
    const noKube = run(["kube", "scaffold", "--from", "ghcr.io/a/b:1"]);
    assert.equal(noKube.code, 2);
    assert.equal(noKube.stderr, "Error: 'kube' is not a known Spin command. See spin --help.\n");
    const noYes = run(["plugins", "install", "kube"]);
    assert.equal(noYes.code, 1);
    const ok = run(["plugins", "install", "kube", "-y"]);
    assert.equal(ok.code, 0);
    assert.match(ok.stdout, /^Plugin 'kube' was installed successfully!\n/);
    const again = run(["plugins", "install", "kube", "-y"]);
    assert.equal(again.stderr, "Plugin 'kube' is already installed with version 0.4.0.\n");
    assert.match(run(["plugins", "list", "--installed", "--format", "json"]).stdout, /"installedVersion": "0\.4\.0"/);
    assert.equal(run(["plugins", "list", "--installed"]).stdout, "kube 0.4.0 [installed]\n");
    assert.equal(run(["plugins", "install", "kube", "--yes"]).code, 2, "--yes is not in FACTS.md: the stand-in refuses it");
  } finally {
    fresh.cleanup();
  }
});

test("stand-in: kube scaffold prints the upstream golden YAML, needs a kubeconfig, honours SPIN_KUBE_DISABLE_DIR_CONTEXT", () => {
  const kubeconfig = path.join(se.root, "kubeconfig");
  writeFileSync(kubeconfig, "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: https://127.0.0.1:1}\ncontexts: []\nusers: []\n");
  const env = { ...se.env, KUBECONFIG: kubeconfig };
  const golden = (name: string): string =>
    readFileSync(path.join(spinkubeDataDir, "spin-plugin-kube", "scaffold-testdata", name), "utf8")
      .split("\n")
      .slice(1)
      .join("\n");
  const base = ["kube", "scaffold", "--from", "ghcr.io/foo/example-app:v0.1.0"];
  assert.equal(spin(base, { env }).stdout, golden("scaffold_image.yml"));
  assert.equal(spin([...base, "--variable", "bar=yee", "--variable", "foo=yoo"], { env }).stdout, golden("variables.yml"));
  assert.equal(spin([...base, "--component", "hello", "--component", "world"], { env }).stdout, golden("components.yml"));
  assert.equal(spin([...base, "--service-account-name", "my-service-account"], { env }).stdout, golden("service_account_name.yml"));
  assert.ok(readdirSync(path.join(spinkubeDataDir, "spin-plugin-kube", "scaffold-testdata")).includes("scaffold_image.yml"));
  const digest = spin(["kube", "scaffold", "--from", `ttl.sh/hello-spinkube@sha256:${"c".repeat(64)}`, "--replicas", "1"], { env });
  assert.match(digest.stdout, /name: hello-spinkube\n/);
  const noConfig = spin(base, { env: { ...se.env, KUBECONFIG: path.join(se.root, "missing") } });
  assert.equal(noConfig.code, 1);
  assert.equal(noConfig.stderr, "Error: invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable\n");
  const badFlag = spin([...base, "--namespaces", "x"], { env });
  assert.equal(badFlag.code, 1);
  assert.equal(badFlag.stderr, "Error: unknown flag: --namespaces\n");
  const dir = path.join(se.root, "bad-toml");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "spin.toml"), "not = = toml");
  assert.equal(spin(base, { env, cwd: dir }).code, 1);
  assert.equal(spin(base, { env: { ...env, SPIN_KUBE_DISABLE_DIR_CONTEXT: "true" }, cwd: dir }).code, 0);
});
