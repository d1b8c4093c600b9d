/**
 * "Show Logs" in VS Code: the commands, the `spinkube.logs.*` settings, the SpinApp picker, the
 * options dialog and the CodeLens on SpinApp manifests. Thin handlers over the vscode-free
 * `./logs` core and the views of `./logViews`.
 *
 * Where it is offered: on a SpinApp node of the explorer (every pod, every container), on a pod
 * node (that pod; "Show Container Logs…" picks one of its containers — the tree has no container
 * nodes), from the palette (the SpinApp of the active manifest, else a picker of the current
 * context's SpinApps), and as a CodeLens above each SpinApp document of an open YAML file.
 * "Show Logs with Options…" asks for since, tail, previous (offered when a container restarted),
 * and include/exclude/highlight patterns. Stop, Clear, Save and Toggle Timestamps act on the
 * active log view. Every show command returns the view's handle (the in-host tests use it).
 */
import { parseAllDocuments } from "yaml";
import * as vscode from "vscode";
import { CONFIG_SECTION, LogsCommands } from "../constants";
import { registerCommand } from "../host/commands";
import type { Log } from "../host/log";
import { APP_NAME_LABEL, LEGACY_APP_NAME_LABEL } from "../shared/spinApp";
import { isSpinApp, type KubeObject } from "./diagnosis/objects";
import type { ExplorerApi } from "./explorer";
import type { KObject, KubeClient } from "./kubeApi";
import { KubeError, Resources } from "./kubeApi";
import { LogSession, compilePatterns, containerNames, containerState, parseSince, parseTail, type LogSessionOptions, type LogTarget } from "./logs";
import { LogView, LogViewRegistry, type LogViewHandle } from "./logViews";
import type { TreeNode } from "./nodes";

/** The `spinkube.logs.*` settings. */
export interface LogSettings {
  view: "terminal" | "outputChannel";
  timestamps: boolean;
  since: string;
  tail: number;
  scrollback: number;
  maxLinesPerSecond: number;
  maxLineBytes: number;
  highlight: string[];
  explainSpinLines: boolean;
  codeLens: boolean;
}

/** Reads the `spinkube.logs.*` settings. */
export function logSettings(): LogSettings {
  const c = vscode.workspace.getConfiguration(`${CONFIG_SECTION}.logs`);
  const num = (k: string, d: number, min: number): number => {
    const v = c.get<number>(k, d);
    return typeof v === "number" && Number.isFinite(v) ? Math.max(min, Math.floor(v)) : d;
  };
  return {
    view: c.get<string>("view", "terminal") === "outputChannel" ? "outputChannel" : "terminal",
    timestamps: c.get<boolean>("timestamps", false),
    since: c.get<string>("since", ""),
    tail: num("tail", -1, -1),
    scrollback: num("scrollback", 50_000, 100),
    maxLinesPerSecond: num("maxLinesPerSecond", 0, 0),
    maxLineBytes: num("maxLineBytes", 65_536, 256),
    highlight: c.get<string[]>("highlight", []).filter((s) => typeof s === "string"),
    explainSpinLines: c.get<boolean>("explainSpinLines", true),
    codeLens: c.get<boolean>("codeLens", true),
  };
}

/** What a show command is given: a tree node, or a plain target (CodeLens, tests, other commands). */
export interface LogRequestArg {
  context?: string;
  namespace?: string;
  /** The SpinApp. */
  name?: string;
  pod?: string;
  container?: string;
}

/** Per-session choices on top of the settings. */
interface Choices {
  since?: string;
  tail?: number;
  previous?: boolean;
  follow?: boolean;
  include?: string[];
  exclude?: string[];
  highlight?: string[];
}

/** A resolved target: the cluster context and what to follow. */
interface Resolved {
  context: string;
  target: LogTarget;
}

/** Registers the log commands, the CodeLens and the view registry. */
export function registerLogs(context: vscode.ExtensionContext, log: Log, explorer: ExplorerApi): LogViewRegistry {
  const subs = context.subscriptions;
  const { model, rows } = explorer;
  const registry = new LogViewRegistry();
  subs.push(registry);
  const reg = (id: string, handler: (...args: never[]) => unknown): void => registerCommand(subs, log, id, handler);

  const currentContext = (): string => {
    const c = model.currentContext();
    if (!c) throw new Error("No kubeconfig context: connect to a cluster first (see the SpinKube view).");
    return c;
  };

  /** SpinApps of the current context: all namespaces, else the chosen ones or the context's default (RBAC). */
  const pickApp = async (ctx: string): Promise<Resolved | undefined> => {
    const client = await model.client(ctx);
    let apps: KObject[];
    const chosen = model.chosenNamespaces(ctx);
    try {
      apps = chosen ? (await Promise.all(chosen.map((ns) => client.list(Resources.spinApps, ns)))).flatMap((l) => l.items) : (await client.list(Resources.spinApps)).items;
    } catch (err) {
      if (!(err instanceof KubeError) || err.kind !== "forbidden") throw err;
      apps = (await client.list(Resources.spinApps, client.defaultNamespace)).items;
    }
    if (!apps.length) {
      void vscode.window.showInformationMessage(`SpinKube: no SpinApps in context ${ctx}.`);
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      apps
        .map((a) => ({ label: a.metadata.name, description: a.metadata.namespace, detail: typeof (a.spec as { image?: unknown } | undefined)?.image === "string" ? String((a.spec as { image: string }).image) : undefined, app: a }))
        .sort((a, b) => `${a.description}/${a.label}`.localeCompare(`${b.description}/${b.label}`)),
      { placeHolder: `Show the logs of which SpinApp? (context ${ctx})`, matchOnDescription: true },
    );
    return pick ? { context: ctx, target: { namespace: pick.app.metadata.namespace ?? client.defaultNamespace, app: pick.label } } : undefined;
  };

  /** The SpinApps of the active editor's manifest. */
  const manifestApps = (): KubeObject[] => {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || doc.languageId !== "yaml") return [];
    return spinAppsOf(doc.getText()).map((a) => a.object);
  };

  /** The target of a show command: a tree row (./rowTarget.ts), a plain target, the active manifest's SpinApp, or a pick. */
  const resolve = async (command: string, args: readonly unknown[]): Promise<Resolved | undefined> => {
    const row = rows.of(args, ["spinApp", "pod"]);
    if ("node" in row) return fromNode(row.node);
    if ("lost" in row) {
      rows.reportLost(command);
      return undefined;
    }
    const [arg] = args;
    if (arg && typeof arg === "object" && (typeof (arg as LogRequestArg).name === "string" || typeof (arg as LogRequestArg).pod === "string")) {
      const a = arg as LogRequestArg;
      const ctx = a.context ?? currentContext();
      const ns = a.namespace ?? (await model.client(ctx)).defaultNamespace;
      return { context: ctx, target: { namespace: ns, ...(a.name ? { app: a.name } : {}), ...(a.pod ? { pod: a.pod } : {}), ...(a.container ? { container: a.container } : {}) } };
    }
    const ctx = currentContext();
    const inManifest = manifestApps();
    if (inManifest.length) {
      const pick =
        inManifest.length === 1
          ? inManifest[0]
          : (await vscode.window.showQuickPick(inManifest.map((o) => ({ label: o.metadata?.name ?? "?", description: o.metadata?.namespace, o })), { placeHolder: "Show the logs of which SpinApp of this file?" }))?.o;
      if (!pick?.metadata?.name) return undefined;
      return { context: ctx, target: { namespace: pick.metadata.namespace ?? (await model.client(ctx)).defaultNamespace, app: pick.metadata.name } };
    }
    return pickApp(ctx);
  };

  const fromNode = (n: TreeNode): Resolved | undefined => {
    if (n.kind === "spinApp") return { context: n.context, target: { namespace: n.namespace, app: n.name } };
    if (n.kind === "pod") return { context: n.context, target: { namespace: n.namespace, app: n.app || undefined, pod: n.name } };
    return undefined;
  };

  const show = async (r: Resolved, choices: Choices = {}): Promise<LogViewHandle> => {
    const s = logSettings();
    const client = await model.client(r.context);
    const since = parseSince(choices.since ?? s.since);
    const tail = choices.tail !== undefined ? choices.tail : s.tail >= 0 ? s.tail : undefined;
    const highlight = compilePatterns([...s.highlight, ...(choices.highlight ?? [])], "highlight");
    const opts: LogSessionOptions = {
      follow: choices.follow ?? true,
      previous: choices.previous,
      since,
      tail: tail !== undefined && tail >= 0 ? tail : undefined,
      include: compilePatterns(choices.include ?? [], "include"),
      exclude: compilePatterns(choices.exclude ?? [], "exclude"),
      highlight,
      maxLineBytes: s.maxLineBytes,
      explainSpin: s.explainSpinLines,
    };
    const t = r.target;
    const title = `Logs: ${t.pod ?? t.app ?? "?"}${t.container ? `/${t.container}` : ""}${choices.previous ? " (previous)" : ""}`;
    const view = new LogView(title, (sink) => new LogSession(client, t, opts, sink), { kind: s.view, timestamps: s.timestamps, highlight, scrollback: s.scrollback, maxLinesPerSecond: s.maxLinesPerSecond }, registry, log);
    registry.add(view, r.context);
    view.open();
    log.info("Logs: %s in context %s", view.session.describe(), r.context);
    return view;
  };

  reg(LogsCommands.showAppLogs, async (...args: unknown[]) => {
    const r = await resolve(LogsCommands.showAppLogs, args);
    return r ? show(r) : undefined;
  });

  reg(LogsCommands.showContainerLogs, async (...args: unknown[]) => {
    const r = await resolve(LogsCommands.showContainerLogs, args);
    if (!r) return undefined;
    const client = await model.client(r.context);
    const pod = r.target.pod ? await client.get(Resources.pods, r.target.namespace, r.target.pod) : await pickPod(client, r.target);
    if (!pod) return undefined;
    const names = containerNames(pod);
    const container =
      names.length === 1
        ? names[0]
        : (await vscode.window.showQuickPick(
            names.map((c) => {
              const cs = containerState(pod, c);
              return { label: c, description: cs.running ? `running · ${cs.restarts} restarts` : (cs.waiting ?? "not running") };
            }),
            { placeHolder: `Container of ${pod.metadata.name}` },
          ))?.label;
    if (!container) return undefined;
    return show({ context: r.context, target: { ...r.target, pod: pod.metadata.name, container } });
  });

  reg(LogsCommands.showLogsWithOptions, async (...args: unknown[]) => {
    const preset = args[1] as Choices | undefined;
    const r = await resolve(LogsCommands.showLogsWithOptions, args);
    if (!r) return undefined;
    const choices = preset ?? (await askChoices(await model.client(r.context), r.target));
    return choices ? show(r, choices) : undefined;
  });

  const current = (): LogView => {
    const v = registry.current();
    if (!v) throw new Error("No log view is open.");
    return v;
  };
  reg(LogsCommands.stopLogs, () => current().stop());
  reg(LogsCommands.clearLogs, () => current().clear());
  reg(LogsCommands.saveLogs, (uri?: vscode.Uri) => {
    const v = current();
    return uri instanceof vscode.Uri ? v.saveTo(uri).then(() => uri) : v.save();
  });
  reg(LogsCommands.toggleLogTimestamps, () => current().toggleTimestamps());

  const lenses = new SpinAppLogsCodeLens();
  subs.push(
    vscode.languages.registerCodeLensProvider({ language: "yaml" }, lenses),
    lenses,
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${CONFIG_SECTION}.logs.codeLens`)) lenses.refresh();
    }),
  );
  return registry;
}

/** Asks for a pod of the target app (Show Container Logs from the palette). */
async function pickPod(client: KubeClient, t: LogTarget): Promise<KObject | undefined> {
  const pods = await appPods(client, t);
  if (!pods.length) {
    void vscode.window.showInformationMessage(`SpinKube: ${t.app ?? "the app"} has no pods.`);
    return undefined;
  }
  if (pods.length === 1) return pods[0];
  return (await vscode.window.showQuickPick(pods.map((p) => ({ label: p.metadata.name, p })), { placeHolder: "Pod" }))?.p;
}

/** The pods of a target (both app-name labels), or the one pod. */
async function appPods(client: KubeClient, t: LogTarget): Promise<KObject[]> {
  if (t.pod) return [await client.get(Resources.pods, t.namespace, t.pod)];
  if (!t.app) return [];
  const lists = await Promise.all([APP_NAME_LABEL, LEGACY_APP_NAME_LABEL].map((k) => client.list(Resources.pods, t.namespace, { labelSelector: `${k}=${t.app}` })));
  const byUid = new Map<string, KObject>();
  for (const p of lists.flatMap((l) => l.items)) byUid.set(p.metadata.uid ?? p.metadata.name, p);
  return [...byUid.values()];
}

/** An input box validator from a parser that throws with the message to show. */
function validator(parse: (v: string) => unknown): (v: string) => string | undefined {
  return (v) => {
    try {
      parse(v);
      return undefined;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  };
}

/** The options dialog: mode (follow, read once, previous when a container restarted), since, tail, patterns. */
async function askChoices(client: KubeClient, t: LogTarget): Promise<Choices | undefined> {
  const s = logSettings();
  let restarts = 0;
  try {
    for (const p of await appPods(client, t)) for (const c of containerNames(p)) if (!t.container || c === t.container) restarts += containerState(p, c).restarts;
  } catch {
    // Pods unreadable: previous is simply not offered.
  }
  const modes: (vscode.QuickPickItem & { mode: "follow" | "once" | "previous" })[] = [
    { label: "Follow", description: "live, new pods join", mode: "follow" },
    { label: "Read once", description: "what is there now, no follow", mode: "once" },
  ];
  if (restarts > 0) modes.push({ label: "Previous container", description: `the log before the last restart (${restarts} restart${restarts === 1 ? "" : "s"})`, mode: "previous" });
  const mode = await vscode.window.showQuickPick(modes, { placeHolder: "Logs: how?" });
  if (!mode) return undefined;
  const since = await vscode.window.showInputBox({
    prompt: "Since (kubectl --since / --since-time): a duration like 10m or 1h30m, or a time like 2024-05-01T10:00:00Z. Empty: from the start.",
    value: s.since,
    validateInput: validator((v) => parseSince(v)),
  });
  if (since === undefined) return undefined;
  const tailText = await vscode.window.showInputBox({
    prompt: "Tail: lines per container from the pods running now (-1 or empty: all). Pods that start later are shown whole.",
    value: s.tail >= 0 ? String(s.tail) : "",
    validateInput: validator((v) => parseTail(v)),
  });
  if (tailText === undefined) return undefined;
  const pattern = async (what: string, prompt: string): Promise<string[] | undefined> => {
    const v = await vscode.window.showInputBox({
      prompt,
      placeHolder: "a regular expression (use | for several); empty: none",
      validateInput: validator((x) => compilePatterns([x], what)),
    });
    return v === undefined ? undefined : v.trim() ? [v] : [];
  };
  const include = await pattern("include", "Include: show only lines matching");
  if (include === undefined) return undefined;
  const exclude = await pattern("exclude", "Exclude: hide lines matching");
  if (exclude === undefined) return undefined;
  const highlight = await pattern("highlight", "Highlight: mark matches (in addition to spinkube.logs.highlight)");
  if (highlight === undefined) return undefined;
  return { since, tail: parseTail(tailText) ?? -1, previous: mode.mode === "previous", follow: mode.mode === "follow", include, exclude, highlight };
}

/** The SpinApp documents of a YAML text with the offset each starts at. */
export function spinAppsOf(text: string): { object: KubeObject; offset: number }[] {
  if (!/\bkind:\s*["']?SpinApp\b/.test(text)) return [];
  const out: { object: KubeObject; offset: number }[] = [];
  for (const d of parseAllDocuments(text)) {
    if (d.errors.length) continue;
    let o: unknown;
    try {
      o = d.toJS();
    } catch {
      continue;
    }
    if (typeof o !== "object" || o == null || Array.isArray(o)) continue;
    const obj = o as KubeObject;
    if (!isSpinApp(obj) || typeof obj.metadata?.name !== "string") continue;
    out.push({ object: obj, offset: d.contents?.range?.[0] ?? d.range[0] });
  }
  return out;
}

/** "Show Logs" above each SpinApp document of a YAML file. */
class SpinAppLogsCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!logSettings().codeLens) return [];
    return spinAppsOf(doc.getText()).map(({ object, offset }) => {
      const pos = doc.positionAt(offset);
      const name = object.metadata?.name ?? "";
      return new vscode.CodeLens(new vscode.Range(pos, pos), {
        title: "$(output) Show Logs",
        tooltip: `Follow the logs of every pod of SpinApp ${name} in the explorer's current context`,
        command: LogsCommands.showAppLogs,
        arguments: [{ name, ...(object.metadata?.namespace ? { namespace: object.metadata.namespace } : {}) } satisfies LogRequestArg],
      });
    });
  }

  refresh(): void {
    this.emitter.fire();
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
