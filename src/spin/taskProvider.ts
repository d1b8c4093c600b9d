/**
 * The `spin` task type: build / up / push tasks for every spin.toml of the workspace, each a
 * ProcessExecution of the spin binary with an argument array (./spinArgs.ts) in the app's folder.
 * VS Code runs it in a task terminal and feeds the terminal's lines (colour codes already rendered
 * away by the terminal) to the problem matchers: `$tsc` and the extension's `$spin-rustc`,
 * `$spin-go`, `$spin-toml` and `$spin` (package.json). VS Code resolves a matcher's relative paths
 * against the task's workspace folder, never its cwd (microsoft/vscode#58980), while compilers
 * print paths relative to the app's folder: errors land on the right file for an app at the root
 * of a workspace folder; for an app in a subfolder, the README shows the tasks.json
 * `fileLocation` that fixes it. The process gets the terminal's environment plus nothing of ours:
 * no NO_COLOR (with it, cargo erases its progress bar with a bare carriage return and the bar's
 * tail stays in the error line a matcher reads). In an untrusted workspace no task is provided
 * or resolved (VS Code does not run tasks there either).
 */
import path from "node:path";
import * as vscode from "vscode";
import { SPIN_TASK_TYPE } from "../constants";
import type { AppStore, SpinSettings } from "./appState";
import { isInsecure } from "./appState";
import { parseImageRef } from "./imageRef";
import { buildArgs, pushArgs, upArgs } from "./spinArgs";

/** The `spin` task definition (package.json `taskDefinitions`). */
export interface SpinTaskDefinition extends vscode.TaskDefinition {
  type: typeof SPIN_TASK_TYPE;
  command: "build" | "up" | "push";
  /** spin.toml, relative to the workspace folder (or absolute). */
  manifest?: string;
  component?: string;
  /** `push`: the reference (default: the one remembered for the app). */
  reference?: string;
  /** `up`: the listen address. */
  listen?: string;
}

/** Problem matchers per task command. */
export const PROBLEM_MATCHERS: Record<SpinTaskDefinition["command"], string[]> = {
  build: ["$spin-rustc", "$tsc", "$spin-go", "$spin-toml", "$spin"],
  push: ["$spin-toml", "$spin"],
  up: ["$spin-toml", "$spin"],
};

/** Dependencies of the provider. */
export interface TaskDeps {
  settings(): SpinSettings;
  /** The spin binary (located lazily; "spin" when not found, so the task reports it). */
  spinBinary(): Promise<string>;
  store: AppStore;
}

/** Builds the task for a definition in a workspace folder. */
export function spinTask(def: SpinTaskDefinition, folder: vscode.WorkspaceFolder, binary: string, deps: TaskDeps): vscode.Task | undefined {
  const manifest = path.resolve(folder.uri.fsPath, def.manifest ?? "spin.toml");
  const cwd = path.dirname(manifest);
  const component = def.component ? [def.component] : undefined;
  const rel = path.relative(folder.uri.fsPath, manifest) || "spin.toml";
  let args: string[];
  let name: string;
  switch (def.command) {
    case "build":
      args = buildArgs({ manifest, componentIds: component });
      name = `build ${def.component ?? path.basename(cwd)}`;
      break;
    case "up":
      args = upArgs({ manifest, listen: def.listen ?? deps.settings().listen, componentIds: component });
      name = `up ${path.basename(cwd)}`;
      break;
    case "push": {
      const reference = def.reference ?? deps.store.get(manifest).reference;
      if (!reference) return undefined;
      const ref = parseImageRef(reference);
      args = pushArgs({ manifest, reference, insecure: !!ref && isInsecure(deps.settings(), ref.registry) });
      name = `push ${path.basename(cwd)} → ${reference}`;
      break;
    }
    default:
      return undefined;
  }
  const task = new vscode.Task(def, folder, `${name} (${rel})`, SPIN_TASK_TYPE, new vscode.ProcessExecution(binary, args, { cwd }), PROBLEM_MATCHERS[def.command]);
  if (def.command === "build") task.group = vscode.TaskGroup.Build;
  if (def.command === "up") task.isBackground = true;
  task.detail = `spin ${args.map((a) => (a.includes(" ") ? JSON.stringify(a) : a)).join(" ")}`;
  return task;
}

/** The task provider. */
export class SpinTaskProvider implements vscode.TaskProvider {
  constructor(private readonly deps: TaskDeps) {}

  async provideTasks(token: vscode.CancellationToken): Promise<vscode.Task[]> {
    if (!vscode.workspace.isTrusted) return [];
    const files = await vscode.workspace.findFiles("**/spin.toml", "**/{node_modules,target,.git}/**", 200, token);
    const binary = await this.deps.spinBinary();
    const tasks: vscode.Task[] = [];
    for (const f of files.sort((a, b) => a.fsPath.localeCompare(b.fsPath))) {
      const folder = vscode.workspace.getWorkspaceFolder(f);
      if (!folder) continue;
      const manifest = path.relative(folder.uri.fsPath, f.fsPath);
      for (const command of ["build", "up", "push"] as const) {
        const t = spinTask({ type: SPIN_TASK_TYPE, command, manifest }, folder, binary, this.deps);
        if (t) tasks.push(t);
      }
    }
    return tasks;
  }

  async resolveTask(task: vscode.Task): Promise<vscode.Task | undefined> {
    if (!vscode.workspace.isTrusted) return undefined;
    const def = task.definition as SpinTaskDefinition;
    if (def.type !== SPIN_TASK_TYPE || !["build", "up", "push"].includes(def.command)) return undefined;
    const folder = typeof task.scope === "object" && task.scope && "uri" in task.scope ? task.scope : vscode.workspace.workspaceFolders?.[0];
    if (!folder) return undefined;
    const t = spinTask(def, folder, await this.deps.spinBinary(), this.deps);
    if (!t) return undefined;
    // VS Code requires the resolved task to keep the original definition object.
    return new vscode.Task(def, folder, task.name, SPIN_TASK_TYPE, t.execution, t.problemMatchers);
  }
}
