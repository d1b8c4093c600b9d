/**
 * CodeLenses of the toolchain: on spin.toml (Build & Deploy, Build, Run Locally / Stop, Push, and
 * "cluster runs an older build" when the stale check says so), and on the SpinApp manifest an app
 * deploys from ("cluster runs an older build" / "cluster runs the last pushed build"). In an
 * untrusted workspace the spin.toml lens says why building is off instead.
 */
import path from "node:path";
import * as vscode from "vscode";
import { SpinCommands } from "../constants";
import type { AppStore, SpinSettings } from "./appState";
import type { LocalRuns } from "./localRun";
import type { StaleTracker } from "./stale";

const TRUST_COMMAND = "workbench.trust.manage";

/** Dependencies of the provider. */
export interface LensDeps {
  settings(): SpinSettings;
  store: AppStore;
  stale: StaleTracker;
  runs: LocalRuns;
}

/** CodeLens provider for spin.toml and SpinApp manifests. */
export class SpinCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;

  constructor(private readonly deps: LensDeps) {}

  /** Asks VS Code to ask again (state changed). */
  refresh(): void {
    this.emitter.fire();
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.deps.settings().codeLens) return [];
    const top = new vscode.Range(0, 0, 0, 0);
    if (path.basename(doc.uri.fsPath) === "spin.toml") {
      if (!vscode.workspace.isTrusted) {
        return [new vscode.CodeLens(top, { title: "$(shield) Build & Deploy are off in Restricted Mode: trust this workspace to run spin.toml's build commands", command: TRUST_COMMAND })];
      }
      const arg = [doc.uri];
      const running = this.deps.runs.list().some((s) => s.app.file === doc.uri.fsPath);
      const lenses = [
        new vscode.CodeLens(top, { title: "$(rocket) Build & Deploy", command: SpinCommands.buildAndDeploy, arguments: arg }),
        new vscode.CodeLens(top, { title: "$(tools) Build", command: SpinCommands.build, arguments: arg }),
        running ? new vscode.CodeLens(top, { title: "$(debug-stop) Stop", command: SpinCommands.stop, arguments: arg }) : new vscode.CodeLens(top, { title: "$(play) Run Locally", command: SpinCommands.up, arguments: arg }),
        new vscode.CodeLens(top, { title: "$(cloud-upload) Push", command: SpinCommands.push, arguments: arg }),
      ];
      const verdict = this.deps.stale.get(doc.uri.fsPath);
      if (verdict?.state === "stale") lenses.push(new vscode.CodeLens(top, { title: "$(warning) Cluster runs an older build", tooltip: verdict.message, command: SpinCommands.buildAndDeploy, arguments: arg }));
      return lenses;
    }
    // A SpinApp manifest some app deploys from.
    for (const [manifest, mem] of this.deps.store.entries()) {
      if (!mem.target) continue;
      const file = path.join(path.dirname(manifest), this.deps.settings().manifestFile);
      if (file !== doc.uri.fsPath) continue;
      const verdict = this.deps.stale.get(manifest);
      const line = Math.max(0, doc.getText().split("\n").findIndex((l) => /^kind:\s*SpinApp\s*$/.test(l)));
      const at = new vscode.Range(line, 0, line, 0);
      if (verdict?.state === "stale") return [new vscode.CodeLens(at, { title: `$(warning) ${mem.target.context}/${mem.target.namespace} runs an older build: Build & Deploy`, tooltip: verdict.message, command: SpinCommands.buildAndDeploy, arguments: [vscode.Uri.file(manifest)] })];
      if (verdict?.state === "current") return [new vscode.CodeLens(at, { title: `$(check) ${mem.target.context}/${mem.target.namespace} runs the last pushed build`, command: SpinCommands.checkDeployedBuild, arguments: [vscode.Uri.file(manifest)] })];
    }
    return [];
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
