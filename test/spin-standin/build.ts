// `spin build` of the stand-in: runs the manifest's real build commands through `sh -c` in the
// manifest folder (or build.workdir), with the child's output passed straight through, printing
// the progress lines of SPIN crates/build/src/lib.rs as FACTS.md (c) quotes them, and failing with
// `Build command for component <id> failed with status Exited(<code>)`. The build commands run in
// the stand-in's own process group, so a caller that kills the group stops them too.

import { spawn } from "node:child_process";
import path from "node:path";
import type { App } from "./app";
import { SpinError } from "./app";

/** Builds the app (only `componentIds` when given). */
export async function buildApp(app: App, componentIds: string[]): Promise<void> {
  if (componentIds.length) {
    const unknown = componentIds.filter((id) => !app.components.some((c) => c.id === id));
    if (unknown.length) throw new SpinError(`Unknown component(s) ${unknown.join(", ")}`);
  }
  const selected = app.components.filter((c) => !componentIds.length || componentIds.includes(c.id));
  const withBuild = selected.filter((c) => c.build.length);
  if (!withBuild.length) {
    process.stdout.write("None of the components have a build command.\nFor information on specifying a build command, see https://spinframework.dev/build#setting-up-for-spin-build.\n");
    return;
  }
  for (const c of withBuild) {
    if (c.workdir && path.isAbsolute(c.workdir)) throw new SpinError("The workdir specified in the application file must be relative.");
    const cwd = c.workdir ? path.resolve(app.dir, c.workdir) : app.dir;
    if (c.build.length === 1) process.stdout.write(`Building component ${c.id} with \`${c.build[0]}\`\n`);
    else process.stdout.write(`Building component ${c.id} (${c.build.length} commands)\n`);
    if (c.workdir) process.stdout.write(`Working directory: ${JSON.stringify(cwd)}\n`);
    for (const [i, command] of c.build.entries()) {
      if (c.build.length > 1) process.stdout.write(`Running build step ${i + 1}/${c.build.length} for component ${c.id} with '${command}'\n`);
      const status = await new Promise<string>((resolve) => {
        const child = spawn("sh", ["-c", command], { cwd, stdio: "inherit" });
        child.on("error", (e) => resolve(`Error(${e.message})`));
        child.on("exit", (code, sig) => resolve(code === 0 ? "ok" : sig ? `Signaled(${sig})` : `Exited(${code})`));
      });
      if (status !== "ok") throw new SpinError(`Build command for component ${c.id} failed with status ${status}`);
    }
  }
  process.stdout.write("Finished building all Spin components\n");
}
