/**
 * Helpers for the in-host suites: fixture documents from the sample workspace, the extension
 * handle, and bounded waits driven by VS Code events (never fixed sleeps).
 */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";

export const EXTENSION_ID = "spinkube-vscode.spinkube";
/** How long the language server may take to start and answer (it is a forked Node process). */
export const SERVER_TIMEOUT_MS = 30_000;

/** The sample workspace folder (test/fixtures/workspace, or the copy the harness opened). */
export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, "the tests need the sample workspace (test/fixtures/workspace) open as a folder");
  return folder.uri;
}

/** A file of the sample workspace, e.g. `manifests/misspelled-key.yaml`. */
export function fixture(relativePath: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), ...relativePath.split("/"));
}

/** Opens a fixture in an editor and returns the editor. */
export async function openFixture(relativePath: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(fixture(relativePath));
  return vscode.window.showTextDocument(doc, { preview: false });
}

/** Reverts and closes every editor, so each test starts from the files on disk. */
export async function closeAllEditors(): Promise<void> {
  for (const doc of vscode.workspace.textDocuments) {
    if (doc.isDirty && !doc.isUntitled) {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand("workbench.action.files.revert");
    }
  }
  await vscode.commands.executeCommand("workbench.action.closeAllEditors");
}

/** The extension under test, activated. */
export async function activeExtension(): Promise<vscode.Extension<unknown>> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this host`);
  if (!ext.isActive) await ext.activate();
  return ext;
}

/**
 * Resolves with the first value `check` returns that is not undefined, evaluating it now and on
 * every firing of `event`; rejects after `timeoutMs` with `what` and the last value seen.
 */
export function waitForEvent<E, T>(
  event: vscode.Event<E>,
  check: () => T | undefined,
  timeoutMs: number,
  what: string,
  describe: () => string = () => "",
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const first = check();
    if (first !== undefined) {
      resolve(first);
      return;
    }
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}${describeSuffix(describe)}`));
    }, timeoutMs);
    const sub = event(() => {
      let value: T | undefined;
      try {
        value = check();
      } catch (err) {
        clearTimeout(timer);
        sub.dispose();
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      if (value !== undefined) {
        clearTimeout(timer);
        sub.dispose();
        resolve(value);
      }
    });
  });
}

function describeSuffix(describe: () => string): string {
  const s = describe();
  return s ? `; last seen: ${s}` : "";
}

/**
 * Polls `check` every 50 ms until it returns a value that is not undefined, for state that has no
 * event (an extension becoming active); rejects after `timeoutMs`.
 */
export async function poll<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A diagnostic's code as a string (`code` may be a string, a number or `{ value, target }`). */
export function codeOf(d: vscode.Diagnostic): string | undefined {
  const c = d.code;
  if (c === undefined) return undefined;
  return typeof c === "object" ? String(c.value) : String(c);
}

/** The extension's own diagnostics on `uri` (source SpinKube). */
export function spinKubeDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source?.toLowerCase().includes("spinkube"));
}

function summarize(ds: readonly vscode.Diagnostic[]): string {
  return JSON.stringify(
    ds.map((d) => ({ code: codeOf(d), severity: d.severity, range: rangeText(d.range), message: d.message })),
  );
}

/** `line:col-line:col`, zero-based, for messages. */
export function rangeText(r: vscode.Range): string {
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

/**
 * Waits for a SpinKube diagnostic on `uri` matching `match`, driven by
 * languages.onDidChangeDiagnostics.
 */
export function waitForDiagnostic(
  uri: vscode.Uri,
  match: (d: vscode.Diagnostic) => boolean,
  what: string,
  timeoutMs = SERVER_TIMEOUT_MS,
): Promise<vscode.Diagnostic> {
  return waitForEvent(
    vscode.languages.onDidChangeDiagnostics,
    () => spinKubeDiagnostics(uri).find(match),
    timeoutMs,
    what,
    () => summarize(spinKubeDiagnostics(uri)),
  );
}

/** Waits until `uri` has no SpinKube diagnostics left (after an edit that fixes the last one). */
export function waitForNoDiagnostics(uri: vscode.Uri, timeoutMs = SERVER_TIMEOUT_MS): Promise<true> {
  return waitForEvent(
    vscode.languages.onDidChangeDiagnostics,
    () => (spinKubeDiagnostics(uri).length === 0 ? true : undefined),
    timeoutMs,
    `no SpinKube diagnostics on ${uri.path}`,
    () => summarize(spinKubeDiagnostics(uri)),
  );
}

/** The range of `key` on the first line of `doc` that has it as a YAML key (`  key:`). */
export function keyRange(doc: vscode.TextDocument, key: string, occurrence = 0): vscode.Range {
  return tokenRange(doc, new RegExp(`^(\\s*(?:- )?)(${escape(key)})\\s*:`), occurrence);
}

/** The range of the scalar value of `key` on its line (`key: value`, without comment or quotes). */
export function valueRange(doc: vscode.TextDocument, key: string, occurrence = 0): vscode.Range {
  return tokenRange(doc, new RegExp(`^(\\s*(?:- )?${escape(key)}\\s*:\\s*)("[^"]*"|[^\\s#]+)`), occurrence);
}

function tokenRange(doc: vscode.TextDocument, re: RegExp, occurrence: number): vscode.Range {
  let seen = 0;
  for (let line = 0; line < doc.lineCount; line++) {
    const m = re.exec(doc.lineAt(line).text);
    if (m && seen++ === occurrence) {
      const start = m[1].length;
      return new vscode.Range(line, start, line, start + m[2].length);
    }
  }
  throw new Error(`${re} not found in ${doc.uri.path}`);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Completion labels as plain strings. */
export function labelOf(item: vscode.CompletionItem): string {
  return typeof item.label === "string" ? item.label : item.label.label;
}

/** The text of hover contents (markdown or plain). */
export function hoverText(hovers: readonly vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === "string" ? c : c.value))
    .join("\n");
}
