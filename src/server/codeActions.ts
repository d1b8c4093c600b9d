/**
 * Quick fixes for the server's diagnostics, driven by `Diagnostic.code` and the `data` each code
 * carries (diagnosticCodes.ts): did-you-mean for unknown keys and executor names, the legacy group
 * migration, quantity spelling, missing required fields, quoting YAML 1.1 scalars. Edits are
 * minimal ranges computed from the `yaml` AST of the one document concerned, so comments and
 * formatting elsewhere are untouched and the result re-parses. vscode-free.
 */
import { isMap, isScalar, Scalar, type Document, type Node, type Pair } from "yaml";
import { CodeActionKind, TextEdit, type CodeAction, type Diagnostic } from "vscode-languageserver";
import { parseChunk, splitDocuments, type Chunk, type ParsedChunk } from "./documents";
import {
  Codes,
  type ExecutorNotFoundData,
  type LegacyGroupData,
  type MissingFieldData,
  type QuantityData,
  type QuoteData,
  type UnknownFieldData,
} from "./diagnosticCodes";
import { schemaAt, schemaRegistry, type JsonSchema } from "./schemas";
import { astPathAt, chunkAtLine, chunkOffset, chunkRange, lineStarts, nodeAtPath, pairAtPath, topLevelScalar, type YamlPath } from "./yamlPath";
import { GROUP, LEGACY_GROUP, isSpinKind, splitApiVersion } from "../shared/spinApp";

/** The executor the operator's install guide applies; the placeholder for a missing `executor`. */
const DEFAULT_EXECUTOR = "containerd-shim-spin";

/** One parsed document of the file, with what edits need. */
interface Doc {
  chunk: Chunk;
  parsed: ParsedChunk;
  starts: number[];
}

/**
 * Quick fixes for the given diagnostics (those the client sends for a range). Each action fixes
 * one diagnostic; the first suggestion of a did-you-mean is preferred. Pass `chunks` when the
 * caller already split the file; only documents holding a diagnostic are parsed.
 */
export function codeActions(uri: string, text: string, diagnostics: readonly Diagnostic[], chunks?: readonly Chunk[]): CodeAction[] {
  const all = chunks ?? splitDocuments(text);
  const cache = new Map<number, Doc>();
  const docAt = (line: number): Doc => {
    const i = chunkAtLine(all, line);
    let d = cache.get(i);
    if (!d) {
      const chunk = all[i];
      const parsed = parseChunk(chunk.text);
      d = { chunk, parsed, starts: parsed.lines.lineStarts.length ? parsed.lines.lineStarts : lineStarts(chunk.text) };
      cache.set(i, d);
    }
    return d;
  };
  const out: CodeAction[] = [];
  for (const diag of diagnostics) {
    const doc = docAt(diag.range.start.line);
    const at = chunkOffset(doc.chunk, doc.starts, diag.range.start);
    const action = (title: string, edits: TextEdit[], isPreferred = false): void => {
      out.push({ title, kind: CodeActionKind.QuickFix, diagnostics: [diag], isPreferred, edit: { changes: { [uri]: edits } } });
    };
    switch (diag.code) {
      case Codes.unknownField: {
        const data = diag.data as UnknownFieldData | undefined;
        const key = data && keyNodeAt(doc.parsed.doc, at, data.key);
        if (!data || !key?.range) break;
        data.suggestions.forEach((s, i) => action(`Change '${data.key}' to '${s}'`, [edit(doc, key.range!, s)], i === 0));
        break;
      }
      case Codes.legacyGroup: {
        const data = diag.data as LegacyGroupData | undefined;
        const fix = data && migrateEdit(doc, data.replacement);
        if (!data || !fix) break;
        action(`Change apiVersion to ${data.replacement}`, [fix], true);
        const others = legacyDocuments(all, doc.chunk, (i) => docAt(all[i].line));
        const edits = [fix, ...others.map((d) => migrateEdit(d, data.replacement)).filter((e): e is TextEdit => !!e)];
        if (edits.length > 1) action(`Change apiVersion to ${data.replacement} in all ${edits.length} documents of this file`, edits);
        break;
      }
      case Codes.quantity: {
        const data = diag.data as QuantityData | undefined;
        const node = data && scalarAt(doc.parsed.doc, at);
        if (!data || !node?.range) break;
        action(`Change to ${data.replacement}`, [edit(doc, node.range, rewriteScalar(node, data.replacement))], true);
        break;
      }
      case Codes.yaml11Scalar: {
        const data = diag.data as QuoteData | undefined;
        const node = data && scalarAt(doc.parsed.doc, at);
        if (!data || !node?.range) break;
        const source = doc.chunk.text.slice(node.range[0], node.range[1]);
        action(`Quote ${source} as a string`, [edit(doc, node.range, JSON.stringify(source))], true);
        break;
      }
      case Codes.executorNotFound: {
        const data = diag.data as ExecutorNotFoundData | undefined;
        const node = data && scalarAt(doc.parsed.doc, at);
        if (!data || !node?.range) break;
        data.suggestions.forEach((s, i) =>
          action(`Change executor to '${s}'`, [edit(doc, node.range!, rewriteScalar(node, s))], i === 0),
        );
        break;
      }
      case Codes.missingField:
      case Codes.executorMissing: {
        const data = diag.data as MissingFieldData | undefined;
        const fix = data && insertFieldEdit(doc, data);
        if (!data || !fix) break;
        action(`Add '${fix.line.trim()}'`, [fix.edit], true);
        break;
      }
    }
  }
  return out;
}

function edit(doc: Doc, range: readonly number[], newText: string): TextEdit {
  return TextEdit.replace(chunkRange(doc.chunk, doc.starts, range[0], range[1]), newText);
}

/** The key node named `key` under the offset (the diagnostic sits on the key). */
function keyNodeAt(doc: Document, offset: number, key: string): Node | undefined {
  const hit = astPathAt(doc, offset);
  if (hit?.onKey && hit.path[hit.path.length - 1] === key) return hit.node;
  return undefined;
}

/** The scalar value under the offset. */
function scalarAt(doc: Document, offset: number): Scalar | undefined {
  const hit = astPathAt(doc, offset);
  return hit && !hit.onKey && isScalar(hit.node) ? hit.node : undefined;
}

/** A scalar's new source text in the scalar's own quoting, or double-quoted when plain would change its meaning. */
function rewriteScalar(node: Scalar, value: string): string {
  if (node.type === Scalar.QUOTE_DOUBLE) return JSON.stringify(value);
  if (node.type === Scalar.QUOTE_SINGLE) return `'${value.replace(/'/g, "''")}'`;
  return readsAsString(value) ? value : JSON.stringify(value);
}

/** True when `value` written plain is read back (YAML 1.1, as Kubernetes reads it) as that string. */
function readsAsString(value: string): boolean {
  const { doc } = parseChunk(value);
  return doc.errors.length === 0 && isScalar(doc.contents) && doc.contents.value === value;
}

/** The edit rewriting a document's apiVersion value to `replacement`. */
function migrateEdit(doc: Doc, replacement: string): TextEdit | undefined {
  const found = pairAtPath(doc.parsed.doc, ["apiVersion"]);
  const value = found?.value;
  if (!isScalar(value) || !value.range) return undefined;
  return edit(doc, value.range, rewriteScalar(value, replacement));
}

/** The other documents of the file still on the legacy group (a cheap text test before parsing). */
function legacyDocuments(all: readonly Chunk[], except: Chunk, load: (i: number) => Doc): Doc[] {
  const out: Doc[] = [];
  all.forEach((c, i) => {
    if (c === except) return;
    const apiVersion = topLevelScalar(c.text, "apiVersion");
    if (apiVersion === undefined || splitApiVersion(apiVersion).group !== LEGACY_GROUP) return;
    if (!isSpinKind(topLevelScalar(c.text, "kind"))) return;
    out.push(load(i));
  });
  return out;
}

/** A placeholder value for a missing field, valid YAML of the field's type. */
function placeholder(field: string, s: JsonSchema | undefined): string {
  if (field === "executor") return DEFAULT_EXECUTOR;
  if (!s) return '""';
  if (s.enum?.length) return JSON.stringify(s.enum[0]);
  if (s.default !== undefined) return JSON.stringify(s.default);
  if (s["x-kubernetes-int-or-string"]) return "128Mi";
  switch (s.type) {
    case "boolean":
      return field === "createDeployment" ? "true" : "false";
    case "integer":
    case "number":
      return field === "replicas" ? "1" : "0";
    case "array":
      return "[]";
    case "object":
      return "{}";
    default:
      return '""';
  }
}

/** Column of a chunk offset. */
function columnOf(doc: Doc, offset: number): number {
  const text = doc.chunk.text;
  return offset - (text.lastIndexOf("\n", offset - 1) + 1);
}

/** The chunk offset of the end of the line holding `offset` (before its line break). */
function lineEndAfter(doc: Doc, offset: number): number {
  const text = doc.chunk.text;
  const from = offset > 0 && text[offset - 1] === "\n" ? offset - 1 : offset;
  const nl = text.indexOf("\n", from);
  if (nl < 0) return text.length;
  return nl > 0 && text[nl - 1] === "\r" ? nl - 1 : nl;
}

/** The edit adding `field: placeholder` to the mapping at `parentPath`, indented like its siblings. */
function insertFieldEdit(doc: Doc, data: MissingFieldData): { edit: TextEdit; line: string } | undefined {
  const ydoc = doc.parsed.doc;
  const kind = topLevelScalar(doc.chunk.text, "kind");
  const apiVersion = topLevelScalar(doc.chunk.text, "apiVersion");
  const root = isSpinKind(kind) && apiVersion && splitApiVersion(apiVersion).group === GROUP ? schemaRegistry().schema(kind) : undefined;
  const path: YamlPath = [...data.parentPath, data.field];
  const entry = `${data.field}: ${placeholder(data.field, root && schemaAt(root, path))}`;
  const parent = nodeAtPath(ydoc, data.parentPath);
  const pos = (o: number) => chunkRange(doc.chunk, doc.starts, o, o);
  if (isMap(parent) && parent.items.length > 0 && !parent.flow) {
    const first = parent.items[0] as Pair<Node, Node | null>;
    const last = parent.items[parent.items.length - 1] as Pair<Node, Node | null>;
    if (!first.key?.range || !last.key?.range) return undefined;
    const indent = " ".repeat(columnOf(doc, first.key.range[0]));
    const end = lastContentEnd(last);
    return { edit: TextEdit.insert(pos(lineEndAfter(doc, end)).start, `\n${indent}${entry}`), line: entry };
  }
  if (isMap(parent) && parent.flow && parent.range) {
    const text = doc.chunk.text;
    let close = parent.range[1] - 1;
    while (close > parent.range[0] && text[close] !== "}") close--;
    let at = close;
    while (at > parent.range[0] + 1 && /\s/.test(text[at - 1])) at--;
    const sep = parent.items.length ? ", " : "";
    return { edit: TextEdit.insert(pos(at).start, `${sep}${entry}`), line: entry };
  }
  if (data.parentPath.length === 0) return undefined;
  // `key:` with no value yet: the field goes on the next line, two columns in.
  const holder = pairAtPath(ydoc, data.parentPath);
  const empty = !holder?.value || (isScalar(holder.value) && holder.value.value == null && !holder.value.source);
  const key = holder?.pair?.key as Node | undefined;
  if (!empty || !key?.range) return undefined;
  const indent = " ".repeat(columnOf(doc, key.range[0]) + 2);
  return { edit: TextEdit.insert(pos(lineEndAfter(doc, key.range[1])).start, `\n${indent}${entry}`), line: entry };
}

/** Chunk offset just past a pair's last content (its value, or its key when the value is empty). */
function lastContentEnd(pair: Pair<Node, Node | null>): number {
  const v = pair.value;
  if (v?.range && !(isScalar(v) && v.value == null && !v.source)) return v.range[1];
  return pair.key.range![1];
}
