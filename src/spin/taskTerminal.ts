/**
 * The task terminal of a provided `spin build` task. spin runs as a ProcessExecution would — the
 * same argument array, in the app's folder, no shell — but from the extension host (so with its
 * environment); its output is shown as it arrives, so VS Code's problem matchers read it as from
 * any task terminal, and when it ends the output goes to `finished`, which reads what no matcher
 * can place as the Build command does (./problems.ts): spin's own `Error:` lines (on spin.toml),
 * and for an app in a subfolder of its workspace folder — where matchers resolve the compilers'
 * paths against the folder, never the task's cwd (microsoft/vscode#58980) — the compilers' errors
 * too. Closing the terminal (or Terminate Task) ends spin's whole process tree.
 */
import * as vscode from "vscode";
import { startProcess } from "./process";
import type { SpinTaskPlan } from "./taskPlan";

/** What a finished run reports: the app's spin.toml, everything spin printed, and which problems to read from it. */
export type TaskRunFinished = (manifest: string, output: string, read: "spin" | "all") => void | Promise<void>;

export class SpinTaskTerminal implements vscode.Pseudoterminal {
  private readonly writer = new vscode.EventEmitter<string>();
  private readonly closer = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writer.event;
  readonly onDidClose = this.closer.event;
  private readonly abort = new AbortController();

  constructor(
    private readonly plan: SpinTaskPlan,
    private readonly finished: TaskRunFinished,
  ) {}

  open(): void {
    const { plan } = this;
    let output = "";
    this.writer.fire(`> ${plan.detail}\r\n`);
    const run = startProcess(plan.process, plan.args, {
      cwd: plan.cwd,
      signal: this.abort.signal,
      onLine: (_stream, line) => {
        output += `${line}\n`;
        this.writer.fire(`${line}\r\n`);
      },
    });
    void run.done.then(async (r) => {
      if (r.spawnError) this.writer.fire(`spin could not be started (${r.spawnError.code ?? r.spawnError.message}): set spinkube.spin.path or install Spin.\r\n`);
      try {
        if (!r.cancelled && plan.readsOwnProblems !== "none") await this.finished(plan.manifest, output, plan.readsOwnProblems);
      } finally {
        this.closer.fire(r.code ?? 1);
      }
    });
  }

  close(): void {
    this.abort.abort();
  }
}
