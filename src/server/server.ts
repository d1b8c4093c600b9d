/**
 * The SpinKube language server process: LSP wiring only. Runs over IPC when the extension starts it
 * and over stdio (`node dist/server.js --stdio`) for other editors and benchmarks. Logic lives in
 * the vscode-free SpinKubeService.
 */
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  NotificationType,
  ProposedFeatures,
  TextDocumentSyncKind,
  TextDocuments,
  createConnection,
  type InitializeResult,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { ClusterFactsMethod, PushedImagesMethod, type ClusterFacts, type PushedImages } from "../shared/protocol";
import { normalizeSettings } from "../shared/settings";
import { SpinKubeService } from "./service";
import { Scheduler } from "./scheduler";
import { scanWorkspace } from "./workspaceScan";

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const service = new SpinKubeService();
let canAskConfiguration = false;
let workspaceFolders: string[] = [];
/** Settled once the first settings arrived: nothing is validated with defaults the user overrode. */
let markSettingsReady: () => void = () => undefined;
const settingsReady = new Promise<void>((resolve) => (markSettingsReady = resolve));

const scheduler = new Scheduler(async (uri) => {
  await settingsReady;
  const doc = documents.get(uri);
  if (!doc) return;
  const version = doc.version;
  const diagnostics = await service.validate(uri, doc.getText(), () => documents.get(uri)?.version === version);
  if (diagnostics) await connection.sendDiagnostics({ uri, version, diagnostics });
});

/** Re-publishes every open file's diagnostics from cached analyses (after the knowledge changed). */
function republishAll(except?: string): void {
  for (const uri of service.validatedUris()) {
    if (uri === except || !documents.get(uri)) continue;
    void connection.sendDiagnostics({ uri, diagnostics: service.diagnostics(uri) });
  }
}

connection.onInitialize((params): InitializeResult => {
  canAskConfiguration = params.capabilities.workspace?.configuration === true;
  workspaceFolders = (params.workspaceFolders ?? []).map((f) => f.uri);
  if (!workspaceFolders.length && params.rootUri) workspaceFolders = [params.rootUri];
  if (params.initializationOptions?.settings) service.configure(normalizeSettings(params.initializationOptions.settings));
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      completionProvider: { triggerCharacters: [":", " ", "-", "/"], resolveProvider: false },
      hoverProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      documentSymbolProvider: true,
    },
    serverInfo: { name: "spinkube-language-server", version: "0.1.0" },
  };
});

async function refreshSettings(): Promise<void> {
  if (!canAskConfiguration) return;
  try {
    const [raw] = (await connection.workspace.getConfiguration([{ section: "spinkube" }])) as unknown[];
    service.configure(normalizeSettings(raw));
  } catch (err) {
    connection.console.warn(`Could not read settings: ${(err as Error).message}`);
  }
}

connection.onInitialized(async () => {
  if (canAskConfiguration) void connection.client.register(DidChangeConfigurationNotification.type, undefined);
  await refreshSettings();
  markSettingsReady();
  // Index executors and other definitions in the workspace's YAML files, in the background.
  void scanWorkspace(workspaceFolders, (uri, text) => service.indexFile(uri, text), (msg) => connection.console.log(msg)).then(() => republishAll());
});

connection.onDidChangeConfiguration(async () => {
  await refreshSettings();
  for (const d of documents.all()) scheduler.schedule(d.uri);
});

documents.onDidChangeContent((e) => scheduler.schedule(e.document.uri));
documents.onDidClose((e) => {
  scheduler.cancel(e.document.uri);
  service.close(e.document.uri);
  void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});

connection.onDidChangeWatchedFiles(async (params) => {
  const { readFile } = await import("node:fs/promises");
  const { fileURLToPath } = await import("node:url");
  for (const change of params.changes) {
    if (documents.get(change.uri)) continue; // open documents are indexed as they are edited
    if (change.type === 3) service.removeFile(change.uri);
    else {
      try {
        service.indexFile(change.uri, await readFile(fileURLToPath(change.uri), "utf8"));
      } catch {
        service.removeFile(change.uri);
      }
    }
  }
  republishAll();
});

connection.onNotification(new NotificationType<ClusterFacts>(ClusterFactsMethod), (facts) => {
  service.knowledge.setCluster(facts.context === undefined ? undefined : facts);
  republishAll();
});

/** Runs a request handler against an open document; a bug answers "nothing", never an error loop. */
function withDocument<T>(uri: string, empty: T, fn: (text: string, doc: TextDocument) => T): T {
  const doc = documents.get(uri);
  if (!doc) return empty;
  try {
    return fn(doc.getText(), doc);
  } catch (err) {
    connection.console.error(`SpinKube request failed: ${(err as Error).stack ?? String(err)}`);
    return empty;
  }
}

connection.onCompletion((p) => withDocument(p.textDocument.uri, [], (text, doc) => service.complete(p.textDocument.uri, text, doc.offsetAt(p.position))));
connection.onHover((p) => withDocument(p.textDocument.uri, null, (text, doc) => service.hover(p.textDocument.uri, text, doc.offsetAt(p.position))));
connection.onCodeAction((p) => withDocument(p.textDocument.uri, [], (text) => service.codeActions(p.textDocument.uri, text, p.context.diagnostics)));
connection.onDocumentSymbol((p) => withDocument(p.textDocument.uri, [], (text) => service.documentSymbols(p.textDocument.uri, text)));

connection.onNotification(new NotificationType<PushedImages>(PushedImagesMethod), ({ images }) => {
  service.knowledge.setPushedImages(images);
  republishAll();
});

documents.listen(connection);
connection.listen();
