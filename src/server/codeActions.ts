/**
 * Quick fixes for the server's diagnostics, driven by `Diagnostic.code` and the `data` each code
 * carries (diagnosticCodes.ts, runtimeHints.ts): did-you-mean for unknown keys, executor and
 * RuntimeClass names; the legacy group migration; quantity spelling; missing required fields;
 * quoting YAML 1.1 scalars; the webhook conflicts (replicas with autoscaling, runtimeClassName with
 * spinImage); runtimeClassName on the pod spec. Edits are minimal ranges computed from the `yaml`
 * AST of the one document concerned, so comments and formatting elsewhere stay as they are and
 * the result re-parses. vscode-free.
 */
import { isMap, isScalar, Scalar, type Document, type LineCounter, type Node, type Pair } from "yaml";
import { CodeActionKind, TextEdit, type CodeAction, type Diagnostic } from "vscode-languageserver-types";
import { parseChunk, splitDocuments, type Chunk } from "./documents";
import {
  Codes,
  type ExecutorNotFoundData,
  type LegacyGroupData,
  type MissingFieldData,
  type QuantityData,
  type QuoteData,
  type UnknownFieldData,
} from "./diagnosticCodes";
import type { AddRuntimeClassData, MoveRuntimeClassData } from "./runtimeHints";
import { schemaAt, schemaRegistry } from "./schemas";
import { typicalValue } from "./completion";
import { DEFAULT_NAMESPACE, type Knowledge } from "./knowledge";
import { nodeAt, pairAt, toRange, type YamlPath } from "./ranges";
import { astPathAt, chunkAtLine, chunkOffset, topLevelScalar } from "./yamlPath";
import { GROUP, LEGACY_GROUP, isSpinKind, splitApiVersion } from "../shared/spinApp";

/** One parsed document of the file. */
interface Doc {
  chunk: Chunk;
  doc: Document.Parsed;
  lines: LineCounter;
}

type KeyedPair = Pair<Node, Node | null>;

/**
 * Quick fixes for the given diagnostics (those the client sends for a range). Each action fixes
 * one diagnostic; the most likely fix is preferred. Pass `chunks` when the caller already split
 * the file; only documents holding a diagnostic are parsed.
 */
export function codeActions(uri: string, text: string, diagnostics: readonly Diagnostic[], chunks?: readonly Chunk[], knowledge?: Knowledge): CodeAction[] {
  const all = chunks ?? splitDocuments(text);
  const cache = new Map<number, Doc>();
  const load = (i: number): Doc => {
    let d = cache.get(i);
    if (!d) {
      const parsed = parseChunk(all[i].text);
      d = { chunk: all[i], doc: parsed.doc, lines: parsed.lines };
      cache.set(i, d);
    }
    return d;
  };
  const out: CodeAction[] = [];
  for (const diag of diagnostics) {
    const doc = load(chunkAtLine(all, diag.range.start.line));
    const at = chunkOffset(doc.chunk, doc.lines, diag.range.start);
    const action = (title: string, edits: (TextEdit | undefined)[], isPreferred = false): void => {
      if (edits.length === 0 || edits.some((e) => !e)) return;
      out.push({ title, kind: CodeActionKind.QuickFix, diagnostics: [diag], isPreferred, edit: { changes: { [uri]: edits as TextEdit[] } } });
    };
    switch (diag.code) {
      case Codes.unknownField: {
        const data = diag.data as UnknownFieldData | undefined;
        if (!data) break;
        const key = (data.parentPath && pairAt(doc.doc, [...data.parentPath, data.key])?.key) ?? keyNodeAt(doc.doc, at, data.key);
        data.suggestions.forEach((s, i) => action(`Change '${data.key}' to '${s}'`, [replaceNode(doc, key, s)], i === 0));
        break;
      }
      case Codes.legacyGroup: {
        const data = diag.data as LegacyGroupData | undefined;
        if (!data) break;
        const own = migrateEdit(doc, data.replacement);
        action(`Change apiVersion to ${data.replacement}`, [own], true);
        const others = all.map((c, i) => (c !== doc.chunk && isLegacySpinKube(c) ? migrateEdit(load(i), data.replacement) : undefined)).filter((e) => e);
        if (others.length) action(`Change apiVersion to ${data.replacement} in all ${others.length + 1} documents of this file`, [own, ...others]);
        break;
      }
      case Codes.quantity:
      case Codes.invocationMemoryInvalid: {
        const data = diag.data as QuantityData | undefined;
        if (!data?.replacement) break;
        action(`Change to ${data.replacement}`, [replaceScalar(doc, scalarAt(doc.doc, at), data.replacement)], true);
        break;
      }
      case Codes.yaml11Scalar: {
        const data = diag.data as QuoteData | undefined;
        const node = scalarAt(doc.doc, at);
        if (!data || !node?.range) break;
        const source = doc.chunk.text.slice(node.range[0], node.range[1]);
        action(`Quote ${source} as the string "${source}"`, [replaceNode(doc, node, JSON.stringify(source))], true);
        break;
      }
      case Codes.executorNotFound:
      case Codes.unknownRuntimeClass: {
        const data = diag.data as Pick<ExecutorNotFoundData, "name" | "suggestions"> | undefined;
        const node = scalarAt(doc.doc, at);
        const what = diag.code === Codes.executorNotFound ? "executor" : "runtimeClassName";
        data?.suggestions.forEach((s, i) => action(`Change ${what} to '${s}'`, [replaceScalar(doc, node, s)], i === 0));
        break;
      }
      case Codes.executorMissing: {
        // Offer the executors the workspace or cluster has in this namespace, else the usual name.
        const data = diag.data as MissingFieldData | undefined;
        if (!data) break;
        const ns = topLevelNamespace(doc.doc) ?? DEFAULT_NAMESPACE;
        const names = [...new Set(knowledge?.executorsIn(ns).map((e) => e.name) ?? [])];
        for (const [i, name] of (names.length ? names : [placeholder(doc, data.parentPath, data.field)]).entries())
          action(`Add 'executor: ${name}'`, [insertEntry(doc, data.parentPath, `executor: ${name}`, "end")], i === 0);
        break;
      }
      case Codes.missingField:
      case Codes.replicasMin:
      case Codes.executorRuntimeMissing: {
        const data = diag.data as MissingFieldData | undefined;
        if (!data?.field) break;
        const entry = `${data.field}: ${placeholder(doc, data.parentPath, data.field)}`;
        action(`Add '${entry}'`, [insertEntry(doc, data.parentPath, entry, "end")], true);
        break;
      }
      case Codes.wasmWithoutRuntimeClass: {
        const data = diag.data as AddRuntimeClassData | undefined;
        if (!data) break;
        const entry = `runtimeClassName: ${data.runtimeClassName}`;
        action(`Add '${entry}' to ${data.podSpecPath.join(".")}`, [insertEntry(doc, data.podSpecPath, entry, "start")], true);
        break;
      }
      case Codes.runtimeClassInContainer: {
        const data = diag.data as MoveRuntimeClassData | undefined;
        const hit = astPathAt(doc.doc, at);
        if (!data || !hit?.onKey || !hit.pair) break;
        const remove = deletePair(doc, hit.pair as KeyedPair);
        const podHas = pairAt(doc.doc, [...data.podSpecPath, "runtimeClassName"]) !== undefined;
        const add = podHas ? [] : [insertEntry(doc, data.podSpecPath, `runtimeClassName: ${data.value}`, "start")];
        action(`Move runtimeClassName to ${data.podSpecPath.join(".")}`, [...add, remove], true);
        break;
      }
      case Codes.replicasWithAutoscaling: {
        const pair = pairAt(doc.doc, ["spec", "replicas"]);
        action("Remove replicas (the autoscaler sets the count)", [pair && deletePair(doc, pair)], true);
        break;
      }
      case Codes.executorRuntimeExclusive: {
        const dc = ["spec", "deploymentConfig"];
        const spinImage = pairAt(doc.doc, [...dc, "spinImage"]);
        const runtimeClass = pairAt(doc.doc, [...dc, "runtimeClassName"]);
        action("Remove spinImage (run on the containerd shim)", [spinImage && deletePair(doc, spinImage)], true);
        action("Remove runtimeClassName (run in a spintainer)", [runtimeClass && deletePair(doc, runtimeClass)]);
        break;
      }
    }
  }
  return out;
}

function replaceNode(doc: Doc, node: Node | null | undefined, newText: string): TextEdit | undefined {
  const r = node?.range;
  return r ? TextEdit.replace(toRange(doc.lines, [r[0], r[1]], doc.chunk.line), newText) : undefined;
}

function replaceScalar(doc: Doc, node: Scalar | undefined, value: string): TextEdit | undefined {
  return node && replaceNode(doc, node, rewriteScalar(node, value));
}

/** The key node named `key` under the offset (the diagnostic sits on the key). */
function keyNodeAt(doc: Document, offset: number, key: string): Node | undefined {
  const hit = astPathAt(doc, offset);
  return hit?.onKey && hit.path[hit.path.length - 1] === key ? hit.node : undefined;
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

function isLegacySpinKube(c: Chunk): boolean {
  const apiVersion = topLevelScalar(c.text, "apiVersion");
  return apiVersion !== undefined && splitApiVersion(apiVersion).group === LEGACY_GROUP && isSpinKind(topLevelScalar(c.text, "kind"));
}

/** The edit rewriting a document's apiVersion value (and nothing else). */
function migrateEdit(doc: Doc, replacement: string): TextEdit | undefined {
  const value = pairAt(doc.doc, ["apiVersion"])?.value;
  return isScalar(value) ? replaceScalar(doc, value, replacement) : undefined;
}

/** A placeholder value for a missing field: valid YAML of the field's type. */
function topLevelNamespace(doc: Document): string | undefined {
  const ns = nodeAt(doc, ["metadata", "namespace"]);
  return isScalar(ns) && ns.value != null ? String(ns.value) : undefined;
}

function placeholder(doc: Doc, parentPath: YamlPath, field: string): string {
  const kind = topLevelScalar(doc.chunk.text, "kind");
  const apiVersion = topLevelScalar(doc.chunk.text, "apiVersion");
  if (!isSpinKind(kind) || !apiVersion || splitApiVersion(apiVersion).group !== GROUP) return '""';
  const path = [...parentPath, field];
  const s = schemaAt(schemaRegistry().schema(kind), path);
  if (!s) return '""';
  if (s.enum?.length) return JSON.stringify(s.enum[0]);
  if (s.type === "boolean") return field === "createDeployment" ? "true" : String(s.default ?? false);
  const typical = typicalValue(kind, path, s);
  if (typical !== undefined) return readsAsString(typical) || s.type === "integer" ? typical : JSON.stringify(typical);
  if (s.type === "integer" || s.type === "number") return "0";
  if (s.type === "array") return "[]";
  if (s.type === "object") return "{}";
  return '""';
}

/** Column of a chunk offset. */
function columnOf(doc: Doc, offset: number): number {
  return offset - (doc.chunk.text.lastIndexOf("\n", offset - 1) + 1);
}

/** True when only spaces precede `offset` on its line (the node starts the line). */
function startsLine(doc: Doc, offset: number): boolean {
  const text = doc.chunk.text;
  return /^[ ]*$/.test(text.slice(text.lastIndexOf("\n", offset - 1) + 1, offset));
}

/** Chunk offset of the end of the line holding the last character before `offset` (before its line break). */
function lineEndAfter(doc: Doc, offset: number): number {
  const text = doc.chunk.text;
  const from = offset > 0 && text[offset - 1] === "\n" ? offset - 1 : offset;
  const nl = text.indexOf("\n", from);
  if (nl < 0) return text.length;
  return nl > 0 && text[nl - 1] === "\r" ? nl - 1 : nl;
}

/** Chunk offset just past a pair's last content (its value, or its key when the value is empty). */
function lastContentEnd(pair: KeyedPair): number {
  const v = pair.value;
  if (v?.range && !(isScalar(v) && v.value == null && !v.source)) return v.range[1];
  return pair.key.range![1];
}

function insertAt(doc: Doc, offset: number, text: string): TextEdit {
  return TextEdit.insert(toRange(doc.lines, [offset, offset], doc.chunk.line).start, text);
}

/**
 * The edit adding the line `entry` to the mapping at `parentPath`, indented like its keys: after
 * its last entry ("end") or before its first ("start", which never touches the entries' lines).
 * Handles flow mappings and a `key:` that has no value yet.
 */
function insertEntry(doc: Doc, parentPath: YamlPath, entry: string, where: "start" | "end"): TextEdit | undefined {
  const parent = nodeAt(doc.doc, parentPath);
  const text = doc.chunk.text;
  if (isMap(parent) && parent.flow && parent.range) {
    let close = parent.range[1] - 1;
    while (close > parent.range[0] && text[close] !== "}") close--;
    let at = close;
    while (at > parent.range[0] + 1 && /\s/.test(text[at - 1])) at--;
    return insertAt(doc, at, `${parent.items.length ? ", " : ""}${entry}`);
  }
  if (isMap(parent) && parent.items.length > 0) {
    const first = parent.items[0] as KeyedPair;
    const firstStart = first.key?.range?.[0];
    if (firstStart === undefined) return undefined;
    const indent = " ".repeat(columnOf(doc, firstStart));
    if (where === "start" && startsLine(doc, firstStart)) return insertAt(doc, firstStart - indent.length, `${indent}${entry}\n`);
    return insertAt(doc, lineEndAfter(doc, lastContentEnd(parent.items[parent.items.length - 1] as KeyedPair)), `\n${indent}${entry}`);
  }
  // `key:` with no value yet: the entry goes on the next line, two columns in.
  if (parentPath.length === 0 || typeof parentPath[parentPath.length - 1] !== "string") return undefined;
  const holder = pairAt(doc.doc, parentPath);
  const v = holder?.value;
  if (!holder?.key.range || (v && !(isScalar(v) && v.value == null && !v.source))) return undefined;
  const indent = " ".repeat(columnOf(doc, holder.key.range[0]) + 2);
  return insertAt(doc, lineEndAfter(doc, holder.key.range[1]), `\n${indent}${entry}`);
}

/** The edit deleting a pair's whole lines (only when its key starts a line). */
function deletePair(doc: Doc, pair: KeyedPair): TextEdit | undefined {
  const start = pair.key?.range?.[0];
  if (start === undefined || !startsLine(doc, start)) return undefined;
  const from = start - columnOf(doc, start);
  const end = lineEndAfter(doc, lastContentEnd(pair));
  const text = doc.chunk.text;
  const to = text[end] === "\r" ? end + 2 : text[end] === "\n" ? end + 1 : end;
  return TextEdit.replace(toRange(doc.lines, [from, to], doc.chunk.line), "");
}
