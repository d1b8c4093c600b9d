/**
 * Test helpers for the editing features (completion, code actions, snippets): a cursor marker in
 * fixture text, applying LSP text edits, and expanding snippet syntax to the text VS Code inserts
 * when the user accepts every placeholder's default. No tests here.
 */
import assert from "node:assert/strict";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { CodeAction, CompletionItem, TextEdit } from "vscode-languageserver-types";
import { parseChunk, splitDocuments } from "../../../src/server/documents";

/** The cursor marker in fixtures. */
export const CURSOR = "§";

/** Removes the cursor marker; returns the text and the marker's offset. */
export function cursor(src: string): { text: string; offset: number } {
  const offset = src.indexOf(CURSOR);
  assert.ok(offset >= 0, "fixture has no cursor marker");
  return { text: src.slice(0, offset) + src.slice(offset + CURSOR.length), offset };
}

/** Applies LSP edits to a text. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create("file:///t.yaml", "yaml", 1, text), [...edits]);
}

/**
 * Snippet text as inserted when every placeholder keeps its default: `${1:x}` → x, `${1|a,b|}` → a,
 * `$1`/`${1}` → the default given to 1 elsewhere (or nothing), `$0` → nothing, escapes resolved.
 */
export function expandSnippet(snippet: string): string {
  const DOLLAR = "\u0000";
  const BRACE = "\u0001";
  const BACKSLASH = "\u0002";
  let s = snippet.replace(/\\\\/g, BACKSLASH).replace(/\\\$/g, DOLLAR).replace(/\\\}/g, BRACE);
  const defaults = new Map<string, string>();
  for (;;) {
    const next = s
      .replace(/\$\{(\d+)\|((?:[^|\\]|\\.)*?)(?:,(?:[^|\\]|\\.)*?)*\|\}/g, (_m, n: string, first: string) => {
        defaults.set(n, first.replace(/\\(.)/g, "$1"));
        return first.replace(/\\(.)/g, "$1");
      })
      .replace(/\$\{(\d+):([^${}]*)\}/g, (_m, n: string, def: string) => {
        defaults.set(n, def);
        return def;
      });
    if (next === s) break;
    s = next;
  }
  s = s.replace(/\$\{(\d+)\}|\$(\d+)/g, (_m, a?: string, b?: string) => defaults.get((a ?? b)!) ?? "");
  return s.replace(new RegExp(BACKSLASH, "g"), "\\").replace(new RegExp(DOLLAR, "g"), "$").replace(new RegExp(BRACE, "g"), "}");
}

/** Applies a completion item (its text edit, snippet expanded with defaults). */
export function acceptCompletion(text: string, item: CompletionItem): string {
  const edit = item.textEdit as TextEdit | undefined;
  assert.ok(edit && "range" in edit, `item ${item.label} has no text edit`);
  return applyEdits(text, [{ range: edit.range, newText: item.insertTextFormat === 2 ? expandSnippet(edit.newText) : edit.newText }]);
}

/** Applies a code action's edits to the one file it changes. */
export function applyAction(text: string, action: CodeAction): string {
  const changes = Object.values(action.edit?.changes ?? {});
  assert.equal(changes.length, 1, `action "${action.title}" should edit exactly one file`);
  return applyEdits(text, changes[0]);
}

/** Parses every document of a file as the server does; fails the test on a YAML error. */
export function parseAll(text: string): unknown[] {
  return splitDocuments(text).map((c, i) => {
    const { doc } = parseChunk(c.text);
    assert.deepEqual(doc.errors.map((e) => e.message), [], `document ${i} should parse:\n${c.text}`);
    return doc.toJS() as unknown;
  });
}
