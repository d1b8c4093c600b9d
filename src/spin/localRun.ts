/**
 * Run Locally: one `spin up` per app, started in the app's folder with its output in the Spin log,
 * `Serving http://…` and the route list parsed as they stream (complete once every public HTTP
 * route of spin.toml is listed), an offer to open a route, a status bar item while it runs, and a
 * clean stop (the whole process tree) on command, on a second start, or when the extension ends.
 * A busy port is retried once with `--find-free-port` where the Spin version has it.
 */
import * as vscode from "vscode";
import { SpinCommands } from "../constants";
import type { SpinManifest } from "./manifest";
import type { RunningProcess } from "./process";
import type { SpinCli } from "./spinCli";
import { upArgs } from "./spinArgs";
import type { Serving, SpinVersion } from "./spinOutput";
import { MIN_SPIN_FOR_FIND_FREE_PORT, ServingParser, compareVersions, parseErrorBlock, parsePortInUse } from "./spinOutput";
import type { SpinLog } from "./spinLog";

/** A running app. */
export interface LocalSession {
  app: SpinManifest;
  process: RunningProcess;
  serving?: Serving;
}

/** The running `spin up` sessions. */
export class LocalRuns implements vscode.Disposable {
  private readonly sessions = new Map<string, LocalSession>();
  private readonly status = vscode.window.createStatusBarItem("spinkube.spinUp", vscode.StatusBarAlignment.Left, 10);

  constructor(private readonly log: SpinLog) {
    this.status.name = "Spin: running app";
  }

  /** The session of an app, if running. */
  get(app: SpinManifest): LocalSession | undefined {
    return this.sessions.get(app.file);
  }

  list(): LocalSession[] {
    return [...this.sessions.values()];
  }

  private paint(): void {
    const list = this.list();
    if (!list.length) {
      this.status.hide();
      return;
    }
    const names = list.map((s) => s.app.name).join(", ");
    this.status.text = `$(debug-stop) spin up: ${names}`;
    this.status.tooltip = `${list.map((s) => `${s.app.name}: ${s.serving?.baseUrl ?? "starting"}`).join("\n")}\nClick to stop.`;
    this.status.command = SpinCommands.stop;
    this.status.show();
  }

  /**
   * Starts `spin up` and resolves once spin announced every route (or failed). The result says
   * what is served; `undefined` serving means spin ended before serving.
   */
  async start(cli: SpinCli, version: SpinVersion, app: SpinManifest, listen: string, findFreePort = false): Promise<{ serving?: Serving; error?: string }> {
    await this.stop(app);
    const parser = new ServingParser();
    const expected = app.httpRoutes.filter((r) => !r.private).length;
    let announce: (s: Serving | undefined) => void = () => undefined;
    const announced = new Promise<Serving | undefined>((resolve) => (announce = resolve));
    this.log.info(`spin up ${app.name} (${app.file}) on ${listen}`);
    const proc = cli.start(upArgs({ manifest: app.file, listen, findFreePort }), {
      cwd: app.dir,
      onLine: (stream, line) => {
        this.log.output(stream, line);
        if (stream === "stdout" && parser.feed(line)) {
          const s = parser.serving;
          const session = this.sessions.get(app.file);
          if (session && s) session.serving = s;
          if (s && s.routes.length >= Math.max(1, expected)) announce(s);
          this.paint();
        }
      },
    });
    const session: LocalSession = { app, process: proc };
    this.sessions.set(app.file, session);
    this.paint();
    void proc.done.then((r) => {
      if (this.sessions.get(app.file) === session) this.sessions.delete(app.file);
      this.paint();
      announce(undefined);
      this.log.info(`spin up ${app.name} ended (${r.cancelled ? "stopped" : `exit ${r.code ?? r.signal}`})`);
    });
    const serving = await announced;
    if (serving) return { serving };
    const r = await proc.done;
    const busy = parsePortInUse(r.stderr);
    if (busy && !findFreePort && compareVersions(version, MIN_SPIN_FOR_FIND_FREE_PORT) >= 0) {
      this.log.info(`${busy} is in use: retrying with --find-free-port`);
      return this.start(cli, version, app, listen, true);
    }
    if (busy) return { error: `${busy} is already in use: stop what listens there or change spinkube.spin.listen.` };
    const err = parseErrorBlock(r.stderr);
    return { error: err ? [err.message, ...err.causes].join(": ") : `spin up ended (exit ${r.code ?? r.signal}) before serving` };
  }

  /** Stops an app (or every app). */
  async stop(app?: SpinManifest): Promise<number> {
    const targets = app ? [this.sessions.get(app.file)].filter((s): s is LocalSession => !!s) : this.list();
    await Promise.all(targets.map((s) => s.process.stop()));
    for (const s of targets) this.sessions.delete(s.app.file);
    this.paint();
    return targets.length;
  }

  dispose(): void {
    void this.stop();
    this.status.dispose();
  }
}
