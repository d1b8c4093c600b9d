/**
 * Builds the LanguageClient for the SpinKube language server (dist/server.js, over IPC), with the
 * settings middleware that answers workspace/configuration from the `spinkube.*` settings and an
 * error handler that stops restart loops.
 */
import * as vscode from "vscode";
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  RevealOutputChannelOn,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";
import { serverSettings } from "../host/config";
import type { Log } from "../host/log";

const MAX_RESTARTS = 4;

export function createLanguageClient(context: vscode.ExtensionContext, log: Log): LanguageClient {
  const module = context.asAbsolutePath("dist/server.js");
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ["--nolazy", "--inspect=6019"] } },
  };
  let restarts = 0;
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "yaml" },
      { scheme: "untitled", language: "yaml" },
    ],
    outputChannel: log.channel,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationFailedHandler: (err) => {
      log.error("The SpinKube language server failed to initialize", err);
      return false;
    },
    errorHandler: {
      error: (err, _msg, count) => {
        log.error("Language server connection error", err);
        return { action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown };
      },
      closed: () => {
        restarts++;
        if (restarts <= MAX_RESTARTS) {
          log.warn("The SpinKube language server stopped; restarting (%d/%d)", restarts, MAX_RESTARTS);
          return { action: CloseAction.Restart };
        }
        log.error("The SpinKube language server stopped too often; not restarting. Use 'SpinKube: Restart Language Server'.");
        return { action: CloseAction.DoNotRestart, message: "The SpinKube language server stopped repeatedly. See the SpinKube output." };
      },
    },
    middleware: {
      workspace: {
        configuration: (params) =>
          params.items.map((item) => {
            if (item.section !== undefined && item.section !== "spinkube") return null;
            const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
            return serverSettings(scope);
          }),
      },
    },
  };
  return new LanguageClient("spinkube", "SpinKube Language Server", serverOptions, clientOptions);
}
