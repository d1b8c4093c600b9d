/**
 * The extension's one leveled log: a LogOutputChannel named "SpinKube" (the user picks the level in
 * the Output view). The language client writes its LSP trace here too, when the level is Trace.
 * Nothing else writes to the console.
 */
import * as vscode from "vscode";
import { format } from "node:util";
import { OUTPUT_CHANNEL } from "../constants";

export class Log implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel(OUTPUT_CHANNEL, { log: true });
  }

  trace(msg: string, ...args: unknown[]): void {
    this.channel.trace(format(msg, ...args));
  }
  debug(msg: string, ...args: unknown[]): void {
    this.channel.debug(format(msg, ...args));
  }
  info(msg: string, ...args: unknown[]): void {
    this.channel.info(format(msg, ...args));
  }
  warn(msg: string, ...args: unknown[]): void {
    this.channel.warn(format(msg, ...args));
  }
  /** Logs an error with its stack. */
  error(msg: string, err?: unknown): void {
    if (err instanceof Error) this.channel.error(`${msg}: ${err.stack ?? err.message}`);
    else if (err !== undefined) this.channel.error(`${msg}: ${format("%o", err)}`);
    else this.channel.error(msg);
  }
  show(): void {
    this.channel.show(true);
  }
  dispose(): void {
    this.channel.dispose();
  }
}
