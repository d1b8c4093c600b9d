/**
 * The `Spin` LogOutputChannel: everything the spin CLI prints while the extension runs it (build
 * tools, push progress, `spin up`), one entry per line, plus the toolchain's own step lines and
 * timings. Nothing secret is ever written here: passwords go to spin's stdin only, and spin does
 * not echo them.
 */
import * as vscode from "vscode";
import { format } from "node:util";
import type { Stream } from "./process";

/** The channel's name. */
export const SPIN_OUTPUT_CHANNEL = "Spin";

/** The Spin output channel. */
export class SpinLog implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel(SPIN_OUTPUT_CHANNEL, { log: true });
  }

  /** One line spin printed. */
  output(stream: Stream, line: string): void {
    if (stream === "stderr" && /^(Error|error): /.test(line)) this.channel.error(line);
    else this.channel.info(line);
  }

  info(msg: string, ...args: unknown[]): void {
    this.channel.info(format(msg, ...args));
  }

  warn(msg: string, ...args: unknown[]): void {
    this.channel.warn(format(msg, ...args));
  }

  error(msg: string, detail?: string): void {
    this.channel.error(detail ? `${msg}\n${detail}` : msg);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
