/**
 * The `spin` task type in VS Code: the plans of ./taskPlan.ts (build / up / push tasks for every
 * spin.toml, none in an untrusted workspace) as tasks running the spin binary with an argument
 * array (./spinArgs.ts) in the app's folder. Up and push tasks, and tasks.json tasks, are a
 * ProcessExecution (the task terminal's environment); a provided build task runs in
 * ./taskTerminal.ts (the extension host's environment), whose output VS Code's problem matchers
 * read as any task terminal's — `$tsc` and the extension's `$spin-rustc` and `$spin-go`
 * (package.json) — and which reads the rest itself: spin's own `Error:` lines (they name no file,
 * so no matcher can place them) and, for an app in a subfolder, the compilers' errors (VS Code
 * resolves a matcher's relative paths against the workspace folder, never the task's cwd:
 * microsoft/vscode#58980; such tasks get no matcher). Nothing of ours enters spin's environment:
 * no NO_COLOR (with it, cargo erases its progress bar with a bare carriage return and the bar's
 * tail stays in the error line a matcher reads).
 */
import * as vscode from "vscode";
import { SPIN_TASK_TYPE } from "../constants";
import type { AppStore, SpinSettings } from "./appState";
import { isInsecure } from "./appState";
import type { SpinTaskPlan, TaskContext } from "./taskPlan";
import { plannedTasks, resolvedTask } from "./taskPlan";
import type { TaskRunFinished } from "./taskTerminal";
import { SpinTaskTerminal } from "./taskTerminal";

/** Dependencies of the provider. */
export interface TaskDeps {
  settings(): SpinSettings;
  /** The spin binary (located lazily; "spin" when not found, so the task reports it). */
  spinBinary(): Promise<string>;
  store: AppStore;
  /** Reads a finished build's output for Problems (the provided build task of an app in a subfolder). */
  buildFinished: TaskRunFinished;
}

/**
 * A plan as a vscode.Task (`definition` is the object VS Code gave, when resolving one). With
 * `finished`, a plan that reads its own problems runs in a SpinTaskTerminal.
 */
function toTask(plan: SpinTaskPlan, folder: vscode.WorkspaceFolder, finished?: TaskRunFinished, definition: vscode.TaskDefinition = plan.definition, name = plan.name): vscode.Task {
  const execution =
    finished && plan.readsOwnProblems !== "none"
      ? new vscode.CustomExecution(async () => new SpinTaskTerminal(plan, finished))
      : new vscode.ProcessExecution(plan.process, plan.args, { cwd: plan.cwd });
  const task = new vscode.Task(definition, folder, name, SPIN_TASK_TYPE, execution, plan.problemMatchers);
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
    return planned.map(({ folder, plan }) => toTask(plan, folder, this.deps.buildFinished));
  }

  async resolveTask(task: vscode.Task): Promise<vscode.Task | undefined> {
    const folder = typeof task.scope === "object" && task.scope && "uri" in task.scope ? task.scope : vscode.workspace.workspaceFolders?.[0];
    if (!folder) return undefined;
    const plan = await resolvedTask(task.definition, { trusted: vscode.workspace.isTrusted, folderPath: folder.uri.fsPath, context: () => this.context() });
    // VS Code requires the resolved task to keep the original definition object.
    return plan && toTask(plan, folder, undefined, task.definition, task.name);
  }
}
