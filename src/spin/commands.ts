/**
 * VS Code wiring of the spin toolchain (issue 8): the commands Build, Run Locally / Stop, Push,
 * Log In to Registry, Scaffold, Deploy and Build & Deploy, Install kube Plugin, Check Spin, Check
 * Deployed Build; the `spin` task provider, the CodeLenses, the `Spin` output, the Problems of
 * builds the extension runs, and Workspace Trust (everything that runs spin on the workspace is
 * refused in Restricted Mode, with the reason and a way to trust).
 *
 * Each command picks the app (argument, active editor, or the workspace's spin.toml files), runs
 * the vscode-free operations (./toolchain.ts, ./deploy.ts, ./buildDeploy.ts) under a cancellable
 * progress notification whose token aborts the running process tree or watch, and turns a failure
 * into one notification naming what to fix with the button that fixes it (log in, install spin or
 * the kube plugin, open spin.toml at the line, run the runtime diagnosis, show logs). Cluster
 * access goes through the explorer's model (its current context and connection) and port-forwards.
 */
import path from "node:path";
import * as vscode from "vscode";
import type { ExplorerApi } from "../cluster/explorer";
import { DiagnosisCommands, LogsCommands, SPIN_BUILD_DIAGNOSTICS, SPIN_TASK_TYPE, SpinCommands } from "../constants";
import { registerCommand } from "../host/commands";
import type { Log } from "../host/log";
import { AppStore, isInsecure, spinSettings } from "./appState";
import type { DeployTarget } from "./appState";
import type { BuildDeployPlan } from "./buildDeploy";
import { firstRoutePath, runBuildDeploy } from "./buildDeploy";
import { SpinCodeLens } from "./codeLens";
import type { DeployCluster, DeployOutcome, KObj } from "./deploy";
import { deploy } from "./deploy";
import { appNameFromRef, parseImageRef, suggestedReference, withDigest } from "./imageRef";
import { deployClusterOf, deployedImage } from "./kubeDeploy";
import { LocalRuns } from "./localRun";
import type { SpinManifest } from "./manifest";
import { findManifestUpward, readManifest } from "./manifest";
import { formatDuration, formatTimings } from "./pipeline";
import type { Stream } from "./process";
import type { BuildProblem } from "./problems";
import { findProblems } from "./problems";
import { resolveDigest } from "./registryClient";
import { fail, ok } from "./result";
import type { Result, SpinFailure } from "./result";
import { KUBE_PLUGIN_URL, SPIN_INSTALL_URL, findSpin } from "./spinCli";
import type { SpinCli, SpinInfo } from "./spinCli";
import { manifestObjects } from "./spinAppManifest";
import { SpinLog } from "./spinLog";
import { parseBuildLine } from "./spinOutput";
import { StaleTracker } from "./stale";
import { SpinTaskProvider } from "./taskProvider";
import { mayRun } from "./trust";
import { build, login, prepareManifest, push, scaffold } from "./toolchain";

const TRUST_COMMAND = "workbench.trust.manage";

/** What the toolchain exposes (for tests and the explorer's stale marker). */
export interface SpinApi {
  readonly log: SpinLog;
  readonly store: AppStore;
  readonly stale: StaleTracker;
  readonly runs: LocalRuns;
  readonly diagnostics: vscode.DiagnosticCollection;
  /** The last failure a command reported (tests read it instead of the notification). */
  lastFailure(): SpinFailure | undefined;
}

type Progress = vscode.Progress<{ message?: string; increment?: number }>;

/** Registers the toolchain. */
export function registerSpin(context: vscode.ExtensionContext, log: Log, explorer: ExplorerApi): SpinApi {
  const subs = context.subscriptions;
  const spinLog = new SpinLog();
  const store = new AppStore(context.workspaceState, context.secrets);
  const runs = new LocalRuns(spinLog);
  const diagnostics = vscode.languages.createDiagnosticCollection(SPIN_BUILD_DIAGNOSTICS);
  subs.push(spinLog, runs, diagnostics);
  let lastFailure: SpinFailure | undefined;
  let spinCache: Promise<Result<{ cli: SpinCli; info: SpinInfo }>> | undefined;
  let noteShown = false;

  const stale = new StaleTracker({
    entries: () => store.entries(),
    deployedImage: async (t) => deployedImage(await explorer.model.client(t.context), t.namespace, t.name),
    resolve: async (ref) => {
      const r = parseImageRef(ref);
      return resolveDigest(ref, { insecure: !!r && isInsecure(spinSettings(), r.registry), credentials: r ? await store.credentials(r.registry) : undefined });
    },
  });
  const lens = new SpinCodeLens({ settings: () => spinSettings(), store, stale, runs });
  subs.push(lens, vscode.languages.registerCodeLensProvider([{ scheme: "file", pattern: "**/spin.toml" }, { scheme: "file", language: "yaml" }], lens));
  subs.push({ dispose: stale.onDidChange(() => lens.refresh()) });
  // "cluster runs an older build" on the explorer's SpinApp nodes too.
  explorer.tree.setDecorator((node) => {
    if (node.kind !== "spinApp") return undefined;
    const v = stale.forTarget(node.context, node.namespace, node.name);
    return v?.state === "stale" ? { description: "older build", tooltip: `$(warning) ${v.message}` } : undefined;
  });
  subs.push({ dispose: stale.onDidChange(() => explorer.tree.refresh()) });
  subs.push(store.onDidChange(() => lens.refresh()));
  // The explorer saw a SpinApp change: re-check the apps deployed from here (no polling).
  subs.push({
    dispose: explorer.model.onDidFlush((changes) => {
      const apps = changes.filter((c) => c.key.startsWith("spinapps."));
      for (const [file, mem] of store.entries()) {
        if (mem.target && apps.some((c) => c.context === mem.target!.context && (!c.namespace || c.namespace === mem.target!.namespace))) void stale.refresh(file);
      }
    }),
  });
  subs.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("spinkube.spin.path")) spinCache = undefined;
      if (e.affectsConfiguration("spinkube.spin") || e.affectsConfiguration("spinkube.deploy")) lens.refresh();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      spinCache = undefined;
      lens.refresh();
    }),
  );

  // ---- helpers

  const firstFolder = (): string | undefined => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;

  /** Locates spin once per session (again after the setting changes). */
  const getSpin = async (): Promise<Result<{ cli: SpinCli; info: SpinInfo }>> => {
    spinCache ??= findSpin({ configuredPath: spinSettings().spinPath, baseDir: firstFolder() });
    const r = await spinCache;
    if (!r.ok) spinCache = undefined;
    else if (r.value.info.compatibility.note && !noteShown) {
      noteShown = true;
      spinLog.warn(r.value.info.compatibility.note);
      void vscode.window.showWarningMessage(`SpinKube: ${r.value.info.compatibility.note}`);
    }
    return r;
  };

  const trusted = (command: string): boolean => {
    const r = mayRun(command, vscode.workspace.isTrusted);
    if (r.ok) return true;
    lastFailure = r.error;
    void vscode.window.showWarningMessage(`SpinKube: ${r.error.message}`, "Manage Workspace Trust").then((c) => {
      if (c) void vscode.commands.executeCommand(TRUST_COMMAND);
    });
    return false;
  };

  /** Shows a failure: one line, the buttons that fix it, the detail in the Spin log. */
  const report = (f: SpinFailure, extra: { target?: DeployTarget; app?: SpinManifest } = {}): void => {
    lastFailure = f;
    spinLog.error(f.message, f.detail);
    if (f.kind === "cancelled") {
      void vscode.window.showInformationMessage(`SpinKube: ${f.message}`);
      return;
    }
    const buttons: Record<string, () => unknown> = {};
    if (f.kind === "spinMissing") buttons["Install Spin"] = () => vscode.env.openExternal(vscode.Uri.parse(SPIN_INSTALL_URL));
    if (f.kind === "spinMissing" || f.kind === "spinUnusable") buttons["Open Settings"] = () => vscode.commands.executeCommand("workbench.action.openSettings", "spinkube.spin.path");
    if (f.kind === "pluginMissing") buttons["Install kube Plugin"] = () => vscode.commands.executeCommand(SpinCommands.installKubePlugin);
    if (f.kind === "unauthorized" || f.kind === "loginFailed") buttons["Log In"] = () => vscode.commands.executeCommand(SpinCommands.login, parseImageRef(extra.app ? (store.get(extra.app.file).reference ?? "") : "")?.registry);
    if (f.file && f.line) {
      buttons["Open"] = async () => {
        const doc = await vscode.workspace.openTextDocument(f.file!);
        const pos = new vscode.Position(Math.max(0, f.line! - 1), Math.max(0, (f.column ?? 1) - 1));
        await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos) });
      };
    }
    if (f.runtimeProblem && extra.target) buttons["Diagnose Runtime"] = () => vscode.commands.executeCommand(DiagnosisCommands.checkRuntimeReadiness, extra.target);
    if (extra.target && (f.kind === "rolloutFailed" || f.kind === "timeout")) buttons["Show Logs"] = () => vscode.commands.executeCommand(LogsCommands.showAppLogs, { name: extra.target!.name, namespace: extra.target!.namespace });
    buttons["Show Spin Output"] = () => spinLog.show();
    void vscode.window.showErrorMessage(`SpinKube: ${f.message}`, ...Object.keys(buttons)).then((c) => {
      if (c) void buttons[c]();
    });
  };

  /** Problems of a build into the Problems view (replacing the app's previous ones). */
  const publishProblems = (app: Pick<SpinManifest, "dir" | "file">, problems: BuildProblem[]): void => {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const p of problems) {
      const d = new vscode.Diagnostic(new vscode.Range(p.line - 1, Math.max(0, p.column - 1), p.line - 1, Math.max(0, p.column - 1) + 1), p.message, p.severity === "error" ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
      d.source = p.source;
      byFile.set(p.file, [...(byFile.get(p.file) ?? []), d]);
    }
    diagnostics.forEach((uri) => {
      if (uri.fsPath.startsWith(app.dir + path.sep) || uri.fsPath === app.file) diagnostics.delete(uri);
    });
    for (const [file, ds] of byFile) diagnostics.set(vscode.Uri.file(file), ds);
  };

  /** The app a command is about: from the argument, the active editor, or the workspace's spin.toml files. */
  const pickApp = async (arg?: unknown): Promise<SpinManifest | undefined> => {
    let file: string | undefined;
    const uri = arg instanceof vscode.Uri ? arg : undefined;
    const from = (p: string): string | undefined => {
      const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(p))?.uri.fsPath;
      return path.basename(p) === "spin.toml" ? p : findManifestUpward(path.extname(p) ? path.dirname(p) : p, folder);
    };
    if (uri) file = from(uri.fsPath);
    else if (vscode.window.activeTextEditor?.document.uri.scheme === "file") file = from(vscode.window.activeTextEditor.document.uri.fsPath);
    if (!file) {
      const found = await vscode.workspace.findFiles("**/spin.toml", "**/{node_modules,target,.git}/**", 200);
      if (!found.length) {
        report({ kind: "noManifest", message: "There is no spin.toml in this workspace: create an app with `spin new -t http-rust-p2 <name>` or open the app's folder." });
        return undefined;
      }
      if (found.length === 1) file = found[0].fsPath;
      else {
        const pick = await vscode.window.showQuickPick(
          found.map((f) => ({ label: path.basename(path.dirname(f.fsPath)), description: vscode.workspace.asRelativePath(f), file: f.fsPath })),
          { placeHolder: "Which Spin app?" },
        );
        file = pick?.file;
      }
    }
    if (!file) return undefined;
    const m = await readManifest(file);
    if (!m.ok) {
      if (m.error.file && m.error.line) diagnostics.set(vscode.Uri.file(m.error.file), [new vscode.Diagnostic(new vscode.Range(m.error.line - 1, Math.max(0, (m.error.column ?? 1) - 1), m.error.line - 1, 1000), m.error.message, vscode.DiagnosticSeverity.Error)]);
      report(m.error);
      return undefined;
    }
    diagnostics.delete(vscode.Uri.file(m.value.file));
    return m.value;
  };

  /** The common start of a command: trusted workspace, the app, a usable spin (undefined when any is missing; the reason is shown). */
  const start = async (command: string, arg: unknown): Promise<{ app: SpinManifest; cli: SpinCli; info: SpinInfo } | undefined> => {
    if (!trusted(command)) return undefined;
    const app = await pickApp(arg);
    if (!app) return undefined;
    const s = await getSpin();
    if (!s.ok) {
      report(s.error);
      return undefined;
    }
    return { app, ...s.value };
  };

  /** Components to build (`ids` undefined = all), unless the argument names some or the user picks one; undefined when the pick was dismissed. */
  const pickComponents = async (app: SpinManifest, arg2?: unknown, ask = false): Promise<{ ids?: string[] } | undefined> => {
    if (Array.isArray(arg2) && arg2.every((x) => typeof x === "string")) return { ids: arg2 as string[] };
    const buildable = app.components.filter((c) => c.buildCommands.length);
    if (!ask || buildable.length < 2) return {};
    const pick = await vscode.window.showQuickPick([{ label: "All components", id: undefined as string | undefined }, ...buildable.map((c) => ({ label: c.id, description: c.buildCommands.join(" && "), id: c.id as string | undefined }))], { placeHolder: `Build which component of ${app.name}?` });
    if (!pick) return undefined;
    return pick.id ? { ids: [pick.id] } : {};
  };

  const onLine =
    (progress?: Progress) =>
    (stream: Stream, line: string): void => {
      spinLog.output(stream, line);
      const ev = parseBuildLine(line);
      if (ev && progress) {
        if (ev.kind === "step") progress.report({ message: `${ev.component}: step ${ev.step}/${ev.of} ${ev.command}` });
        else if (ev.kind === "component") progress.report({ message: `${ev.component}${ev.command ? `: ${ev.command}` : ""}` });
      }
    };

  /** A cancellable progress notification whose token aborts `signal`. */
  const withProgress = <T>(title: string, task: (progress: Progress, signal: AbortSignal) => Promise<T>): Thenable<T> =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `SpinKube: ${title}`, cancellable: true }, (progress, token) => {
      const ac = new AbortController();
      const sub = token.onCancellationRequested(() => ac.abort());
      return task(progress, ac.signal).finally(() => sub.dispose());
    });

  /** The reference to push an app to: remembered, or asked (prefilled with a suggestion). */
  const askReference = async (app: SpinManifest, force = false): Promise<string | undefined> => {
    const remembered = store.get(app.file).reference;
    if (remembered && !force) return remembered;
    const value = await vscode.window.showInputBox({
      title: `Push ${app.name} to`,
      prompt: "OCI reference <registry>/<user>/<app>:<tag> (remembered for this app)",
      value: remembered ?? suggestedReference(app.name, spinSettings().defaultPath),
      validateInput: (v) => (parseImageRef(v.trim()) ? undefined : "Not an image reference: use <registry>/<user>/<app>:<tag>"),
    });
    const ref = value?.trim();
    if (ref) await store.update(app.file, { reference: ref });
    return ref;
  };

  /** The deploy target: the explorer's current context, the configured/chosen namespace. */
  const resolveTarget = async (): Promise<Result<{ context: string; namespace?: string; connect: () => Promise<Result<DeployCluster>> }>> => {
    const ctx = explorer.model.currentContext();
    const k = explorer.model.kubeconfig;
    if (!ctx) {
      return fail("noCluster", k.kind === "loaded" ? "The kubeconfig has no context: add one or choose another file with SpinKube: Select Kubeconfig." : `${k.kind === "none" ? k.reason : `The kubeconfig is invalid: ${k.reason}`} Set spinkube.kubeconfig or create ~/.kube/config.`);
    }
    const s = spinSettings();
    const chosen = explorer.model.chosenNamespaces(ctx);
    const namespace = s.namespace || (chosen?.length === 1 ? chosen[0] : undefined);
    return ok({
      context: ctx,
      ...(namespace ? { namespace } : {}),
      connect: async () => {
        try {
          return ok(deployClusterOf(await explorer.model.client(ctx)));
        } catch (err) {
          return fail("noCluster", `Cannot connect to context ${ctx}: ${err instanceof Error ? err.message : String(err)}`);
        }
      },
    });
  };

  const kubeconfigFiles = (): string | undefined => {
    const k = explorer.model.kubeconfig;
    return k.kind === "loaded" ? k.files.join(path.delimiter) : undefined;
  };

  /** Port-forwards the app's Service and opens the route. */
  const openDeployed = async (target: DeployTarget, service: string, routePath: string): Promise<string> => {
    const s = await explorer.portForwards.start(target.context, target.namespace, service);
    const url = `${s.url.replace(/\/$/, "")}${routePath}`;
    spinLog.info(`port-forward ${target.context}/${target.namespace}/svc/${service} → ${s.url}`);
    void vscode.env.openExternal(await vscode.env.asExternalUri(vscode.Uri.parse(url)));
    return url;
  };

  /** Remembers where the app runs, re-checks staleness, and offers to open it (without waiting for the answer). */
  const afterDeploy = async (app: SpinManifest | undefined, target: DeployTarget, out: DeployOutcome, summary: string): Promise<void> => {
    if (app) {
      await store.update(app.file, { target });
      void stale.refresh(app.file);
    }
    const route = app ? firstRoutePath(app) : "/";
    spinLog.info(summary);
    void vscode.window.showInformationMessage(`SpinKube: ${summary}`, "Port-forward & Open", "Show Spin Output").then(async (choice) => {
      if (choice === "Show Spin Output") spinLog.show();
      if (choice !== "Port-forward & Open") return;
      try {
        await openDeployed(target, out.service, route);
      } catch (err) {
        report({ kind: "failed", message: `Port-forward to ${out.service} failed: ${err instanceof Error ? err.message : String(err)}` });
      }
    });
  };

  const reg = (id: string, handler: (...args: never[]) => unknown): void => registerCommand(subs, log, id, handler);

  // ---- commands

  reg(SpinCommands.showOutput, () => spinLog.show());

  reg(SpinCommands.checkSpin, async () => {
    spinCache = undefined;
    const s = await getSpin();
    if (!s.ok) return report(s.error);
    const plugin = await s.value.cli.hasKubePlugin(s.value.info.version);
    const msg = `spin ${s.value.info.version.version} at ${s.value.info.path}; kube plugin ${plugin.ok ? (plugin.value ? "installed" : "not installed") : "unknown"}.${s.value.info.compatibility.note ? ` ${s.value.info.compatibility.note}` : ""}`;
    spinLog.info(msg);
    if (plugin.ok && !plugin.value) {
      const c = await vscode.window.showWarningMessage(`SpinKube: ${msg}`, "Install kube Plugin");
      if (c) await vscode.commands.executeCommand(SpinCommands.installKubePlugin);
    } else void vscode.window.showInformationMessage(`SpinKube: ${msg}`);
    return s.value.info;
  });

  reg(SpinCommands.installKubePlugin, async () => {
    if (!trusted(SpinCommands.installKubePlugin)) return undefined;
    const s = await getSpin();
    if (!s.ok) return report(s.error);
    const r = await withProgress("Installing the spin kube plugin", (_p, signal) => s.value.cli.installKubePlugin({ signal, onLine: onLine() }));
    if (!r.ok) return report(r.error);
    void vscode.window.showInformationMessage(`SpinKube: the kube plugin is ${r.value === "installed" ? "installed" : "already installed"} (${KUBE_PLUGIN_URL}).`);
    return r.value;
  });

  reg(SpinCommands.build, async (arg?: unknown, components?: unknown) => {
    const st = await start(SpinCommands.build, arg);
    if (!st) return undefined;
    const { app } = st;
    const picked = await pickComponents(app, components, !(arg instanceof vscode.Uri));
    if (!picked) return undefined;
    const ids = picked.ids;
    spinLog.info(`spin build ${app.name}${ids ? ` (${ids.join(", ")})` : ""}`);
    let output = "";
    const r = await withProgress(`Building ${app.name}`, (progress, signal) =>
      build(st.cli, app, {
        componentIds: ids,
        signal,
        onLine: (stream, line) => {
          output += `${line}\n`;
          onLine(progress)(stream, line);
        },
      }),
    );
    publishProblems(app, findProblems(output, app.dir, app.file));
    if (!r.ok) return report(r.error, { app });
    spinLog.info(`built ${app.name} in ${formatDuration(r.value.durationMs)}`);
    void vscode.window.setStatusBarMessage(`$(check) Built ${app.name} in ${formatDuration(r.value.durationMs)}`, 5000);
    return r.value;
  });

  reg(SpinCommands.up, async (arg?: unknown) => {
    const st = await start(SpinCommands.up, arg);
    if (!st) return undefined;
    const { app } = st;
    const started = await withProgress(`Starting ${app.name} (spin up)`, async (_p, signal) => {
      const p = runs.start(st.cli, st.info.version, app, spinSettings().listen);
      signal.addEventListener("abort", () => void runs.stop(app), { once: true });
      return p;
    });
    if (!started.serving) return report({ kind: "failed", message: `spin up ${app.name} failed: ${started.error ?? "it stopped"}.`, file: app.file }, { app });
    const serving = started.serving;
    const route = serving.routes[0]?.url ?? serving.baseUrl;
    spinLog.info(`${app.name} is serving at ${serving.baseUrl}`);
    void vscode.window.showInformationMessage(`SpinKube: ${app.name} is serving at ${serving.baseUrl} (${serving.routes.map((r) => r.component).join(", ")}).`, "Open", "Stop").then((c) => {
      if (c === "Open") void vscode.env.openExternal(vscode.Uri.parse(route));
      if (c === "Stop") void runs.stop(app);
    });
    return serving;
  });

  reg(SpinCommands.stop, async (arg?: unknown) => {
    const list = runs.list();
    if (!list.length) {
      void vscode.window.showInformationMessage("SpinKube: no Spin app is running locally.");
      return 0;
    }
    let target = arg instanceof vscode.Uri ? list.find((s) => s.app.file === arg.fsPath || s.app.dir === arg.fsPath) : undefined;
    if (!target && list.length === 1) target = list[0];
    if (!target) {
      const pick = await vscode.window.showQuickPick(list.map((s) => ({ label: s.app.name, description: s.serving?.baseUrl, s })), { placeHolder: "Stop which app?" });
      target = pick?.s;
    }
    return target ? runs.stop(target.app) : 0;
  });

  reg(SpinCommands.login, async (arg?: unknown) => {
    const remembered = store
      .entries()
      .map(([, m]) => (m.reference ? parseImageRef(m.reference)?.registry : undefined))
      .find((x): x is string => !!x);
    const server = typeof arg === "string" && arg ? arg : (await vscode.window.showInputBox({ title: "Log in to registry", prompt: "Registry server (e.g. ghcr.io)", value: remembered ?? "ghcr.io", validateInput: (v) => (v.trim() ? undefined : "A server name is needed") }))?.trim();
    if (!server) return undefined;
    const saved = await store.credentials(server);
    const username = (await vscode.window.showInputBox({ title: `Log in to ${server}`, prompt: "User name", value: saved?.username ?? "", validateInput: (v) => (v.trim() ? undefined : "A user name is needed") }))?.trim();
    if (!username) return undefined;
    let password: string | undefined;
    if (saved && saved.username === username) {
      const use = await vscode.window.showQuickPick(["Use the saved password", "Enter a new password or token"], { placeHolder: `A password for ${username}@${server} is saved in VS Code's secret storage` });
      if (!use) return undefined;
      if (use.startsWith("Use")) password = saved.password;
    }
    password ??= await vscode.window.showInputBox({ title: `Log in to ${server} as ${username}`, prompt: "Password or access token (kept in VS Code's secret storage, given to spin on stdin)", password: true, ignoreFocusOut: true });
    if (!password) return undefined;
    const s = await getSpin();
    if (!s.ok) return report(s.error);
    spinLog.info(`spin registry login ${server} as ${username}`);
    const r = await withProgress(`Logging in to ${server}`, (_p, signal) => login(s.value.cli, server, username, password!, { signal }));
    if (!r.ok) return report(r.error);
    await store.saveCredentials(server, { username, password });
    void vscode.window.showInformationMessage(`SpinKube: logged in to ${server} as ${username}.`);
    return r.value;
  });

  reg(SpinCommands.push, async (arg?: unknown) => {
    const st = await start(SpinCommands.push, arg);
    if (!st) return undefined;
    const { app } = st;
    const reference = await askReference(app, !(arg instanceof vscode.Uri) || !store.get(app.file).reference);
    if (!reference) return undefined;
    const ref = parseImageRef(reference)!;
    spinLog.info(`spin registry push ${app.name} → ${reference}`);
    const r = await withProgress(`Pushing ${app.name} to ${reference}`, async (progress, signal) =>
      push(st.cli, app, reference, { insecure: isInsecure(spinSettings(), ref.registry), credentials: await store.credentials(ref.registry), signal, onLine: onLine(progress) }),
    );
    if (!r.ok) return report(r.error, { app });
    if (r.value.digest) await store.update(app.file, { lastPush: { reference, digest: r.value.digest, at: Date.now() } });
    void stale.refresh(app.file);
    void vscode.window.showInformationMessage(`SpinKube: pushed ${app.name}: ${r.value.immutableRef}`, "Copy Reference").then((c) => {
      if (c) void vscode.env.clipboard.writeText(r.value.immutableRef);
    });
    return r.value;
  });

  reg(SpinCommands.scaffold, async (arg?: unknown) => {
    const st = await start(SpinCommands.scaffold, arg);
    if (!st) return undefined;
    const { app } = st;
    const mem = store.get(app.file);
    const pushedRef = mem.lastPush ? parseImageRef(mem.lastPush.reference) : undefined;
    const image = mem.lastPush && pushedRef ? withDigest(pushedRef, mem.lastPush.digest) : await askReference(app);
    if (!image) return undefined;
    const settings = spinSettings();
    const file = path.join(app.dir, settings.manifestFile);
    const r = await withProgress(`Scaffolding the SpinApp of ${app.name}`, (_p, signal) =>
      prepareManifest(file, image, () => scaffold(st.cli, { from: image, replicas: settings.replicas, ...(settings.executor ? { executor: settings.executor } : {}) }, { signal, kubeconfig: kubeconfigFiles(), cwd: app.dir, onLine: onLine() }), { signal }),
    );
    if (!r.ok) return report(r.error, { app });
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
    void vscode.window.setStatusBarMessage(`$(check) ${r.value.action === "scaffolded" ? "Scaffolded" : r.value.action === "updated" ? "Updated the image in" : "Unchanged:"} ${path.basename(file)}`, 5000);
    return r.value;
  });

  reg(SpinCommands.deploy, async (arg?: unknown) => {
    if (!trusted(SpinCommands.deploy)) return undefined;
    // The manifest: a YAML file argument or editor, else the app's manifest file.
    let file: string | undefined;
    let app: SpinManifest | undefined;
    const yamlUri = arg instanceof vscode.Uri && /\.ya?ml$/.test(arg.fsPath) ? arg : vscode.window.activeTextEditor && /\.ya?ml$/.test(vscode.window.activeTextEditor.document.uri.fsPath) && !(arg instanceof vscode.Uri) ? vscode.window.activeTextEditor.document.uri : undefined;
    if (yamlUri) file = yamlUri.fsPath;
    else {
      app = await pickApp(arg);
      if (!app) return undefined;
      file = path.join(app.dir, spinSettings().manifestFile);
    }
    const doc: vscode.TextDocument | undefined = await vscode.workspace.openTextDocument(file).then(
      (d) => d,
      () => undefined,
    );
    if (!doc) return report({ kind: "manifestFile", message: `There is no ${path.basename(file)} next to spin.toml: run SpinKube: Scaffold SpinApp Manifest first.` });
    const objs = manifestObjects(doc.getText());
    if (!objs.ok) return report({ ...objs.error, file, ...(objs.error.line ? { line: objs.error.line } : {}) });
    if (!app) {
      const near = findManifestUpward(path.dirname(file), vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath);
      if (near) {
        const m = await readManifest(near);
        if (m.ok) app = m.value;
      }
    }
    const t = await resolveTarget();
    if (!t.ok) return report(t.error);
    let target: DeployTarget | undefined;
    const r = await withProgress(`Deploying ${path.basename(file)} to ${t.value.context}`, async (progress, signal) => {
      const c = await t.value.connect();
      if (!c.ok) return c;
      const namespace = t.value.namespace ?? c.value.defaultNamespace;
      const name = objs.value.find((o) => o.kind === "SpinApp")?.metadata.name ?? "";
      target = { context: t.value.context, namespace, name };
      return deploy(c.value, objs.value as KObj[], { namespace, signal, timeoutMs: spinSettings().timeoutSeconds * 1000, onProgress: (m) => (progress.report({ message: m }), spinLog.info(m)) });
    });
    if (!r.ok) return report(r.error, { target, app });
    await afterDeploy(app, target!, r.value, `${r.value.name} is Available in ${target!.context}/${target!.namespace} (${r.value.readyReplicas} ready).`);
    return r.value;
  });

  reg(SpinCommands.buildAndDeploy, async (arg?: unknown) => {
    const st = await start(SpinCommands.buildAndDeploy, arg);
    if (!st) return undefined;
    const { app } = st;
    const reference = await askReference(app);
    if (!reference) return undefined;
    const t = await resolveTarget();
    if (!t.ok) return report(t.error);
    const ref = parseImageRef(reference)!;
    const settings = spinSettings();
    let output = "";
    const plan: BuildDeployPlan = {
      cli: st.cli,
      spinVersion: st.info.version,
      app,
      reference,
      insecure: isInsecure(settings, ref.registry),
      credentials: await store.credentials(ref.registry),
      manifestFile: path.join(app.dir, settings.manifestFile),
      scaffold: { replicas: settings.replicas, ...(settings.executor ? { executor: settings.executor } : {}) },
      kubeconfig: kubeconfigFiles(),
      connect: t.value.connect,
      ...(t.value.namespace ? { namespace: t.value.namespace } : {}),
      timeoutMs: settings.timeoutSeconds * 1000,
      onLine: (stream, line) => {
        output += `${line}\n`;
        spinLog.output(stream, line);
      },
    };
    spinLog.info(`Build & Deploy ${app.name} → ${reference} → ${t.value.context}${t.value.namespace ? `/${t.value.namespace}` : ""}`);
    const { result, state } = await withProgress(`Build & Deploy ${app.name}`, (progress, signal) =>
      runBuildDeploy(plan, signal, {
        stepStarted: (st) => {
          progress.report({ message: `${st.title} (${st.index + 1}/${st.count})`, increment: st.index === 0 ? 0 : 100 / st.count });
          spinLog.info(`— ${st.title} (${st.index + 1}/${st.count})`);
        },
        stepProgress: (st, m) => progress.report({ message: `${st.title}: ${m}` }),
        stepEnded: (timing) => spinLog.info(`— ${timing.title}: ${timing.status} in ${formatDuration(timing.ms)}`),
      }),
    );
    publishProblems(app, findProblems(output, app.dir, app.file).filter((p) => p.source !== "spin"));
    spinLog.info(`Build & Deploy ${app.name}: ${formatTimings(result)}`);
    if (state.pushed?.digest) await store.update(app.file, { lastPush: { reference, digest: state.pushed.digest, at: Date.now() } });
    const target: DeployTarget | undefined = state.namespace && state.objects ? { context: t.value.context, namespace: state.namespace, name: state.objects.find((o) => o.kind === "SpinApp")?.metadata.name ?? appNameFromRef(ref) } : undefined;
    if (!result.ok || !state.deployed || !target) {
      report({ ...(result.error ?? { kind: "failed", message: "Build & Deploy failed." }), message: `${result.error?.message ?? "Build & Deploy failed."} (${formatTimings(result)})` }, { app, ...(target ? { target } : {}) });
      return { result, state };
    }
    await afterDeploy(app, target, state.deployed, `${app.name} is Available in ${target.context}/${target.namespace}: ${formatTimings(result)}`);
    return { result, state };
  });

  reg(SpinCommands.checkDeployedBuild, async (arg?: unknown) => {
    const app = await pickApp(arg);
    if (!app) return undefined;
    await stale.refresh(app.file);
    const v = stale.get(app.file);
    if (v) void vscode.window.showInformationMessage(`SpinKube: ${v.state === "stale" ? v.message : v.state === "current" ? `the cluster runs the last pushed build of ${app.name} (${v.digest.slice(0, 19)}…).` : `cannot tell: ${v.reason}.`}`);
    return v;
  });

  // ---- tasks

  subs.push(
    vscode.tasks.registerTaskProvider(
      SPIN_TASK_TYPE,
      new SpinTaskProvider({
        settings: () => spinSettings(),
        store,
        spinBinary: async () => {
          const s = await getSpin();
          return s.ok ? s.value.cli.binary : "spin";
        },
        buildFinished: (manifest, output, read) => {
          const dir = path.dirname(manifest);
          publishProblems({ dir, file: manifest }, findProblems(output, dir, manifest).filter((p) => read === "all" || p.source === "spin"));
        },
      }),
    ),
  );

  return { log: spinLog, store, stale, runs, diagnostics, lastFailure: () => lastFailure };
}
