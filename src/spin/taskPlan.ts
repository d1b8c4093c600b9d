/**
 * What the `spin` tasks run, decided without VS Code (./taskProvider.ts turns each plan into a
 * vscode.Task): for every spin.toml a build and an up task, and a push task when a reference is
 * remembered for the app; each the spin binary with an argument array from ./spinArgs.ts, in the
 * app's folder, with the problem matchers of package.json. In an untrusted workspace there are no
 * tasks, not even a look for spin.toml files, and a tasks.json definition is not resolved either
 * (building runs commands the workspace defines). vscode-free.
 */
import path from "node:path";
import { SPIN_TASK_TYPE } from "../constants";
import { parseImageRef } from "./imageRef";
import { buildArgs, pushArgs, upArgs } from "./spinArgs";

/** The spin commands a task runs. */
export const SPIN_TASK_COMMANDS = ["build", "up", "push"] as const;
export type SpinTaskCommand = (typeof SPIN_TASK_COMMANDS)[number];

/** The `spin` task definition (package.json `taskDefinitions`). */
export interface SpinTaskDefinition {
  type: typeof SPIN_TASK_TYPE;
  command: SpinTaskCommand;
  /** spin.toml, relative to the workspace folder (or absolute). */
  manifest?: string;
  component?: string;
  /** `push`: the reference (default: the one remembered for the app). */
  reference?: string;
  /** `up`: the listen address. */
  listen?: string;
  [name: string]: unknown;
}

/**
 * Problem matchers per task command (package.json `problemMatchers`, plus VS Code's `$tsc`): the
 * compilers' errors. Spin's own `Error:` lines name no file, and VS Code drops a match without one.
 * VS Code resolves the matchers' relative paths against the task's workspace folder, not the
 * task's cwd (microsoft/vscode#58980), so they are given only to tasks of an app at the root of its
 * workspace folder: elsewhere they would put every error on a file that does not exist, and the
 * extension reads the build's output itself instead (`readsOwnProblems`).
 */
export const PROBLEM_MATCHERS: Record<SpinTaskCommand, string[]> = {
  build: ["$spin-rustc", "$tsc", "$spin-go"],
  push: [],
  up: [],
};

/** What planning needs to know besides the definition. */
export interface TaskContext {
  /** The spin binary ("spin" when it was not found, so that the task run reports it). */
  binary: string;
  /** `spinkube.spin.listen`, for `up`. */
  listen: string;
  /** The push reference remembered for a spin.toml (absolute path). */
  reference(manifest: string): string | undefined;
  /** Whether a registry is spoken to over plain HTTP (`spinkube.registry.insecureRegistries`). */
  insecure(registry: string): boolean;
}

/** One task, ready to become a vscode.Task with a ProcessExecution. */
export interface SpinTaskPlan {
  definition: SpinTaskDefinition;
  /** The label, e.g. `build hello (hello/spin.toml)`. */
  name: string;
  process: string;
  args: string[];
  /** The app's folder. */
  cwd: string;
  /** The app's spin.toml. */
  manifest: string;
  problemMatchers: string[];
  /**
   * Problems the extension reads from the output itself (as its Build command does): for a build,
   * spin's own `Error:` lines (no matcher can place them: they name no file), and for an app in a
   * subfolder of its workspace folder, where VS Code's matchers cannot place the compilers' paths,
   * the compilers' errors too. `none` for up and push.
   */
  readsOwnProblems: "none" | "spin" | "all";
  /** In the Build group. */
  build: boolean;
  /** A background task (spin up keeps running). */
  background: boolean;
  /** `spin <args>`, for the task picker. */
  detail: string;
}

/** Whether `def` is a spin task definition this extension runs. */
export function isSpinTaskDefinition(def: unknown): def is SpinTaskDefinition {
  const d = def as Partial<SpinTaskDefinition> | undefined;
  return d?.type === SPIN_TASK_TYPE && (SPIN_TASK_COMMANDS as readonly unknown[]).includes(d.command);
}

/** The plan of one definition in the workspace folder `folder` (absolute); undefined for a push with no reference. */
export function planSpinTask(def: SpinTaskDefinition, folder: string, ctx: TaskContext): SpinTaskPlan | undefined {
  const manifest = path.resolve(folder, def.manifest ?? "spin.toml");
  const cwd = path.dirname(manifest);
  const component = def.component ? [def.component] : undefined;
  const rel = path.relative(folder, manifest) || "spin.toml";
  let args: string[];
  let name: string;
  switch (def.command) {
    case "build":
      args = buildArgs({ manifest, componentIds: component });
      name = `build ${def.component ?? path.basename(cwd)}`;
      break;
    case "up":
      args = upArgs({ manifest, listen: def.listen ?? ctx.listen, componentIds: component });
      name = `up ${path.basename(cwd)}`;
      break;
    case "push": {
      const reference = def.reference ?? ctx.reference(manifest);
      if (!reference) return undefined;
      const ref = parseImageRef(reference);
      args = pushArgs({ manifest, reference, insecure: !!ref && ctx.insecure(ref.registry) });
      name = `push ${path.basename(cwd)} → ${reference}`;
      break;
    }
    default:
      return undefined;
  }
  return {
    definition: def,
    name: `${name} (${rel})`,
    process: ctx.binary,
    args,
    cwd,
    manifest,
    problemMatchers: cwd === path.resolve(folder) ? PROBLEM_MATCHERS[def.command] : [],
    readsOwnProblems: def.command !== "build" ? "none" : cwd === path.resolve(folder) ? "spin" : "all",
    build: def.command === "build",
    background: def.command === "up",
    detail: `spin ${args.map((a) => (a.includes(" ") ? JSON.stringify(a) : a)).join(" ")}`,
  };
}

/** A spin.toml of the workspace: its workspace folder (`F`, opaque here) and paths. */
export interface FoundManifest<F> {
  folder: F;
  /** The workspace folder's path. */
  folderPath: string;
  /** The spin.toml's path. */
  file: string;
}

/**
 * The tasks offered for the workspace: build, up and (with a reference) push per spin.toml, in
 * path order. Untrusted: none, and neither the files nor the context are looked up.
 */
export async function plannedTasks<F>(o: { trusted: boolean; manifests: () => Promise<FoundManifest<F>[]>; context: () => Promise<TaskContext> }): Promise<{ folder: F; plan: SpinTaskPlan }[]> {
  if (!o.trusted) return [];
  const found = [...(await o.manifests())].sort((a, b) => a.file.localeCompare(b.file));
  if (!found.length) return [];
  const ctx = await o.context();
  const out: { folder: F; plan: SpinTaskPlan }[] = [];
  for (const f of found) {
    const manifest = path.relative(f.folderPath, f.file);
    for (const command of SPIN_TASK_COMMANDS) {
      const plan = planSpinTask({ type: SPIN_TASK_TYPE, command, manifest }, f.folderPath, ctx);
      if (plan) out.push({ folder: f.folder, plan });
    }
  }
  return out;
}

/** The plan of a tasks.json definition; undefined when untrusted or not a spin task. */
export async function resolvedTask(def: unknown, o: { trusted: boolean; folderPath: string; context: () => Promise<TaskContext> }): Promise<SpinTaskPlan | undefined> {
  if (!o.trusted || !isSpinTaskDefinition(def)) return undefined;
  return planSpinTask(def, o.folderPath, await o.context());
}
