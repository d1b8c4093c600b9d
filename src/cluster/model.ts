/**
 * The explorer's data model without VS Code: which contexts exist (from the kubeconfig, no cluster
 * call), what each node's children are, which watches a node needs while it is expanded, the
 * namespace scope of each context (all, or a chosen set remembered per context; with a fallback to
 * the namespaces the user may read when listing across namespaces is forbidden), the filter, the
 * coalesced "these nodes changed" events explorer.ts turns into one repaint, and the cluster facts
 * (executors, RuntimeClasses, Secrets, ConfigMaps, SpinApp images) sent to the language server.
 *
 * Node objects are cached by id and kept while they are shown, so a refresh names the same object
 * VS Code was given (it keys elements by identity). A burst of watch events repaints only the
 * nodes whose view changed and re-lists a node only when its children changed (./shownTree.ts
 * says why: a re-listed node's rows lose their menu target for a moment). The model treats its
 * caller as the tree: `children` and `view` record what was shown. Tests and the benchmark drive
 * this class directly against the test API server.
 */
import type { ClusterFacts } from "../shared/protocol";
import { Resources, connect, type KObject, type KubeClient } from "./kubeApi";
import { loadKubeconfig, type ContextInfo, type KubeconfigInputs, type KubeconfigState } from "./kubeconfig";
import {
  appOf,
  appSummary,
  clusterNodeView,
  contextView,
  deploymentView,
  executorView,
  matchesFilter,
  messageView,
  namespaceView,
  nodeId,
  nodeRuns,
  podSummary,
  podView,
  runtimeClassView,
  scaleTarget,
  scalerView,
  serviceView,
  spinAppView,
  type AppFilter,
  type AppSummary,
  type NodeView,
  type TreeNode,
} from "./nodes";
import { checkAppReadiness, checkClusterHealth, escapeMarkdown, failureNodeView, healthNodeView, readerFromKubeClient, readinessNodeView, type HealthReport, type ReadinessReport } from "./diagnosis";
import { ShownTree, isAtOrUnder } from "./shownTree";
import { Coalescer, WatchSession, type BackoffOptions, type WatchSpec } from "./spinAppWatcher";
import { APP_NAME_LABEL } from "../shared/spinApp";

/** Where the model remembers choices (workspace/global state in VS Code, a map in tests). */
export interface ExplorerMemory {
  /** The chosen namespaces of a context; undefined = all namespaces. */
  namespaces(context: string): string[] | undefined;
  setNamespaces(context: string, namespaces: string[] | undefined): void;
  /** The context the explorer treats as current (the kubeconfig's is not edited). */
  currentContext(): string | undefined;
  setCurrentContext(context: string | undefined): void;
}

/** An in-memory {@link ExplorerMemory}. */
export class MemoryExplorerMemory implements ExplorerMemory {
  private readonly ns = new Map<string, string[] | undefined>();
  private current: string | undefined;
  namespaces(context: string): string[] | undefined {
    return this.ns.get(context);
  }
  setNamespaces(context: string, namespaces: string[] | undefined): void {
    this.ns.set(context, namespaces);
  }
  currentContext(): string | undefined {
    return this.current;
  }
  setCurrentContext(context: string | undefined): void {
    this.current = context;
  }
}

/** Options of {@link ExplorerModel}. */
export interface ExplorerModelOptions {
  /** Where kubeconfig paths come from (re-read on {@link ExplorerModel.reload}). */
  kubeconfig: () => KubeconfigInputs;
  memory: ExplorerMemory;
  /** Replaces kubeApi.connect (tests inject failures). */
  connect?: (merged: Record<string, unknown>, context: string) => Promise<KubeClient>;
  backoff?: BackoffOptions;
  /** Coalescing window of refreshes (quiet period and maximum wait). */
  coalesce?: { quietMs: number; maxWaitMs: number };
}

const LABEL_EXISTS = APP_NAME_LABEL;
const stripData = (o: KObject): KObject => ({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name, namespace: o.metadata.namespace, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion, labels: o.metadata.labels } });

/** The watch specs the model uses. */
export const Specs = {
  namespaces: (): WatchSpec => ({ resource: Resources.namespaces }),
  spinApps: (ns?: string): WatchSpec => ({ resource: Resources.spinApps, namespace: ns }),
  executors: (ns?: string): WatchSpec => ({ resource: Resources.executors, namespace: ns }),
  pods: (ns: string): WatchSpec => ({ resource: Resources.pods, namespace: ns, labelSelector: LABEL_EXISTS }),
  deployments: (ns: string): WatchSpec => ({ resource: Resources.deployments, namespace: ns, labelSelector: LABEL_EXISTS }),
  services: (ns: string): WatchSpec => ({ resource: Resources.services, namespace: ns, labelSelector: LABEL_EXISTS }),
  hpas: (ns: string): WatchSpec => ({ resource: Resources.hpas, namespace: ns }),
  scaledObjects: (ns: string): WatchSpec => ({ resource: Resources.scaledObjects, namespace: ns }),
  runtimeClasses: (): WatchSpec => ({ resource: Resources.runtimeClasses }),
  nodes: (): WatchSpec => ({ resource: Resources.nodes }),
  secrets: (ns: string): WatchSpec => ({ resource: Resources.secrets, namespace: ns, transform: stripData }),
  configMaps: (ns: string): WatchSpec => ({ resource: Resources.configMaps, namespace: ns, transform: stripData }),
};

/** A watch that changed: its context, its key ({@link watchKey}) and the namespace of the object. */
export interface WatchChange {
  context: string;
  key: string;
  namespace?: string;
}

/** How a context's namespaces are being shown. */
export interface NamespaceScope {
  /** The namespaces shown under the context. */
  namespaces: string[];
  /** True once the lists behind `namespaces` have synced. */
  synced: boolean;
  /** "all": one cluster-wide SpinApp watch; "chosen": the remembered set; "fallback": listing across namespaces is forbidden. */
  mode: "all" | "chosen" | "fallback";
  /** A sentence for the user when the scope is not what they asked for. */
  note?: string;
}

/** A runtime readiness check of one SpinApp (keyed by the app node's id). */
interface ReadinessEntry {
  report?: ReadinessReport;
  error?: string;
  running: boolean;
  /** The app's objects changed while checking: check again when done. */
  again: boolean;
}

/** The SpinKube health of one connection (a session). */
interface HealthEntry {
  session: WatchSession;
  report?: HealthReport;
  error?: string;
}

/** The explorer model. */
export class ExplorerModel {
  private config: KubeconfigState;
  private readonly sessions = new Map<string, WatchSession>();
  private readonly nodes = new Map<string, TreeNode>();
  /** The parent each node was last listed under (what `getParent` answers for reveal). */
  private readonly parents = new Map<string, TreeNode>();
  private readonly listeners = new Set<(nodes: TreeNode[] | undefined) => void>();
  private readonly factsListeners = new Set<(facts: ClusterFacts) => void>();
  private readonly flushListeners = new Set<(changes: WatchChange[]) => void>();
  private readonly coalescer: Coalescer<string>;
  private readonly expanded = new Set<string>();
  /** What the tree was given (listings and views), to repaint only what changed. */
  private readonly shown = new ShownTree();
  private readonly readiness = new Map<string, ReadinessEntry>();
  private readonly health = new Map<string, HealthEntry>();
  private lastFacts = "";
  private filterValue: AppFilter = {};
  private visible = true;
  private factsWanted = false;
  private disposed = false;

  constructor(private readonly o: ExplorerModelOptions) {
    this.config = loadKubeconfig(o.kubeconfig());
    this.coalescer = new Coalescer((keys) => this.flush(keys), o.coalesce?.quietMs ?? 25, o.coalesce?.maxWaitMs ?? 250);
  }

  /** Fires with the nodes to repaint (undefined = everything), once per burst of changes. */
  onDidChange(listener: (nodes: TreeNode[] | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Fires with the current context's facts when they change (only while facts are wanted). */
  onDidChangeFacts(listener: (facts: ClusterFacts) => void): () => void {
    this.factsListeners.add(listener);
    return () => this.factsListeners.delete(listener);
  }

  /** Fires once per burst with the watches that changed (live documents refresh from this). */
  onDidFlush(listener: (changes: WatchChange[]) => void): () => void {
    this.flushListeners.add(listener);
    return () => this.flushListeners.delete(listener);
  }

  /** Repaints so far (one per flushed burst). */
  get repaints(): number {
    return this.coalescer.flushes;
  }

  /** The kubeconfig as last read. */
  get kubeconfig(): KubeconfigState {
    return this.config;
  }

  /** The contexts of the kubeconfig. */
  contexts(): ContextInfo[] {
    return this.config.kind === "loaded" ? this.config.contexts : [];
  }

  /** The context treated as current: the remembered choice, else the kubeconfig's current-context, else the first. */
  currentContext(): string | undefined {
    const names = this.contexts().map((c) => c.name);
    const remembered = this.o.memory.currentContext();
    if (remembered && names.includes(remembered)) return remembered;
    if (this.config.kind === "loaded" && this.config.currentContext) return this.config.currentContext;
    return names[0];
  }

  /** Switches the explorer's current context (the kubeconfig is not edited). */
  setCurrentContext(context: string): void {
    this.o.memory.setCurrentContext(context);
    this.lastFacts = "";
    this.fire(undefined);
    this.coalescer.add("facts");
  }

  /** Re-reads the kubeconfig (it changed on disk, or the setting changed); drops sessions of changed contexts. */
  reload(): void {
    const before = JSON.stringify(this.config.kind === "loaded" ? this.config.merged : this.config);
    const oldPrints = new Map(this.contexts().map((c) => [c.name, this.fingerprint(c.name)]));
    this.config = loadKubeconfig(this.o.kubeconfig());
    const after = JSON.stringify(this.config.kind === "loaded" ? this.config.merged : this.config);
    if (before === after) return;
    // Only contexts whose context, cluster or user entry changed (or that are gone) reconnect:
    // switching current-context with kubectl, or adding a cluster, leaves the others as they are.
    for (const [name, s] of [...this.sessions]) {
      if (oldPrints.get(name) === this.fingerprint(name) && this.contexts().some((c) => c.name === name)) continue;
      s.dispose();
      this.sessions.delete(name);
      const id = nodeId("ctx", name);
      this.dropNodesUnder(id);
      this.nodes.delete(id);
      this.parents.delete(id);
      this.expanded.delete(id);
    }
    this.fire(undefined);
  }

  /** The kubeconfig entries a context's connection depends on, as text. */
  private fingerprint(context: string): string {
    if (this.config.kind !== "loaded") return "";
    const m = this.config.merged as { contexts?: { name?: string; context?: { cluster?: string; user?: string } }[]; clusters?: { name?: string }[]; users?: { name?: string }[] };
    const ctx = m.contexts?.find((c) => c.name === context);
    const cluster = m.clusters?.find((c) => c.name === ctx?.context?.cluster);
    const user = m.users?.find((u) => u.name === ctx?.context?.user);
    return JSON.stringify([ctx, cluster, user]);
  }

  /** The filter on SpinApps. */
  get filter(): AppFilter {
    return this.filterValue;
  }

  setFilter(f: AppFilter): void {
    this.filterValue = { ...f };
    this.fire(undefined);
  }

  /** The namespaces chosen for a context (undefined = all). */
  chosenNamespaces(context: string): string[] | undefined {
    return this.o.memory.namespaces(context);
  }

  /** Chooses the namespaces of a context (undefined = all); restarts its watches for the new scope. */
  setNamespaces(context: string, namespaces: string[] | undefined): void {
    this.o.memory.setNamespaces(context, namespaces && namespaces.length ? [...new Set(namespaces)].sort() : undefined);
    const s = this.sessions.get(context);
    const ctxId = this.contextNode(context).id;
    if (s) {
      s.release(ctxId, true);
      this.dropNodesUnder(ctxId);
      if (this.expanded.has(ctxId)) this.watchContext(context, s);
    }
    this.fire([this.contextNode(context)]);
  }

  /** Language-server facts are wanted (the server runs): namespace expansions also watch Secrets/ConfigMaps. */
  setFactsWanted(wanted: boolean): void {
    if (this.factsWanted === wanted) return;
    this.factsWanted = wanted;
    this.lastFacts = "";
    if (wanted) {
      for (const id of this.expanded) {
        const n = this.nodes.get(id);
        if (n && (n.kind === "namespace" || n.kind === "context")) this.acquireFor(n);
      }
    }
    this.coalescer.add("facts");
  }

  /** The view is shown or hidden: hidden pauses every informer (caches kept), shown resumes them. */
  setVisible(visible: boolean): void {
    if (this.visible === visible) return;
    this.visible = visible;
    for (const s of this.sessions.values()) {
      if (visible) s.resume();
      else s.pause(treeOwned);
    }
  }

  /** The watch session of a context, if one was started. */
  session(context: string): WatchSession | undefined {
    return this.sessions.get(context);
  }

  /** The client of a context (connecting if needed) — what commands use. */
  client(context: string): Promise<KubeClient> {
    return this.sessionFor(context).client();
  }

  private sessionFor(context: string): WatchSession {
    let s = this.sessions.get(context);
    if (!s) {
      const merged = this.config.kind === "loaded" ? this.config.merged : {};
      const doConnect = this.o.connect ?? connect;
      s = new WatchSession({
        context,
        connect: () => doConnect(merged, context),
        onChange: (key, ns) => this.coalescer.add(`${context}\u001e${key}\u001e${ns ?? ""}`),
        backoff: this.o.backoff,
      });
      if (!this.visible) s.pause(treeOwned);
      this.sessions.set(context, s);
    }
    return s;
  }

  // ---- nodes

  private cached<N extends TreeNode>(n: N): N {
    const existing = this.nodes.get(n.id) as N | undefined;
    if (existing && existing.kind === n.kind) return existing;
    this.nodes.set(n.id, n);
    return n;
  }

  /** The node of a context. */
  contextNode(context: string): Extract<TreeNode, { kind: "context" }> {
    return this.cached({ kind: "context", id: nodeId("ctx", context), context });
  }

  private nsNode(context: string, namespace: string): Extract<TreeNode, { kind: "namespace" }> {
    return this.cached({ kind: "namespace", id: nodeId("ctx", context, "ns", namespace), context, namespace });
  }

  private appNode(context: string, namespace: string, name: string): Extract<TreeNode, { kind: "spinApp" }> {
    return this.cached({ kind: "spinApp", id: nodeId("ctx", context, "ns", namespace, "app", name), context, namespace, name });
  }

  /** A message node; the same object per id, its text updated in place (a new object would be a stranger to VS Code). */
  private message(parentId: string, key: string, text: string, severity: "info" | "warning" | "error", context?: string, detail?: string, command?: string): TreeNode {
    const n = this.cached<Extract<TreeNode, { kind: "message" }>>({ kind: "message", id: nodeId(parentId, "msg", key), text, severity });
    n.text = text;
    n.severity = severity;
    for (const [k, v] of [["context", context], ["detail", detail], ["command", command]] as const) {
      if (v) n[k] = v;
      else delete n[k];
    }
    return n;
  }

  /** The nodes the tree shows now (those listed under expanded nodes, and the roots). */
  shownNodes(): TreeNode[] {
    const out: TreeNode[] = [];
    for (const [, ids] of this.shown.allListings()) for (const id of ids) {
      const n = this.nodes.get(id);
      if (n) out.push(n);
    }
    return out;
  }

  /** The node a node was last listed under (undefined for the roots and unlisted nodes). */
  parentOf(node: TreeNode): TreeNode | undefined {
    return this.parents.get(node.id);
  }

  /** Looks a node up by id (for tests and the benchmark). */
  nodeById(id: string): TreeNode | undefined {
    return this.nodes.get(id);
  }

  /** Forgets every node under `id` (a new scope or kubeconfig: the tree is repainted from there). */
  private dropNodesUnder(id: string): void {
    const under = (k: string): boolean => k !== id && isAtOrUnder(k, id);
    for (const k of [...this.nodes.keys()]) if (under(k)) this.nodes.delete(k);
    for (const k of [...this.parents.keys()]) if (under(k)) this.parents.delete(k);
    for (const k of [...this.expanded]) if (under(k)) this.expanded.delete(k);
    this.shown.forgetUnder(id);
  }

  /** Nodes the tree no longer lists (their objects were deleted): forget them and stop their watches. */
  private dropGone(ids: string[]): void {
    for (const id of ids) {
      const n = this.nodes.get(id);
      if (this.expanded.delete(id) && n && "context" in n && n.context) this.sessions.get(n.context)?.release(id);
      this.nodes.delete(id);
      this.parents.delete(id);
      this.readiness.delete(id);
    }
  }

  /** The children of a node (the roots when undefined). Starts the watches the node needs. */
  children(node?: TreeNode): TreeNode[] {
    if (this.disposed) return [];
    let out: TreeNode[];
    if (!node) out = this.roots();
    else {
      if (node.kind !== "message") {
        this.expanded.add(node.id);
        this.acquireFor(node);
      }
      out = this.safeChildren(node);
    }
    this.remember(node, out);
    return out;
  }

  /** Records a listing as the tree's (see ShownTree), forgetting the children that are gone. */
  private remember(node: TreeNode | undefined, children: TreeNode[]): void {
    this.dropGone(this.shown.listed(node?.id ?? "", children.map((c) => c.id)));
    for (const c of children) {
      if (node) this.parents.set(c.id, node);
      else this.parents.delete(c.id);
    }
  }

  /** The children of a node as they are now (no watch started, nothing recorded). */
  private safeChildren(node: TreeNode): TreeNode[] {
    try {
      return this.childrenOf(node);
    } catch (err) {
      // Malformed data never breaks the tree: show what went wrong instead.
      return [this.message(node.id, "error", `Could not show this: ${err instanceof Error ? err.message : String(err)}`, "error")];
    }
  }

  /**
   * The node was collapsed: its watches (and those of nodes under it) stop. It is repainted so
   * that VS Code forgets its children and lists them again when it is expanded (which starts the
   * watches again; VS Code would otherwise show its cached children).
   */
  collapse(node: TreeNode): void {
    this.expanded.delete(node.id);
    const s = "context" in node && node.context ? this.sessions.get(node.context) : undefined;
    s?.release(node.id);
    s?.release(nodeId(node.id, ""), true);
    this.dropNodesUnder(node.id);
    for (const k of [...this.readiness.keys()]) if (isAtOrUnder(k, node.id)) this.readiness.delete(k);
    this.fire([node]);
  }

  /** The node was expanded (VS Code also calls getChildren; this is for callers without a tree). */
  expand(node: TreeNode): TreeNode[] {
    return this.children(node);
  }

  private roots(): TreeNode[] {
    if (this.config.kind !== "loaded") return [];
    const current = this.currentContext();
    return this.contexts().map((c) => this.contextNode(c.name)).sort((a, b) => (a.context === current ? -1 : b.context === current ? 1 : 0));
  }

  private acquireFor(node: TreeNode): void {
    if (node.kind === "message" || !node.context) return;
    const s = this.sessionFor(node.context);
    switch (node.kind) {
      case "context":
        this.watchContext(node.context, s);
        if (this.factsWanted && node.context === this.currentContext()) s.acquire(node.id, Specs.runtimeClasses());
        break;
      case "namespace":
        // What the SpinApps' health needs: pods, Deployments, executors, RuntimeClasses, nodes.
        s.acquire(node.id, Specs.pods(node.namespace));
        s.acquire(node.id, Specs.deployments(node.namespace));
        s.acquire(node.id, Specs.executors(node.namespace));
        s.acquire(node.id, Specs.runtimeClasses());
        s.acquire(node.id, Specs.nodes());
        if (this.factsWanted && node.context === this.currentContext()) {
          s.acquire(node.id, Specs.secrets(node.namespace));
          s.acquire(node.id, Specs.configMaps(node.namespace));
        }
        break;
      case "spinApp":
        s.acquire(node.id, Specs.deployments(node.namespace));
        s.acquire(node.id, Specs.services(node.namespace));
        s.acquire(node.id, Specs.hpas(node.namespace));
        s.acquire(node.id, Specs.scaledObjects(node.namespace));
        s.acquire(node.id, Specs.executors(node.namespace));
        s.acquire(node.id, Specs.pods(node.namespace));
        break;
      case "executor":
      case "runtimeClassesGroup":
        s.acquire(node.id, Specs.runtimeClasses());
        break;
      case "executorsGroup": {
        const scope = this.scope(node.context);
        if (scope.mode === "all") s.acquire(node.id, Specs.executors());
        else for (const ns of scope.namespaces) s.acquire(node.id, Specs.executors(ns));
        break;
      }
      case "runtimeClass":
      case "handler":
        s.acquire(node.id, Specs.runtimeClasses());
        s.acquire(node.id, Specs.nodes());
        break;
      default:
        break;
    }
  }

  /** The watches of an expanded context: namespaces and SpinApps in its scope. */
  private watchContext(context: string, s: WatchSession): void {
    const id = this.contextNode(context).id;
    const chosen = this.o.memory.namespaces(context);
    if (chosen) {
      for (const ns of chosen) s.acquire(id, Specs.spinApps(ns));
      return;
    }
    s.acquire(id, Specs.namespaces());
    s.acquire(id, Specs.spinApps());
  }

  /** The namespaces shown under a context, and why. */
  scope(context: string): NamespaceScope {
    const s = this.sessions.get(context);
    const info = this.contexts().find((c) => c.name === context);
    const def = info?.namespace ?? "default";
    const chosen = this.o.memory.namespaces(context);
    if (!s) return { namespaces: chosen ?? [], synced: false, mode: chosen ? "chosen" : "all" };
    if (chosen) {
      const forbidden = chosen.filter((ns) => s.status(Specs.spinApps(ns)) === "forbidden");
      return {
        namespaces: chosen,
        synced: chosen.every((ns) => s.synced(Specs.spinApps(ns)) || s.status(Specs.spinApps(ns)) === "forbidden"),
        mode: "chosen",
        ...(forbidden.length ? { note: `You may not list SpinApps in ${forbidden.join(", ")}.` } : {}),
      };
    }
    const allStatus = s.status(Specs.spinApps());
    if (allStatus === "forbidden") {
      // Fall back to the namespaces the user may read: the context's namespace (a user limited
      // to namespaces usually has it set) — and any the user chooses.
      const id = this.contextNode(context).id;
      s.acquire(id, Specs.spinApps(def));
      const readable = s.status(Specs.spinApps(def)) !== "forbidden";
      return {
        namespaces: readable ? [def] : [],
        synced: s.synced(Specs.spinApps(def)) || !readable,
        mode: "fallback",
        note: readable
          ? `You may not list SpinApps across all namespaces (RBAC): showing the namespace you can read, "${def}". Use "Choose Namespaces" to add others.`
          : `You may not list SpinApps across all namespaces, nor in "${def}" (RBAC). Use "Choose Namespaces" to pick namespaces you can read.`,
      };
    }
    if (allStatus === "notServed") {
      return { namespaces: [], synced: true, mode: "all", note: "The cluster does not serve SpinApps (core.spinkube.dev/v1alpha1): is the SpinKube operator's CRD installed?" };
    }
    const names = new Set<string>([def]);
    for (const a of s.objects(Specs.spinApps())) if (a.metadata.namespace) names.add(a.metadata.namespace);
    for (const e of s.objects(Specs.executors())) if (e.metadata.namespace) names.add(e.metadata.namespace);
    const nsSynced = s.synced(Specs.namespaces());
    if (nsSynced) {
      const existing = new Set(s.objects(Specs.namespaces()).map((n) => n.metadata.name));
      for (const n of [...names]) if (!existing.has(n)) names.delete(n);
    }
    return { namespaces: [...names].sort(), synced: !!s.synced(Specs.spinApps()), mode: "all" };
  }

  /** The SpinApps of a namespace (from whichever watch covers it). */
  appsIn(context: string, namespace: string): KObject[] {
    const s = this.sessions.get(context);
    if (!s) return [];
    if (s.synced(Specs.spinApps(namespace))) return s.objects(Specs.spinApps(namespace));
    return s.objects(Specs.spinApps(), namespace);
  }

  private summarize(context: string, app: KObject): AppSummary {
    const s = this.sessions.get(context);
    const ns = app.metadata.namespace ?? "";
    const pods = s?.synced(Specs.pods(ns)) ? s.objects(Specs.pods(ns)).filter((p) => appOf(p) === app.metadata.name) : undefined;
    const dep = s?.object(Specs.deployments(ns), ns, app.metadata.name);
    return appSummary(app, pods, dep, s ? this.problems(s, app, pods ?? []) : []);
  }

  /**
   * Why an app cannot run, from what the expanded namespace watches: its executor missing, its
   * pods' RuntimeClass missing, or a pod stuck on a node that does not report the class's handler
   * (the kubelet's `no runtime for "spin" is configured`). Only from synced watches.
   */
  private problems(s: WatchSession, app: KObject, pods: KObject[]): string[] {
    const ns = app.metadata.namespace ?? "";
    const out: string[] = [];
    const exec = (app.spec as { executor?: unknown } | undefined)?.executor;
    if (typeof exec === "string" && exec && s.synced(Specs.executors(ns)) && !s.object(Specs.executors(ns), ns, exec)) {
      out.push(`SpinAppExecutor "${exec}" does not exist in namespace ${ns}: the operator cannot run this app.`);
    }
    if (!s.synced(Specs.runtimeClasses())) return out;
    for (const p of pods) {
      const spec = (p.spec ?? {}) as { runtimeClassName?: unknown; nodeName?: unknown };
      if (typeof spec.runtimeClassName !== "string") continue;
      const rc = s.object(Specs.runtimeClasses(), undefined, spec.runtimeClassName);
      if (!rc) {
        out.push(`RuntimeClass "${spec.runtimeClassName}" does not exist.`);
        break;
      }
      if (typeof spec.nodeName !== "string" || !s.synced(Specs.nodes())) continue;
      const node = s.object(Specs.nodes(), undefined, spec.nodeName);
      const v = node ? nodeRuns(node, rc) : undefined;
      if (v && !v.runs && v.reportsHandlers && podSummary(p).reason === "ContainerCreating") {
        out.push(`Node ${spec.nodeName} has no runtime for handler "${String(rc.handler ?? "")}" (RuntimeClass ${spec.runtimeClassName}): ${v.reason}.`);
        break;
      }
    }
    return out;
  }

  /** The SpinApps of a namespace that pass the filter, sorted by name. */
  private visibleApps(context: string, namespace: string): { app: KObject; summary: AppSummary }[] {
    return this.appsIn(context, namespace)
      .map((app) => ({ app, summary: this.summarize(context, app) }))
      .filter((x) => matchesFilter(x.app, x.summary, this.filterValue))
      .sort((a, b) => a.app.metadata.name.localeCompare(b.app.metadata.name));
  }

  private filtering(): boolean {
    return !!(this.filterValue.text?.trim() || this.filterValue.onlyFailing);
  }

  private childrenOf(node: TreeNode): TreeNode[] {
    const ctx = "context" in node ? node.context : undefined;
    const s = ctx ? this.sessions.get(ctx) : undefined;
    switch (node.kind) {
      case "context": {
        const out: TreeNode[] = [];
        const st = s?.state;
        if (st?.kind === "expired") out.push(this.message(node.id, "state", st.message, "error", node.context));
        else if (st?.kind === "unreachable") out.push(this.message(node.id, "state", `Cannot reach the cluster: ${st.reason}`, "error", node.context));
        else if (st?.kind === "reconnecting") out.push(this.message(node.id, "state", `Reconnecting: ${st.reason}`, "warning", node.context));
        else if (st?.kind === "error") out.push(this.message(node.id, "state", st.message, "error", node.context));
        const scope = this.scope(node.context);
        if (scope.note) out.push(this.message(node.id, "scope", scope.note, "warning", node.context, undefined, "spinkube.chooseNamespaces"));
        if (!scope.synced && st?.kind !== "expired" && st?.kind !== "unreachable" && st?.kind !== "error") {
          out.push(this.message(node.id, "loading", "Loading…", "info", node.context));
          return out;
        }
        let namespaces = scope.namespaces;
        if (this.filtering()) namespaces = namespaces.filter((ns) => this.visibleApps(node.context, ns).length > 0);
        out.push(...namespaces.map((ns) => this.nsNode(node.context, ns)));
        if (this.filtering() && namespaces.length === 0) out.push(this.message(node.id, "nomatch", "No SpinApp matches the filter.", "info", node.context, undefined, "spinkube.clearFilter"));
        out.push(this.cached({ kind: "executorsGroup", id: nodeId(node.id, "executors"), context: node.context }));
        out.push(this.cached({ kind: "runtimeClassesGroup", id: nodeId(node.id, "runtimeclasses"), context: node.context }));
        return out;
      }
      case "namespace": {
        const apps = this.visibleApps(node.context, node.namespace);
        if (apps.length === 0) return [this.message(node.id, "empty", this.filtering() ? "No SpinApp matches the filter." : "No SpinApps in this namespace.", "info", node.context)];
        return apps.map((a) => this.appNode(node.context, node.namespace, a.app.metadata.name));
      }
      case "spinApp":
        return this.appChildren(node);
      case "readiness": {
        const appId = nodeId("ctx", node.context, "ns", node.namespace, "app", node.app);
        const failures = this.readiness.get(appId)?.report?.failures ?? [];
        return failures.map((_, index) => this.cached({ kind: "failure", id: nodeId(node.id, "failure", String(index)), context: node.context, namespace: node.namespace, app: node.app, index }));
      }
      case "executorsGroup": {
        if (!s) return [];
        const scope = this.scope(node.context);
        const execs = scope.mode === "all" ? s.objects(Specs.executors()) : scope.namespaces.flatMap((ns) => s.objects(Specs.executors(ns)));
        const forbidden = scope.mode === "all" ? s.status(Specs.executors()) === "forbidden" : false;
        if (forbidden) return [this.message(node.id, "forbidden", "You may not list SpinAppExecutors across all namespaces.", "warning", node.context)];
        if (execs.length === 0) return [this.message(node.id, "empty", "No SpinAppExecutors: SpinApps cannot run until one exists in their namespace.", "warning", node.context)];
        return execs
          .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`))
          .map((e) => this.cached({ kind: "executor", id: nodeId(node.id, e.metadata.namespace ?? "", e.metadata.name), context: node.context, namespace: e.metadata.namespace ?? "", name: e.metadata.name }));
      }
      case "runtimeClassesGroup": {
        if (!s) return [];
        if (s.status(Specs.runtimeClasses()) === "forbidden") return [this.message(node.id, "forbidden", "You may not list RuntimeClasses.", "warning", node.context)];
        const rcs = s.objects(Specs.runtimeClasses()).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
        if (rcs.length === 0) return [this.message(node.id, "empty", s.synced(Specs.runtimeClasses()) ? "No RuntimeClasses." : "Loading…", "info", node.context)];
        return rcs.map((rc) => this.cached({ kind: "runtimeClass", id: nodeId(node.id, rc.metadata.name), context: node.context, name: rc.metadata.name }));
      }
      case "executor": {
        if (!s) return [];
        const e = this.executorObject(node.context, node.namespace, node.name);
        const dc = (e?.spec as { deploymentConfig?: { runtimeClassName?: unknown; spinImage?: unknown } } | undefined)?.deploymentConfig;
        if (typeof dc?.runtimeClassName === "string") {
          return [this.cached({ kind: "runtimeClass", id: nodeId(node.id, "rc", dc.runtimeClassName), context: node.context, name: dc.runtimeClassName })];
        }
        if (typeof dc?.spinImage === "string") return [this.message(node.id, "spintainer", `Runs "spin up" in the container image ${dc.spinImage} (no RuntimeClass)`, "info", node.context)];
        return [];
      }
      case "runtimeClass": {
        if (!s) return [];
        const rc = s.object(Specs.runtimeClasses(), undefined, node.name);
        if (!rc) return [];
        const handler = typeof rc.handler === "string" ? rc.handler : "";
        return [this.cached({ kind: "handler", id: nodeId(node.id, "handler", handler), context: node.context, runtimeClass: node.name, handler })];
      }
      case "handler": {
        if (!s) return [];
        const rc = s.object(Specs.runtimeClasses(), undefined, node.runtimeClass);
        if (!rc) return [];
        if (s.status(Specs.nodes()) === "forbidden") return [this.message(node.id, "forbidden", "You may not list nodes: cannot tell which nodes run this handler.", "warning", node.context)];
        const all = s.objects(Specs.nodes());
        const verdicts = all.map((n) => ({ n, v: nodeRuns(n, rc) }));
        const runs = verdicts.filter((x) => x.v.runs);
        if (!s.synced(Specs.nodes())) return [this.message(node.id, "loading", "Loading…", "info", node.context)];
        if (runs.length === 0) {
          const why = verdicts.map((x) => `${x.n.metadata.name}: ${x.v.reason}`).join("\n");
          return [this.message(node.id, "none", `No node can run handler "${node.handler}"`, "error", node.context, why || "The cluster has no nodes.")];
        }
        return runs.map((x) => this.cached({ kind: "node", id: nodeId(node.id, "node", x.n.metadata.name), context: node.context, name: x.n.metadata.name }));
      }
      default:
        return [];
    }
  }

  private executorObject(context: string, namespace: string, name: string): KObject | undefined {
    const s = this.sessions.get(context);
    return s?.object(Specs.executors(namespace), namespace, name) ?? s?.object(Specs.executors(), namespace, name);
  }

  private appChildren(node: Extract<TreeNode, { kind: "spinApp" }>): TreeNode[] {
    const s = this.sessions.get(node.context);
    if (!s) return [];
    const { namespace: ns, name } = node;
    const out: TreeNode[] = [];
    const child = (kind: "deployment" | "service" | "hpa" | "scaledObject" | "pod", n: string): TreeNode =>
      this.cached({ kind, id: nodeId(node.id, kind, n), context: node.context, namespace: ns, name: n, app: name });
    const dep = s.object(Specs.deployments(ns), ns, name);
    if (dep) out.push(child("deployment", name));
    const svc = s.object(Specs.services(ns), ns, name);
    if (svc) out.push(child("service", name));
    const pods = s.objects(Specs.pods(ns)).filter((p) => appOf(p) === name);
    for (const p of pods.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) out.push(child("pod", p.metadata.name));
    const targets = (o: KObject): boolean => {
      const t = scaleTarget(o);
      return t.name === name && (t.kind === undefined || t.kind === "Deployment" || t.kind === "SpinApp");
    };
    for (const h of s.objects(Specs.hpas(ns)).filter(targets)) out.push(child("hpa", h.metadata.name));
    for (const so of s.objects(Specs.scaledObjects(ns)).filter(targets)) out.push(child("scaledObject", so.metadata.name));
    const app = this.appsIn(node.context, ns).find((a) => a.metadata.name === name);
    const execName = typeof (app?.spec as { executor?: unknown } | undefined)?.executor === "string" ? String((app?.spec as { executor: string }).executor) : undefined;
    if (execName) out.push(this.cached({ kind: "executor", id: nodeId(node.id, "executor", execName), context: node.context, namespace: ns, name: execName }));
    if (!dep && s.synced(Specs.deployments(ns))) out.unshift(this.message(node.id, "nodeploy", "No Deployment yet (the operator creates it when the executor exists)", "warning", node.context));
    if (app) {
      out.push(this.cached({ kind: "readiness", id: nodeId(node.id, "readiness"), context: node.context, namespace: ns, app: name }));
      if (!this.readiness.has(node.id)) this.checkReadiness(node.id, node.context, app);
    }
    return out;
  }

  /** The view-model of a node. */
  view(node: TreeNode): NodeView {
    const v = this.currentView(node);
    this.shown.viewed(node.id, v);
    return v;
  }

  /** The view-model of a node as it is now (nothing recorded). */
  private currentView(node: TreeNode): NodeView {
    try {
      return this.viewOf(node);
    } catch (err) {
      return { label: "(unreadable)", description: err instanceof Error ? err.message : String(err), contextValue: "spinkube.message", icon: "warning", collapsible: "none" };
    }
  }

  private viewOf(node: TreeNode): NodeView {
    const s = "context" in node && node.context ? this.sessions.get(node.context) : undefined;
    switch (node.kind) {
      case "context": {
        const info = this.contexts().find((c) => c.name === node.context);
        const chosen = this.o.memory.namespaces(node.context);
        const scope = s ? this.scope(node.context) : undefined;
        const base = contextView(node.context, {
          current: node.context === this.currentContext(),
          state: s?.state ?? { kind: "idle" },
          server: info?.server,
          namespaces: chosen ? chosen.join(", ") : scope?.mode === "fallback" ? `readable: ${scope.namespaces.join(", ") || "none"}` : "all namespaces",
          note: scope?.note,
        });
        return this.contextViewWithHealth(node, base, s);
      }
      case "namespace":
        return namespaceView(node.namespace, this.appsIn(node.context, node.namespace).map((a) => this.summarize(node.context, a)), {
          synced: !!s && (s.synced(Specs.spinApps()) || s.synced(Specs.spinApps(node.namespace))),
        });
      case "spinApp": {
        const app = this.appsIn(node.context, node.namespace).find((a) => a.metadata.name === node.name);
        if (!app) return { label: node.name, description: "deleted", contextValue: "spinkube.message", icon: "circle-slash", collapsible: "none" };
        return spinAppView(app, this.summarize(node.context, app));
      }
      case "deployment": {
        const d = s?.object(Specs.deployments(node.namespace), node.namespace, node.name);
        return d ? deploymentView(d) : gone(`Deployment ${node.name}`);
      }
      case "service": {
        const o = s?.object(Specs.services(node.namespace), node.namespace, node.name);
        return o ? serviceView(o) : gone(`Service ${node.name}`);
      }
      case "pod": {
        const o = s?.object(Specs.pods(node.namespace), node.namespace, node.name);
        return o ? podView(o) : gone(node.name);
      }
      case "hpa": {
        const o = s?.object(Specs.hpas(node.namespace), node.namespace, node.name);
        return o ? scalerView(o, "hpa") : gone(`HPA ${node.name}`);
      }
      case "scaledObject": {
        const o = s?.object(Specs.scaledObjects(node.namespace), node.namespace, node.name);
        return o ? scalerView(o, "scaledObject") : gone(`ScaledObject ${node.name}`);
      }
      case "executor": {
        const synced = !!s && (s.synced(Specs.executors(node.namespace)) || s.synced(Specs.executors()));
        const e = this.executorObject(node.context, node.namespace, node.name);
        if (!e && !synced) return { label: `Executor ${node.name}`, description: "loading…", contextValue: "spinkube.message", svg: "executor", collapsible: "none" };
        const underGroup = node.id.includes(`${"\u001f"}executors${"\u001f"}`);
        return executorView(e, node.name, node.namespace, underGroup);
      }
      case "executorsGroup":
        return { label: "Executors", tooltip: "The SpinAppExecutors of the shown namespaces, the RuntimeClass each uses, its handler and the nodes that can run it.", contextValue: "spinkube.group.executors", svg: "executor", collapsible: "collapsed" };
      case "runtimeClassesGroup":
        return { label: "RuntimeClasses", tooltip: "The cluster's RuntimeClasses", contextValue: "spinkube.group.runtimeClasses", svg: "runtimeclass", collapsible: "collapsed" };
      case "runtimeClass":
        return runtimeClassView(s?.object(Specs.runtimeClasses(), undefined, node.name) ?? (s?.synced(Specs.runtimeClasses()) ? undefined : { metadata: { name: node.name } }), node.name);
      case "handler":
        return { label: `handler ${node.handler || "(empty)"}`, tooltip: `The containerd runtime handler "${node.handler}" of RuntimeClass ${node.runtimeClass}; its children are the nodes that can run it.`, contextValue: "spinkube.handler", icon: "symbol-event", collapsible: "collapsed" };
      case "node": {
        const n = s?.object(Specs.nodes(), undefined, node.name);
        return n ? clusterNodeView(n, "can run this handler") : gone(node.name);
      }
      case "readiness": {
        const e = this.readiness.get(nodeId("ctx", node.context, "ns", node.namespace, "app", node.app));
        if (e?.report) return { ...readinessNodeView(e.report), markdown: true };
        if (e?.error) return { label: "Runtime readiness", description: `could not check: ${e.error}`, tooltip: e.error, contextValue: "spinkube.readiness.unknown", icon: "warning", iconColor: "charts.yellow", collapsible: "none" };
        return { label: "Runtime readiness", description: "checking…", tooltip: "Checking the runtime chain: executor → RuntimeClass → handler → nodes → pods.", contextValue: "spinkube.readiness.checking", icon: "loading~spin", collapsible: "none" };
      }
      case "failure": {
        const d = this.readiness.get(nodeId("ctx", node.context, "ns", node.namespace, "app", node.app))?.report?.failures[node.index];
        return d ? { ...failureNodeView(d), markdown: true } : gone("Failure");
      }
      case "message":
        return messageView(node);
    }
  }

  /** The context node with the cluster's SpinKube health (computed once per connection, and on Refresh). */
  private contextViewWithHealth(node: Extract<TreeNode, { kind: "context" }>, base: NodeView, s: WatchSession | undefined): NodeView {
    if (!s || s.state.kind !== "connected") return base;
    const e = this.health.get(node.context);
    if (!e || e.session !== s) {
      this.checkHealth(node, s);
      return base;
    }
    if (!e.report) return e.error ? { ...base, tooltip: `${base.tooltip ?? ""}\nSpinKube health: could not check: ${e.error}` } : base;
    const h = healthNodeView(e.report, node.context);
    const lines = (base.tooltip ?? "").split("\n").map(escapeMarkdown);
    return { ...base, description: [base.description, h.description].filter(Boolean).join(" · "), tooltip: `${lines.join("  \n")}\n\n${h.tooltip}`, markdown: true };
  }

  private checkHealth(node: Extract<TreeNode, { kind: "context" }>, s: WatchSession): void {
    const e: HealthEntry = { session: s };
    this.health.set(node.context, e);
    const done = (): void => {
      if (!this.disposed && this.health.get(node.context) === e) this.fire([node]);
    };
    s.client()
      .then((client) => checkClusterHealth(readerFromKubeClient(client)))
      .then(
        (report) => {
          e.report = report;
          done();
        },
        (err: unknown) => {
          e.error = err instanceof Error ? err.message : String(err);
          done();
        },
      );
  }

  /** Checks a SpinApp's runtime readiness (never polled: again only when its objects change). */
  private checkReadiness(appId: string, context: string, app: KObject): void {
    const existing = this.readiness.get(appId);
    if (existing?.running) {
      existing.again = true;
      return;
    }
    const e: ReadinessEntry = existing ?? { running: true, again: false };
    e.running = true;
    e.again = false;
    this.readiness.set(appId, e);
    const done = (): void => {
      e.running = false;
      if (this.disposed || this.readiness.get(appId) !== e) return;
      if (e.again) {
        const node = this.nodes.get(appId);
        const fresh = node?.kind === "spinApp" ? this.appsIn(context, node.namespace).find((a) => a.metadata.name === node.name) : undefined;
        if (fresh) {
          this.checkReadiness(appId, context, fresh);
          return;
        }
      }
      const n = this.nodes.get(nodeId(appId, "readiness"));
      if (n) this.fire([n]);
    };
    this.client(context)
      .then((client) => checkAppReadiness(readerFromKubeClient(client), app))
      .then(
        (report) => {
          e.report = report;
          e.error = undefined;
          done();
        },
        (err: unknown) => {
          e.error = err instanceof Error ? err.message : String(err);
          done();
        },
      );
  }

  /** The objects of a context (in a namespace, or cluster-wide when undefined) changed: re-check the readiness shown there. */
  private invalidateReadiness(context: string, namespace: string | undefined): void {
    const prefix = namespace === undefined ? nodeId("ctx", context, "ns", "") : nodeId("ctx", context, "ns", namespace, "app", "");
    for (const appId of [...this.readiness.keys()]) {
      if (!appId.startsWith(prefix)) continue;
      const node = this.nodes.get(appId);
      const app = node?.kind === "spinApp" && this.expanded.has(appId) ? this.appsIn(context, node.namespace).find((a) => a.metadata.name === node.name) : undefined;
      if (app) this.checkReadiness(appId, context, app);
      else this.readiness.delete(appId);
    }
  }

  // ---- change handling

  /**
   * Tells the tree to repaint `nodes` (undefined = everything): VS Code gets each node's item
   * again (the view recorded here is what it gets) and lists the children of the expanded ones.
   */
  private fire(nodes: TreeNode[] | undefined): void {
    if (nodes) for (const n of nodes) this.shown.viewed(n.id, this.currentView(n));
    for (const l of this.listeners) l(nodes);
  }

  private flush(keys: Set<string>): void {
    if (this.disposed) return;
    if (this.flushListeners.size) {
      const changes: WatchChange[] = [];
      for (const k of keys) {
        if (k === "facts") continue;
        const [context, key, ns] = k.split("\u001e");
        changes.push({ context, key, ...(ns ? { namespace: ns } : {}) });
      }
      for (const l of this.flushListeners) l(changes);
    }
    const factsChanged = keys.has("facts") || [...keys].some((k) => k.startsWith(`${this.currentContext() ?? ""}\u001e`));
    const scopes = new Map<string, ChangeScope>();
    for (const k of keys) {
      if (k === "facts") continue;
      const [context, key, ns] = k.split("\u001e");
      const scope = scopes.get(context) ?? { all: false, namespaces: new Set<string>(), contextChildren: false, executors: false };
      scopes.set(context, scope);
      if (key === "state") {
        scope.all = true;
        continue;
      }
      const [resource, wns] = key.split("|");
      const namespace = wns !== "*" ? wns : ns;
      if (resource === "secrets." || resource === "configmaps.") continue;
      this.invalidateReadiness(context, namespace || undefined);
      if (!namespace || !PER_NAMESPACE.has(resource)) {
        // Cluster-scoped (namespaces, RuntimeClasses, nodes) or a whole watch's status: every shown node may change.
        scope.all = true;
        continue;
      }
      scope.namespaces.add(namespace);
      // A namespace appears or disappears with its first or last SpinApp or executor (or the filter).
      if (resource === SPINAPPS || resource === EXECUTORS || this.filtering()) scope.contextChildren = true;
      if (resource === EXECUTORS) scope.executors = true;
    }
    const out: TreeNode[] = [];
    for (const [context, scope] of scopes) this.changedNodes(context, scope, out);
    if (out.length > MAX_REPAINTS) this.fire(undefined);
    else if (out.length) this.fire(out);
    if (factsChanged) this.emitFacts();
  }

  /**
   * The shown nodes of a context that a change in `scope` altered: a node whose children (their
   * ids, in order) differ from what the tree listed is re-listed; otherwise each child whose view
   * differs is repainted by itself. Nothing above a changed node is repainted: its menu target and
   * its siblings' stay valid (./shownTree.ts).
   */
  private changedNodes(context: string, scope: ChangeScope, out: TreeNode[]): void {
    const ctxId = nodeId("ctx", context);
    const ctxNode = this.nodes.get(ctxId);
    if (!ctxNode) return;
    const executorsId = nodeId(ctxId, "executors");
    const under = (id: string): boolean => out.some((n) => isAtOrUnder(id, n.id));
    // Which nodes the change can alter: everything (state, cluster-scoped objects) or the changed
    // namespaces' nodes, the context's namespace list and the Executors group.
    const inScope = (n: TreeNode): boolean => {
      if (scope.all) return true;
      if (n.kind === "context" || n.kind === "runtimeClassesGroup") return false;
      if (isAtOrUnder(n.id, executorsId)) return scope.executors;
      if ("namespace" in n) return scope.namespaces.has(n.namespace);
      const parent = this.parents.get(n.id);
      return !!parent && parent.id !== ctxId && inScope(parent);
    };
    if (scope.all && this.shown.differs(ctxId, this.currentView(ctxNode))) {
      out.push(ctxNode);
      return;
    }
    for (const [parentId, ids] of this.shown.allListings()) {
      if (!isAtOrUnder(parentId, ctxId) || under(parentId)) continue;
      const parent = this.nodes.get(parentId);
      if (!parent) continue;
      const listingInScope = parent.kind === "context" ? scope.all || scope.contextChildren : inScope(parent);
      const now = listingInScope ? this.safeChildren(parent) : undefined;
      if (now && this.shown.listingDiffers(parentId, now.map((c) => c.id))) {
        // What VS Code gets when it lists the node again (gone children are forgotten now).
        this.remember(parent, now);
        out.push(parent);
        continue;
      }
      for (const id of ids) {
        const child = this.nodes.get(id);
        if (!child || under(id) || !inScope(child)) continue;
        if (this.shown.differs(id, this.currentView(child))) out.push(child);
      }
    }
  }

  /** The current context's facts, as the language server gets them. */
  facts(): ClusterFacts {
    const context = this.currentContext();
    const s = context ? this.sessions.get(context) : undefined;
    const facts: ClusterFacts = { executors: [], runtimeClasses: [], secrets: [], configMaps: [], spinAppImages: [] };
    if (!context || !s) return facts;
    facts.context = context;
    const seen = new Set<string>();
    const collect = (spec: (ns?: string) => WatchSpec, resource: string): KObject[] => {
      const out: KObject[] = [];
      for (const w of s.activeWatches()) {
        const [res, wns] = w.key.split("|");
        if (res !== resource) continue;
        out.push(...s.objects(spec(wns === "*" ? undefined : wns)));
      }
      return out;
    };
    for (const e of collect((ns) => Specs.executors(ns), "spinappexecutors.core.spinkube.dev")) {
      const key = `${e.metadata.namespace}/${e.metadata.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const spec = (e.spec ?? {}) as { createDeployment?: unknown; deploymentConfig?: { runtimeClassName?: unknown; spinImage?: unknown } };
      facts.executors.push({
        namespace: e.metadata.namespace ?? "",
        name: e.metadata.name,
        ...(typeof spec.createDeployment === "boolean" ? { createDeployment: spec.createDeployment } : {}),
        ...(typeof spec.deploymentConfig?.runtimeClassName === "string" ? { runtimeClassName: spec.deploymentConfig.runtimeClassName } : {}),
        ...(typeof spec.deploymentConfig?.spinImage === "string" ? { spinImage: spec.deploymentConfig.spinImage } : {}),
      });
    }
    for (const rc of s.objects(Specs.runtimeClasses())) facts.runtimeClasses.push({ name: rc.metadata.name, ...(typeof rc.handler === "string" ? { handler: rc.handler } : {}) });
    for (const w of s.activeWatches()) {
      const [res, wns] = w.key.split("|");
      if (wns === "*") continue;
      if (res === "secrets.") for (const o of s.objects(Specs.secrets(wns))) facts.secrets.push({ namespace: wns, name: o.metadata.name });
      if (res === "configmaps.") for (const o of s.objects(Specs.configMaps(wns))) facts.configMaps.push({ namespace: wns, name: o.metadata.name });
    }
    const images = new Set<string>();
    for (const a of collect((ns) => Specs.spinApps(ns), "spinapps.core.spinkube.dev")) {
      const img = (a.spec as { image?: unknown } | undefined)?.image;
      if (typeof img === "string") images.add(img);
    }
    facts.spinAppImages = [...images].sort();
    const sortRefs = (xs: { namespace: string; name: string }[]): void => void xs.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
    sortRefs(facts.executors);
    sortRefs(facts.secrets);
    sortRefs(facts.configMaps);
    facts.runtimeClasses.sort((a, b) => a.name.localeCompare(b.name));
    return facts;
  }

  private emitFacts(): void {
    if (!this.factsWanted || this.factsListeners.size === 0) return;
    const f = this.facts();
    const text = JSON.stringify(f);
    if (text === this.lastFacts) return;
    this.lastFacts = text;
    for (const l of this.factsListeners) l(f);
  }

  /** Restarts failed watches of a context (or all) now. */
  retry(context?: string): void {
    for (const name of [...this.health.keys()]) if (!context || name === context) this.health.delete(name);
    for (const [name, s] of this.sessions) if (!context || name === context) s.retryAll();
    this.fire(undefined);
  }

  dispose(): void {
    this.disposed = true;
    this.coalescer.dispose();
    for (const s of this.sessions.values()) s.dispose();
    this.sessions.clear();
    this.listeners.clear();
    this.factsListeners.clear();
  }
}

const SPINAPPS = "spinapps.core.spinkube.dev";
const EXECUTORS = "spinappexecutors.core.spinkube.dev";
/** Namespaced resources whose events name the namespace whose nodes they change. */
const PER_NAMESPACE = new Set([SPINAPPS, EXECUTORS, "pods.", "deployments.apps", "services.", "horizontalpodautoscalers.autoscaling", "scaledobjects.keda.sh"]);
/** Above this many changed nodes one repaint of everything is cheaper for VS Code. */
const MAX_REPAINTS = 1000;

/** What a burst of watch events may have changed in one context. */
interface ChangeScope {
  /** Anything shown (the connection state, cluster-scoped objects, a watch's status). */
  all: boolean;
  /** The nodes of these namespaces. */
  namespaces: Set<string>;
  /** The context's list of namespaces. */
  contextChildren: boolean;
  /** The Executors group. */
  executors: boolean;
}

/** Watches owned by tree nodes pause with the view; those of live documents and port-forwards do not. */
function treeOwned(owner: string): boolean {
  return owner.startsWith(nodeId("ctx", ""));
}

function gone(label: string): NodeView {
  return { label, description: "gone", contextValue: "spinkube.message", icon: "circle-slash", collapsible: "none" };
}
