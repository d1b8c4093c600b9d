// UI flows for the end-to-end harness (run.mjs): what a user does in the VS Code workbench, driven
// with playwright-core in Chromium, each ending with a screenshot that shows the result. Each flow
// starts from the workbench with no editor open and leaves it that way. Waits are on the DOM
// (bounded by Playwright's timeouts), never fixed sleeps. Add a flow per user-visible capability.
//
// Selectors are VS Code 1.100's own class names (monaco-workbench, quick-input-widget,
// suggest-widget, action-widget, squiggly-*); see src/vs/workbench in microsoft/vscode at 1.100.

import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { root } from "./codeServer.mjs";

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
  await chooseCommand(page, title);
  await page.locator(".quick-input-widget").waitFor({ state: "hidden" });
}

/** Picks a command in the palette, for commands that go on asking in the same quick input. */
async function chooseCommand(page, title) {
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget .quick-input-box input");
  await input.waitFor({ state: "visible" });
  await input.fill(`>${title}`);
  const row = quickPickRow(page, title);
  await row.waitFor({ state: "visible" });
  await row.click();
}

/** The row of the open quick input labelled exactly `label` (its aria-label may add ", recently used" or ", <detail>"). */
function quickPickRow(page, label) {
  const t = JSON.stringify(label);
  const prefix = JSON.stringify(`${label}, `);
  return page.locator(`.quick-input-widget .quick-input-list .monaco-list-row:is([aria-label=${t}], [aria-label^=${prefix}])`).first();
}

/** Clicks the row of the open quick pick whose label is exactly `label`. */
async function pickRow(page, label) {
  await quickPickRow(page, label).click();
}

/** A pattern matching exactly `text`. */
const exact = (text) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);

/** Opens a workspace file with Quick Open and waits for its editor to be active. */
export async function openFile(page, relativePath) {
  const name = relativePath.split("/").pop();
  await page.keyboard.press(`${mod}+P`);
  const input = page.locator(".quick-input-widget .quick-input-box input");
  await input.waitFor({ state: "visible" });
  await input.fill(relativePath);
  // The row of exactly this file: its name, and its folder as the description (Quick Open lists
  // recently opened files first and filters as it goes, so Enter could take another row).
  const dir = relativePath.split("/").slice(0, -1).join("/");
  let row = page.locator(".quick-input-widget .quick-input-list .monaco-list-row").filter({ has: page.locator(".label-name", { hasText: exact(name) }) });
  if (dir) row = row.filter({ has: page.locator(".label-description", { hasText: exact(dir) }) });
  await row.first().waitFor({ state: "visible" });
  await row.first().click();
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

/** Opens the SpinKube view container from the activity bar (as a user clicks it) and returns the Clusters tree. */
async function showSpinKubeView(page) {
  const tree = page.locator('.part.sidebar .pane:has(.pane-header[aria-label^="Clusters"]) .monaco-list');
  if (!(await tree.isVisible())) {
    await page.locator('.part.activitybar .action-item .action-label[aria-label^="SpinKube"]').click();
  }
  await tree.waitFor({ state: "visible" });
  return tree;
}

/** The Clusters tree row whose label is exactly `label` (the first when several match). */
function treeRow(tree, label) {
  return tree.locator(".monaco-list-row").filter({ has: tree.page().locator(".label-name", { hasText: exact(label) }) }).first();
}

/**
 * Does a pointer action on the live tree until `results` (locators) show (at most 3 tries, 5 s each). The
 * Clusters tree repaints its rows while the cluster changes (the list recycles row elements), so
 * a click can land on a row that was just redrawn; a user would simply click again.
 */
async function onLiveTree(act, results, undo = async () => undefined) {
  for (let attempt = 1; ; attempt++) {
    await act();
    try {
      for (const r of [results].flat()) await r.waitFor({ state: "visible", timeout: 5_000 });
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
      await undo();
    }
  }
}

/** Expands a collapsed tree row with a click (which also selects it) and waits until the tree shows it expanded. */
async function expandRow(row) {
  await row.waitFor({ state: "visible" });
  await onLiveTree(async () => {
    if ((await row.getAttribute("aria-expanded")) !== "true") await row.click();
  }, row.and(row.page().locator('[aria-expanded="true"]')));
}

/** Collapses an expanded tree row (so the next flow finds the tree as it started). */
async function collapseRow(row) {
  const collapsed = row.and(row.page().locator('[aria-expanded="false"]'));
  await onLiveTree(async () => {
    if ((await row.getAttribute("aria-expanded")) === "true") await row.click();
  }, collapsed);
}

/** Right-clicks `row` and picks `item` from its context menu. */
async function contextMenu(page, row, item) {
  const entry = page.locator(".monaco-menu .action-item:not(.disabled) .action-label", { hasText: new RegExp(`^${item}$`) });
  // The menu is the row's when the right-clicked row is the focused one and the menu offers `item`.
  await onLiveTree(
    () => row.click({ button: "right" }),
    [entry, row.and(page.locator(".focused"))],
    async () => {
      await page.keyboard.press("Escape");
      await page.locator(".monaco-menu .action-item").first().waitFor({ state: "hidden" });
    },
  );
  // The menu ignores a mouse-up that comes right after it opened; hovering focuses the entry and
  // Enter runs it, as a keyboard user would.
  await entry.hover();
  await page.locator(".monaco-menu .action-item.focused .action-label", { hasText: new RegExp(`^${item}$`) }).waitFor({ state: "visible" });
  await page.keyboard.press("Enter");
  await entry.waitFor({ state: "hidden" });
}

/** Waits until one of `locators` is visible; resolves with its index (the others' waits are dropped). */
async function firstVisible(locators, timeout = 20_000) {
  const waits = locators.map((l, i) => l.waitFor({ state: "visible", timeout }).then(() => i));
  for (const w of waits) w.catch(() => undefined);
  return Promise.any(waits).catch(() => {
    throw new Error(`none of ${locators.map(String).join(", ")} became visible within ${timeout / 1000} s`);
  });
}

/** Back to the file explorer (the state every flow starts from), with its activity-bar icon. */
async function showFileExplorer(page) {
  await page.locator('.part.activitybar .action-item .action-label[aria-label^="Explorer"]').click();
  await page.locator(".explorer-folders-view").waitFor({ state: "visible" });
}

/** The Clusters tree with the namespace row `ns` of the current context expanded, once its SpinApps are listed. */
async function openNamespace(page, ns) {
  const tree = await showSpinKubeView(page);
  // The current context is expanded by itself and lists its namespaces.
  const nsRow = treeRow(tree, ns);
  await nsRow.waitFor({ state: "visible", timeout: 30_000 });
  await expandRow(nsRow);
  return { tree, nsRow };
}

export const flows = [
  {
    id: "diagnostic-hover",
    name: "a misspelled key is underlined and its hover names the field",
    async run(page, { shot }) {
      const editor = await openFile(page, "manifests/misspelled-key.yaml");
      // The hover lists the problems under the mouse; the unknown-field one quotes the key.
      const hover = page.locator(".monaco-hover:not(.hidden)").filter({ hasText: '"replica"' }).first();
      // A CodeLens arriving after the squiggle moves the lines down under a still mouse (the hover
      // is then another line's): a user moves the mouse onto the squiggle again.
      for (let attempt = 1; ; attempt++) {
        await hoverCenter(page, await squiggleOnLine(editor, "replica: 2", "error"));
        try {
          await hover.waitFor({ state: "visible", timeout: 5_000 });
          break;
        } catch (err) {
          if (attempt >= 3) throw err;
          await page.mouse.move(5, 5);
        }
      }
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
  {
    id: "explorer",
    name: "the SpinKube view lists the current context's namespaces and their SpinApps with Ready counts",
    async run(page, { shot }) {
      const { tree, nsRow } = await openNamespace(page, "default");
      await treeRow(tree, "spin-apps").waitFor({ state: "visible" });
      await treeRow(tree, "broken").waitFor({ state: "visible" });
      // The tree is live: the row's description reaches "Ready 2/2" once the demo pods are running.
      await treeRow(tree, "hello-spin").locator(".label-description", { hasText: /^Ready 2\/2/ }).waitFor({ state: "visible", timeout: 30_000 });
      // Its icon is the extension's own SVG for a ready SpinApp, of the theme's kind (VS Code draws
      // a TreeItem's light/dark icon as the background image of the row's icon element), and the
      // browser can load and draw that file from the installed extension.
      const icon = treeRow(tree, "hello-spin").locator(".custom-view-tree-node-item-icon");
      const drawn = await icon.evaluate(async (el) => {
        const wb = document.querySelector(".monaco-workbench").classList;
        const theme = wb.contains("vs-dark") || wb.contains("hc-black") ? "dark" : "light";
        const url = /^url\("(.*)"\)$/.exec(getComputedStyle(el).backgroundImage)?.[1];
        if (!url) return { theme, url, codicon: el.className };
        const file = new URL(url).searchParams.get("path") ?? new URL(url).pathname;
        const res = await fetch(url);
        const text = await res.text();
        const img = new Image();
        img.src = url;
        const decoded = await img.decode().then(() => `${img.naturalWidth}x${img.naturalHeight}`, (err) => String(err));
        return { theme, file, status: res.status, svg: /^<svg\b[^>]*viewBox="0 0 16 16"/.test(text), decoded };
      });
      if (!drawn.file) throw new Error(`hello-spin's row icon is not an image (theme ${drawn.theme}, class "${drawn.codicon}")`);
      const want = `/media/icons/${drawn.theme}/spinapp-ready.svg`;
      if (!drawn.file.endsWith(want) || drawn.status !== 200 || !drawn.svg || drawn.decoded !== "16x16") {
        throw new Error(`hello-spin's row icon should be the installed ${want}, served and drawable at 16×16; got ${JSON.stringify(drawn)}`);
      }
      const spinApps = treeRow(tree, "spin-apps");
      await expandRow(spinApps);
      await treeRow(tree, "cart-api").locator(".label-description", { hasText: /^Ready 3\/3/ }).waitFor({ state: "visible", timeout: 30_000 });
      await page.screenshot({ path: shot });
      await collapseRow(spinApps);
      await collapseRow(nsRow);
      await showFileExplorer(page);
    },
  },
  {
    id: "logs",
    name: "Show Logs on a ready SpinApp streams its pods' log lines into a terminal",
    async run(page, { shot }) {
      const { tree, nsRow } = await openNamespace(page, "default");
      const app = treeRow(tree, "hello-spin");
      await app.locator(".label-description", { hasText: /^Ready 2\/2/ }).waitFor({ state: "visible", timeout: 30_000 });
      // Select the row (a click also expands it to its pods), then Show Logs from its context menu.
      await expandRow(app);
      await contextMenu(page, app, "Show Logs");
      const panel = page.locator(".part.panel");
      await panel.waitFor({ state: "visible" });
      // The app's pods' lines arrive in the terminal (xterm's DOM renderer, see run.mjs: one div
      // per row).
      const rows = panel.locator(".xterm-rows > div");
      await rows.filter({ hasText: /hello-spin-\S+: handled request/ }).nth(3).waitFor({ state: "visible", timeout: 20_000 });
      await page.screenshot({ path: shot });
      // Killing the log terminal stops its session; the panel closes with its last terminal.
      await runCommand(page, "Terminal: Kill All Terminals");
      await panel.waitFor({ state: "hidden" });
      await collapseRow(app);
      await collapseRow(nsRow);
      await showFileExplorer(page);
    },
  },
  {
    id: "readiness",
    name: "Check Runtime Readiness on a failing SpinApp names the first broken link",
    async run(page, { shot }) {
      const { tree, nsRow } = await openNamespace(page, "broken");
      const app = treeRow(tree, "needs-runtime");
      // Its pods cannot start: the demo nodes have no runtime for the RuntimeClass handler "spin".
      await expandRow(app);
      await contextMenu(page, app, "Check Runtime Readiness");
      // The notification names the first broken link (the handler); the report opens in the
      // markdown preview with the same verdict and the chain.
      await page.locator(".notifications-toasts .notification-toast", { hasText: /broken\/needs-runtime on \S+ — Handler: RuntimeClass wasmtime-spin has handler spin/ }).waitFor({ state: "visible", timeout: 20_000 });
      const report = page.frameLocator("iframe.webview.ready").frameLocator("#active-frame").locator("body");
      await report.locator("h1", { hasText: "Runtime readiness: broken/needs-runtime" }).waitFor({ state: "visible", timeout: 20_000 });
      await report.locator("p", { hasText: 'broken/needs-runtime cannot run: RuntimeClass wasmtime-spin has handler spin' }).waitFor({ state: "visible" });
      await report.locator("li", { hasText: /^\S*\s*Handler — / }).waitFor({ state: "visible" });
      await page.screenshot({ path: shot });
      await runCommand(page, "Notifications: Clear All Notifications");
      await closeEditors(page);
      await collapseRow(app);
      await collapseRow(nsRow);
      await showFileExplorer(page);
    },
  },
  {
    id: "tasks",
    name: "Run Task → spin build on a TypeScript app with a type error: the Problems view lists tsc's error, placed by the task's $tsc matcher",
    async run(page, { shot, workspace }) {
      // The hello fixture app at the workspace folder's root (where VS Code's matchers resolve
      // compiler paths), broken as in the in-host tests; the stand-in spin from the settings, and
      // tsc on the task terminal's PATH (a task's process gets the terminal's environment).
      const app = path.join(root, "test", "fixtures", "spin-apps", "hello");
      const names = readdirSync(app).filter((n) => !/^(node_modules|dist|build|\.spin)$/.test(n));
      const added = [...names, "node_modules"].map((n) => path.join(workspace, n));
      // The workspace may have settings already (Build & Deploy's): add to them, restore them after.
      const settingsFile = path.join(workspace, ".vscode", "settings.json");
      const before = existsSync(settingsFile) ? readFileSync(settingsFile, "utf8") : undefined;
      try {
        for (const n of names) cpSync(path.join(app, n), path.join(workspace, n), { recursive: true });
        symlinkSync(path.join(root, "node_modules"), path.join(workspace, "node_modules"), "dir");
        writeFileSync(path.join(workspace, "src", "index.ts"), 'const port: number = "eighty";\nexport {};\n');
        mkdirSync(path.dirname(settingsFile), { recursive: true });
        const settings = {
          ...(before ? JSON.parse(before) : {}),
          "spinkube.spin.path": path.join(root, "test", "spin-standin", "bin", "spin"),
          "terminal.integrated.env.linux": { PATH: [path.join(root, "node_modules", ".bin"), process.env.PATH].join(path.delimiter) },
          "window.title": "spin task flow",
        };
        writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
        // The window title set in the same file shows when the window has read these settings.
        await page.waitForFunction((title) => document.title === title, settings["window.title"], { timeout: 30_000 });
        await chooseCommand(page, "Tasks: Run Task");
        await pickRow(page, "All spin tasks");
        await pickRow(page, `spin: build ${path.basename(workspace)} (spin.toml)`);
        await page.locator(".quick-input-widget").waitFor({ state: "hidden" });
        // The terminal shows spin running tsc; then the Problems view lists the matcher's marker
        // under src/index.ts: tsc's message, its code as ts(2322) and the position.
        const panel = page.locator(".part.panel");
        await panel.locator(".xterm-rows > div", { hasText: "error TS2322" }).first().waitFor({ state: "visible", timeout: 60_000 });
        await runCommand(page, "View: Focus Problems (Errors, Warnings, Infos)");
        const marker = panel.locator(".markers-panel .monaco-list-row", { hasText: "Type 'string' is not assignable to type 'number'." });
        await marker.waitFor({ state: "visible", timeout: 30_000 });
        const text = (await marker.first().textContent()) ?? "";
        // Rendered "ts(2322) [Ln 1, Col 7]"; the parentheses come from CSS, not the text.
        if (!/ts\(?2322\)?\s*\[Ln 1, Col 7\]/.test(text)) throw new Error(`the Problems entry lacks ts(2322) [Ln 1, Col 7]: ${JSON.stringify(text)}`);
        await panel.locator(".markers-panel .monaco-list-row", { hasText: "index.ts" }).first().waitFor({ state: "visible" });
        await page.screenshot({ path: shot });
      } finally {
        for (const p of added) rmSync(p, { recursive: true, force: true });
        if (before === undefined) rmSync(path.dirname(settingsFile), { recursive: true, force: true });
        else writeFileSync(settingsFile, before);
      }
      await runCommand(page, "Terminal: Kill All Terminals");
      await runCommand(page, "View: Hide Panel");
    },
  },
  {
    id: "build-deploy",
    name: "Build & Deploy from the spin.toml CodeLens: the notification walks the steps, and the opened URL answers with the app",
    // A real build (tsc, esbuild, j2w), a push to the registry, pods pulling it: minutes on a busy 2-core box.
    timeoutMs: 240_000,
    async run(page, { shot, workspace, spin }) {
      if (!spin) throw new Error("the Build & Deploy parts (test registry, stand-in spin) are not running: see the records above");
      const editor = await openFile(page, `${spin.app}/spin.toml`);
      // Every text the notification toasts show, in order (the progress messages change in place).
      await page.evaluate(() => {
        const seen = (window.spinkubeToasts = []);
        const record = () => {
          for (const t of document.querySelectorAll(".notifications-toasts .notification-toast .notification-list-item-message")) {
            const text = t.textContent ?? "";
            if (seen[seen.length - 1] !== text) seen.push(text);
          }
        };
        new MutationObserver(record).observe(document.querySelector(".monaco-workbench"), { subtree: true, childList: true, characterData: true });
      });
      // The CodeLens above [application] starts it, as a user clicks it.
      await editor.locator(".codelens-decoration a", { hasText: "Build & Deploy" }).first().click();
      // The first push asks where to (and remembers it for the app).
      const input = page.locator(".quick-input-widget .quick-input-box input");
      await input.waitFor({ state: "visible" });
      const reference = `${spin.registry}/hello:latest`;
      if (spin.prefilled) {
        // spinkube.registry.defaultPath (npm start sets the demo registry) prefills it: Enter takes it.
        await page.waitForFunction((el) => el.value !== "", await input.elementHandle());
        if ((await input.inputValue()) !== reference) throw new Error(`the push reference was prefilled with "${await input.inputValue()}", not "${reference}"`);
      } else await input.fill(reference);
      await page.keyboard.press("Enter");
      const done = page.locator(".notifications-toasts .notification-toast", { hasText: /hello is Available in \S+\/default: / });
      const failed = page.locator(".notifications-toasts .notification-toast", { hasText: /Build & Deploy failed|SpinKube: .*(failed|Cannot|not)/ });
      if ((await firstVisible([done, failed], 200_000)) === 1) throw new Error(`Build & Deploy failed: ${await failed.first().textContent()}`);
      await page.screenshot({ path: shot });
      // The steps the progress notification showed, in the order of the pipeline.
      const seen = await page.evaluate(() => window.spinkubeToasts);
      const order = ["Check", "Build", "Push", "Manifest", "Apply", "Wait"];
      const steps = seen.map((t) => /Build & Deploy hello: (\w+)(?: \(\d\/6\)|:)/.exec(t)).filter(Boolean).map((m) => m[1]);
      const shown = [...new Set(steps)];
      for (const s of ["Build", "Push", "Wait"]) if (!shown.includes(s)) throw new Error(`the progress never showed the ${s} step; it showed: ${seen.join(" | ")}`);
      if (shown.some((s, i) => i > 0 && order.indexOf(s) < order.indexOf(shown[i - 1]))) throw new Error(`steps out of order: ${shown.join(", ")}`);
      // The summary names every step's time.
      const summary = (await done.textContent()) ?? "";
      for (const s of order) if (!new RegExp(`${s} \\d`).test(summary)) throw new Error(`the summary lacks the ${s} step's time: ${summary}`);
      // The SpinApp was scaffolded into the app's folder with the pushed digest.
      const manifest = readFileSync(path.join(workspace, spin.app, "spinapp.yaml"), "utf8");
      if (!/image: "?127\.0\.0\.1:\d+\/hello@sha256:[0-9a-f]{64}/.test(manifest)) throw new Error(`spinapp.yaml has no pushed digest:\n${manifest}`);
      // "Port-forward & Open" opens the app's route in a new tab, answered by the pod's Spin app.
      const opened = page.context().waitForEvent("page", { timeout: 30_000 });
      await done.locator(".monaco-button", { hasText: "Port-forward & Open" }).click();
      const tab = await opened;
      await tab.waitForLoadState("domcontentloaded");
      const body = await tab.locator("body").textContent();
      await tab.close();
      if (!/^Hello from Spin on SpinKube! You asked for \//.test(body ?? "")) throw new Error(`the opened URL answered: ${body}`);
      const bad = spin.factsViolations();
      if (bad.length) throw new Error(`the extension passed flags FACTS.md does not list: ${bad.join("; ")}`);
      await runCommand(page, "Notifications: Clear All Notifications");
      await closeEditors(page);
    },
  },
];
