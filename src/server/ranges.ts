/**
 * Finding where a YAML path is in a parsed document, as offsets and LSP ranges. Ranges come from
 * the parser's node offsets, never from searching the text. vscode-free.
 */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from "yaml";
import type { Range } from "vscode-languageserver-types";

export type YamlPath = readonly (string | number)[];

/** The key/value pair at a path (the last segment must be a map key), or undefined. */
export function pairAt(doc: Document, path: YamlPath): Pair<Node, Node | null> | undefined {
  if (!path.length) return undefined;
  const parent = path.length === 1 ? doc.contents : nodeAt(doc, path.slice(0, -1));
  const last = path[path.length - 1];
  if (!isMap(parent)) return undefined;
  for (const item of parent.items) {
    if (isPair(item) && isScalar(item.key) && String(item.key.value) === String(last)) return item as Pair<Node, Node | null>;
  }
  return undefined;
}

/** The node at a path (map keys and sequence indexes), or undefined. */
export function nodeAt(doc: Document, path: YamlPath): Node | undefined {
  let cur: unknown = doc.contents;
  for (const seg of path) {
    if (isMap(cur)) {
      const pair = cur.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      cur = pair?.value ?? undefined;
    } else if (isSeq(cur) && typeof seg === "number") {
      cur = cur.items[seg];
    } else return undefined;
  }
  return (cur as Node | undefined) ?? undefined;
}

/** Offsets [start, end) of a node's own text (without trailing comments). */
export function nodeSpan(node: Node | null | undefined): [number, number] | undefined {
  const r = node?.range;
  return r ? [r[0], r[1]] : undefined;
}

/**
 * The best place to underline for a path:
 * - "key": the key of the last segment (unknown keys, misplaced keys);
 * - "value": the value (wrong type, enum, format), falling back to the key for an empty value;
 * - "container": the key whose value holds this path (missing required fields).
 * Walks up to the nearest existing ancestor when the path is not in the document.
 */
export function spanFor(doc: Document, text: string, path: YamlPath, where: "key" | "value" | "container"): [number, number] {
  let p = [...path];
  if (where === "container") {
    if (!p.length) return rootSpan(doc);
    return keySpanOrUp(doc, text, p);
  }
  if (where === "value") {
    const node = nodeAt(doc, p);
    const s = nodeSpan(node);
    if (s && s[1] > s[0]) return s;
  }
  // key, or a value without a span
  while (p.length && typeof p[p.length - 1] === "number") {
    const s = nodeSpan(nodeAt(doc, p));
    if (s) return firstLine(text, s);
    p = p.slice(0, -1);
  }
  return keySpanOrUp(doc, text, p);
}

function keySpanOrUp(doc: Document, text: string, path: YamlPath): [number, number] {
  let p = [...path];
  while (p.length) {
    const last = p[p.length - 1];
    if (typeof last === "string") {
      const pair = pairAt(doc, p);
      const s = nodeSpan(pair?.key as Node | undefined);
      if (s) return s;
    } else {
      const s = nodeSpan(nodeAt(doc, p));
      if (s) return firstLine(text, s);
    }
    p = p.slice(0, -1);
  }
  return rootSpan(doc);
}

/** A span limited to its first line (a sequence item can be a whole block). */
function firstLine(text: string, s: [number, number]): [number, number] {
  const nl = text.indexOf("\n", s[0]);
  return [s[0], nl >= 0 && nl < s[1] ? nl : s[1]];
}

/** For errors about the whole document: the `kind` key when present, else the first node. */
function rootSpan(doc: Document): [number, number] {
  const kind = pairAt(doc, ["kind"]);
  const s = nodeSpan(kind?.key as Node | undefined) ?? nodeSpan(doc.contents as Node | undefined);
  return s ? [s[0], Math.max(s[1], s[0] + 1)] : [0, 1];
}

/** Converts chunk offsets to a file range, given the chunk's first line in the file. */
export function toRange(lines: LineCounter, span: [number, number], lineOffset: number): Range {
  const a = lines.linePos(span[0]);
  const b = lines.linePos(span[1]);
  return {
    start: { line: a.line - 1 + lineOffset, character: a.col - 1 },
    end: { line: b.line - 1 + lineOffset, character: b.col - 1 },
  };
}
