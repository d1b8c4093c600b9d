/**
 * Splits a YAML file into its documents without parsing it, so each document can be parsed,
 * validated and cached on its own: a one-character edit in a 3,000-document file re-parses one
 * document. YAML forbids `---` and `...` at column 0 inside content, so a line scan is exact.
 * Also parses one document with the settings Kubernetes uses (YAML 1.1 scalars: `yes` is a boolean).
 */
import { LineCounter, parseDocument, type Document } from "yaml";

export interface Chunk {
  /** Offset of the chunk's first character in the file. */
  start: number;
  /** Offset just past the chunk's last character. */
  end: number;
  /** Zero-based line of the chunk's first character in the file. */
  line: number;
  /** The chunk's text (`text.slice(start, end)`). */
  text: string;
}

const MARKER = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/gm;

/**
 * The documents of a YAML file as chunks. A chunk starts at a `---` line (or the file start) and
 * runs to the next `---` line; a `...` line ends a chunk too. Directives (`%YAML`) stay with the
 * chunk before the marker, which is harmless for the parser.
 */
export function splitDocuments(text: string): Chunk[] {
  const cuts: number[] = [0];
  MARKER.lastIndex = 0;
  for (let m = MARKER.exec(text); m; m = MARKER.exec(text)) {
    if (m[0] === "---") {
      if (m.index !== 0) cuts.push(m.index);
    } else {
      // `...` ends the document: the next chunk starts on the following line.
      const nl = text.indexOf("\n", m.index);
      if (nl >= 0 && nl + 1 < text.length) cuts.push(nl + 1);
    }
  }
  cuts.push(text.length);
  const chunks: Chunk[] = [];
  let line = 0;
  let counted = 0;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const start = cuts[i];
    const end = cuts[i + 1];
    if (end <= start && chunks.length) continue;
    for (let p = text.indexOf("\n", counted); p >= 0 && p < start; p = text.indexOf("\n", p + 1)) line++;
    counted = start;
    chunks.push({ start, end, line, text: text.slice(start, end) });
  }
  return chunks;
}

/** Index of the chunk containing `offset` (binary search; the last chunk for offset = length). */
export function chunkAt(chunks: readonly Chunk[], offset: number): number {
  let lo = 0;
  let hi = chunks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (chunks[mid].start <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export interface ParsedChunk {
  doc: Document.Parsed;
  lines: LineCounter;
}

/**
 * Parses one chunk as Kubernetes would read it: YAML 1.1 scalars (yes/no/on/off are booleans,
 * 0777 is octal), but timestamps stay strings (sigs.k8s.io/yaml does not make them dates),
 * unique keys enforced, and node ranges kept for diagnostics.
 */
export function parseChunk(text: string): ParsedChunk {
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    version: "1.1",
    lineCounter: lines,
    keepSourceTokens: false,
    uniqueKeys: true,
    prettyErrors: false,
    customTags: (tags) => tags.filter((t) => (t as { tag?: string }).tag !== "tag:yaml.org,2002:timestamp"),
  });
  return { doc, lines };
}
