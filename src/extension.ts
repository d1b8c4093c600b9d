/**
 * Composition root: builds the extension's services and registers each feature. No logic lives
 * here; every object created is owned by `context.subscriptions`.
 *
 * Contributors: add one `register…(context, …)` call per feature; keep the logic in the feature.
 */
import type * as vscode from "vscode";
import { Log } from "./host/log";
import { startActivationClock, type ActivationTiming } from "./host/activationTiming";
import { registerCommand } from "./host/commands";
import { ClientController } from "./client/clientController";
import { Commands } from "./constants";
import { registerExplorer, type ExplorerApi } from "./cluster/explorer";
import { registerRuntimeReadiness } from "./cluster/readinessCommand";
import { registerLogs } from "./cluster/logCommands";
import { registerSpin, type SpinApi } from "./spin/commands";

export interface SpinKubeApi {
  /** How long loading and activating took (for the activation benchmark). */
  readonly activation: ActivationTiming;
  /** The language client controller (for tests and other extensions). */
  readonly languageClient: ClientController;
  /** The cluster explorer (its model and port-forwards), for tests. */
  readonly explorer: ExplorerApi;
  /** The spin toolchain (build and deploy), for tests and the explorer's stale marker. */
  readonly spin: SpinApi;
}

export function activate(context: vscode.ExtensionContext): SpinKubeApi {
  const activated = startActivationClock();
  const log = new Log();
  context.subscriptions.push(log);

  const languageClient = new ClientController(context, log);
  context.subscriptions.push(languageClient);
  languageClient.startWhenNeeded();

  registerCommand(context.subscriptions, log, Commands.restartServer, () => languageClient.restart());
  registerCommand(context.subscriptions, log, Commands.showLogs, () => log.show());
  const explorer = registerExplorer(context, log, languageClient);
  registerRuntimeReadiness(context, log, explorer.model, explorer.rows);
  registerLogs(context, log, explorer);
  const spin = registerSpin(context, log, explorer);

  return { activation: activated(), languageClient, explorer, spin };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
