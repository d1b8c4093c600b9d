/**
 * Where the cursor is in a YAML document, as a path of keys and indexes (`["spec", "variables", 0]`),
 * for completion, hover and code actions. Two views of one chunk (one YAML document):
 *
 * - the `yaml` AST (`astPathAt`; ranges.ts finds nodes by path), exact for documents that parse,
 *   and the only view that understands flow collections (`{a: 1}`);
 * - an indentation model of the lines (`pathAtOffset`), which keeps working while the user types
 *   (`  rep` with no colon yet, an empty line under `spec:`, a fresh `- ` item), where the AST is
 *   wrong or absent. Block scalars and comments are recognised so their text is never read as keys.
 *
 * Also the helpers the editing features share that documents.ts and ranges.ts lack: LSP position →
 * chunk offset, the chunk holding a line, the top-level `apiVersion`/`kind` of a chunk without
 * parsing it.
 * vscode-free.
 */
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from "yaml";
import type { Position } from "vscode-languageserver-types";
import type { Chunk } from "./documents";
import { nodeAt, type YamlPath } from "./ranges";

/** What the cursor is on, as completion needs it. Offsets are chunk-local. */
export interface CursorContext {
  /**
   * On a key: the path of the mapping the key belongs to (for a fresh `- ` item, the item's path).
   * On a value: the path of the key whose value it is (or of the sequence item).
   */
  path: YamlPath;
  /** True when the cursor is where a key goes (possibly partly typed), false on a value. */
  onKey: boolean;
  /** On a key: the key text typed before the cursor. */
  keyPrefix: string;
  /** On a value: the key the value belongs to (undefined for a sequence item). */
  valueKey?: string;
  /** On a value: the value text typed before the cursor (without an opening quote). */
  valuePrefix: string;
  /** Keys already present in the mapping at `path` (on a key), excluding the one at the cursor. */
  existingKeys: string[];
  /** Column of the keys at this level (on a value: the key's column). */
  indent: number;
  /** Chunk-local range the completion replaces: the word at the cursor (key or value). */
  replaceStart: number;
  replaceEnd: number;
  /** On a key: the key at the cursor already has its `:` (insert the name only). */
  keyHasColon: boolean;
  /** On a value: the cursor is right after the `:` with no space yet. */
  needsSpace: boolean;
  /** Inside a flow collection (`{…}`/`[…]`): insert single-line text only. */
  flow: boolean;
}

// ---------------------------------------------------------------------------------------------
// Line model

interface Line {
  /** Chunk offset of the line's first character. */
  start: number;
  /** The line without its line break. */
  text: string;
  /** Blank, comment-only, `---`/`...`/directive, or block-scalar content: not structure. */
  skip: boolean;
  /** For a blank line inside a block scalar: the column the scalar's content must exceed. */
  blockCol?: number;
  /** Column of the first non-space character. */
  indent: number;
  /** Columns of the leading `- ` sequence indicators. */
  dashes: number[];
  /** Column of the content after the dashes (= indent without dashes). */
  col: number;
  /** The mapping key at `col`, when the line has `key:`. */
  key?: string;
  /** Text after `key:` (or after the dashes), comment stripped and trimmed. */
  value: string;
}

const QUOTED_KEY = /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)')[ \t]*:(?=[ \t]|$)/;
const PLAIN_KEY = /^((?:[^\s#"'{}[\],&*!|>%@`?:-]|[?:-](?=\S))[^#]*?)[ \t]*:(?=[ \t]|$)/;
const BLOCK_SCALAR = /^[|>][0-9+-]*$/;

function stripComment(s: string): string {
  const m = /(^|[ \t])#/.exec(s);
  return (m ? s.slice(0, m.index) : s).trim();
}

/** The structure of one line (or of the text before the cursor on it). */
function analyse(text: string, start: number): Line {
  let i = 0;
  while (text[i] === " ") i++;
  const indent = i;
  const trimmed = text.slice(i);
  if (trimmed === "" || trimmed.startsWith("#") || (indent === 0 && /^(?:---|\.\.\.)(?:\s|$)|^%/.test(text))) {
    return { start, text, skip: true, indent, dashes: [], col: indent, value: "" };
  }
  const dashes: number[] = [];
  while (text[i] === "-" && (text[i + 1] === " " || text[i + 1] === "\t" || i + 1 === text.length)) {
    dashes.push(i);
    i++;
    while (text[i] === " " || text[i] === "\t") i++;
  }
  const rest = text.slice(i);
  const q = QUOTED_KEY.exec(rest);
  const p = q ? undefined : PLAIN_KEY.exec(rest);
  let key: string | undefined;
  let value: string;
  if (q) {
    key = q[1] !== undefined ? q[1] : q[2].replace(/''/g, "'");
    value = stripComment(rest.slice(q[0].length + 1));
  } else if (p) {
    key = p[1];
    value = stripComment(rest.slice(p[0].length + 1));
  } else {
    value = stripComment(rest);
  }
  return { start, text, skip: false, indent, dashes, col: i, key, value };
}

/** The lines of a chunk with block-scalar content marked as skipped. */
function lineModel(text: string): Line[] {
  const lines: Line[] = [];
  let blockCol: number | undefined;
  let start = 0;
  for (;;) {
    const nl = text.indexOf("\n", start);
    const raw = text.slice(start, nl < 0 ? text.length : nl);
    const lineText = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    let line = analyse(lineText, start);
    if (blockCol !== undefined) {
      if (lineText.trim() === "") line = { ...line, blockCol };
      else if (line.indent > blockCol) line = { ...line, skip: true, blockCol };
      else blockCol = undefined;
    }
    if (blockCol === undefined && !line.skip && BLOCK_SCALAR.test(line.value)) {
      blockCol = line.key !== undefined ? line.col : line.dashes[line.dashes.length - 1] ?? line.indent;
    }
    lines.push(line);
    if (nl < 0) break;
    start = nl + 1;
  }
  return lines;
}

/** Index of the last item whose position (`at`) is ≤ `value`, in items sorted by position; 0 when none. */
function lastAtOrBefore<T>(items: readonly T[], at: (t: T) => number, value: number): number {
  let lo = 0;
  let hi = items.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (at(items[mid]) <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Path of the mapping whose keys sit at column `col`, the key on line `li` being one of them. */
function containerPath(lines: readonly Line[], li: number, col: number): YamlPath {
  const line = lines[li];
  const last = line.dashes.length - 1;
  if (last >= 0 && line.col === col) return itemPath(lines, li, line.dashes[last]);
  return mappingPath(lines, li - 1, col);
}

/** Path of the key on line `li`. */
function keyPath(lines: readonly Line[], li: number): YamlPath {
  const line = lines[li];
  return [...containerPath(lines, li, line.col), line.key ?? ""];
}

/** Scanning up from line `from`: the path of the mapping with keys at column `col`. */
function mappingPath(lines: readonly Line[], from: number, col: number): YamlPath {
  for (let l = from; l >= 0; l--) {
    const line = lines[l];
    if (line.skip || line.indent > col) continue;
    if (line.key !== undefined && line.col === col) return containerPath(lines, l, col);
    if (line.key !== undefined && line.col < col) return keyPath(lines, l);
    if (line.dashes[0] === col) continue; // an item of a sibling key's compact sequence
    // `- ` whose content is further right, or a bare `-`: the mapping is that item.
    const dash = lastBelow(line.dashes, col);
    if (dash !== undefined) return itemPath(lines, l, dash);
  }
  return [];
}

function lastBelow(cols: readonly number[], col: number): number | undefined {
  let found: number | undefined;
  for (const c of cols) if (c < col) found = c;
  return found;
}

/** Path of the sequence item whose `- ` is at column `dash` on line `li`. */
function itemPath(lines: readonly Line[], li: number, dash: number): YamlPath {
  const line = lines[li];
  const k = line.dashes.indexOf(dash);
  if (k > 0) return [...itemPath(lines, li, line.dashes[k - 1]), 0]; // `- - x`
  let count = 0;
  for (let l = li - 1; l >= 0; l--) {
    const prev = lines[l];
    if (prev.skip || prev.indent > dash) continue;
    const j = prev.dashes.indexOf(dash);
    if (j >= 0) {
      count++;
      if (j > 0) return [...itemPath(lines, l, prev.dashes[j - 1]), count];
      continue;
    }
    if (prev.key !== undefined && prev.col <= dash) return [...keyPath(lines, l), count];
    const outer = lastBelow(prev.dashes, dash);
    if (outer !== undefined) return [...itemPath(lines, l, outer), count];
    if (prev.indent < dash) break;
  }
  return [count];
}

/** Keys of the mapping at column `col` around line `li` (excluding line `li`). */
function siblingKeys(lines: readonly Line[], li: number, col: number): string[] {
  const keys: string[] = [];
  const cur = lines[li];
  const startsItem = cur.dashes.length > 0 && cur.col === col;
  if (!startsItem) {
    for (let l = li - 1; l >= 0; l--) {
      const line = lines[l];
      if (line.skip || line.indent > col) continue;
      if (line.key !== undefined && line.col === col) {
        keys.push(line.key);
        if (line.dashes.length) break; // the first key of this sequence item
        continue;
      }
      if (line.indent === col && line.dashes[0] === col) continue;
      if (line.indent < col) break;
    }
  }
  for (let l = li + 1; l < lines.length; l++) {
    const line = lines[l];
    if (line.skip || line.indent > col) continue;
    if (line.indent < col) break;
    if (line.dashes[0] === col) continue;
    if (line.key !== undefined && line.col === col) keys.push(line.key);
  }
  return keys;
}

/**
 * The cursor's context in one chunk (a YAML document), from the indentation of the lines, so it
 * works on incomplete text. Falls back to the AST (`parsed`, when the chunk parses without errors)
 * inside flow collections. Undefined in comments, block scalars and places no key or value goes.
 */
export function pathAtOffset(chunkText: string, offset: number, parsed?: Document.Parsed): CursorContext | undefined {
  const lines = lineModel(chunkText);
  const li = lastAtOrBefore(lines, (l) => l.start, offset);
  const line = lines[li];
  const c = offset - line.start;
  if (c > line.text.length) return undefined;
  const before = line.text.slice(0, c);
  const after = line.text.slice(c);
  if (line.skip && line.blockCol !== undefined && c > line.blockCol) return undefined; // blank line in a block scalar
  if (line.skip && line.text.trim() !== "") {
    if (line.blockCol !== undefined) return undefined; // block-scalar content
    if (/^\s*#/.test(line.text) || line.indent === 0) return undefined; // comment, marker
  }
  if (/(^|[ \t])#/.test(before) && !/["']/.test(before)) return undefined;
  if (/^[ \t]*(?:-[ \t]+)*-$/.test(before)) return undefined; // a `-` still waiting for its space

  const cur = analyse(before, line.start);
  const model = lines.slice();
  if (/^[ \t]*(?:-[ \t]+)*$/.test(before)) {
    // Nothing typed yet: a key (or item) goes at the cursor column.
    const dashes = cur.skip ? [] : cur.dashes;
    model[li] = { ...cur, skip: false, dashes, col: c, indent: dashes[0] ?? c, key: undefined };
  } else model[li] = { ...cur, key: undefined };
  const head = model[li];
  const typed = before.slice(head.col);
  if (/^[{[]/.test(typed) || (cur.key !== undefined && /^[{[]/.test(cur.value))) return flowContext(parsed, offset);

  if (cur.key !== undefined) {
    // `key: val|` — on a value.
    const colon = head.col + keySourceLength(typed);
    let vStart = colon + 1;
    while (before[vStart] === " " || before[vStart] === "\t") vStart++;
    let prefix = before.slice(vStart);
    if (/^[|>]/.test(prefix)) return undefined;
    const quote = /^["']/.exec(prefix)?.[0];
    if (quote) prefix = prefix.slice(1);
    const word = /^[^\s#"']*/.exec(after)![0];
    const closing = quote && after.slice(word.length).startsWith(quote) ? 1 : 0;
    model[li] = { ...head, key: cur.key };
    return {
      path: keyPath(model, li),
      onKey: false,
      keyPrefix: "",
      valueKey: cur.key,
      valuePrefix: prefix,
      existingKeys: [],
      indent: head.col,
      replaceStart: line.start + vStart,
      replaceEnd: offset + word.length + closing,
      keyHasColon: true,
      needsSpace: vStart === colon + 1 && before.length === colon + 1,
      flow: false,
    };
  }

  const word = /^[^\s:#]*/.exec(after)![0];
  const keyHasColon = /^[ \t]*:(?:[ \t]|$)/.test(after.slice(word.length));
  return {
    path: containerPath(model, li, head.col),
    onKey: true,
    keyPrefix: typed,
    valuePrefix: "",
    existingKeys: siblingKeys(model, li, head.col),
    indent: head.col,
    replaceStart: line.start + head.col,
    replaceEnd: offset + word.length,
    keyHasColon,
    needsSpace: false,
    flow: false,
  };
}

/** Length of the key's source text at the start of `s` (quoted or plain), up to its colon. */
function keySourceLength(s: string): number {
  const q = QUOTED_KEY.exec(s) ?? PLAIN_KEY.exec(s);
  return q ? q[0].length - 1 : 0;
}

/** The cursor's context inside a flow collection, from the AST (undefined when it does not parse). */
function flowContext(doc: Document.Parsed | undefined, offset: number): CursorContext | undefined {
  if (!doc || doc.errors.length) return undefined;
  const hit = astPathAt(doc, offset);
  if (!hit) return undefined;
  const base = { valuePrefix: "", keyPrefix: "", existingKeys: [] as string[], keyHasColon: false, needsSpace: false, flow: true };
  const range = hit.node.range ?? [offset, offset, offset];
  const col = 0;
  if (hit.onKey) {
    const parent = hit.path.slice(0, -1);
    const map = nodeAt(doc, parent);
    const keys = isMap(map) ? map.items.map((p) => keyString(p.key)).filter((k): k is string => k !== undefined && k !== hit.path[hit.path.length - 1]) : [];
    const source = isScalar(hit.node) ? String(hit.node.source ?? hit.node.value ?? "") : "";
    return { ...base, path: parent, onKey: true, keyPrefix: source.slice(0, offset - range[0]), existingKeys: keys, indent: col, replaceStart: range[0], replaceEnd: range[1], keyHasColon: true };
  }
  if (isScalar(hit.node)) {
    const last = hit.path[hit.path.length - 1];
    const text = String(hit.node.source ?? "");
    return { ...base, path: hit.path, onKey: false, valueKey: typeof last === "string" ? last : undefined, valuePrefix: text.slice(0, offset - range[0]), indent: col, replaceStart: range[0], replaceEnd: range[1], keyHasColon: true };
  }
  if (isMap(hit.node)) {
    const keys = hit.node.items.map((p) => keyString(p.key)).filter((k): k is string => k !== undefined);
    return { ...base, path: hit.path, onKey: true, existingKeys: keys, indent: col, replaceStart: offset, replaceEnd: offset };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// AST helpers

/** The key of a pair as a string (scalar keys only). */
export function keyString(key: unknown): string | undefined {
  if (isScalar(key)) return key.value == null ? "" : String(key.value);
  return typeof key === "string" ? key : undefined;
}

/** What `astPathAt` found under an offset. */
export interface AstHit {
  /** Path of the field: for a key or its value, the path including that key. */
  path: YamlPath;
  /** The deepest node containing the offset (the key scalar when `onKey`). */
  node: Node;
  /** The pair the key or value belongs to, when in a mapping. */
  pair?: Pair;
  /** True when the offset is on the key of `pair`. */
  onKey: boolean;
}

function within(node: unknown, offset: number): node is Node {
  const r = (node as Node | null)?.range;
  return !!r && r[0] <= offset && offset <= r[1];
}

/** The deepest key, scalar or collection of a parsed document under a chunk offset. */
export function astPathAt(doc: Document, offset: number): AstHit | undefined {
  let node: unknown = doc.contents;
  if (!within(node, offset)) return undefined;
  const path: (string | number)[] = [];
  let pair: Pair | undefined;
  for (;;) {
    if (isMap(node)) {
      const found: Pair | undefined = node.items.find((p) => within(p.key, offset) || within(p.value, offset));
      if (!found) return { path, node, pair, onKey: false };
      const key = keyString(found.key) ?? "";
      if (within(found.key, offset)) return { path: [...path, key], node: found.key, pair: found, onKey: true };
      path.push(key);
      pair = found;
      node = found.value;
    } else if (isSeq(node)) {
      const i: number = node.items.findIndex((it) => within(it, offset));
      if (i < 0) return { path, node, pair, onKey: false };
      path.push(i);
      pair = undefined;
      node = node.items[i];
    } else {
      return { path, node: node as Node, pair, onKey: false };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Chunk identity and positions

/**
 * A top-level scalar of a chunk (`apiVersion`, `kind`) read from its column-0 line without parsing,
 * so the cheap "is this a SpinKube document?" test works on any text, even text that does not parse.
 * Quotes are removed; undefined when the key is absent, "" when it has no value yet.
 *
 * (A helper the lead's document routing could share.)
 */
export function topLevelScalar(chunkText: string, key: string): string | undefined {
  const re = new RegExp(`^${key}[ \\t]*:(?:[ \\t]+(?:"([^"]*)"|'([^']*)'|([^\\s#]*)))?`, "m");
  const m = re.exec(chunkText);
  if (!m) return undefined;
  return m[1] ?? m[2] ?? m[3] ?? "";
}

/** Chunk offset of a file-absolute position in that chunk, clamped to the chunk (the inverse of ranges.ts `toRange`). */
export function chunkOffset(chunk: Chunk, lines: LineCounter, pos: Position): number {
  const starts = lines.lineStarts.length ? lines.lineStarts : [0];
  const l = Math.max(0, Math.min(pos.line - chunk.line, starts.length - 1));
  const lineEnd = l + 1 < starts.length ? starts[l + 1] - 1 : chunk.text.length;
  return Math.min(starts[l] + pos.character, lineEnd);
}

/** Index of the chunk containing a file line (binary search on `chunk.line`). */
export function chunkAtLine(chunks: readonly Chunk[], line: number): number {
  return lastAtOrBefore(chunks, (c) => c.line, line);
}
