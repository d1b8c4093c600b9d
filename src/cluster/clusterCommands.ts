/**
 * The explorer's commands, as thin handlers over the model, the KubeClient and the live
 * documents: refresh, switch context, choose namespaces, filter, open live YAML, edit and apply,
 * diff a file with the live object, apply the current file, scale, restart, delete (confirmed),
 * port-forward (and stop/open), copy image reference, describe, choose a kubeconfig file.
 *
 * Each command takes the tree node it was invoked on; from the command palette it uses the
 * selected node or asks for a SpinApp of the current context (./rowTarget.ts, the same for every
 * row command). Errors become one notification with "Show Logs" (host/commands.ts).
 */
import * as vscode from "vscode";
import { CONFIG_SECTION, ExplorerCommands } from "../constants";
import { registerCommand } from "../host/commands";
import type { Log } from "../host/log";
import type { KObject, KubeClient, ResourceType } from "./kubeApi";
import { KubeError, Resources } from "./kubeApi";
import { DESCRIBE_SCHEME, EDIT_SCHEME, LIVE_SCHEME, applyWithConflicts, objectUri, type ObjectRef } from "./liveDocuments";
import type { ExplorerModel } from "./model";
import { RESOURCE_KINDS, type TreeNode } from "./nodes";
import { objectsOfYaml } from "./objectText";
import type { PortForwardManager, PortForwardSession } from "./portForwards";
import type { RowTargets } from "./rowTarget";

/** What the commands work with. */
export interface ClusterCommandDeps {
  model: ExplorerModel;
  rows: RowTargets;
  portForwards: PortForwardManager;
  showFilter(): void;
  setKubeconfigKey(): void;
}

const RESOURCE_OF: Partial<Record<TreeNode["kind"], ResourceType>> = {
  namespace: Resources.namespaces,
  spinApp: Resources.spinApps,
  deployment: Resources.deployments,
  service: Resources.services,
  pod: Resources.pods,
  hpa: Resources.hpas,
  scaledObject: Resources.scaledObjects,
  executor: Resources.executors,
  runtimeClass: Resources.runtimeClasses,
  node: Resources.nodes,
};

/** The object a resource node stands for. */
export function refOfNode(n: TreeNode): ObjectRef | undefined {
  const resource = RESOURCE_OF[n.kind];
  if (!resource || !("context" in n) || !n.context) return undefined;
  if (n.kind === "namespace") return { context: n.context, resource, name: n.namespace };
  if (!("name" in n)) return undefined;
  return { context: n.context, resource, ...("namespace" in n && resource.namespaced ? { namespace: n.namespace } : {}), name: n.name };
}

/** Registers the explorer's commands. */
export function registerClusterCommands(subs: vscode.Disposable[], log: Log, d: ClusterCommandDeps): void {
  const { model, rows, portForwards } = d;
  const reg = (id: string, handler: (...args: never[]) => unknown): void => registerCommand(subs, log, id, handler);

  /**
   * Registers a command on a row of `kinds`: the row given (a lost one is reported), else the
   * selected row, else (when it takes SpinApps) a SpinApp picked from the current context. The
   * handler gets the row and the command's other arguments.
   */
  const regRow = (id: string, kinds: TreeNode["kind"][], handler: (n: TreeNode, ...rest: never[]) => unknown): void =>
    reg(id, async (...args: unknown[]) => {
      const r = rows.of(args, kinds);
      if ("lost" in r) return rows.reportLost(id);
      const n = "node" in r ? r.node : kinds.includes("spinApp") ? await pickApp() : undefined;
      return n ? (handler as (n: TreeNode, ...rest: unknown[]) => unknown)(n, ...args.slice(1)) : undefined;
    });

  const currentContext = (): string => {
    const c = model.currentContext();
    if (!c) throw new Error("No kubeconfig context: connect to a cluster first (see the SpinKube view).");
    return c;
  };

  const pickApp = async (): Promise<TreeNode | undefined> => {
    const context = currentContext();
    const client = await model.client(context);
    const chosen = model.chosenNamespaces(context);
    const lists = chosen ? await Promise.all(chosen.map((ns) => client.list(Resources.spinApps, ns))) : [await client.list(Resources.spinApps)];
    const apps = lists.flatMap((l) => l.items);
    if (apps.length === 0) {
      void vscode.window.showInformationMessage(`No SpinApps in context ${context}.`);
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      apps.map((a) => ({ label: a.metadata.name, description: a.metadata.namespace, app: a })),
      { placeHolder: `SpinApp in ${context}`, matchOnDescription: true },
    );
    if (!pick) return undefined;
    const ns = pick.app.metadata.namespace ?? "";
    return { kind: "spinApp", id: `pick:${context}/${ns}/${pick.label}`, context, namespace: ns, name: pick.label };
  };

  const clientOf = (n: TreeNode): Promise<KubeClient> => {
    if (!("context" in n) || !n.context) throw new Error("This item is not in a cluster.");
    return model.client(n.context);
  };

  const liveApp = async (n: TreeNode): Promise<KObject> => {
    const ref = refOfNode(n);
    if (!ref) throw new Error("Choose a SpinApp.");
    return (await clientOf(n)).get(ref.resource, ref.namespace, ref.name);
  };

  const openDoc = async (uri: vscode.Uri): Promise<void> => {
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: false });
  };

  reg(ExplorerCommands.refresh, () => {
    model.reload();
    d.setKubeconfigKey();
    model.retry();
  });

  reg(ExplorerCommands.switchContext, async () => {
    const current = model.currentContext();
    const pick = await vscode.window.showQuickPick(
      model.contexts().map((c) => ({ label: c.name, description: `${c.name === current ? "current · " : ""}${c.server ?? ""}`, detail: `namespace ${c.namespace}` })),
      { placeHolder: "Context for the explorer, apply and diff (your kubeconfig is not changed)" },
    );
    if (pick) model.setCurrentContext(pick.label);
  });

  reg(ExplorerCommands.useContext, (...args: unknown[]) => {
    const r = rows.of(args, ["context"]);
    if ("lost" in r) return rows.reportLost(ExplorerCommands.useContext);
    if ("node" in r && "context" in r.node && r.node.context) model.setCurrentContext(r.node.context);
  });

  reg(ExplorerCommands.chooseNamespaces, async (...args: unknown[]) => {
    const r = rows.of(args, ["context"]);
    if ("lost" in r) return rows.reportLost(ExplorerCommands.chooseNamespaces);
    const n = "node" in r ? r.node : undefined;
    const context = n && "context" in n && n.context ? n.context : currentContext();
    const client = await model.client(context);
    const chosen = model.chosenNamespaces(context) ?? [];
    let names: string[];
    try {
      names = (await client.list(Resources.namespaces)).items.map((o) => o.metadata.name);
    } catch (err) {
      if (!(err instanceof KubeError) || err.kind !== "forbidden") throw err;
      const typed = await vscode.window.showInputBox({
        title: `Namespaces of ${context}`,
        prompt: "You may not list namespaces: type the ones to show, separated by commas (empty = try all namespaces).",
        value: chosen.join(", "),
      });
      if (typed === undefined) return;
      const list = typed.split(/[,\s]+/).filter(Boolean);
      model.setNamespaces(context, list.length ? list : undefined);
      return;
    }
    const ALL = "$(globe) All namespaces";
    const picks = await vscode.window.showQuickPick(
      [{ label: ALL, picked: chosen.length === 0 }, ...names.sort().map((ns) => ({ label: ns, picked: chosen.includes(ns) }))],
      { canPickMany: true, title: `Namespaces of ${context}`, placeHolder: "Pick namespaces (or All namespaces)" },
    );
    if (!picks) return;
    const list = picks.map((p) => p.label).filter((l) => l !== ALL);
    model.setNamespaces(context, picks.some((p) => p.label === ALL) || list.length === 0 ? undefined : list);
  });

  reg(ExplorerCommands.filterApps, async () => {
    const text = await vscode.window.showInputBox({
      title: "Filter SpinApps",
      prompt: "Part of a name or label, or key=value for an exact label (empty = no text filter)",
      value: model.filter.text ?? "",
    });
    if (text === undefined) return;
    model.setFilter({ ...model.filter, text });
    d.showFilter();
  });
  reg(ExplorerCommands.clearFilter, () => {
    model.setFilter({});
    d.showFilter();
  });
  reg(ExplorerCommands.showOnlyFailing, () => {
    model.setFilter({ ...model.filter, onlyFailing: true });
    d.showFilter();
  });
  reg(ExplorerCommands.showAllApps, () => {
    model.setFilter({ ...model.filter, onlyFailing: false });
    d.showFilter();
  });

  const objectCommand = (scheme: string, clean = false) => async (n: TreeNode) => {
    const ref = refOfNode(n);
    if (!ref) return;
    await openDoc(objectUri(scheme, ref, clean));
  };
  regRow(ExplorerCommands.openYaml, [...RESOURCE_KINDS], objectCommand(LIVE_SCHEME));
  regRow(ExplorerCommands.describeResource, [...RESOURCE_KINDS], objectCommand(DESCRIBE_SCHEME));
  regRow(ExplorerCommands.editAndApply, [...RESOURCE_KINDS], objectCommand(EDIT_SCHEME));

  /** The YAML of a file argument (explorer/editor context) or of the active editor. */
  const yamlSource = async (arg?: unknown): Promise<{ uri: vscode.Uri; text: string; line: number } | undefined> => {
    const editor = vscode.window.activeTextEditor;
    if (arg instanceof vscode.Uri && (!editor || editor.document.uri.toString() !== arg.toString())) {
      const doc = await vscode.workspace.openTextDocument(arg);
      return { uri: arg, text: doc.getText(), line: 0 };
    }
    if (!editor) {
      void vscode.window.showInformationMessage("Open a YAML file first.");
      return undefined;
    }
    return { uri: editor.document.uri, text: editor.document.getText(), line: editor.selection.active.line };
  };

  reg(ExplorerCommands.diffWithLive, async (arg?: unknown) => {
    const src = await yamlSource(arg);
    if (!src) return;
    const { objects, errors } = objectsOfYaml(src.text);
    if (objects.length === 0) throw new Error(errors[0] ?? "This file names no Kubernetes object.");
    const atCursor = [...objects].reverse().find((o) => o.line <= src.line) ?? objects[0];
    const context = currentContext();
    const client = await model.client(context);
    const o = atCursor.object;
    const t = await client.resourceFor(o.apiVersion ?? "", o.kind ?? "");
    if (!t) throw new Error(`The cluster (${context}) does not serve ${o.kind} in ${o.apiVersion}.`);
    const ns = t.namespaced ? (o.metadata.namespace ?? client.defaultNamespace) : undefined;
    try {
      await client.get(t, ns, o.metadata.name);
    } catch (err) {
      if (err instanceof KubeError && err.kind === "notFound") {
        void vscode.window.showInformationMessage(`${o.kind} ${ns ? `${ns}/` : ""}${o.metadata.name} does not exist in ${context} yet.`);
        return;
      }
      throw err;
    }
    const left = objectUri(LIVE_SCHEME, { context, resource: t, ...(ns ? { namespace: ns } : {}), name: o.metadata.name }, true);
    await vscode.commands.executeCommand("vscode.diff", left, src.uri, `${o.kind} ${o.metadata.name}: live (${context}) ↔ ${vscode.workspace.asRelativePath(src.uri)}`);
  });

  reg(ExplorerCommands.applyFile, async (arg?: unknown) => {
    const src = await yamlSource(arg);
    if (!src) return;
    const { objects, errors } = objectsOfYaml(src.text);
    if (errors.length) throw new Error(`Not applied: ${errors.join("; ")}`);
    if (objects.length === 0) throw new Error("This file names no Kubernetes object.");
    const context = currentContext();
    const client = await model.client(context);
    const done: string[] = [];
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Applying to ${context}`, cancellable: false }, async (progress) => {
      for (const { object } of objects) {
        progress.report({ message: `${object.kind} ${object.metadata.name}` });
        const out = await applyWithConflicts(client.apply.bind(client), object, log);
        done.push(`${out.kind ?? object.kind} ${out.metadata.namespace ? `${out.metadata.namespace}/` : ""}${out.metadata.name}`);
      }
    });
    log.info("Applied to %s: %s", context, done.join(", "));
    void vscode.window.showInformationMessage(`Applied ${done.join(", ")} to ${context} (server-side apply).`);
  });

  regRow(ExplorerCommands.scaleApp, ["spinApp"], async (n: TreeNode, replicasArg?: number) => {
    if (n.kind !== "spinApp") return;
    const app = await liveApp(n);
    const spec = (app.spec ?? {}) as { replicas?: unknown; enableAutoscaling?: unknown };
    if (spec.enableAutoscaling === true) throw new Error(`${n.name} is autoscaled (spec.enableAutoscaling): change its HPA or ScaledObject instead.`);
    let replicas = replicasArg;
    if (replicas === undefined) {
      const v = await vscode.window.showInputBox({
        title: `Scale SpinApp ${n.namespace}/${n.name}`,
        prompt: "Replicas (spec.replicas; the operator scales the Deployment)",
        value: String(typeof spec.replicas === "number" ? spec.replicas : 1),
        validateInput: (s) => (/^\d+$/.test(s.trim()) && Number(s) >= 1 ? undefined : "A whole number ≥ 1 (the operator's webhook rejects 0 without autoscaling)"),
      });
      if (v === undefined) return;
      replicas = Number(v.trim());
    }
    await (await clientOf(n)).scale(Resources.spinApps, n.namespace, n.name, replicas);
    log.info("Scaled SpinApp %s/%s to %d", n.namespace, n.name, replicas);
  });

  regRow(ExplorerCommands.restartApp, ["spinApp", "deployment"], async (n: TreeNode) => {
    if (n.kind !== "spinApp" && n.kind !== "deployment") return;
    let deployment = n.name;
    if (n.kind === "spinApp") {
      const app = await liveApp(n);
      const dn = (app.status as { deploymentName?: unknown } | undefined)?.deploymentName;
      if (typeof dn === "string" && dn) deployment = dn;
    }
    await (await clientOf(n)).restartDeployment(n.namespace, deployment);
    log.info("Restarted Deployment %s/%s (rollout restart)", n.namespace, deployment);
    void vscode.window.showInformationMessage(`Restarting ${n.namespace}/${deployment}: new pods roll out.`);
  });

  regRow(ExplorerCommands.deleteResource, ["spinApp"], async (n: TreeNode, confirmed?: boolean) => {
    const ref = refOfNode(n);
    if (!ref) return;
    const what = `${ref.resource.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
    if (confirmed !== true) {
      const detail = n.kind === "spinApp" ? "The operator's Deployment, Service and pods go with it." : n.kind === "namespace" ? "Everything in the namespace is deleted." : undefined;
      const choice = await vscode.window.showWarningMessage(`Delete ${what} from ${ref.context}?`, { modal: true, ...(detail ? { detail } : {}) }, "Delete");
      if (choice !== "Delete") return;
    }
    await (await clientOf(n)).delete(ref.resource, ref.namespace, ref.name);
    log.info("Deleted %s in %s", what, ref.context);
  });

  regRow(ExplorerCommands.portForward, ["spinApp", "service"], async (n: TreeNode, opts?: { localPort?: number; open?: boolean }) => {
    if (n.kind !== "spinApp" && n.kind !== "service") return undefined;
    let service = n.name;
    if (n.kind === "spinApp") {
      const app = await liveApp(n);
      const sn = (app.status as { serviceName?: unknown } | undefined)?.serviceName;
      if (typeof sn === "string" && sn) service = sn;
    }
    const s = await portForwards.start(n.context, n.namespace, service, opts?.localPort ?? 0);
    log.info("Port-forward %s/%s:%d → %s", s.namespace, s.service, s.servicePort, s.url);
    if (opts?.open !== false) {
      const external = await vscode.env.asExternalUri(vscode.Uri.parse(s.url));
      void vscode.env.openExternal(external);
    }
    return s;
  });

  const pickSession = async (arg: unknown): Promise<PortForwardSession | undefined> => {
    if (arg && typeof (arg as PortForwardSession).id === "string" && typeof (arg as PortForwardSession).localPort === "number") return arg as PortForwardSession;
    const sessions = portForwards.list();
    if (sessions.length === 0) {
      void vscode.window.showInformationMessage("No port-forward is running.");
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(sessions.map((s) => ({ label: `${s.namespace}/${s.service} → localhost:${s.localPort}`, description: s.context, s })), { placeHolder: "Port-forward" });
    return pick?.s;
  };
  reg(ExplorerCommands.stopPortForward, async (arg?: unknown) => {
    const s = await pickSession(arg);
    if (s) await portForwards.stop(s.id);
  });
  reg(ExplorerCommands.openPortForward, async (arg?: unknown) => {
    const s = await pickSession(arg);
    if (s) void vscode.env.openExternal(await vscode.env.asExternalUri(vscode.Uri.parse(s.url)));
  });

  regRow(ExplorerCommands.copyImage, ["spinApp", "pod"], async (n: TreeNode) => {
    if (n.kind !== "spinApp" && n.kind !== "pod") return undefined;
    const o = await liveApp(n);
    let image: string | undefined;
    if (n.kind === "spinApp") image = (o.spec as { image?: unknown } | undefined)?.image as string | undefined;
    else {
      const cs = ((o.spec as { containers?: { image?: unknown }[] } | undefined)?.containers ?? []).map((c) => c.image).filter((i): i is string => typeof i === "string");
      image = cs.join(" ");
    }
    if (!image) throw new Error(`${n.name} names no image.`);
    await vscode.env.clipboard.writeText(image);
    void vscode.window.setStatusBarMessage(`Copied ${image}`, 3000);
    return image;
  });

  reg(ExplorerCommands.selectKubeconfig, async () => {
    const uris = await vscode.window.showOpenDialog({ canSelectMany: false, title: "Kubeconfig file for SpinKube", openLabel: "Use this kubeconfig" });
    if (!uris?.[0]) return;
    await vscode.workspace.getConfiguration(CONFIG_SECTION).update("kubeconfig", uris[0].fsPath, vscode.ConfigurationTarget.Global);
  });
}
