/**
 * The `spin` task type in VS Code: the plans of ./taskPlan.ts (build / up / push tasks for every
 * spin.toml, none in an untrusted workspace) as tasks, each a ProcessExecution of the spin binary
 * with an argument array (./spinArgs.ts) in the app's folder.
 * VS Code runs it in a task terminal and feeds the terminal's lines (colour codes already rendered
 * away by the terminal) to the problem matchers: `$tsc` and the extension's `$spin-rustc`,
 * `$spin-go`, `$spin-toml` and `$spin` (package.json). VS Code resolves a matcher's relative paths
 * against the task's workspace folder, never its cwd (microsoft/vscode#58980), while compilers
 * print paths relative to the app's folder: errors land on the right file for an app at the root
 * of a workspace folder; for an app in a subfolder, the README shows the tasks.json
 * `fileLocation` that fixes it. The process gets the terminal's environment plus nothing of ours:
 * no NO_COLOR (with it, cargo erases its progress bar with a bare carriage return and the bar's
 * tail stays in the error line a matcher reads).
 */
import * as vscode from "vscode";
import { SPIN_TASK_TYPE } from "../constants";
import type { AppStore, SpinSettings } from "./appState";
import { isInsecure } from "./appState";
import type { SpinTaskPlan, TaskContext } from "./taskPlan";
import { plannedTasks, resolvedTask } from "./taskPlan";

/** Dependencies of the provider. */
export interface TaskDeps {
  settings(): SpinSettings;
  /** The spin binary (located lazily; "spin" when not found, so the task reports it). */
  spinBinary(): Promise<string>;
  store: AppStore;
}

/** A plan as a vscode.Task (`definition` is the object VS Code gave, when resolving one). */
function toTask(plan: SpinTaskPlan, folder: vscode.WorkspaceFolder, definition: vscode.TaskDefinition = plan.definition, name = plan.name): vscode.Task {
  const task = new vscode.Task(definition, folder, name, SPIN_TASK_TYPE, new vscode.ProcessExecution(plan.process, plan.args, { cwd: plan.cwd }), plan.problemMatchers);
  if (plan.build) task.group = vscode.TaskGroup.Build;
  task.isBackground = plan.background;
  task.detail = plan.detail;
  return task;
}

/** The task provider. */
export class SpinTaskProvider implements vscode.TaskProvider {
  constructor(private readonly deps: TaskDeps) {}

  private async context(): Promise<TaskContext> {
    const settings = this.deps.settings();
    return {
      binary: await this.deps.spinBinary(),
      listen: settings.listen,
      reference: (manifest) => this.deps.store.get(manifest).reference,
      insecure: (registry) => isInsecure(settings, registry),
    };
  }

  async provideTasks(token: vscode.CancellationToken): Promise<vscode.Task[]> {
    const planned = await plannedTasks({
      trusted: vscode.workspace.isTrusted,
      manifests: async () => {
        const files = await vscode.workspace.findFiles("**/spin.toml", "**/{node_modules,target,.git}/**", 200, token);
        return files.flatMap((f) => {
          const folder = vscode.workspace.getWorkspaceFolder(f);
          return folder ? [{ folder, folderPath: folder.uri.fsPath, file: f.fsPath }] : [];
        });
      },
      context: () => this.context(),
    });
    return planned.map(({ folder, plan }) => toTask(plan, folder));
  }

  async resolveTask(task: vscode.Task): Promise<vscode.Task | undefined> {
    const folder = typeof task.scope === "object" && task.scope && "uri" in task.scope ? task.scope : vscode.workspace.workspaceFolders?.[0];
    if (!folder) return undefined;
    const plan = await resolvedTask(task.definition, { trusted: vscode.workspace.isTrusted, folderPath: folder.uri.fsPath, context: () => this.context() });
    // VS Code requires the resolved task to keep the original definition object.
    return plan && toTask(plan, folder, task.definition, task.name);
  }
}
