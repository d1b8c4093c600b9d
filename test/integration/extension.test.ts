/**
 * The extension as VS Code loads it: its identity, activation in a workspace with a Spin app, and
 * every command package.json contributes being registered and runnable.
 */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { EXTENSION_ID, activeExtension, closeAllEditors, openFixture, poll, waitForEvent } from "./helpers";

interface ContributedCommand {
  command: string;
  title: string;
  category?: string;
}

suite("Extension", () => {
  teardown(closeAllEditors);

  test("is installed under its marketplace id", () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} not found among ${vscode.extensions.all.length} extensions`);
    const pkg = ext.packageJSON as { publisher: string; name: string; main: string };
    assert.equal(`${pkg.publisher}.${pkg.name}`, EXTENSION_ID);
    assert.equal(pkg.main, "./dist/extension.js");
  });

  test("activates by itself in a workspace with spin.toml and YAML manifests", async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    // Activation events: workspaceContains:**/spin.toml (the sample workspace has one) and
    // onLanguage:yaml. Nothing here calls activate(); the host must have done it.
    await openFixture("manifests/hello-spinapp.yaml");
    await poll(() => (ext.isActive ? true : undefined), 20_000, `${EXTENSION_ID} to activate`);
  });

  test("exports its API (the language client controller)", async () => {
    const ext = await activeExtension();
    const api = ext.exports as { languageClient?: unknown } | undefined;
    assert.ok(api && typeof api === "object", "activate() returned nothing");
    assert.ok(api.languageClient, "the API has no languageClient");
  });

  test("registers every contributed command, each titled in the SpinKube category", async () => {
    const ext = await activeExtension();
    const contributed = ((ext.packageJSON as { contributes?: { commands?: ContributedCommand[] } }).contributes?.commands ?? []);
    assert.ok(contributed.length > 0, "package.json contributes no commands");
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.map((c) => c.command).filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(", ")}`);
    for (const c of contributed) {
      assert.match(c.command, /^spinkube\.[a-z][A-Za-z]+$/, `command id ${c.command}`);
      assert.equal(c.category, "SpinKube", `category of ${c.command}`);
      assert.ok(c.title.trim().length > 0, `title of ${c.command}`);
    }
  });

  test("'Show Extension Logs' reveals the SpinKube output channel", async () => {
    await activeExtension();
    const shown = waitForEvent(
      vscode.window.onDidChangeVisibleTextEditors,
      () => vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === "output" && /SpinKube/.test(e.document.uri.path)),
      10_000,
      "the SpinKube output channel to become visible",
      () => vscode.window.visibleTextEditors.map((e) => e.document.uri.toString()).join(", "),
    );
    await vscode.commands.executeCommand("spinkube.showLogs");
    await shown;
    await vscode.commands.executeCommand("workbench.action.closePanel");
  });
});

suite("Activation timing", () => {
  test("the API reports how long loading and activating took; the benchmark reads it", async () => {
    const ext = await activeExtension();
    const timing = (ext.exports as { activation?: { activateMs: number; loadAndActivateMs: number } }).activation;
    assert.ok(timing, "the API has no activation timing");
    assert.ok(Number.isFinite(timing.activateMs) && timing.activateMs >= 0, JSON.stringify(timing));
    assert.ok(timing.loadAndActivateMs >= timing.activateMs, "loading and activating includes activating");
    // When the activation benchmark runs this suite it asks for the figures in a file.
    const out = process.env.SPINKUBE_BENCH_ACTIVATION;
    if (out) (await import("node:fs")).writeFileSync(out, JSON.stringify(timing));
  });
});

suite("Walkthrough", () => {
  test("every step's command links are registered commands and its media exists", async () => {
    const ext = await activeExtension();
    const pkg = ext.packageJSON as { contributes: { walkthroughs: { steps: { id: string; description: string; media: { markdown: string } }[] }[] } };
    const [walkthrough] = pkg.contributes.walkthroughs;
    assert.deepEqual(
      walkthrough.steps.map((s) => s.id),
      ["connect", "validate", "deploy", "logs"],
    );
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const step of walkthrough.steps) {
      const links = [...step.description.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]);
      assert.ok(links.length > 0, `${step.id} links to a command`);
      for (const id of links) assert.ok(registered.has(id), `${step.id} links to ${id}, which is not registered`);
      const media = vscode.Uri.joinPath(ext.extensionUri, step.media.markdown);
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(media));
      assert.match(text, /^# /, `${step.media.markdown} is a markdown page`);
    }
  });
});
