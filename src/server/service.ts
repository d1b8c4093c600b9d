/**
 * The vscode-free language service: validates files document by document with a per-file cache of
 * document analyses keyed by text (an edit re-analyses only the documents it touched), keeps the
 * workspace knowledge (executors, RuntimeClasses, …) current, and runs the cross-document checks.
 * server.ts wires it to LSP; unit tests and benchmarks call it directly.
 */
import type { CodeAction, CompletionItem, Diagnostic, DocumentSymbol, Hover } from "vscode-languageserver-types";
import { codeActions } from "./codeActions";
import { complete } from "./completion";
import { hover } from "./hover";
import { documentSymbols } from "./symbols";
import { workloadHover } from "./workloadHover";
import { analyzeChunk, type ChunkAnalysis } from "./analysis";
import { checkExecutorRef } from "./crossChecks";
import { SOURCE } from "./diagnosticCodes";
import { splitDocuments, type Chunk } from "./documents";
import type { RawDiagnostic } from "./errorMapping";
import { DEFAULT_NAMESPACE, Knowledge, type ExecutorInfo, type KnownObject, type SpinImage } from "./knowledge";
import { toRange } from "./ranges";
import { unknownClass, workloadHints } from "./runtimeHints";
import { DEFAULT_SERVER_SETTINGS, type ServerSettings } from "../shared/settings";
import { KIND_EXECUTOR, KIND_SPINAPP } from "../shared/spinApp";

/** How long validation works before yielding to other requests. */
const SLICE_MS = 8;

interface SplitCache {
  text: string;
  chunks: Chunk[];
}

interface FileState {
  chunks: Chunk[];
  analyses: ChunkAnalysis[];
  /** The analyses of the last validation by chunk text: the cache for the next one. */
  cache: Map<string, ChunkAnalysis>;
}

export class SpinKubeService {
  readonly knowledge = new Knowledge();
  private readonly files = new Map<string, FileState>();
  private readonly splits = new Map<string, SplitCache>();
  private settings: ServerSettings = DEFAULT_SERVER_SETTINGS;
  /** Work counters, for tests and benchmarks: how many documents were analysed from scratch. */
  readonly stats = { analysed: 0 };

  /** Applies new settings; cached analyses made under the old ones are dropped. */
  configure(settings: ServerSettings): void {
    if (JSON.stringify(settings) === JSON.stringify(this.settings)) return;
    this.settings = settings;
    for (const f of this.files.values()) f.cache.clear();
  }

  get validationEnabled(): boolean {
    return this.settings.validation.enable;
  }

  /**
   * Validates a file. Yields to the event loop every few milliseconds; when `isCurrent` turns
   * false (a newer version arrived) it stops and returns undefined.
   */
  async validate(uri: string, text: string, isCurrent: () => boolean = () => true): Promise<Diagnostic[] | undefined> {
    const chunks = splitDocuments(text);
    const prev = this.files.get(uri);
    const cache = new Map<string, ChunkAnalysis>();
    const analyses: ChunkAnalysis[] = new Array(chunks.length);
    let sliceStart = Date.now();
    for (let i = 0; i < chunks.length; i++) {
      const t = chunks[i].text;
      let a = cache.get(t) ?? prev?.cache.get(t);
      if (!a) {
        a = this.analyze(t);
        if (Date.now() - sliceStart > SLICE_MS) {
          await new Promise<void>((r) => setImmediate(r));
          if (!isCurrent()) return undefined;
          sliceStart = Date.now();
        }
      }
      cache.set(t, a);
      analyses[i] = a;
    }
    this.files.set(uri, { chunks, analyses, cache });
    this.indexDefinitions(uri, analyses);
    return this.diagnostics(uri);
  }

  /** Synchronous validation, for tests and tools. */
  validateNow(uri: string, text: string): Diagnostic[] {
    const chunks = splitDocuments(text);
    const analyses = chunks.map((c) => this.analyze(c.text));
    this.files.set(uri, { chunks, analyses, cache: new Map(chunks.map((c, i) => [c.text, analyses[i]])) });
    this.indexDefinitions(uri, analyses);
    return this.diagnostics(uri);
  }

  private analyze(text: string): ChunkAnalysis {
    this.stats.analysed++;
    return analyzeChunk(text, { syntaxErrors: this.settings.validation.syntaxErrors });
  }

  /**
   * The diagnostics of a validated file from its cached analyses plus the cross-document checks
   * (cheap: no parsing), e.g. after the knowledge changed.
   */
  diagnostics(uri: string): Diagnostic[] {
    const f = this.files.get(uri);
    if (!f || !this.settings.validation.enable) return [];
    const out: Diagnostic[] = [];
    for (let i = 0; i < f.chunks.length; i++) {
      const a = f.analyses[i];
      if (!a.lines) continue;
      const place = (d: RawDiagnostic) => out.push(toDiagnostic(d, a, f.chunks[i].line));
      a.diagnostics.forEach(place);
      if (a.executorRef) checkExecutorRef(a.executorRef, this.knowledge).forEach(place);
      if (a.runtimeClassRef) unknownClass(a.runtimeClassRef.name, a.runtimeClassRef.span, this.knowledge).forEach(place);
      if (a.workload) workloadHints(a.workload, this.knowledge).forEach(place);
    }
    return out;
  }

  /** Open files the server has validated. */
  validatedUris(): string[] {
    return [...this.files.keys()];
  }

  /** Chunks of a validated file (for features that work on the document at the cursor). */
  chunks(uri: string): Chunk[] | undefined {
    return this.files.get(uri)?.chunks;
  }

  /** The file's documents, split once per text (requests between edits share the split). */
  chunksFor(uri: string, text: string): Chunk[] {
    const s = this.splits.get(uri);
    if (s && s.text === text) return s.chunks;
    const chunks = splitDocuments(text);
    this.splits.set(uri, { text, chunks });
    return chunks;
  }

  /** Completion at a file offset. */
  complete(uri: string, text: string, offset: number): CompletionItem[] {
    return complete(text, offset, this.knowledge, this.chunksFor(uri, text));
  }

  /** Hover at a file offset: SpinKube fields, then workload runtime facts. */
  hover(uri: string, text: string, offset: number): Hover | null {
    const chunks = this.chunksFor(uri, text);
    return hover(text, offset, chunks) ?? workloadHover(chunks, offset, this.knowledge);
  }

  /** Quick fixes for the given diagnostics. */
  codeActions(uri: string, text: string, diagnostics: readonly Diagnostic[]): CodeAction[] {
    return codeActions(uri, text, diagnostics, this.chunksFor(uri, text), this.knowledge);
  }

  /** Outline symbols. */
  documentSymbols(uri: string, text: string): DocumentSymbol[] {
    return documentSymbols(text, this.chunksFor(uri, text));
  }

  /** Forgets a closed file's analyses (its definitions stay known if the file is on disk). */
  close(uri: string): void {
    this.files.delete(uri);
    this.splits.delete(uri);
  }

  /** Indexes a workspace file that is not open (definitions only, no diagnostics kept). */
  indexFile(uri: string, text: string): void {
    const analyses = splitDocuments(text).map((c) => analyzeChunk(c.text, { syntaxErrors: false }));
    this.indexDefinitions(uri, analyses);
  }

  /** Forgets a deleted workspace file's definitions. */
  removeFile(uri: string): void {
    this.knowledge.deleteFile(uri);
    this.files.delete(uri);
  }

  private indexDefinitions(uri: string, analyses: readonly ChunkAnalysis[]): void {
    const executors: ExecutorInfo[] = [];
    const runtimeClasses: KnownObject[] = [];
    const secrets: KnownObject[] = [];
    const configMaps: KnownObject[] = [];
    const spinImages: SpinImage[] = [];
    const file = uri.slice(uri.lastIndexOf("/") + 1);
    for (const a of analyses) {
      for (const d of a.defines) {
        const namespace = d.namespace ?? DEFAULT_NAMESPACE;
        const base = { name: d.name, namespace, origin: "workspace" as const, uri };
        if (d.kind === KIND_EXECUTOR) executors.push({ ...base, createDeployment: d.createDeployment, runtimeClassName: d.runtimeClassName, spinImage: d.spinImage });
        else if (d.kind === "RuntimeClass") runtimeClasses.push({ ...base, namespace: "", handler: d.handler });
        else if (d.kind === KIND_SPINAPP && d.image) spinImages.push({ image: d.image, source: `run by SpinApp "${d.name}" in ${file}` });
        else if (d.kind === "Secret") secrets.push(base);
        else if (d.kind === "ConfigMap") configMaps.push(base);
      }
    }
    this.knowledge.setFile(uri, { executors, runtimeClasses, secrets, configMaps, spinImages });
  }
}

function toDiagnostic(d: RawDiagnostic, a: ChunkAnalysis, line: number): Diagnostic {
  const diag: Diagnostic = { range: toRange(a.lines!, d.span, line), severity: d.severity, source: SOURCE, code: d.code, message: d.message };
  if (d.data !== undefined) diag.data = d.data;
  return diag;
}
