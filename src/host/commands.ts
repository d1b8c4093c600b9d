/**
 * Registers command handlers so that an error in one becomes a log entry with its stack and one
 * notification with a "Show Logs" button, never an unhandled rejection in the extension host.
 */
import * as vscode from "vscode";
import type { Log } from "./log";

export type CommandHandler = (...args: never[]) => unknown;

export function registerCommand(
  subscriptions: vscode.Disposable[],
  log: Log,
  id: string,
  handler: CommandHandler,
): void {
  subscriptions.push(
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await (handler as (...a: unknown[]) => unknown)(...args);
      } catch (err) {
        log.error(`Command ${id} failed`, err);
        const message = err instanceof Error ? err.message : String(err);
        void vscode.window.showErrorMessage(`SpinKube: ${message}`, "Show Logs").then((choice) => {
          if (choice) log.show();
        });
        return undefined;
      }
    }),
  );
}
