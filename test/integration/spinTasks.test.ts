/**
 * VS Code's own task system on the extension's `spin` tasks, offline and for real: the provided
 * build task (a ProcessExecution of the stand-in spin; for an app in a subfolder, the extension's
 * task terminal, which reads the output itself) runs in a task terminal through
 * `vscode.tasks.executeTask`, spin runs the app's real build command (tsc, cargo), and VS Code's
 * problem matchers turn the compiler's error into a marker — visible here through
 * `languages.getDiagnostics` with the matcher's source (`ts` for `$tsc`, `rustc` for
 * `$spin-rustc`), not the extension's own Build diagnostics (source `tsc`).
 *
 * What this needs to know about VS Code 1.100 (src/vs/workbench/contrib/tasks):
 * - A task's process gets the terminal's environment (the server's, plus
 *   `terminal.integrated.env.linux` and the task's own env), not the extension host's
 *   `process.env`; so the build tools' PATH is given through that setting here.
 * - `${cwd}` and `${workspaceFolder}` in a matcher's `fileLocation` are the task's workspace folder,
 *   not its `cwd` option (microsoft/vscode#58980), while the compilers print paths relative to the
 *   app's folder: the provided tasks place errors right for an app at a workspace folder's root;
 *   for one in a subfolder, a tasks.json task sets the matcher's `fileLocation` to the app folder.
 */
import * as assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as vscode from "vscode";
import type { SpinKubeApi } from "../../src/extension";
import { repoRoot } from "../helpers/paths";
import { FIXTURE_APPS, STANDIN_SPIN, standinEnv } from "../spin-standin/harness";
import { activeExtension, closeAllEditors, codeOf, poll, rangeText, waitForEvent, workspaceRoot } from "./helpers";

/** How long a build in a task terminal may take (tsc on a busy 2-core machine). */
const TASK_TIMEOUT_MS = 120_000;
/** How long VS Code may take to deliver the matcher's markers after the process ended. */
const MARKERS_TIMEOUT_MS = 30_000;

interface SpinDef {
  type: string;
  command?: string;
  manifest?: string;
}
const defOf = (t: vscode.Task): SpinDef => t.definition as SpinDef;

suite("spin tasks: VS Code's problem matchers on a real task run", () => {
  let api: SpinKubeApi;
  let ws: string;
  const se = standinEnv();
  /** Files and folders a test put into the workspace (removed after it). */
  let created: string[] = [];
  const saved: { spinPath?: unknown; termEnv?: unknown } = {};

  suiteSetup(async () => {
    api = (await activeExtension()).exports as SpinKubeApi;
    ws = workspaceRoot().fsPath;
    const spin = vscode.workspace.getConfiguration("spinkube");
    const term = vscode.workspace.getConfiguration("terminal.integrated");
    saved.spinPath = spin.inspect("spin.path")?.globalValue;
    saved.termEnv = term.inspect("env.linux")?.globalValue;
    await spin.update("spin.path", STANDIN_SPIN, vscode.ConfigurationTarget.Global);
    // The task terminal's environment: the build tools (tsc from node_modules/.bin, cargo) and the
    // stand-in's invocation log.
    await term.update("env.linux", { PATH: se.env.PATH, SPIN_STANDIN_LOG: se.logFile }, vscode.ConfigurationTarget.Global);
  });

  teardown(async () => {
    await closeAllEditors();
    for (const p of created) rmSync(p, { recursive: true, force: true });
    created = [];
  });

  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration("spinkube").update("spin.path", saved.spinPath, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration("terminal.integrated").update("env.linux", saved.termEnv, vscode.ConfigurationTarget.Global);
    const bad = se.factsViolations();
    se.cleanup();
    assert.deepEqual(bad, [], "a spin task passed a flag FACTS.md does not list");
  });

  /** Writes `files` (paths relative to `dir`). */
  function place(dir: string, files: Record<string, string>): void {
    for (const [rel, text] of Object.entries(files)) {
      const file = path.join(dir, rel);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
  }

  /** Claims top-level names of the workspace for this test (they must not exist yet). */
  function claim(...names: string[]): void {
    for (const n of names) {
      const p = path.join(ws, n);
      assert.ok(!existsSync(p), `the sample workspace already has ${n}; this suite places an app there`);
      created.push(p);
    }
  }

  /** Copies the TypeScript fixture app into `dir` with the type error of spin.test.ts in src/index.ts. */
  function brokenTsApp(dir: string): void {
    const src = path.join(FIXTURE_APPS, "hello");
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(src).filter((n) => !/^(node_modules|dist|build|\.spin)$/.test(n))) cpSync(path.join(src, name), path.join(dir, name), { recursive: true });
    symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
    writeFileSync(path.join(dir, "src", "index.ts"), 'const port: number = "eighty";\nexport {};\n');
  }

  /** The build task VS Code lists for `manifest` (relative to the workspace folder). */
  async function buildTask(manifest: string, source?: string): Promise<vscode.Task> {
    const tasks = await vscode.tasks.fetchTasks({ type: "spin" });
    const t = tasks.find((x) => defOf(x).command === "build" && defOf(x).manifest === manifest && (!source || x.source === source));
    assert.ok(t, `no spin build task for ${manifest} among: ${tasks.map((x) => `${x.source}: ${x.name}`).join(" | ")}`);
    return t;
  }

  /** Runs `task` in VS Code's task system; resolves with its exit code when its process ended. */
  async function runToEnd(task: vscode.Task): Promise<number | undefined> {
    const def = defOf(task);
    let sub: vscode.Disposable | undefined;
    let timer: NodeJS.Timeout | undefined;
    const ended = new Promise<number | undefined>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`the task "${task.name}" did not end within ${TASK_TIMEOUT_MS / 1000} s`)), TASK_TIMEOUT_MS);
      sub = vscode.tasks.onDidEndTaskProcess((e) => {
        const d = defOf(e.execution.task);
        if (d.type === def.type && d.command === def.command && d.manifest === def.manifest) resolve(e.exitCode);
      });
    });
    try {
      return await withSpinEnv(async () => {
        await vscode.tasks.executeTask(task);
        return ended;
      });
    } finally {
      clearTimeout(timer);
      sub?.dispose();
    }
  }

  /**
   * Runs `fn` with the build tools and the stand-in's log in the extension host's environment: a
   * provided build task runs spin from the extension host (a tasks.json task from a task terminal,
   * whose environment the setting above gives).
   */
  async function withSpinEnv<T>(fn: () => Promise<T>): Promise<T> {
    const env = { PATH: process.env.PATH, SPIN_STANDIN_LOG: process.env.SPIN_STANDIN_LOG };
    Object.assign(process.env, { PATH: se.env.PATH, SPIN_STANDIN_LOG: se.logFile });
    try {
      return await fn();
    } finally {
      for (const [k, v] of Object.entries(env)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }

  /** Waits (event-driven) for a marker on `file` whose source is `source`. */
  function markerFrom(file: string, source: string): Promise<vscode.Diagnostic> {
    const uri = vscode.Uri.file(file);
    const all = () => vscode.languages.getDiagnostics(uri);
    return waitForEvent(
      vscode.languages.onDidChangeDiagnostics,
      () => all().find((d) => d.source === source),
      MARKERS_TIMEOUT_MS,
      `a problem-matcher marker (source ${source}) on ${file}`,
      () => JSON.stringify(vscode.languages.getDiagnostics().filter(([, ds]) => ds.length).map(([u, ds]) => [u.fsPath, ds.map((d) => `${d.source}: ${d.message}`)])),
    );
  }

  /** The stand-in logged a `spin build --from <manifest>` run in the app's folder. */
  function assertSpinRan(manifest: string): void {
    const runs = se.invocations().filter((i) => i.argv[0] === "build");
    assert.ok(
      runs.some((i) => JSON.stringify(i.argv) === JSON.stringify(["build", "--from", manifest]) && i.cwd === path.dirname(manifest)),
      `spin build --from ${manifest} was not run in its folder: ${JSON.stringify(runs)}`,
    );
  }

  test("a TypeScript app at the workspace folder's root: the provided build task's $tsc puts tsc's error on src/index.ts", async function () {
    this.timeout(TASK_TIMEOUT_MS + MARKERS_TIMEOUT_MS + 30_000);
    await closeAllEditors(); // $tsc applies to closed documents only
    claim("spin.toml", "package.json", "tsconfig.json", "src", "node_modules", "build", "dist", ".spin");
    brokenTsApp(ws);
    const index = path.join(ws, "src", "index.ts");
    assert.equal(vscode.languages.getDiagnostics(vscode.Uri.file(index)).length, 0, "src/index.ts has markers before the task ran");

    const task = await buildTask("spin.toml");
    assert.ok(task.problemMatchers.includes("$tsc"), task.problemMatchers.join(", "));
    assert.equal(await runToEnd(task), 1, "spin build exits 1 when a build command fails");
    assertSpinRan(path.join(ws, "spin.toml"));

    const d = await markerFrom(index, "ts");
    assert.equal(codeOf(d), "2322");
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.deepEqual([d.range.start.line, d.range.start.character], [0, 6], `line 1, column 7 (\`port\`), not ${rangeText(d.range)}`);
    assert.equal(d.message, "Type 'string' is not assignable to type 'number'.");
    // It came from the task's matcher: the extension's own Build diagnostics (source tsc) are not involved.
    assert.equal(api.spin.diagnostics.get(vscode.Uri.file(index))?.length ?? 0, 0);
    // What no matcher can place, the extension does: spin's own Error: line, on spin.toml.
    const onManifest = api.spin.diagnostics.get(vscode.Uri.file(path.join(ws, "spin.toml"))) ?? [];
    assert.ok(onManifest.some((x) => x.source === "spin" && /failed/i.test(x.message)), onManifest.map((x) => `${x.source}: ${x.message}`).join(" | "));
  });

  test("a Rust app at the workspace folder's root: $spin-rustc puts cargo's error (in a task terminal) on src/lib.rs", async function () {
    this.timeout(TASK_TIMEOUT_MS + MARKERS_TIMEOUT_MS + 30_000);
    await closeAllEditors();
    const onPath = (se.env.PATH ?? "").split(path.delimiter).some((d) => d && existsSync(path.join(d, "cargo")));
    assert.ok(onPath, "cargo is not on PATH: test/spin-standin/setup.sh installs Debian's cargo");
    claim("spin.toml", "Cargo.toml", "Cargo.lock", "build.rs", "src", "target", ".spin");
    // Spin's http-rust template builds with `cargo build --target wasm32-wasip1 --release`; the
    // wasm32-wasip1 target is not installed on the test machines and the crate has no dependencies
    // (nothing to fetch offline), so this builds natively: rustc reports the error the same way.
    // Its build script takes a moment, as a real app's dependencies do, so that cargo draws its
    // progress bar in the task terminal before the error (and must erase it: the matcher reads the
    // terminal's line, and a bar left behind ends up in the message).
    place(ws, {
      "spin.toml": [
        "spin_manifest_version = 2",
        "",
        "[application]",
        'name = "hello-rust"',
        'version = "0.1.0"',
        "",
        "[[trigger.http]]",
        'route = "/..."',
        'component = "hello-rust"',
        "",
        "[component.hello-rust]",
        'source = "target/release/libhello_rust.so"',
        "allowed_outbound_hosts = []",
        "[component.hello-rust.build]",
        'command = "cargo build --release"',
        'watch = ["src/**/*.rs", "Cargo.toml"]',
        "",
      ].join("\n"),
      "Cargo.toml": '[package]\nname = "hello-rust"\nversion = "0.1.0"\nedition = "2021"\n\n[lib]\ncrate-type = ["cdylib"]\n\n[dependencies]\n',
      "src/lib.rs": 'pub fn port() -> u16 {\n    "eighty"\n}\n',
      "build.rs": "fn main() {\n    std::thread::sleep(std::time::Duration::from_millis(1500));\n}\n",
    });
    const lib = path.join(ws, "src", "lib.rs");

    const task = await buildTask("spin.toml");
    assert.ok(task.problemMatchers.includes("$spin-rustc"), task.problemMatchers.join(", "));
    assert.equal(await runToEnd(task), 1, "spin build exits 1 when a build command fails");
    assertSpinRan(path.join(ws, "spin.toml"));

    const d = await markerFrom(lib, "rustc");
    assert.equal(codeOf(d), "E0308");
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.deepEqual([d.range.start.line, d.range.start.character], [1, 4], `line 2, column 5 (\`"eighty"\`), not ${rangeText(d.range)}`);
    assert.equal(d.message, "mismatched types");
  });

  test("an app in a subfolder: the provided build task reads spin's output itself and puts tsc's error on that app's file", async function () {
    this.timeout(TASK_TIMEOUT_MS + MARKERS_TIMEOUT_MS + 30_000);
    await closeAllEditors();
    claim("sub-ts");
    const app = path.join(ws, "sub-ts");
    brokenTsApp(app);
    const index = path.join(app, "src", "index.ts");
    const task = await buildTask("sub-ts/spin.toml");
    assert.deepEqual(task.problemMatchers, [], "no matcher: VS Code would place the errors on <workspace>/src/index.ts");
    assert.ok(task.execution instanceof vscode.CustomExecution);
    assert.equal(await runToEnd(task), 1, "spin build exits 1 when a build command fails");
    assertSpinRan(path.join(app, "spin.toml"));
    // The extension's reading (source tsc, as its Build command's), on the app's own file.
    const d = await markerFrom(index, "tsc");
    assert.match(d.message, /TS2322/);
    assert.deepEqual([d.range.start.line, d.range.start.character], [0, 6], rangeText(d.range));
    assert.ok((api.spin.diagnostics.get(vscode.Uri.file(index))?.length ?? 0) > 0, "in the extension's own Problems");
    // Spin's own Error: line (no file named in it) goes on the app's spin.toml.
    const onManifest = api.spin.diagnostics.get(vscode.Uri.file(path.join(app, "spin.toml"))) ?? [];
    assert.ok(onManifest.some((x) => x.source === "spin" && /failed/i.test(x.message)), onManifest.map((x) => `${x.source}: ${x.message}`).join(" | "));
    assert.equal(vscode.languages.getDiagnostics(vscode.Uri.file(path.join(ws, "src", "index.ts"))).length, 0, "nothing on a file that does not exist");
  });

  test("Terminate Task on a running build ends spin's whole process tree and publishes nothing", async function () {
    this.timeout(60_000);
    claim("slow-app");
    const app = path.join(ws, "slow-app");
    // A build command that would run for a minute and leaves its pid behind.
    place(app, {
      "spin.toml": 'spin_manifest_version = 2\n\n[application]\nname = "slow-app"\n\n[[trigger.http]]\nroute = "/..."\ncomponent = "slow"\n\n[component.slow]\nsource = "slow.wasm"\n\n[component.slow.build]\ncommand = "echo $$ > build.pid && exec sleep 60"\n',
    });
    const task = await buildTask("slow-app/spin.toml");
    const pidFile = path.join(app, "build.pid");
    await withSpinEnv(async () => {
      let ended = false;
      const sub = vscode.tasks.onDidEndTask((e) => {
        if (e.execution.task.name === task.name) ended = true;
      });
      const execution = await vscode.tasks.executeTask(task);
      const pid = await poll(() => (existsSync(pidFile) && readFileSync(pidFile, "utf8").trim()) || undefined, 30_000, "the build command to start");
      execution.terminate();
      await poll(() => ended || undefined, 30_000, "the terminated task to end").finally(() => sub.dispose());
      // The build command (a grandchild of the extension host) is gone too.
      await poll(() => {
        try {
          process.kill(Number(pid), 0);
          return undefined;
        } catch {
          return true;
        }
      }, 10_000, `the build command (pid ${pid}) to be ended`);
    });
    assert.equal(api.spin.diagnostics.get(vscode.Uri.file(path.join(app, "spin.toml")))?.length ?? 0, 0, "a cancelled build reports no problem");
  });

  test("an app in a subfolder: a tasks.json spin task whose $tsc fileLocation names the app folder puts the error on that app's file", async function () {
    this.timeout(TASK_TIMEOUT_MS + MARKERS_TIMEOUT_MS + 30_000);
    await closeAllEditors();
    claim("broken-ts", ".vscode");
    const app = path.join(ws, "broken-ts");
    brokenTsApp(app);
    const tasksConfig = vscode.workspace.getConfiguration("tasks", workspaceRoot());
    await tasksConfig.update("version", "2.0.0", vscode.ConfigurationTarget.WorkspaceFolder);
    await tasksConfig.update(
      "tasks",
      [
        {
          type: "spin",
          command: "build",
          manifest: "broken-ts/spin.toml",
          label: "build broken-ts (tasks.json)",
          // As the README shows it.
          problemMatcher: [{ base: "$tsc", fileLocation: ["relative", "${workspaceFolder}/broken-ts"] }],
        },
      ],
      vscode.ConfigurationTarget.WorkspaceFolder,
    );
    try {
      const index = path.join(app, "src", "index.ts");
      const task = await buildTask("broken-ts/spin.toml", "Workspace");
      assert.equal(await runToEnd(task), 1);
      assertSpinRan(path.join(app, "spin.toml"));

      const d = await markerFrom(index, "ts");
      assert.equal(codeOf(d), "2322");
      assert.deepEqual([d.range.start.line, d.range.start.character], [0, 6], rangeText(d.range));
    } finally {
      await tasksConfig.update("tasks", undefined, vscode.ConfigurationTarget.WorkspaceFolder);
      await tasksConfig.update("version", undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    }
  });
});
