/**
 * Analyses one YAML document (one chunk of a file) on its own: whether SpinKube claims it, its
 * YAML syntax errors, schema errors, the single-document webhook rules, and the facts other
 * documents depend on (executors it defines, the executor it references). The result depends only
 * on the chunk's text, so it is cached by text and reused across edits of other documents.
 */
import { isMap, isPair, isScalar, type Document, type LineCounter } from "yaml";
import { DiagnosticSeverity } from "vscode-languageserver-types";
import { API_VERSION, GROUP, KIND_EXECUTOR, KIND_SPINAPP, LEGACY_GROUP, isSpinKind, splitApiVersion, type SpinKind } from "../shared/spinApp";
import { Codes, type LegacyGroupData, type MissingFieldData, type UnknownFieldData } from "./diagnosticCodes";
import { parseChunk } from "./documents";
import { mapSchemaErrors, type RawDiagnostic } from "./errorMapping";
import { pairAt, spanFor, nodeSpan } from "./ranges";
import { schemaRegistry } from "./schemas";
import { executorRules, spinAppRules } from "./webhookRules";
import { runtimeClassDocHint } from "./runtimeHints";
import { WORKLOAD_KIND_PATTERN, extractWorkload, type WorkloadInfo } from "./workloads";
import { topLevelScalar } from "./yamlPath";

/** How the server treats a document. */
export type Claim = "spinkube" | "legacy" | "template" | "other";

/** A reference from a SpinApp to its executor, for the cross-document checks. */
export interface ExecutorRef {
  name: string;
  namespace: string | undefined;
  span: [number, number];
  /** Spans of spec.podAnnotations / spec.deploymentAnnotations keys when present. */
  podAnnotations?: [number, number];
  deploymentAnnotations?: [number, number];
}

export interface DefinedObject {
  kind: string;
  name: string;
  namespace: string | undefined;
  /** For executors. */
  createDeployment?: boolean;
  runtimeClassName?: string;
  spinImage?: string;
  /** For RuntimeClasses. */
  handler?: string;
  /** For SpinApps: spec.image. */
  image?: string;
}

export interface ChunkAnalysis {
  claim: Claim;
  kind?: string;
  apiVersion?: string;
  name?: string;
  namespace?: string;
  /** Diagnostics with chunk-relative offsets; placed in the file with `lines`. */
  diagnostics: RawDiagnostic[];
  /** Only for claimed documents with diagnostics (to place them); dropped otherwise to save memory. */
  lines?: LineCounter;
  executorRef?: ExecutorRef;
  /** An executor's deploymentConfig.runtimeClassName, checked against the known RuntimeClasses. */
  runtimeClassRef?: { name: string; span: [number, number] };
  /** Pod spec facts of a Pod or workload template, judged by the runtime hints. */
  workload?: WorkloadInfo;
  defines: DefinedObject[];
}

const INDEXED_KINDS = /^kind:\s*["']?(SpinAppExecutor|RuntimeClass|Secret|ConfigMap)\b/m;
const INTERESTING_WORKLOAD = /runtimeClassName|image:/;
/** A top-level key's value read from its column-0 line (works on text that does not parse). */
const sniff = (text: string, key: string): string | undefined => topLevelScalar(text, key) || undefined;

export interface AnalyzeOptions {
  syntaxErrors: boolean;
}

/** Analyses one chunk of YAML text. Never throws. */
export function analyzeChunk(text: string, options: AnalyzeOptions): ChunkAnalysis {
  // Helm and other templates are not YAML until rendered: no noise, no parse.
  if (text.includes("{{")) return { claim: "template", diagnostics: [], defines: [] };
  const apiSniff = sniff(text, "apiVersion");
  const group = apiSniff ? splitApiVersion(apiSniff).group : undefined;
  const claimed = group === GROUP || group === LEGACY_GROUP;
  const workload = !claimed && WORKLOAD_KIND_PATTERN.test(text) && INTERESTING_WORKLOAD.test(text);
  if (!claimed && !workload && !INDEXED_KINDS.test(text)) return { claim: "other", diagnostics: [], defines: [] };
  try {
    return analyzeParsed(text, options, claimed);
  } catch (err) {
    // A bug in a rule must never take the server down; report it on the document instead.
    return {
      claim: claimed ? "spinkube" : "other",
      diagnostics: claimed
        ? [{ span: [0, Math.min(text.length, 1)], severity: DiagnosticSeverity.Information, code: Codes.schema, message: `SpinKube could not check this document: ${(err as Error).message}` }]
        : [],
      defines: [],
    };
  }
}

function scalarString(doc: Document, key: readonly string[]): string | undefined {
  const pair = pairAt(doc, key);
  return pair && isScalar(pair.value) && pair.value.value != null ? String(pair.value.value) : undefined;
}

function analyzeParsed(text: string, options: AnalyzeOptions, claimed: boolean): ChunkAnalysis {
  const { doc, lines } = parseChunk(text);
  const apiVersion = scalarString(doc, ["apiVersion"]) ?? sniff(text, "apiVersion");
  const kind = scalarString(doc, ["kind"]) ?? sniff(text, "kind");
  const name = scalarString(doc, ["metadata", "name"]);
  const namespace = scalarString(doc, ["metadata", "namespace"]);
  const group = apiVersion ? splitApiVersion(apiVersion).group : undefined;
  const base = { kind, apiVersion, name, namespace };

  if (!claimed) return analyzeOther(doc, text, lines, base);

  const diagnostics: RawDiagnostic[] = [];
  if (options.syntaxErrors) {
    for (const e of doc.errors) diagnostics.push({ span: [e.pos[0], Math.max(e.pos[1], e.pos[0] + 1)], severity: DiagnosticSeverity.Error, code: Codes.yamlSyntax, message: syntaxMessage(e.code, e.message) });
  }

  if (group === LEGACY_GROUP) {
    diagnostics.push({
      span: spanFor(doc, text, ["apiVersion"], "value"),
      severity: DiagnosticSeverity.Warning,
      code: Codes.legacyGroup,
      message: `${apiVersion} is the pre-v0.4 API group of the Spin Operator. Operator v0.4.0 renamed it to ${GROUP} with no conversion, so current clusters answer: no matches for kind "${kind ?? KIND_SPINAPP}" in version "${apiVersion}". Change it to ${API_VERSION} (operator ≥ v0.4.0).`,
      data: { replacement: API_VERSION } satisfies LegacyGroupData,
    });
    return { claim: "legacy", ...base, diagnostics, lines, defines: [] };
  }

  if (!isSpinKind(kind) || !isMap(doc.contents)) {
    if (kind !== undefined && !isSpinKind(kind) && isMap(doc.contents)) {
      const kindPair = pairAt(doc, ["kind"]);
      diagnostics.push({
        span: nodeSpan(kindPair?.value as never) ?? [0, 1],
        severity: DiagnosticSeverity.Error,
        code: Codes.enumValue,
        message: `${GROUP} has no kind "${kind}"; it serves ${KIND_SPINAPP} and ${KIND_EXECUTOR}.`,
      });
    }
    return { claim: "spinkube", ...base, diagnostics, lines: diagnostics.length ? lines : undefined, defines: [] };
  }

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    diagnostics.push({ span: [0, 1], severity: DiagnosticSeverity.Error, code: Codes.yamlSyntax, message: `This document cannot be read: ${(err as Error).message}` });
    return { claim: "spinkube", ...base, diagnostics, lines, defines: [] };
  }
  const obj = value as Record<string, unknown>;
  const registry = schemaRegistry();
  const validate = registry.validator(kind);
  if (!validate(value)) diagnostics.push(...mapSchemaErrors(validate.errors ?? [], doc, text, value, registry.schema(kind)));

  const meta = obj.metadata as Record<string, unknown> | undefined;
  if (meta && typeof meta === "object" && meta.name === undefined && meta.generateName === undefined) {
    diagnostics.push({ span: spanFor(doc, text, ["metadata"], "container"), severity: DiagnosticSeverity.Error, code: Codes.missingName, message: "metadata.name is required: the API server rejects an object without a name.", data: { field: "name", parentPath: ["metadata"] } });
  }

  const defines: DefinedObject[] = [];
  let executorRef: ExecutorRef | undefined;
  let runtimeClassRef: ChunkAnalysis["runtimeClassRef"];
  if (kind === KIND_SPINAPP) {
    diagnostics.push(...spinAppRules(doc, text, obj));
    const image = scalarString(doc, ["spec", "image"]);
    if (name && image) defines.push({ kind: KIND_SPINAPP, name, namespace, image });
    const execName = scalarString(doc, ["spec", "executor"]);
    if (execName) {
      const annotationKey = (k: string) => {
        const p = pairAt(doc, ["spec", k]);
        return p && isPair(p) ? nodeSpan(p.key as never) : undefined;
      };
      executorRef = {
        name: execName,
        namespace,
        span: spanFor(doc, text, ["spec", "executor"], "value"),
        podAnnotations: annotationKey("podAnnotations"),
        deploymentAnnotations: annotationKey("deploymentAnnotations"),
      };
    }
  } else {
    diagnostics.push(...executorRules(doc, text, obj));
    const spec = obj.spec as Record<string, unknown> | undefined;
    const dc = spec?.deploymentConfig as Record<string, unknown> | undefined;
    const rcName = scalarString(doc, ["spec", "deploymentConfig", "runtimeClassName"]);
    if (rcName) runtimeClassRef = { name: rcName, span: spanFor(doc, text, ["spec", "deploymentConfig", "runtimeClassName"], "value") };
    if (name)
      defines.push({
        kind: KIND_EXECUTOR,
        name,
        namespace,
        createDeployment: typeof spec?.createDeployment === "boolean" ? spec.createDeployment : undefined,
        runtimeClassName: typeof dc?.runtimeClassName === "string" ? dc.runtimeClassName : undefined,
        spinImage: typeof dc?.spinImage === "string" ? dc.spinImage : undefined,
      });
  }
  return { claim: "spinkube", ...base, kind: kind as SpinKind, diagnostics: dedupe(withoutEchoes(diagnostics)), lines, executorRef, runtimeClassRef, defines };
}

/**
 * A document SpinKube does not own: remember what it defines (RuntimeClasses with their handler,
 * Secrets, ConfigMaps) and, for Pods and workload templates, the pod spec facts for runtime hints.
 * YAML errors in these documents are not ours to report.
 */
function analyzeOther(doc: Document, text: string, lines: LineCounter, base: Pick<ChunkAnalysis, "kind" | "apiVersion" | "name" | "namespace">): ChunkAnalysis {
  const { kind, name, namespace } = base;
  const out: ChunkAnalysis = { claim: "other", ...base, diagnostics: [], defines: [] };
  if (!kind || doc.errors.length) return out;
  if (kind === "RuntimeClass") {
    const handler = scalarString(doc, ["handler"]);
    if (name) out.defines.push({ kind, name, namespace: undefined, handler });
    out.diagnostics.push(...runtimeClassDocHint(name, handler, spanFor(doc, text, ["handler"], "value")));
  } else if (name && (kind === "Secret" || kind === "ConfigMap")) {
    out.defines.push({ kind, name, namespace });
  } else {
    out.workload = extractWorkload(doc, text, kind);
  }
  if (out.diagnostics.length || out.workload) out.lines = lines;
  return out;
}

/**
 * A misspelled key also makes the real key "missing" (`replica: 2` → replicas not set). Report
 * only the misspelling, whose quick fix repairs both.
 */
function withoutEchoes(ds: RawDiagnostic[]): RawDiagnostic[] {
  const suggested = new Set<string>();
  for (const d of ds) {
    if (d.code !== Codes.unknownField) continue;
    const u = d.data as UnknownFieldData;
    if (u.suggestions.length) suggested.add(JSON.stringify([...u.parentPath, u.suggestions[0]]));
  }
  if (!suggested.size) return ds;
  return ds.filter((d) => {
    const m = d.data as Partial<MissingFieldData> | undefined;
    return !(m?.field && m.parentPath && suggested.has(JSON.stringify([...m.parentPath, m.field])));
  });
}

const SYNTAX_HINTS: Record<string, string> = {
  TAB_AS_INDENT: "Tabs are not allowed for indentation in YAML; indent with spaces.",
  DUPLICATE_KEY: "Duplicate key: each key may appear once in a mapping (the API server rejects duplicates).",
};

function syntaxMessage(code: string, message: string): string {
  return SYNTAX_HINTS[code] ?? `YAML syntax error: ${message.replace(/\.$/, "")}.`;
}

function dedupe(ds: RawDiagnostic[]): RawDiagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.span[0]}:${d.span[1]}:${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
