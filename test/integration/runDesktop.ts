/**
 * `npm run test:desktop`: the same in-host suites in VS Code desktop through @vscode/test-electron,
 * for machines that can download VS Code (this project's CI machines cannot; there the suites run
 * in code-server through test/e2e/run.mjs). Runs on the minimum supported engine (package.json
 * `engines.vscode`) unless VSCODE_VERSION names another ("stable", "insiders" or a version), or
 * VSCODE_EXECUTABLE points at an installed VS Code. Opens a copy of the sample workspace with every
 * other extension disabled.
 */
import { runTests } from "@vscode/test-electron";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

async function main(): Promise<void> {
  const root = path.resolve(__dirname, "..", "..", "..");
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { engines: { vscode: string } };
  const minimum = pkg.engines.vscode.replace(/^[\^~>=]+/, "");
  const tmp = mkdtempSync(path.join(os.tmpdir(), "spinkube-desktop-"));
  const workspace = path.join(tmp, "workspace");
  cpSync(path.join(root, "test", "fixtures", "workspace"), workspace, { recursive: true });
  try {
    const code = await runTests({
      version: process.env.VSCODE_VERSION ?? minimum,
      vscodeExecutablePath: process.env.VSCODE_EXECUTABLE,
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(__dirname, "index.js"),
      launchArgs: [workspace, "--disable-extensions", "--disable-workspace-trust", "--skip-welcome", "--skip-release-notes", "--user-data-dir", path.join(tmp, "user-data")],
    });
    process.exitCode = code;
  } catch (err) {
    console.error(`Desktop tests failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

void main();
