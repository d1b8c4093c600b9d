// UI flows for the end-to-end harness (run.mjs): what a user does in the VS Code workbench, driven
// with playwright-core in Chromium, each ending with a screenshot that shows the result. Each flow
// starts from the workbench with no editor open and leaves it that way. Waits are on the DOM
// (bounded by Playwright's timeouts), never fixed sleeps. Add a flow per user-visible capability.
//
// Selectors are VS Code 1.100's own class names (monaco-workbench, quick-input-widget,
// suggest-widget, action-widget, squiggly-*); see src/vs/workbench in microsoft/vscode at 1.100.

/** The workbench URL that opens `folder`. */
export function workbenchUrl(base, folder) {
  return `${base}/?folder=${encodeURIComponent(folder)}`;
}

/** Waits until the workbench has rendered its parts and the explorer shows the folder. */
export async function waitForWorkbench(page) {
  await page.locator(".monaco-workbench .part.activitybar").waitFor({ timeout: 60_000 });
  await page.locator(".monaco-workbench .part.statusbar").waitFor({ timeout: 60_000 });
  // The file explorer lists the sample workspace once the remote file system answers.
  await page.locator(".explorer-folders-view .monaco-list-row").first().waitFor({ timeout: 60_000 });
}

const mod = "Control";

/** Runs a command by its palette title (F1, type, Enter on the exact entry). */
export async function runCommand(page, title) {
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget .quick-input-box input");
  await input.waitFor({ state: "visible" });
  await input.fill(`>${title}`);
  // Rows are labelled "<title>" or "<title>, recently used".
  const t = JSON.stringify(title);
  const prefix = JSON.stringify(`${title}, `);
  const row = page.locator(`.quick-input-widget .quick-input-list .monaco-list-row:is([aria-label=${t}], [aria-label^=${prefix}])`);
  await row.waitFor({ state: "visible" });
  await row.click();
  await page.locator(".quick-input-widget").waitFor({ state: "hidden" });
}

/** Opens a workspace file with Quick Open and waits for its editor to be active. */
export async function openFile(page, relativePath) {
  const name = relativePath.split("/").pop();
  await page.keyboard.press(`${mod}+P`);
  const input = page.locator(".quick-input-widget .quick-input-box input");
  await input.waitFor({ state: "visible" });
  await input.fill(relativePath);
  const row = page.locator(".quick-input-widget .quick-input-list .monaco-list-row", { hasText: name }).first();
  await row.waitFor({ state: "visible" });
  await page.keyboard.press("Enter");
  await page.locator(".quick-input-widget").waitFor({ state: "hidden" });
  await page.locator(`.tabs-container .tab.active[aria-label*="${name}"]`).waitFor({ state: "visible" });
  const editor = page.locator(".editor-group-container.active .monaco-editor").first();
  await editor.locator(".view-lines").waitFor({ state: "visible" });
  return editor;
}

/** Closes every editor without saving (the workspace is a throw-away copy). */
export async function closeEditors(page) {
  const tabs = page.locator(".tabs-container .tab");
  for (let n = await tabs.count(); n > 0; n--) await runCommand(page, "View: Revert and Close Editor");
  await tabs.first().waitFor({ state: "detached" });
}

/** The visible text of an editor, one string per rendered line (VS Code renders spaces as U+00A0). */
export async function editorLines(editor) {
  const lines = await editor.locator(".view-lines .view-line").allTextContents();
  return lines.map((l) => l.replace(/\u00a0/g, " "));
}

/** Waits until the editor renders a line matching `re`. */
export async function waitForLine(page, editor, re, timeout = 20_000) {
  await page.waitForFunction(
    ({ selector, source, flags }) => {
      const el = document.querySelector(selector);
      if (!el) return false;
      const re = new RegExp(source, flags);
      return [...el.querySelectorAll(".view-line")].some((l) => re.test(l.textContent.replace(/\u00a0/g, " ")));
    },
    { selector: ".editor-group-container.active .monaco-editor .view-lines", source: re.source, flags: re.flags },
    { timeout },
  );
}

/** Mouse over the center of `locator` (the editor then shows its hover after the hover delay). */
async function hoverCenter(page, locator) {
  const box = await locator.boundingBox();
  if (!box) throw new Error("element has no box to hover");
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
}

/**
 * The squiggle of `severity` ("error", "warning", "info") on the editor line containing `lineText`,
 * once the language server has published it.
 */
async function squiggleOnLine(editor, lineText, severity, timeout = 30_000) {
  const line = editor.locator(".view-lines .view-line", { hasText: lineText }).first();
  await line.waitFor({ state: "visible" });
  const squiggles = editor.locator(`.squiggly-${severity}`);
  const deadline = Date.now() + timeout;
  for (;;) {
    const lineBox = await line.boundingBox();
    for (const s of await squiggles.all()) {
      const box = await s.boundingBox();
      if (box && lineBox && Math.abs(box.y + box.height / 2 - (lineBox.y + lineBox.height / 2)) < lineBox.height / 2) return s;
    }
    if (Date.now() > deadline) throw new Error(`no ${severity} squiggle on the line "${lineText}" within ${timeout / 1000} s`);
    await squiggles.first().page().waitForTimeout(100); // polling the DOM; the bound is the deadline above
  }
}

export const flows = [
  {
    id: "diagnostic-hover",
    name: "a misspelled key is underlined and its hover names the field",
    async run(page, { shot }) {
      const editor = await openFile(page, "manifests/misspelled-key.yaml");
      const squiggle = await squiggleOnLine(editor, "replica: 2", "error");
      await hoverCenter(page, squiggle);
      // The hover lists the problems under the mouse; the unknown-field one quotes the key.
      const hover = page.locator(".monaco-hover:not(.hidden)").filter({ hasText: '"replica"' }).first();
      await hover.waitFor({ state: "visible" });
      // The hover fades in: let every running animation finish before the picture.
      await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished)));
      await page.screenshot({ path: shot });
      await page.mouse.move(5, 5);
      await closeEditors(page);
    },
  },
  {
    id: "completion",
    name: "completion offers SpinApp keys and inserts the picked one",
    async run(page, { shot }) {
      const editor = await openFile(page, "hello-js/spinapp.yaml");
      await editor.locator(".view-lines").click();
      await page.keyboard.press(`${mod}+End`);
      await page.keyboard.type("  serv");
      // Typing may already have opened suggestions (quick suggestions, trigger characters), and
      // Ctrl+Space on an open list toggles its details: close it, then ask explicitly.
      await page.keyboard.press("Escape");
      await page.keyboard.press(`${mod}+Space`);
      // Several spec keys match "serv"; the user picks serviceAccountName with the mouse.
      const row = page.locator(".suggest-widget.visible .monaco-list-row", { hasText: "serviceAccountName" });
      await row.waitFor({ state: "visible", timeout: 30_000 });
      await page.locator(".suggest-widget.visible .monaco-list-row", { hasText: "serviceAnnotations" }).waitFor({ state: "visible" });
      await page.screenshot({ path: shot });
      await row.click();
      await waitForLine(page, editor, /^\s*serviceAccountName:/);
      await closeEditors(page);
    },
  },
  {
    id: "quick-fix",
    name: "the quick fix rewrites a legacy apiVersion and the warning goes away",
    async run(page, { shot }) {
      const editor = await openFile(page, "manifests/legacy-group.yaml");
      const squiggle = await squiggleOnLine(editor, "apiVersion: core.spinoperator.dev", "warning");
      const box = await squiggle.boundingBox();
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      await page.keyboard.press(`${mod}+Period`);
      // The Quick Fix menu opens with its first entry focused: that must be the apiVersion fix.
      const fix = page.locator(".action-widget .monaco-list-row.focused", { hasText: "core.spinkube.dev" });
      await fix.waitFor({ state: "visible" });
      await page.screenshot({ path: shot });
      await page.keyboard.press("Enter");
      await waitForLine(page, editor, /^apiVersion: core\.spinkube\.dev\/v1alpha1\s*$/);
      await editor.locator(".squiggly-warning").first().waitFor({ state: "detached", timeout: 30_000 });
      await closeEditors(page);
    },
  },
  {
    id: "command-palette",
    name: "the command palette lists the SpinKube commands and Show Extension Logs opens the log",
    async run(page, { shot }) {
      await page.keyboard.press("F1");
      const input = page.locator(".quick-input-widget .quick-input-box input");
      await input.waitFor({ state: "visible" });
      const rows = page.locator(".quick-input-widget .quick-input-list .monaco-list-row", { hasText: "SpinKube:" });
      // The list is virtualised and SpinKube has many commands: narrow it to each one looked for.
      await input.fill(">SpinKube: Restart Language Server");
      await rows.filter({ hasText: "Restart Language Server" }).first().waitFor({ state: "visible" });
      await input.fill(">SpinKube: Show Extension Logs");
      await rows.filter({ hasText: "Show Extension Logs" }).first().waitFor({ state: "visible" });
      await rows.filter({ hasText: "Show Extension Logs" }).first().click();
      const panel = page.locator(".part.panel");
      await panel.waitFor({ state: "visible" });
      // The Output view shows the "SpinKube" channel, with the extension's log lines in it.
      await page.waitForFunction(() =>
        [...document.querySelectorAll(".part.panel select.monaco-select-box")].some((el) => el.offsetParent !== null && el.value === "SpinKube"),
      );
      await panel.locator(".monaco-editor .view-line").first().waitFor({ state: "visible" });
      await page.screenshot({ path: shot });
      await runCommand(page, "View: Hide Panel");
    },
  },
];
