/**
 * Completion in SpinApp and SpinAppExecutor documents, driven by the CRD schemas: the keys not yet
 * present at the cursor's level (required ones first) inserted as snippets with placeholders, enum
 * and boolean values, and names the server knows (executors in the document's namespace, Secrets,
 * ConfigMaps, RuntimeClasses). In a new document it offers the SpinKube `apiVersion` and `kind`.
 * Every other YAML document gets nothing. Only the document under the cursor is parsed.
 * vscode-free.
 */
import {
  CompletionItemKind,
  InsertTextFormat,
  InsertTextMode,
  TextEdit,
  type CompletionItem,
  type Range,
} from "vscode-languageserver-types";
import { chunkAt, parseChunk, splitDocuments, type Chunk } from "./documents";
import { DEFAULT_NAMESPACE, type Knowledge } from "./knowledge";
import { describeType, propertyNames, schemaAt, schemaRegistry, type JsonSchema } from "./schemas";
import { fieldMarkdown } from "./hover";
import { DEFAULT_SPIN_RUNTIME_CLASS } from "./runtimeHints";
import { pathAtOffset, topLevelScalar, type CursorContext } from "./yamlPath";
import { toRange, type YamlPath } from "./ranges";
import {
  API_VERSION,
  GROUP,
  KIND_EXECUTOR,
  KIND_SPINAPP,
  SPIN_KINDS,
  isSpinKind,
  splitApiVersion,
  type SpinKind,
} from "../shared/spinApp";

/** Fields the API server sets; never offered. */
const SERVER_SET: Record<string, readonly string[]> = {
  "": ["status"],
  metadata: ["uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "managedFields"],
};

/** The executor the operator's install guide applies (`spin-operator.shim-executor.yaml`, FACTS.md (b)). */
const DEFAULT_EXECUTOR = "containerd-shim-spin";

/** What a completion needs to know about the document besides the cursor. */
interface Scope {
  kind: SpinKind;
  namespace: string;
  knowledge: Knowledge;
  /** Keys already in the mapping being completed. */
  existing: readonly string[];
}

/**
 * Completion items at a file offset. Pass `chunks` when the caller already split the file; only
 * the chunk under the cursor is parsed.
 */
export function complete(text: string, offset: number, knowledge: Knowledge, chunks?: readonly Chunk[]): CompletionItem[] {
  const all = chunks ?? splitDocuments(text);
  const chunk = all[chunkAt(all, offset)];
  const apiVersion = topLevelScalar(chunk.text, "apiVersion");
  const kind = topLevelScalar(chunk.text, "kind");
  const kindOk = !kind || isSpinKind(kind);
  const apiOk = !apiVersion || splitApiVersion(apiVersion).group === GROUP;
  if (!kindOk && !apiOk) return []; // another API's document
  const { doc, lines } = parseChunk(chunk.text);
  const ctx = pathAtOffset(chunk.text, offset - chunk.start, doc);
  if (!ctx) return [];
  const range = toRange(lines, [ctx.replaceStart, ctx.replaceEnd], chunk.line);
  const atRoot = (key: string) => !ctx.onKey && ctx.path.length === 1 && ctx.path[0] === key;

  // While apiVersion or kind is being typed, the other one decides whether this is ours.
  if (atRoot("apiVersion")) return kindOk ? [valueItem(API_VERSION, ctx, range, "SpinKube API (spin-operator v0.4.0 and later)")] : [];
  if (atRoot("kind")) return apiOk ? SPIN_KINDS.map((k) => valueItem(k, ctx, range, `${GROUP} kind`)) : [];
  if (!kindOk || !apiOk) return [];
  if (!isSpinKind(kind)) {
    if (!ctx.onKey || ctx.path.length > 0) return [];
    return identityKeys(ctx, range);
  }

  const ns = doc.getIn(["metadata", "namespace"]);
  const scope: Scope = {
    kind,
    namespace: typeof ns === "string" && ns ? ns : DEFAULT_NAMESPACE,
    knowledge,
    existing: ctx.existingKeys,
  };
  const root = schemaRegistry().schema(kind);
  const schema = schemaAt(root, ctx.path);
  if (!schema) return [];
  if (ctx.onKey && isObjectSchema(schema)) return keyItems(schema, ctx, scope, range);
  return valueItems(schema, ctx.path, ctx, scope, range);
}

function isObjectSchema(s: JsonSchema): boolean {
  return !!s.properties || typeof s.additionalProperties === "object" || s.type === "object";
}

function markdown(value: string): { kind: "markdown"; value: string } {
  return { kind: "markdown", value };
}

/** apiVersion / kind keys for a document that has neither a SpinKube kind nor another one yet. */
function identityKeys(ctx: CursorContext, range: Range): CompletionItem[] {
  const out: CompletionItem[] = [];
  const kinds = SPIN_KINDS.join(",");
  const defs: [string, string, string][] = [
    ["apiVersion", `apiVersion: ${API_VERSION}`, "The SpinKube API group and version (spin-operator v0.4.0 and later)."],
    ["kind", `kind: \${1|${kinds}|}`, "A SpinApp (a Spin application) or a SpinAppExecutor (how SpinApps run)."],
  ];
  defs.forEach(([key, snippet, doc], i) => {
    if (ctx.existingKeys.includes(key)) return;
    out.push({
      label: key,
      kind: CompletionItemKind.Property,
      documentation: markdown(doc),
      sortText: `0${i}`,
      filterText: key,
      textEdit: TextEdit.replace(range, ctx.keyHasColon ? key : snippet),
      insertTextFormat: InsertTextFormat.Snippet,
      insertTextMode: InsertTextMode.asIs,
    });
  });
  return out;
}

/** Keys required at a path, as the cluster sees it (schema `required` plus what the API server or webhook demands). */
function requiredKeys(s: JsonSchema, path: YamlPath, scope: Scope): string[] {
  const req = [...(s.required ?? [])];
  const at = path.join(".");
  if (at === "") req.push("spec");
  if (at === "metadata") req.push("name");
  if (at === "spec" && scope.kind === KIND_SPINAPP && !scope.existing.includes("enableAutoscaling")) req.push("replicas");
  return req;
}

function keyItems(s: JsonSchema, ctx: CursorContext, scope: Scope, range: Range): CompletionItem[] {
  const hidden = SERVER_SET[ctx.path.join(".")] ?? [];
  let names = propertyNames(s);
  if (names.length === 0) names = wellKnownMapKeys(ctx.path);
  const required = new Set(requiredKeys(s, ctx.path, scope));
  const out: CompletionItem[] = [];
  for (const name of names) {
    if (hidden.includes(name) || ctx.existingKeys.includes(name)) continue;
    const path = [...ctx.path, name];
    const child = schemaAt(s, [name]);
    if (!child) continue;
    const text = ctx.keyHasColon ? escapeSnippet(name) : keySnippet(name, child, path, ctx.indent, ctx.flow, scope, { n: 1 });
    out.push({
      label: name,
      kind: isObjectSchema(child) || child.type === "array" ? CompletionItemKind.Module : CompletionItemKind.Property,
      detail: describeType(child) + (required.has(name) ? " · required" : ""),
      documentation: markdown(fieldMarkdown(scope.kind, path, child, typeof s.additionalProperties === "object" ? s : undefined)),
      sortText: `${required.has(name) ? "0" : "1"}${name}`,
      filterText: name,
      textEdit: TextEdit.replace(range, text),
      insertTextFormat: InsertTextFormat.Snippet,
      insertTextMode: InsertTextMode.asIs,
    });
  }
  return out;
}

/** Keys worth offering in maps the schema leaves open. */
function wellKnownMapKeys(path: YamlPath): string[] {
  const at = path.join(".");
  if (at === "spec.resources.limits" || at === "spec.resources.requests") return ["cpu", "memory"];
  if (at === "spec.invocationLimits") return ["memory"];
  return [];
}

function escapeSnippet(s: string): string {
  return s.replace(/[$}\\]/g, "\\$&");
}

function escapeChoice(s: string): string {
  return s.replace(/[$}\\,|]/g, "\\$&");
}

/** `key: placeholder`, or `key:` with an indented child block, as snippet text. */
function keySnippet(key: string, s: JsonSchema, path: YamlPath, indent: number, flow: boolean, scope: Scope, n: { n: number }): string {
  const k = escapeSnippet(key);
  if (flow) return `${k}: $${n.n++}`;
  const pad = " ".repeat(indent + 2);
  if (s.type === "array") {
    const items = s.items ?? {};
    if (isObjectSchema(items)) {
      const req = requiredKeys(items, [...path, 0], scope);
      if (req.length === 0 && items.properties?.name) req.push("name");
      if (req.length === 0) return `${k}:\n${pad}- $${n.n++}`;
      const lines = req.map((r, i) => (i === 0 ? "- " : "  ") + keySnippet(r, schemaAt(items, [r]) ?? {}, [...path, 0, r], indent + 4, false, scope, n));
      return `${k}:\n` + lines.map((l) => pad + l).join("\n");
    }
    return `${k}:\n${pad}- ${scalarPlaceholder(items, [...path, 0], scope, n)}`;
  }
  if (isObjectSchema(s)) {
    const children = s.properties ? requiredKeys(s, path, scope) : wellKnownMapKeys(path);
    if (children.length === 0) return `${k}:\n${pad}$${n.n++}`;
    const lines = children.map((c) => pad + keySnippet(c, schemaAt(s, [c]) ?? {}, [...path, c], indent + 2, false, scope, n));
    return `${k}:\n` + lines.join("\n");
  }
  return `${k}: ${scalarPlaceholder(s, path, scope, n)}`;
}

function isQuantity(s: JsonSchema): boolean {
  return !!s["x-kubernetes-int-or-string"] && (!!s.pattern || !!s.anyOf?.some((a) => a.pattern));
}

/** Placeholder for a scalar value: a choice for enums, booleans and known names, a sensible default otherwise. */
function scalarPlaceholder(s: JsonSchema, path: YamlPath, scope: Scope, n: { n: number }): string {
  const i = n.n++;
  const choice = (vals: readonly string[]) => `\${${i}|${vals.map(escapeChoice).join(",")}|}`;
  const def = (v: string) => `\${${i}:${escapeSnippet(v)}}`;
  if (s.enum?.length) return choice(s.enum.map(String));
  if (s.type === "boolean") return choice(["true", "false"]);
  const names = knownNames(path, scope).map((k) => k.label);
  if (names.length) return choice([...new Set(names)]);
  const typical = typicalValue(scope.kind, path, s);
  return typical !== undefined ? def(typical) : `$${i}`;
}

/**
 * The usual value of a scalar field, for placeholders in snippets and quick fixes: quantities,
 * integer defaults, `replicas: 1`, and the names the operator's samples use. Undefined when there
 * is no sensible guess.
 */
export function typicalValue(kind: SpinKind, path: YamlPath, s: JsonSchema): string | undefined {
  const last = path[path.length - 1];
  if (isQuantity(s)) return last === "cpu" ? "100m" : "128Mi";
  if (s.type === "integer") return s.default !== undefined ? String(s.default) : last === "replicas" ? "1" : undefined;
  return STRING_DEFAULTS[`${kind}:${path.filter((p) => typeof p === "string").join(".")}`];
}

/** Placeholders for string fields whose usual value is known (FACTS.md sections (a) and (b)). */
const STRING_DEFAULTS: Record<string, string> = {
  [`${KIND_SPINAPP}:spec.executor`]: DEFAULT_EXECUTOR,
  [`${KIND_SPINAPP}:spec.checks.liveness.httpGet.path`]: "/",
  [`${KIND_SPINAPP}:spec.checks.readiness.httpGet.path`]: "/",
  [`${KIND_SPINAPP}:spec.invocationLimits.memory`]: "128Mi",
  [`${KIND_SPINAPP}:apiVersion`]: API_VERSION,
  [`${KIND_EXECUTOR}:apiVersion`]: API_VERSION,
  [`${KIND_EXECUTOR}:spec.deploymentConfig.runtimeClassName`]: DEFAULT_SPIN_RUNTIME_CLASS,
  [`${KIND_EXECUTOR}:spec.deploymentConfig.spinImage`]: "ghcr.io/fermyon/spin:v2.7.0",
};

interface NamedValue {
  label: string;
  detail: string;
}

/** Names of objects the server knows that fit the field at `path`. */
function knownNames(path: YamlPath, scope: Scope): NamedValue[] {
  const k = scope.knowledge;
  const ns = scope.namespace;
  const keys = path.filter((p): p is string => typeof p === "string");
  const at = keys.join(".");
  const tail = keys.slice(-2).join(".");
  const inNs = (what: string) => (o: { name: string; origin: string }) => ({ label: o.name, detail: `${what} in ${ns} (${o.origin})` });
  if (scope.kind === KIND_SPINAPP) {
    if (at === "spec.executor")
      return k.executorsIn(ns).map((e) => ({
        label: e.name,
        detail:
          `SpinAppExecutor in ${ns} (${e.origin})` +
          (e.runtimeClassName ? ` · runtimeClassName ${e.runtimeClassName}` : e.spinImage ? ` · spinImage ${e.spinImage}` : ""),
      }));
    if (tail === "secretKeyRef.name" || at === "spec.runtimeConfig.loadFromSecret" || at === "spec.imagePullSecrets.name" || tail === "secret.secretName")
      return k.secretsIn(ns).map(inNs("Secret"));
    if (tail === "configMapKeyRef.name" || tail === "configMap.name") return k.configMapsIn(ns).map(inNs("ConfigMap"));
  } else {
    if (at === "spec.deploymentConfig.runtimeClassName") return k.runtimeClasses().map((r) => ({ label: r.name, detail: `RuntimeClass (${r.origin})` }));
    if (at === "spec.deploymentConfig.caCertSecret") return k.secretsIn(ns).map(inNs("Secret"));
  }
  return [];
}

function valueItem(value: string, ctx: CursorContext, range: Range, detail: string, documentation?: string): CompletionItem {
  return {
    label: value,
    kind: CompletionItemKind.Value,
    detail,
    documentation: documentation ? markdown(documentation) : undefined,
    filterText: value,
    textEdit: TextEdit.replace(range, (ctx.needsSpace ? " " : "") + value),
    insertTextFormat: InsertTextFormat.PlainText,
  };
}

/** Values for the scalar at `path`: enum members, booleans, known names, the default. */
function valueItems(s: JsonSchema, path: YamlPath, ctx: CursorContext, scope: Scope, range: Range): CompletionItem[] {
  const out: CompletionItem[] = [];
  const seen = new Set<string>();
  const add = (v: string, detail: string) => {
    if (seen.has(v)) return;
    seen.add(v);
    out.push({ ...valueItem(v, ctx, range, detail), sortText: String(out.length).padStart(3, "0") });
  };
  if (s.enum) for (const v of s.enum) add(String(v), "allowed value");
  if (s.type === "boolean") {
    add("true", s.default === true ? "default" : "boolean");
    add("false", s.default === false ? "default" : "boolean");
  }
  for (const v of knownNames(path, scope)) add(v.label, v.detail);
  if (s.default !== undefined && s.default !== "" && typeof s.default !== "object") add(String(s.default), "default");
  return out;
}
