/**
 * Owns the language client's lifetime: a deferred first start when a document that mentions
 * SpinKube is opened (so activation stays cheap), serialized restarts with at most one queued, and
 * stop on deactivate. Everything else talks to the server through `client()`.
 */
import * as vscode from "vscode";
import path from "node:path";
import type { LanguageClient } from "vscode-languageclient/node";
import type * as LanguageClientExports from "./languageClient";
import { mentionsSpinKube } from "./spinAppDetector";
import type { Log } from "../host/log";
import { affects } from "../host/config";
import { ContextKeys } from "../constants";

type LanguageClientModule = typeof LanguageClientExports;

/**
 * Set to true by the extension build (`--define`): there, the language client (vscode-languageclient
 * and its protocol libraries) is its own bundle, dist/languageClient.js, read from disk only when
 * the first SpinKube document opens — activation never parses it. Compiled tests import it.
 */
declare const SPINKUBE_BUNDLE: boolean | undefined;

function loadLanguageClientModule(): Promise<LanguageClientModule> {
  return typeof SPINKUBE_BUNDLE !== "undefined"
    ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- a separate bundle beside dist/extension.js, loaded on demand
      Promise.resolve(require(path.join(__dirname, "languageClient.js")) as LanguageClientModule)
    : import("./languageClient.js");
}

export class ClientController implements vscode.Disposable {
  private lc: LanguageClient | undefined;
  private starting = false;
  private running: Promise<void> = Promise.resolve();
  private restartQueued = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly started = new vscode.EventEmitter<LanguageClient>();
  /** Fires every time a (re)started client is ready. */
  readonly onDidStart = this.started.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
  ) {}

  /** Starts the server now if a SpinKube document is already open, or when the first one opens. */
  startWhenNeeded(): void {
    const check = (doc: vscode.TextDocument) => {
      if (!this.lc && !this.starting && doc.languageId === "yaml" && mentionsSpinKube(doc.getText())) void this.start();
    };
    vscode.workspace.textDocuments.forEach(check);
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument(check),
      vscode.workspace.onDidChangeTextDocument((e) => check(e.document)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affects(e).languageServer && this.lc?.isRunning())
          void this.lc.sendNotification("workspace/didChangeConfiguration", { settings: null });
      }),
    );
  }

  /** The running client, starting it if needed. */
  async client(): Promise<LanguageClient> {
    if (!this.lc) await this.start();
    await this.running;
    if (!this.lc) throw new Error("The SpinKube language server is not running.");
    return this.lc;
  }

  start(): Promise<void> {
    if (this.lc || this.starting) return this.running;
    this.starting = true;
    this.running = loadLanguageClientModule()
      .then((m) => {
        const lc = m.createLanguageClient(this.context, this.log);
        this.lc = lc;
        return lc.start().then(() => lc);
      })
      .then((lc) => {
        this.log.info("SpinKube language server started");
        void vscode.commands.executeCommand("setContext", ContextKeys.serverRunning, true);
        this.started.fire(lc);
      })
      .catch((err: unknown) => {
        this.log.error("Could not start the SpinKube language server", err);
        this.lc = undefined;
      })
      .finally(() => {
        this.starting = false;
      });
    return this.running;
  }

  /** Restarts serially: concurrent calls collapse into one queued restart. */
  async restart(): Promise<void> {
    if (this.restartQueued) return this.running;
    this.restartQueued = true;
    await this.running.catch(() => undefined);
    this.restartQueued = false;
    const old = this.lc;
    this.lc = undefined;
    if (old) await old.stop().catch((err: unknown) => this.log.warn("Stopping the server failed: %s", String(err)));
    await vscode.commands.executeCommand("setContext", ContextKeys.serverRunning, false);
    await this.start();
  }

  async stop(): Promise<void> {
    const lc = this.lc;
    this.lc = undefined;
    if (lc) await lc.stop().catch(() => undefined);
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
    this.started.dispose();
    void this.stop();
  }
}
