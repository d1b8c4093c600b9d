/**
 * VS Code wiring of the runtime readiness check (`spinkube.checkRuntimeReadiness`): on the SpinApp
 * of the open manifest before deploying (the file's executors and RuntimeClasses count as applied
 * with it), or on a deployed SpinApp the explorer passes (`{ namespace, name }`; from the Command
 * Palette without a SpinApp manifest, the selected SpinApp row, as ./rowTarget.ts). Checks against the
 * explorer's current context, shows the chain as a read-only markdown document in the markdown
 * preview (scheme `spinkube-readiness`), a notification with the first broken link and its fix,
 * and log lines. The checks themselves are the vscode-free `./diagnosis`.
 */
import * as vscode from "vscode";
import { parseAllDocuments } from "yaml";
import { DiagnosisCommands } from "../constants";
import { registerCommand } from "../host/commands";
import type { Log } from "../host/log";
import { GROUP, LEGACY_GROUP } from "../shared/spinApp";
import type { KubeClientLike, KubeObject, ReadinessReport } from "./diagnosis";
import { DiagnosisResources, checkAppReadiness, groupOf, isSpinApp, nameOf, namespaceOf, readerFromKubeClient, readinessMarkdown } from "./diagnosis";
import type { RowTargets } from "./rowTarget";

/** The explorer's connections (ExplorerModel fits): the current context and a client per context. */
export interface ClusterConnections {
  currentContext(): string | undefined;
  client(context: string): Promise<KubeClientLike>;
}

/** A deployed SpinApp to check: the explorer's spinApp tree node (`kind: "spinApp"`) or just `{ namespace, name }`. */
export interface DeployedAppTarget {
  kind?: "spinApp";
  namespace: string;
  name: string;
  /** The context; the current one when omitted. */
  context?: string;
}

const SCHEME = "spinkube-readiness";

/** Read-only markdown documents holding the latest reports. */
class ReportDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  set(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
  }
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? "";
  }
  dispose(): void {
    this.changed.dispose();
  }
}

function isDeployedTarget(v: unknown): v is DeployedAppTarget {
  const r = v as Partial<DeployedAppTarget> | undefined;
  return typeof r === "object" && r != null && typeof r.namespace === "string" && typeof r.name === "string" && (r.kind === undefined || r.kind === "spinApp");
}

/** True when the active editor holds a SpinApp manifest. */
function activeManifestHasSpinApp(): boolean {
  const doc = vscode.window.activeTextEditor?.document;
  return !!doc && manifestObjects(doc.getText()).apps.length > 0;
}

/** The SpinApps and the other objects of a manifest text. */
export function manifestObjects(text: string): { apps: KubeObject[]; others: KubeObject[] } {
  const objs = parseAllDocuments(text)
    .map((d) => (d.errors.length ? undefined : (d.toJS() as unknown)))
    .filter((o): o is KubeObject => typeof o === "object" && o != null && !Array.isArray(o));
  return { apps: objs.filter(isSpinApp), others: objs.filter((o) => !isSpinApp(o)) };
}

/** Registers the command and the report document provider; `rows` resolves the Clusters tree's rows. */
export function registerRuntimeReadiness(context: vscode.ExtensionContext, log: Log, connections: ClusterConnections, rows?: RowTargets): void {
  const docs = new ReportDocuments();
  context.subscriptions.push(docs, vscode.workspace.registerTextDocumentContentProvider(SCHEME, docs));

  const show = async (report: ReadinessReport, ctx: string): Promise<void> => {
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${report.app.namespace}/${report.app.name}.md` });
    docs.set(uri, readinessMarkdown(report, ctx));
    await vscode.workspace.openTextDocument(uri);
    try {
      await vscode.commands.executeCommand("markdown.showPreviewToSide", uri);
    } catch {
      await vscode.window.showTextDocument(uri, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    }
  };

  const notify = (report: ReadinessReport, ctx: string): void => {
    const where = `${report.app.namespace}/${report.app.name}`;
    const b = report.firstBroken;
    if (b) {
      const actions = b.fix ? ["Copy Fix", "Show Details"] : ["Show Details"];
      void vscode.window.showWarningMessage(`${where} on ${ctx} — ${b.title}: ${b.detail}`, ...actions).then(async (choice) => {
        if (choice === "Copy Fix" && b.fix) await vscode.env.clipboard.writeText(b.fix);
        if (choice === "Show Details") await show(report, ctx);
      });
    } else void vscode.window.showInformationMessage(`${where} on ${ctx}: ${report.ready ? "every link of the runtime chain holds." : report.summary}`);
  };

  registerCommand(context.subscriptions, log, DiagnosisCommands.checkRuntimeReadiness, async (...args: unknown[]): Promise<ReadinessReport | undefined> => {
    const row = rows?.given(args);
    if (row && "lost" in row) {
      rows?.reportLost(DiagnosisCommands.checkRuntimeReadiness);
      return undefined;
    }
    let arg: unknown = row && "node" in row ? row.node : args[0];
    // Without an argument: the active editor's SpinApp manifest, else the selected SpinApp row.
    if (args.length === 0 && !activeManifestHasSpinApp()) arg = rows?.selected(["spinApp"]) ?? arg;
    const ctx = (isDeployedTarget(arg) && arg.context) || connections.currentContext();
    if (!ctx) {
      void vscode.window.showWarningMessage("SpinKube: no cluster context. Choose a kubeconfig context in the SpinKube explorer first.");
      return undefined;
    }
    let app: KubeObject | undefined;
    let others: KubeObject[] = [];
    let deployed: boolean | undefined;
    if (!isDeployedTarget(arg)) {
      const doc = arg instanceof vscode.Uri ? await vscode.workspace.openTextDocument(arg) : vscode.window.activeTextEditor?.document;
      if (!doc) {
        void vscode.window.showWarningMessage("SpinKube: open a SpinApp manifest, or select a SpinApp in the Clusters view, to check its runtime readiness.");
        return undefined;
      }
      const parsed = manifestObjects(doc.getText());
      others = parsed.others;
      if (!parsed.apps.length) {
        void vscode.window.showWarningMessage(`SpinKube: ${vscode.workspace.asRelativePath(doc.uri)} has no SpinApp (apiVersion ${GROUP}/v1alpha1 or ${LEGACY_GROUP}/v1alpha1).`);
        return undefined;
      }
      app = parsed.apps.length === 1 ? parsed.apps[0] : (await vscode.window.showQuickPick(parsed.apps.map((a) => ({ label: nameOf(a), description: namespaceOf(a), app: a })), { placeHolder: "Which SpinApp?" }))?.app;
      if (!app) return undefined;
    }
    const target = app;
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Checking runtime readiness on ${ctx}…` },
      async () => {
        const reader = readerFromKubeClient(await connections.client(ctx));
        let subject = target;
        if (isDeployedTarget(arg)) {
          const group = (await reader.serves(DiagnosisResources.spinApps(GROUP))) ? GROUP : LEGACY_GROUP;
          subject = await reader.get(DiagnosisResources.spinApps(group), arg.name, arg.namespace);
          if (!subject) throw new Error(`SpinApp ${arg.namespace}/${arg.name} was not found on ${ctx}.`);
          deployed = true;
        }
        if (!subject) return undefined;
        log.info("Runtime readiness of %s/%s (%s) on %s", namespaceOf(subject) || reader.namespace || "default", nameOf(subject), groupOf(subject), ctx);
        return checkAppReadiness(reader, subject, { manifestObjects: others, ...(deployed !== undefined ? { deployed } : {}) });
      },
    );
    if (!report) return undefined;
    log.info("%s", report.summary);
    for (const l of report.links) log.debug("  %s %s: %s", l.status, l.title, l.detail);
    notify(report, ctx);
    await show(report, ctx);
    return report;
  });
}
