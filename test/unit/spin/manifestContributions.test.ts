// What package.json declares for the toolchain, checked against the code and against real output:
// Workspace Trust (untrusted workspaces: limited, spin.path restricted, every command that runs
// workspace code refused with a reason and greyed out), the commands the code registers, the
// `spin` task definition, and the problem matchers' patterns on rustc, Go, tsc and spin output.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { SPIN_BUILD_DIAGNOSTICS, SpinCommands } from "../../../src/constants";
import { TRUST_GATED, mayRun } from "../../../src/spin/trust";
import { repoRoot } from "../../helpers/paths";

interface Pkg {
  capabilities: { untrustedWorkspaces: { supported: string | boolean; restrictedConfigurations?: string[] } };
  contributes: {
    commands: { command: string; title: string; category?: string; enablement?: string }[];
    taskDefinitions: { type: string; required?: string[]; properties: Record<string, { enum?: string[] }> }[];
    problemMatchers: { name: string; owner: string; fileLocation: unknown; pattern: { regexp: string; file?: number; line?: number; column?: number; message?: number } | { regexp: string; file?: number; line?: number; column?: number; message?: number }[] }[];
    configuration: { title: string; properties: Record<string, unknown> }[];
  };
}
const pkg = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as Pkg;

test("untrusted workspaces: limited support, spin.path restricted, workspace-running commands refused with the reason", () => {
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, "limited");
  assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations?.includes("spinkube.spin.path"));
  for (const command of [SpinCommands.build, SpinCommands.up, SpinCommands.buildAndDeploy, SpinCommands.deploy, SpinCommands.push, SpinCommands.scaffold]) {
    const r = mayRun(command, false);
    assert.ok(!r.ok, command);
    assert.equal(r.error.kind, "untrusted");
    assert.match(r.error.message, /runs commands defined by this workspace .* so it is disabled in Restricted Mode: trust the workspace to use it\.$/);
    assert.deepEqual(mayRun(command, true), { ok: true, value: undefined });
  }
  const b = mayRun(SpinCommands.build, false);
  assert.ok(!b.ok && /^Building runs commands/.test(b.error.message));
  for (const free of [SpinCommands.login, SpinCommands.checkSpin, SpinCommands.showOutput, SpinCommands.stop]) assert.deepEqual(mayRun(free, false), { ok: true, value: undefined }, free);
  // package.json greys out exactly the gated commands.
  const gated = pkg.contributes.commands.filter((c) => c.enablement === "isWorkspaceTrusted").map((c) => c.command).sort();
  assert.deepEqual(gated, Object.keys(TRUST_GATED).sort());
});

test("every toolchain command is contributed with the SpinKube category", () => {
  const contributed = new Map(pkg.contributes.commands.map((c) => [c.command, c]));
  for (const id of Object.values(SpinCommands)) {
    assert.ok(contributed.has(id), `${id} is not in package.json`);
    assert.equal(contributed.get(id)?.category, "SpinKube");
  }
  const settings = pkg.contributes.configuration.find((s) => s.title === "Build & Deploy")?.properties ?? {};
  for (const key of ["spinkube.spin.path", "spinkube.spin.listen", "spinkube.registry.insecureRegistries", "spinkube.deploy.namespace", "spinkube.deploy.manifestFile", "spinkube.deploy.timeoutSeconds"]) assert.ok(key in settings, key);
});

test("the spin task definition", () => {
  const def = pkg.contributes.taskDefinitions.find((t) => t.type === "spin");
  assert.ok(def);
  assert.deepEqual(def.required, ["command"]);
  assert.deepEqual(def.properties.command.enum, ["build", "up", "push"]);
});

function matcher(name: string): { re: RegExp[]; m: Pkg["contributes"]["problemMatchers"][number] } {
  const m = pkg.contributes.problemMatchers.find((x) => x.name === name);
  assert.ok(m, name);
  const patterns = Array.isArray(m.pattern) ? m.pattern : [m.pattern];
  return { re: patterns.map((p) => new RegExp(p.regexp)), m };
}

test("problem matchers match what the compilers print", () => {
  const rustc = matcher("spin-rustc");
  const e = rustc.re[0].exec("error[E0308]: mismatched types");
  assert.deepEqual([e?.[1], e?.[2], e?.[3]], ["error", "E0308", "mismatched types"]);
  const loc = rustc.re[1].exec("  --> src/lib.rs:12:5");
  assert.deepEqual([loc?.[1], loc?.[2], loc?.[3]], ["src/lib.rs", "12", "5"]);
  const go = matcher("spin-go").re[0].exec("./main.go:7:2: undefined: fmt.Printx");
  assert.deepEqual([go?.[1], go?.[2], go?.[3], go?.[4]], ["./main.go", "7", "2", "undefined: fmt.Printx"]);
  // Only compilers' errors: spin's own `Error:` lines name no file, and VS Code drops such a match.
  assert.deepEqual(pkg.contributes.problemMatchers.map((m) => m.name).sort(), ["spin-go", "spin-rustc"]);
});

test("problem matchers: paths resolve against the task's workspace folder, and no matcher owns the extension's own build Problems", () => {
  // VS Code resolves `${cwd}` in a matcher to the workspace folder too (never the task's cwd);
  // writing `${workspaceFolder}` says what happens.
  for (const m of pkg.contributes.problemMatchers) {
    const loc = JSON.stringify(m.fileLocation);
    assert.ok(loc.includes("${workspaceFolder}") && !loc.includes("${cwd}"), `${m.name}: ${loc}`);
  }
  // A task run clears the markers of its matchers' owners that it did not report again; sharing the
  // owner of the extension's DiagnosticCollection would wipe the Build command's Problems.
  const owners = pkg.contributes.problemMatchers.map((m) => m.owner);
  assert.ok(!owners.includes(SPIN_BUILD_DIAGNOSTICS), owners.join(", "));
});
