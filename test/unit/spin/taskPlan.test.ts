// The `spin` tasks without VS Code (src/spin/taskPlan.ts, what the task provider turns into
// vscode.Tasks): none in an untrusted workspace (not even a look for spin.toml files) and no
// tasks.json definition resolved there; otherwise build and up per spin.toml and push once a
// reference is remembered, each spin with FACTS-listed flags in the app's folder, with the
// matchers of package.json. Running them in VS Code's task system is test/integration/spinTasks.test.ts.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import type { FoundManifest, TaskContext } from "../../../src/spin/taskPlan";
import { PROBLEM_MATCHERS, plannedTasks, resolvedTask } from "../../../src/spin/taskPlan";
import { repoRoot } from "../../helpers/paths";
import { violations } from "../../spin-standin/facts";

const WS = path.join(path.sep, "ws");
const contextCalls: string[] = [];
const ctx = (refs: Record<string, string> = {}): TaskContext => ({
  binary: "/opt/spin/bin/spin",
  listen: "127.0.0.1:3000",
  reference: (manifest) => refs[manifest],
  insecure: (registry) => registry === "localhost:5000",
});
const manifests = (...rel: string[]): FoundManifest<string>[] => rel.map((r) => ({ folder: "ws", folderPath: WS, file: path.join(WS, r) }));

test("an untrusted workspace gets no spin task and no tasks.json spin task resolves; nothing is looked up", async () => {
  let looked = 0;
  const none = await plannedTasks({
    trusted: false,
    manifests: async () => (looked++, manifests("spin.toml")),
    context: async () => (looked++, ctx()),
  });
  assert.deepEqual(none, []);
  assert.equal(looked, 0, "an untrusted workspace is not searched for spin.toml, nor spin located");
  const resolved = await resolvedTask({ type: "spin", command: "build" }, { trusted: false, folderPath: WS, context: async () => (looked++, ctx()) });
  assert.equal(resolved, undefined);
  assert.equal(looked, 0);
  // Trusted, the same definition resolves.
  assert.equal((await resolvedTask({ type: "spin", command: "build" }, { trusted: true, folderPath: WS, context: async () => ctx() }))?.name, "build ws (spin.toml)");
});

test("a trusted workspace: build and up per spin.toml in path order, push once a reference is remembered", async () => {
  const planned = await plannedTasks({
    trusted: true,
    manifests: async () => manifests(path.join("b", "spin.toml"), "spin.toml"),
    context: async () => ctx({ [path.join(WS, "b", "spin.toml")]: "localhost:5000/b:1" }),
  });
  assert.deepEqual(
    planned.map((p) => p.plan.name),
    ["build b (b/spin.toml)", "up b (b/spin.toml)", "push b → localhost:5000/b:1 (b/spin.toml)", "build ws (spin.toml)", "up ws (spin.toml)"].map((n) => n.replace(/\//g, path.sep)),
  );
  const [build, up, push] = planned.map((p) => p.plan);
  assert.equal(build.process, "/opt/spin/bin/spin");
  assert.deepEqual(build.args, ["build", "--from", path.join(WS, "b", "spin.toml")]);
  assert.equal(build.cwd, path.join(WS, "b"), "spin runs in the app's folder");
  assert.deepEqual(build.definition, { type: "spin", command: "build", manifest: path.join("b", "spin.toml") });
  assert.deepEqual([build.build, build.background, up.build, up.background], [true, false, false, true]);
  assert.deepEqual(up.args, ["up", "--from", path.join(WS, "b", "spin.toml"), "--listen", "127.0.0.1:3000"]);
  assert.deepEqual(push.args, ["registry", "push", "--from", path.join(WS, "b", "spin.toml"), "--insecure", "localhost:5000/b:1"]);
  assert.equal(build.detail, `spin build --from ${path.join(WS, "b", "spin.toml")}`);
  for (const { plan } of planned) assert.deepEqual(violations(plan.args), [], plan.name);
  // The compilers' matchers only where VS Code resolves their paths right: an app at the folder's root.
  const root = planned.map((p) => p.plan).find((p) => p.name.startsWith("build ws"));
  assert.deepEqual(root?.problemMatchers, ["$spin-rustc", "$tsc", "$spin-go"]);
  assert.deepEqual(build.problemMatchers, [], "an app in a subfolder: no matcher that would misplace its errors");
  assert.deepEqual([up.problemMatchers, push.problemMatchers], [[], []]);
  // What no matcher can place, the build task has the extension read: spin's own lines, and in a subfolder everything.
  assert.deepEqual([build.readsOwnProblems, root?.readsOwnProblems, up.readsOwnProblems, push.readsOwnProblems], ["all", "spin", "none", "none"]);
  assert.equal(build.manifest, path.join(WS, "b", "spin.toml"));
  // No spin.toml: spin is not even located.
  contextCalls.length = 0;
  assert.deepEqual(await plannedTasks({ trusted: true, manifests: async () => [], context: async () => (contextCalls.push("ctx"), ctx()) }), []);
  assert.deepEqual(contextCalls, []);
});

test("tasks.json definitions: an absolute manifest, one component, a listen address, a push reference; other task types are not ours", async () => {
  const o = { trusted: true, folderPath: WS, context: async () => ctx() };
  const b = await resolvedTask({ type: "spin", command: "build", manifest: "/apps/api/spin.toml", component: "api" }, o);
  assert.deepEqual([b?.name, b?.cwd, b?.args], ["build api (../apps/api/spin.toml)".replace(/\//g, path.sep), path.resolve("/apps/api"), ["build", "--from", path.resolve("/apps/api/spin.toml"), "--component-id", "api"]]);
  const u = await resolvedTask({ type: "spin", command: "up", listen: "0.0.0.0:8080" }, o);
  assert.deepEqual(u?.args.slice(-2), ["--listen", "0.0.0.0:8080"]);
  const p = await resolvedTask({ type: "spin", command: "push", reference: "ghcr.io/me/app:2" }, o);
  assert.deepEqual(p?.args, ["registry", "push", "--from", path.join(WS, "spin.toml"), "ghcr.io/me/app:2"]);
  assert.equal(await resolvedTask({ type: "spin", command: "push" }, o), undefined, "a push with no reference known");
  assert.equal(await resolvedTask({ type: "spin", command: "deploy" }, o), undefined);
  assert.equal(await resolvedTask({ type: "shell", command: "build" }, o), undefined);
});

test("the matchers the tasks name are contributed by package.json (or are VS Code's $tsc)", () => {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { contributes: { problemMatchers: { name: string }[] } };
  const contributed = new Set(pkg.contributes.problemMatchers.map((m) => `$${m.name}`));
  for (const [command, names] of Object.entries(PROBLEM_MATCHERS)) for (const n of names) assert.ok(n === "$tsc" || contributed.has(n), `${command}: ${n}`);
});
