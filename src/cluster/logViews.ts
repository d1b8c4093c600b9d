/**
 * Where a log session shows in VS Code: a pseudoterminal with ANSI colours per pod (the default)
 * or a LogOutputChannel (`spinkube.logs.view`). Each view owns its {@link LogSession} and
 * {@link LogRenderer}: batches from the session are rendered and written in one call each; the
 * cap summary is flushed once a second. Stop, clear, save (the scrollback as plain text) and the
 * timestamp toggle work on either view; the terminal also answers keys (t c w s, Ctrl+C).
 * Closing a terminal stops its session. A failing sandbox notice offers the runtime readiness
 * check once per view. The registry tracks the views for the palette commands and the
 * `spinkube.logs.active` context key.
 */
import { writeFile } from "node:fs/promises";
import * as vscode from "vscode";
import { DiagnosisCommands, LogsContextKeys } from "../constants";
import type { Log } from "../host/log";
import type { LogEntry, LogNotice, LogSession } from "./logs";
import { LogRenderer } from "./logs";

/** What a log view shows and how (the `spinkube.logs.*` settings plus per-session choices). */
export interface ViewOptions {
  kind: "terminal" | "outputChannel";
  timestamps: boolean;
  highlight: RegExp[];
  scrollback: number;
  maxLinesPerSecond: number;
}

/** A log view, as commands and tests see it (the show commands return it). */
export interface LogViewHandle {
  readonly title: string;
  readonly kind: ViewOptions["kind"];
  readonly session: LogSession;
  /** The scrollback as plain text (what Save Logs writes). */
  text(): string;
  /** The session stopped (by the user, or it finished by itself). */
  readonly stopped: boolean;
  stop(): void;
  clear(): void;
  toggleTimestamps(): boolean;
  save(): Promise<vscode.Uri | undefined>;
  reveal(): void;
}

interface Output extends vscode.Disposable {
  write(text: string): void;
  clearScreen(): void;
  reveal(): void;
}

const KEYS_HINT = "keys: t timestamps · c clear · w save · s or Ctrl+C stop";

/** A running (or stopped) log view. */
export class LogView implements LogViewHandle, vscode.Disposable {
  readonly renderer: LogRenderer;
  readonly session: LogSession;
  private output: Output | undefined;
  private stoppedFlag = false;
  private tickTimer: NodeJS.Timeout | undefined;
  private sandboxOffered = false;
  private disposed = false;
  /** The terminal, for the registry (terminal views only). */
  terminal: vscode.Terminal | undefined;

  constructor(
    readonly title: string,
    makeSession: (sink: (entries: LogEntry[]) => void) => LogSession,
    private readonly o: ViewOptions,
    private readonly registry: LogViewRegistry,
    private readonly log: Log,
  ) {
    this.renderer = new LogRenderer({ ansi: o.kind === "terminal", timestamps: o.timestamps, highlight: o.highlight, scrollback: o.scrollback, maxLinesPerSecond: o.maxLinesPerSecond });
    this.session = makeSession((entries) => this.sink(entries));
    this.session.onFinish(() => this.ended());
  }

  get kind(): ViewOptions["kind"] {
    return this.o.kind;
  }

  get stopped(): boolean {
    return this.stoppedFlag;
  }

  /** Opens the view; the session starts when the view is ready (a terminal's `open`). */
  open(): void {
    if (this.o.kind === "terminal") this.output = this.openTerminal();
    else {
      this.output = this.openChannel();
      this.begin();
    }
  }

  /** The session's sink: render and write one batch. */
  private sink(entries: LogEntry[]): void {
    if (this.disposed) return;
    const text = this.renderer.render(entries);
    if (text) this.output?.write(text);
    for (const e of entries) if (e.kind === "notice" && e.code === "sandbox") this.offerDiagnosis(e);
  }

  private begin(): void {
    this.registry.changed();
    try {
      this.session.start();
    } catch (err) {
      this.log.error(`Log stream of ${this.title} failed to start`, err);
      this.output?.write(`Could not start: ${err instanceof Error ? err.message : String(err)}\n`);
      return;
    }
    if (this.o.maxLinesPerSecond > 0) {
      this.tickTimer = setInterval(() => {
        const t = this.renderer.tick();
        if (t) this.output?.write(t);
      }, 1000);
    }
  }

  private openTerminal(): Output {
    const write = new vscode.EventEmitter<string>();
    const close = new vscode.EventEmitter<void>();
    const pty: vscode.Pseudoterminal = {
      onDidWrite: write.event,
      onDidClose: close.event,
      open: () => {
        write.fire(`\u001b[2mSpinKube — ${this.session.describe()} (${KEYS_HINT})\u001b[0m\r\n`);
        this.begin();
      },
      close: () => {
        // The user closed the terminal.
        this.stop();
        this.dispose();
      },
      handleInput: (data) => this.key(data),
    };
    this.terminal = vscode.window.createTerminal({ name: this.title, pty, iconPath: new vscode.ThemeIcon("output"), isTransient: true });
    this.terminal.show(true);
    return {
      write: (t) => write.fire(t),
      clearScreen: () => write.fire("\u001b[2J\u001b[3J\u001b[H"),
      reveal: () => this.terminal?.show(true),
      dispose: () => {
        write.dispose();
        close.dispose();
      },
    };
  }

  private openChannel(): Output {
    const channel = vscode.window.createOutputChannel(this.title, { log: true });
    channel.show(true);
    return {
      // One call per batch: a firehose would otherwise cost a call per line.
      write: (t) => channel.append(t),
      clearScreen: () => channel.clear(),
      reveal: () => channel.show(true),
      dispose: () => channel.dispose(),
    };
  }

  private key(data: string): void {
    switch (data) {
      case "t":
        this.toggleTimestamps();
        break;
      case "c":
        this.clear();
        break;
      case "w":
        void this.save().catch((err: unknown) => this.log.error("Saving logs failed", err));
        break;
      case "s":
      case "\u0003":
        this.stop();
        break;
      default:
        break;
    }
  }

  private offerDiagnosis(n: LogNotice): void {
    if (this.sandboxOffered || !n.app) return;
    this.sandboxOffered = true;
    const app = n.app;
    void vscode.window.showErrorMessage(`SpinKube: pods of ${app.namespace}/${app.name} cannot start (their sandbox fails). See the log view for the cause.`, "Check Runtime Readiness").then((choice) => {
      if (choice) void vscode.commands.executeCommand(DiagnosisCommands.checkRuntimeReadiness, { kind: "spinApp", namespace: app.namespace, name: app.name, context: this.registry.contextOf(this) });
    });
  }

  private ended(): void {
    this.stoppedFlag = true;
    this.stopTick();
    this.registry.changed();
  }

  text(): string {
    return this.renderer.plainText();
  }

  stop(): void {
    if (this.stoppedFlag) return;
    this.session.stop();
    this.stoppedFlag = true;
    this.stopTick();
    const t = this.renderer.tick();
    this.output?.write(`${t}${this.o.kind === "terminal" ? "\u001b[2m── stopped (w saves the buffer)\u001b[0m\r\n" : "── stopped\n"}`);
    this.registry.changed();
  }

  clear(): void {
    this.renderer.clear();
    this.output?.clearScreen();
  }

  toggleTimestamps(): boolean {
    this.renderer.timestamps = !this.renderer.timestamps;
    const msg = `── timestamps ${this.renderer.timestamps ? "on" : "off"}`;
    this.output?.write(this.o.kind === "terminal" ? `\u001b[2m${msg}\u001b[0m\r\n` : `${msg}\n`);
    return this.renderer.timestamps;
  }

  async save(): Promise<vscode.Uri | undefined> {
    const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
    const base = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `${this.title.replace(/^Logs: /, "").replace(/[^\w.-]+/g, "_")}-${stamp}.log`;
    const uri = await vscode.window.showSaveDialog({ defaultUri: base ? vscode.Uri.joinPath(base, name) : undefined, filters: { Logs: ["log", "txt"] }, saveLabel: "Save Logs" });
    if (!uri) return undefined;
    await this.saveTo(uri);
    void vscode.window.showInformationMessage(`SpinKube: saved ${this.renderer.stored.toLocaleString("en-US")} log entries to ${uri.fsPath}.`);
    return uri;
  }

  /** Writes the scrollback to a file. */
  async saveTo(uri: vscode.Uri): Promise<void> {
    await writeFile(uri.fsPath, this.renderer.plainText(), "utf8");
  }

  reveal(): void {
    this.output?.reveal();
  }

  private stopTick(): void {
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.tickTimer = undefined;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.session.stop();
    this.stoppedFlag = true;
    this.stopTick();
    this.output?.dispose();
    this.output = undefined;
    this.registry.remove(this);
  }
}

/** The log views of the window: the palette commands act on the active (or latest) one. */
export class LogViewRegistry implements vscode.Disposable {
  private readonly views: { view: LogView; context: string }[] = [];
  private lastActive: LogView | undefined;

  add(view: LogView, context: string): void {
    this.views.push({ view, context });
    this.lastActive = view;
    this.changed();
  }

  remove(view: LogView): void {
    const i = this.views.findIndex((v) => v.view === view);
    if (i >= 0) this.views.splice(i, 1);
    if (this.lastActive === view) this.lastActive = this.views.at(-1)?.view;
    this.changed();
  }

  contextOf(view: LogView): string | undefined {
    return this.views.find((v) => v.view === view)?.context;
  }

  /** The view of the active terminal, else the one used last. */
  current(): LogView | undefined {
    const t = vscode.window.activeTerminal;
    const byTerminal = t ? this.views.find((v) => v.view.terminal === t)?.view : undefined;
    if (byTerminal) this.lastActive = byTerminal;
    return byTerminal ?? this.lastActive;
  }

  all(): LogView[] {
    return this.views.map((v) => v.view);
  }

  /** Updates `spinkube.logs.active` (a view is open). */
  changed(): void {
    void vscode.commands.executeCommand("setContext", LogsContextKeys.active, this.views.length > 0);
  }

  dispose(): void {
    for (const v of [...this.views]) v.view.dispose();
  }
}
