/**
 * The cluster explorer in VS Code: the `spinkube.clusters` tree (TreeDataProvider over the
 * vscode-free ExplorerModel: nodes become TreeItems here and nowhere else), the
 * `spinkube.portForwards` view, the kubeconfig file watch, and the cluster facts sent to the
 * language server while it runs.
 *
 * Lifecycle (habit 8): nothing touches the cluster until the tree asks for a context's children
 * (the view is shown and the context expanded); collapsing a node stops its watches; hiding the
 * view pauses every informer and showing it resumes them from their resourceVersions; a burst of
 * watch events becomes one repaint (the model coalesces). Everything created is disposed through
 * the returned disposables.
 */
import * as vscode from "vscode";
import { type LanguageClient } from "vscode-languageclient/node";
import type { ClientController } from "../client/clientController";
import { ExplorerCommands, ExplorerContextKeys, ExplorerViews } from "../constants";
import { affects, kubeconfigSetting } from "../host/config";
import type { Log } from "../host/log";
import { ClusterFactsMethod } from "../shared/protocol";
import { registerClusterCommands } from "./clusterCommands";
import { kubeconfigPaths, watchKubeconfig, type KubeconfigInputs } from "./kubeconfig";
import { LiveDocuments } from "./liveDocuments";
import { ExplorerModel, type ExplorerMemory } from "./model";
import type { TreeNode } from "./nodes";
import { PortForwardManager, type PortForwardSession } from "./portForwards";
import { RowTargets } from "./rowTarget";
import { TREE_ICON_DIR, treeIconFile, type TreeIcon } from "./treeIcons";

const NAMESPACES_KEY = "spinkube.explorer.namespaces";
const CURRENT_CONTEXT_KEY = "spinkube.explorer.currentContext";

/** Namespace choices per context in global state (they follow the user's clusters); the current context per workspace. */
class StateMemory implements ExplorerMemory {
  constructor(private readonly context: vscode.ExtensionContext) {}
  private all(): Record<string, string[]> {
    return this.context.globalState.get<Record<string, string[]>>(NAMESPACES_KEY, {});
  }
  namespaces(ctx: string): string[] | undefined {
    const v = this.all()[ctx];
    return Array.isArray(v) && v.length ? v : undefined;
  }
  setNamespaces(ctx: string, namespaces: string[] | undefined): void {
    const all = { ...this.all() };
    if (namespaces) all[ctx] = namespaces;
    else delete all[ctx];
    void this.context.globalState.update(NAMESPACES_KEY, all);
  }
  currentContext(): string | undefined {
    return this.context.workspaceState.get<string>(CURRENT_CONTEXT_KEY);
  }
  setCurrentContext(ctx: string | undefined): void {
    void this.context.workspaceState.update(CURRENT_CONTEXT_KEY, ctx);
  }
}

/** The tree: view-models from the model, TreeItems made here. */
/** Extra words another feature adds to a node (e.g. "older build" from the spin toolchain). */
export interface NodeDecoration {
  description: string;
  tooltip: string;
}
export type NodeDecorator = (node: TreeNode) => NodeDecoration | undefined;

/** The light and dark files of the explorer's SVG icons, under the extension's folder (one pair per name). */
export class TreeIconPaths {
  private readonly paths = new Map<TreeIcon, { light: vscode.Uri; dark: vscode.Uri }>();
  constructor(private readonly extensionUri: vscode.Uri) {}
  get(name: TreeIcon): { light: vscode.Uri; dark: vscode.Uri } {
    let p = this.paths.get(name);
    if (!p) {
      const file = treeIconFile(name);
      p = { light: vscode.Uri.joinPath(this.extensionUri, ...TREE_ICON_DIR, "light", file), dark: vscode.Uri.joinPath(this.extensionUri, ...TREE_ICON_DIR, "dark", file) };
      this.paths.set(name, p);
    }
    return p;
  }
}

export class ClusterTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly off: () => void;
  private decorator: NodeDecorator | undefined;
  private readonly icons: TreeIconPaths;
  /** The decorations the tree was given (by node id; undecorated nodes are absent). */
  private readonly decorations = new Map<string, string>();

  /** Sets the decorator and repaints; features call `refresh()` when their decorations change. */
  setDecorator(decorator: NodeDecorator): void {
    this.decorator = decorator;
    this.refresh();
  }

  /** Repaints the shown nodes whose decoration changed (only those: a repaint re-lists a node's children). */
  refresh(): void {
    const changed = this.model.shownNodes().filter((n) => this.decorationText(n) !== this.decorations.get(n.id));
    if (changed.length) this.emitter.fire(changed);
  }

  private decorationText(node: TreeNode): string | undefined {
    const d = this.decorator?.(node);
    return d ? JSON.stringify(d) : undefined;
  }

  /** `extensionUri`: the extension's folder (the ExtensionContext's), where media/icons is. */
  constructor(
    private readonly model: ExplorerModel,
    extensionUri: vscode.Uri,
  ) {
    this.icons = new TreeIconPaths(extensionUri);
    this.off = model.onDidChange((nodes) => this.emitter.fire(nodes));
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const v = this.model.view(node);
    const state = v.collapsible === "none" ? vscode.TreeItemCollapsibleState.None : v.collapsible === "expanded" ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(v.label, state);
    item.id = node.id;
    const extra = this.decorator?.(node);
    if (extra) this.decorations.set(node.id, JSON.stringify(extra));
    else this.decorations.delete(node.id);
    item.description = extra ? [v.description, extra.description].filter(Boolean).join(" · ") : v.description;
    item.tooltip = extra ? new vscode.MarkdownString([tooltipText(v.tooltip), extra.tooltip].filter(Boolean).join("\n\n")) : v.markdown && v.tooltip !== undefined ? new vscode.MarkdownString(v.tooltip) : v.tooltip;
    item.contextValue = v.contextValue;
    item.iconPath = v.svg ? this.icons.get(v.svg) : new vscode.ThemeIcon(v.icon, v.iconColor ? new vscode.ThemeColor(v.iconColor) : undefined);
    if (v.command) item.command = { command: v.command, title: v.label, arguments: [node] };
    return item;
  }

  getChildren(node?: TreeNode): TreeNode[] {
    return this.model.children(node);
  }

  /** Lets `TreeView.reveal` find a node's parent chain. */
  getParent(node: TreeNode): TreeNode | undefined {
    return this.model.parentOf(node);
  }

  dispose(): void {
    this.off();
    this.emitter.dispose();
  }
}

/** The port-forward sessions view. */
class PortForwardTreeProvider implements vscode.TreeDataProvider<PortForwardSession>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly off: () => void;

  constructor(private readonly manager: PortForwardManager) {
    this.off = manager.onDidChange(() => this.emitter.fire());
  }

  getTreeItem(s: PortForwardSession): vscode.TreeItem {
    const item = new vscode.TreeItem(`${s.namespace}/${s.service}:${s.servicePort} → localhost:${s.localPort}`, vscode.TreeItemCollapsibleState.None);
    item.id = s.id;
    item.description = s.pod ? `pod ${s.pod}` : "no connection yet";
    item.tooltip = `Context ${s.context}\n${s.url}\nConnections: ${s.connections}\nStarted ${new Date(s.startedAt).toLocaleTimeString()}`;
    item.contextValue = "spinkube.portForward";
    item.iconPath = new vscode.ThemeIcon("plug");
    return item;
  }

  getChildren(s?: PortForwardSession): PortForwardSession[] {
    return s ? [] : this.manager.list();
  }

  dispose(): void {
    this.off();
    this.emitter.dispose();
  }
}

/** What the explorer exposes (to tests through the extension's API). */
export interface ExplorerApi {
  readonly model: ExplorerModel;
  readonly portForwards: PortForwardManager;
  readonly treeView: vscode.TreeView<TreeNode>;
  /** The Clusters tree: other features decorate its nodes through it. */
  readonly tree: ClusterTreeProvider;
  /** Which row a command from the tree acts on (the same for every feature's row commands). */
  readonly rows: RowTargets;
}

function tooltipText(t: string | vscode.MarkdownString | undefined): string {
  return t === undefined ? "" : typeof t === "string" ? t : t.value;
}

function inputs(): KubeconfigInputs {
  return { setting: kubeconfigSetting() || undefined, envKubeconfig: process.env.KUBECONFIG };
}

/**
 * Registers the explorer: views, document providers, commands, kubeconfig watch and the facts
 * sent to the language server. Makes no cluster call and loads no Kubernetes client.
 */
export function registerExplorer(context: vscode.ExtensionContext, log: Log, languageClient: ClientController): ExplorerApi {
  const subs = context.subscriptions;
  const model = new ExplorerModel({ kubeconfig: inputs, memory: new StateMemory(context) });
  subs.push({ dispose: () => model.dispose() });

  const setKubeconfigKey = (): void => {
    const k = model.kubeconfig;
    void vscode.commands.executeCommand("setContext", ExplorerContextKeys.kubeconfig, k.kind);
    if (k.kind === "loaded") for (const w of k.warnings) log.warn("kubeconfig: %s", w);
    else log.info("kubeconfig: %s", k.reason);
  };
  setKubeconfigKey();

  // Kubeconfig files: re-read on change (fs.watch on their folders), re-armed when the setting changes.
  let unwatch = watchKubeconfig(kubeconfigPaths(inputs()), () => {
    model.reload();
    setKubeconfigKey();
  });
  subs.push(
    { dispose: () => unwatch() },
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!affects(e).explorer) return;
      unwatch();
      unwatch = watchKubeconfig(kubeconfigPaths(inputs()), () => {
        model.reload();
        setKubeconfigKey();
      });
      model.reload();
      setKubeconfigKey();
    }),
  );

  const tree = new ClusterTreeProvider(model, context.extensionUri);
  const treeView = vscode.window.createTreeView(ExplorerViews.clusters, { treeDataProvider: tree, showCollapseAll: true });
  model.setVisible(treeView.visible);
  subs.push(
    tree,
    treeView,
    treeView.onDidChangeVisibility((e) => model.setVisible(e.visible)),
    treeView.onDidCollapseElement((e) => model.collapse(e.element)),
  );
  const showFilter = (): void => {
    const f = model.filter;
    const text = f.text?.trim();
    treeView.message = text || f.onlyFailing ? `Showing ${f.onlyFailing ? "failing " : ""}SpinApps${text ? ` matching "${text}"` : ""}` : undefined;
    void vscode.commands.executeCommand("setContext", ExplorerContextKeys.filtered, !!text || !!f.onlyFailing);
    void vscode.commands.executeCommand("setContext", ExplorerContextKeys.onlyFailing, !!f.onlyFailing);
  };
  subs.push({ dispose: model.onDidChange(() => showFilter()) });

  // Rejected credentials: one notification per context (the tree says it too), again only after recovery.
  const warned = new Set<string>();
  subs.push({
    dispose: model.onDidChange(() => {
      for (const c of model.contexts()) {
        const st = model.session(c.name)?.state;
        if (st?.kind === "expired" && !warned.has(c.name)) {
          warned.add(c.name);
          log.warn(st.message);
          void vscode.window.showErrorMessage(`SpinKube: ${st.message}`, "Refresh").then((choice) => {
            if (choice) void vscode.commands.executeCommand(ExplorerCommands.refresh);
          });
        } else if (st?.kind !== "expired") warned.delete(c.name);
      }
    }),
  });

  const portForwards = new PortForwardManager(model);
  const pfTree = new PortForwardTreeProvider(portForwards);
  subs.push({ dispose: () => portForwards.dispose() }, pfTree, vscode.window.createTreeView(ExplorerViews.portForwards, { treeDataProvider: pfTree }));

  const live = new LiveDocuments(model, log);
  subs.push(live, ...live.register());

  // Facts for the language server: only while it runs (never started for this).
  let lc: LanguageClient | undefined;
  const send = (facts = model.facts()): void => {
    if (lc?.isRunning()) void lc.sendNotification(ClusterFactsMethod, facts).catch((err: unknown) => log.warn("Sending cluster facts failed: %s", String(err)));
  };
  subs.push(
    languageClient.onDidStart((c) => {
      lc = c;
      model.setFactsWanted(true);
      send();
    }),
    { dispose: model.onDidChangeFacts((f) => send(f)) },
  );

  const rows = new RowTargets(treeView, log);
  registerClusterCommands(subs, log, { model, rows, portForwards, showFilter, setKubeconfigKey });
  return { model, portForwards, treeView, tree, rows };
}
