// The untrusted-workspace flow of the end-to-end harness (run.mjs): a code-server of its own whose
// profile has Workspace Trust on (the main one turns it off so the other flows meet no prompt), and
// a workspace VS Code has never trusted, so it opens in Restricted Mode. The workspace's settings
// point `spinkube.spin.path` at a script that leaves a mark when anything runs it, as a hostile
// repository could. The user opens spin.toml, finds building off with the reason, finds no way to
// start a build, then trusts the workspace from the lens and sees Build & Deploy offered.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { openFile, runCommand } from "./flows.mjs";

/** Settings that make the profile meet Workspace Trust as a user does (no startup modal: the banner says it). */
export const TRUST_SETTINGS = {
  "security.workspace.trust.enabled": true,
  "security.workspace.trust.startupPrompt": "never",
  "security.workspace.trust.banner": "always",
};

/** Puts the hostile `spin` and the setting pointing at it into `workspace`; returns the mark's path. */
export function plantHostileSpin(workspace) {
  const mark = path.join(workspace, "spin-ran");
  const script = path.join(workspace, "tools", "spin");
  mkdirSync(path.dirname(script), { recursive: true });
  writeFileSync(script, `#!/bin/sh\necho "$@" >> "${mark}"\necho "spin 3.6.0 (stand-in that must never run)"\n`);
  chmodSync(script, 0o755);
  mkdirSync(path.join(workspace, ".vscode"), { recursive: true });
  writeFileSync(path.join(workspace, ".vscode", "settings.json"), JSON.stringify({ "spinkube.spin.path": script }, null, 2));
  // Tasks run commands too: one that would leave the same mark.
  writeFileSync(
    path.join(workspace, ".vscode", "tasks.json"),
    JSON.stringify({ version: "2.0.0", tasks: [{ type: "spin", command: "build", manifest: "hello-js/spin.toml", label: "spin: build hello-js" }] }, null, 2),
  );
  return mark;
}

export const restrictedFlow = {
  id: "restricted-mode",
  name: "in an untrusted workspace building is off with the reason, nothing runs spin, and trusting it turns Build & Deploy on",
  async run(page, { shot, mark }) {
    // Restricted Mode, as VS Code shows it.
    await page.locator(".part.statusbar", { hasText: "Restricted Mode" }).waitFor({ state: "visible", timeout: 30_000 });
    const editor = await openFile(page, "hello-js/spin.toml");
    const lens = editor.locator(".codelens-decoration a", { hasText: "Build & Deploy are off in Restricted Mode" });
    await lens.waitFor({ state: "visible", timeout: 30_000 });
    if ((await editor.locator(".codelens-decoration a", { hasText: /^\s*Build & Deploy$/ }).count()) !== 0) throw new Error("the Build & Deploy lens is offered in Restricted Mode");
    // The editor's rocket button is not there either.
    if (await page.locator('.editor-actions .action-label[aria-label^="SpinKube: Build & Deploy"]').isVisible()) throw new Error("the editor offers Build & Deploy in Restricted Mode");
    // The palette does not offer the gated commands (their enablement is isWorkspaceTrusted) while
    // it does offer the ones that stay, like Show Spin Output.
    await page.keyboard.press("F1");
    const input = page.locator(".quick-input-widget .quick-input-box input");
    await input.waitFor({ state: "visible" });
    const rows = page.locator(".quick-input-widget .quick-input-list .monaco-list-row");
    await input.fill(">SpinKube: Show Spin Output");
    await rows.filter({ hasText: "Show Spin Output" }).first().waitFor({ state: "visible" });
    await input.fill(">SpinKube: Build & Deploy");
    // The list has been filtered anew once the previous match is gone.
    await rows.filter({ hasText: "Show Spin Output" }).first().waitFor({ state: "hidden" });
    const offered = await rows.filter({ hasText: /^SpinKube: Build & Deploy/ }).count();
    await page.keyboard.press("Escape");
    await page.locator(".quick-input-widget").waitFor({ state: "hidden" });
    await page.screenshot({ path: shot });
    if (offered) throw new Error("the command palette offers Build & Deploy in Restricted Mode");
    // A `spin` task from tasks.json: VS Code's task system asks for trust before running anything.
    await page.keyboard.press("F1");
    await input.fill(">Tasks: Run Build Task");
    await page.locator(".quick-input-widget .quick-input-list .monaco-list-row", { hasText: "Tasks: Run Build Task" }).first().click();
    const trustPrompt = page.locator(".monaco-dialog-box", { hasText: /trust/i });
    await trustPrompt.waitFor({ state: "visible" });
    await trustPrompt.locator(".monaco-button", { hasText: /^Cancel$/ }).click();
    await trustPrompt.waitFor({ state: "hidden" });
    if (existsSync(mark)) throw new Error("the workspace's spin ran in Restricted Mode");
    // Trusting the workspace from the lens turns Build & Deploy on, without a reload.
    await lens.click();
    const trustButton = page.locator(".workspace-trust-editor .monaco-button", { hasText: /^Trust$/ }).first();
    await trustButton.waitFor({ state: "visible" });
    await trustButton.click();
    await runCommand(page, "View: Close All Editors");
    const trusted = await openFile(page, "hello-js/spin.toml");
    await trusted.locator(".codelens-decoration a", { hasText: /Build & Deploy$/ }).first().waitFor({ state: "visible", timeout: 30_000 });
  },
};
