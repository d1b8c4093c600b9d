/**
 * The outline of a YAML file: one symbol per SpinApp or SpinAppExecutor document (`SpinApp name`,
 * the namespace as detail), with the document's top-level `spec` keys as children. Other documents
 * are left out; ranges are file-absolute (chunk line offsets). A cheap text test skips foreign
 * documents without parsing them, and each document's symbol is cached by its text. vscode-free.
 */
import { isMap, isScalar, isSeq, type Node, type Pair } from "yaml";
import { SymbolKind, type DocumentSymbol, type Range } from "vscode-languageserver-types";
import { parseChunk, splitDocuments, type Chunk } from "./documents";
import { DEFAULT_NAMESPACE } from "./knowledge";
import { keyString, topLevelScalar } from "./yamlPath";
import { pairAt, toRange } from "./ranges";
import { GROUP, LEGACY_GROUP, isSpinKind, splitApiVersion } from "../shared/spinApp";

function summary(v: unknown): string | undefined {
  if (isScalar(v)) return v.value == null ? undefined : String(v.value);
  if (isSeq(v)) return `${v.items.length} item${v.items.length === 1 ? "" : "s"}`;
  if (isMap(v)) return `${v.items.length} key${v.items.length === 1 ? "" : "s"}`;
  return undefined;
}

/**
 * Each document's symbol with lines relative to the document, by document text: an edit re-parses
 * only the document it touched, so the outline of a 3,000-document file stays cheap after the
 * first request. Bounded; cleared when it grows past the bound.
 */
const cache = new Map<string, DocumentSymbol | null>();
const CACHE_LIMIT = 20_000;

/** Document symbols for every SpinKube document of a file. Pass `chunks` when already split. */
export function documentSymbols(text: string, chunks?: readonly Chunk[]): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  for (const chunk of chunks ?? splitDocuments(text)) {
    let sym = cache.get(chunk.text);
    if (sym === undefined) {
      sym = chunkSymbol(chunk.text);
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(chunk.text, sym);
    }
    if (sym) out.push(shift(sym, chunk.line));
  }
  return out;
}

/** A copy of a chunk-relative symbol moved down by `lines`. */
function shift(sym: DocumentSymbol, lines: number): DocumentSymbol {
  const move = (r: Range): Range => ({ start: { line: r.start.line + lines, character: r.start.character }, end: { line: r.end.line + lines, character: r.end.character } });
  return { ...sym, range: move(sym.range), selectionRange: move(sym.selectionRange), children: sym.children?.map((c) => shift(c, lines)) };
}

/** The symbol of one document (lines relative to it), or null when it is not a SpinKube document. */
function chunkSymbol(text: string): DocumentSymbol | null {
  const kind = topLevelScalar(text, "kind");
  const apiVersion = topLevelScalar(text, "apiVersion");
  if (!isSpinKind(kind) || apiVersion === undefined) return null;
  const group = splitApiVersion(apiVersion).group;
  if (group !== GROUP && group !== LEGACY_GROUP) return null;
  const { doc, lines } = parseChunk(text);
  const contents = doc.contents as Node | null;
  if (!isMap(contents) || !contents.range) return null;
  // Block collections end after their last line break; ranges stop at the last character.
  const at = (a: number, b: number) => {
    while (b > a && /\s/.test(text[b - 1])) b--;
    return toRange(lines, [a, b], 0);
  };
  const range = at(contents.range[0], contents.range[1]);
  const nameNode = pairAt(doc, ["metadata", "name"])?.value;
  const name = isScalar(nameNode) && nameNode.value != null ? String(nameNode.value) : "(unnamed)";
  const ns = doc.getIn(["metadata", "namespace"]);
  const selection = isScalar(nameNode) && nameNode.range ? at(nameNode.range[0], nameNode.range[1]) : { start: range.start, end: range.start };
  const children: DocumentSymbol[] = [];
  const spec = pairAt(doc, ["spec"])?.value;
  if (isMap(spec)) {
    for (const item of spec.items as Pair<Node, Node | null>[]) {
      const key = keyString(item.key);
      if (!key || !item.key.range) continue;
      const end = item.value?.range?.[1] ?? item.key.range[1];
      children.push({
        name: key,
        detail: summary(item.value),
        kind: isMap(item.value) ? SymbolKind.Object : isSeq(item.value) ? SymbolKind.Array : SymbolKind.Property,
        range: at(item.key.range[0], Math.max(end, item.key.range[1])),
        selectionRange: at(item.key.range[0], item.key.range[1]),
      });
    }
  }
  return {
    name: `${kind} ${name}`,
    detail: (typeof ns === "string" && ns ? ns : DEFAULT_NAMESPACE) + (group === LEGACY_GROUP ? ` · legacy group ${LEGACY_GROUP}` : ""),
    kind: kind === "SpinApp" ? SymbolKind.Class : SymbolKind.Interface,
    range,
    selectionRange: selection,
    children,
  };
}
