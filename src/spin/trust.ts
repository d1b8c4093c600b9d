/**
 * Workspace Trust for the spin toolchain: which commands run code the workspace defines (spin.toml
 * build commands, the spin binary a workspace setting may point at, manifests applied to a cluster)
 * and the one message a refused command shows in Restricted Mode. package.json repeats the list as
 * `enablement: isWorkspaceTrusted` so the commands are also greyed out there; the unit tests keep the
 * two in step. vscode-free.
 */
import { SpinCommands } from "../constants";
import { fail, ok } from "./result";
import type { Result } from "./result";

/** Commands refused in untrusted workspaces, with what they do (for the message). */
export const TRUST_GATED: Readonly<Record<string, string>> = {
  [SpinCommands.build]: "Building",
  [SpinCommands.up]: "Running the app locally",
  [SpinCommands.push]: "Pushing",
  [SpinCommands.scaffold]: "Scaffolding",
  [SpinCommands.deploy]: "Deploying",
  [SpinCommands.buildAndDeploy]: "Build & Deploy",
  [SpinCommands.installKubePlugin]: "Installing the kube plugin",
};

/** Whether a gated command may run; the refusal names why and what to do. */
export function mayRun(command: string, isTrusted: boolean): Result<void> {
  const what = TRUST_GATED[command];
  if (isTrusted || !what) return ok(undefined);
  return fail("untrusted", `${what} runs commands defined by this workspace (spin.toml build commands, spin from the workspace's settings), so it is disabled in Restricted Mode: trust the workspace to use it.`);
}
