/**
 * Turns ajv errors on a SpinApp/SpinAppExecutor into diagnostics that sit where the fix goes and
 * say what to write instead: unknown keys on the key (with did-you-mean), missing fields on the
 * parent's key, wrong types and values on the value, quantities with their likely spelling.
 * Collapses ajv's anyOf noise (int-or-string) into one message per value.
 */
import type { ErrorObject } from "ajv";
import { isScalar, type Document, type Scalar } from "yaml";
import { DiagnosticSeverity } from "vscode-languageserver-types";
import { Codes, type MissingFieldData, type QuantityData, type QuoteData, type UnknownFieldData } from "./diagnosticCodes";
import { isQuantitySchema, schemaAt, propertyNames, type JsonSchema } from "./schemas";
import { nodeAt, spanFor, type YamlPath } from "./ranges";
import { suggestQuantity } from "./quantity";
import { closest } from "./similarity";
import { WebhookMessages } from "./webhookMessages";

/** A diagnostic before it is placed in the file: offsets are relative to the document's chunk. */
export interface RawDiagnostic {
  span: [number, number];
  severity: DiagnosticSeverity;
  code: string;
  message: string;
  data?: unknown;
}

const YAML11_WORDS = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|true|True|TRUE|false|False|FALSE)$/;

/** `/spec/variables/0/name` → ["spec", "variables", 0, "name"] (numbers where the data is an array). */
export function pointerToPath(pointer: string, data: unknown): (string | number)[] {
  if (!pointer) return [];
  const out: (string | number)[] = [];
  let cur: unknown = data;
  for (const raw of pointer.slice(1).split("/")) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(cur)) {
      const i = Number(seg);
      out.push(i);
      cur = cur[i];
    } else {
      out.push(seg);
      cur = cur && typeof cur === "object" ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

/** "spec.variables[0].name" for messages. */
export function dotted(path: YamlPath): string {
  let s = "";
  for (const seg of path) s += typeof seg === "number" ? `[${seg}]` : s ? `.${seg}` : seg;
  return s || "the document";
}

function typeName(v: unknown): string {
  if (v == null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return "a string";
  if (typeof v === "boolean") return "a boolean";
  if (typeof v === "number") return Number.isInteger(v) ? "an integer" : "a number";
  return typeof v;
}

function expected(t: string | string[] | undefined): string {
  const list = Array.isArray(t) ? t : t ? [t] : [];
  const words: Record<string, string> = { integer: "an integer", number: "a number", string: "a string", boolean: "true or false", object: "an object (key: value lines)", array: "a list (- item lines)", null: "null" };
  return list.map((x) => words[x] ?? x).join(" or ");
}

function valueAt(data: unknown, path: YamlPath): unknown {
  let cur = data;
  for (const seg of path) cur = cur && typeof cur === "object" ? (cur as Record<string | number, unknown>)[seg] : undefined;
  return cur;
}

/**
 * Maps ajv errors for one document to diagnostics.
 * @param root the schema the document was validated against (for did-you-mean and types)
 */
export function mapSchemaErrors(errors: readonly ErrorObject[], doc: Document, text: string, data: unknown, root: JsonSchema): RawDiagnostic[] {
  const out: RawDiagnostic[] = [];
  // Errors inside an anyOf are summarized by the anyOf itself.
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === "anyOf").map((e) => e.instancePath));
  for (const e of errors) {
    if (e.keyword !== "anyOf" && anyOfPaths.has(e.instancePath) && e.schemaPath.includes("/anyOf/")) continue;
    const path = pointerToPath(e.instancePath, data);
    const at = dotted(path);
    const value = valueAt(data, path);
    switch (e.keyword) {
      case "additionalProperties": {
        const key = (e.params as { additionalProperty: string }).additionalProperty;
        const allowed = propertyNames(schemaAt(root, path));
        const suggestions = closest(key, allowed);
        const where = path.length ? `in ${at}` : "at the top level";
        const hint = suggestions.length
          ? ` Did you mean "${suggestions[0]}"?`
          : allowed.length
            ? ` Allowed here: ${allowed.slice(0, 12).join(", ")}${allowed.length > 12 ? ", …" : ""}.`
            : "";
        out.push({
          span: spanFor(doc, text, [...path, key], "key"),
          severity: DiagnosticSeverity.Error,
          code: Codes.unknownField,
          message: `Unknown field "${key}" ${where}: the API server rejects it (strict field validation).${hint}`,
          data: { key, parentPath: path, suggestions } satisfies UnknownFieldData,
        });
        break;
      }
      case "required": {
        const field = (e.params as { missingProperty: string }).missingProperty;
        const isExecutor = field === "executor" && at === "spec";
        if (isExecutor) {
          out.push({
            span: spanFor(doc, text, path, "container"),
            severity: DiagnosticSeverity.Warning,
            code: Codes.executorMissing,
            message:
              `spec.executor is not set. The operator's webhook fills in the first SpinAppExecutor it can list (and rejects the app when there is none: "${WebhookMessages.executorUnset}"). Name one, e.g. "executor: containerd-shim-spin".`,
            data: { field, parentPath: path } satisfies MissingFieldData,
          });
        } else {
          out.push({
            span: spanFor(doc, text, path, "container"),
            severity: DiagnosticSeverity.Error,
            code: Codes.missingField,
            message: `Missing required field "${field}" in ${at}.`,
            data: { field, parentPath: path } satisfies MissingFieldData,
          });
        }
        break;
      }
      case "type": {
        const want = (e.params as { type: string | string[] }).type;
        out.push(typeDiagnostic(doc, text, path, value, expected(want)));
        break;
      }
      case "anyOf": {
        const s = schemaAt(root, path);
        if (isQuantitySchema(s)) out.push(quantityDiagnostic(doc, text, path, value));
        else if (s?.["x-kubernetes-int-or-string"]) out.push(typeDiagnostic(doc, text, path, value, "an integer or a string"));
        else
          out.push({ span: spanFor(doc, text, path, "value"), severity: DiagnosticSeverity.Error, code: Codes.schema, message: `${at} does not match any allowed form.` });
        break;
      }
      case "pattern": {
        const s = schemaAt(root, path);
        if (isQuantitySchema(s))
          out.push(quantityDiagnostic(doc, text, path, value));
        else
          out.push({ span: spanFor(doc, text, path, "value"), severity: DiagnosticSeverity.Error, code: Codes.schema, message: `${at} must match ${String((e.params as { pattern: string }).pattern)}.` });
        break;
      }
      case "enum": {
        const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
        out.push({
          span: spanFor(doc, text, path, "value"),
          severity: DiagnosticSeverity.Error,
          code: Codes.enumValue,
          message: `${at} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}; found ${JSON.stringify(value)}.`,
        });
        break;
      }
      case "format": {
        const fmt = (e.params as { format: string }).format;
        const limits: Record<string, string> = { int32: "a 32-bit integer (-2147483648 to 2147483647)", int64: "a 64-bit integer" };
        out.push({
          span: spanFor(doc, text, path, "value"),
          severity: DiagnosticSeverity.Error,
          code: Codes.format,
          message: `${at} must be ${limits[fmt] ?? `in ${fmt} format`}; found ${JSON.stringify(value)}.`,
        });
        break;
      }
      case "minItems": {
        const n = (e.params as { limit: number }).limit;
        out.push({
          span: spanFor(doc, text, path, "value"),
          severity: DiagnosticSeverity.Error,
          code: Codes.schema,
          message:
            at === "spec.components"
              ? "spec.components must list at least one component id; remove the field to run every component."
              : `${at} must have at least ${n} item${n === 1 ? "" : "s"}.`,
        });
        break;
      }
      default:
        out.push({ span: spanFor(doc, text, path, "value"), severity: DiagnosticSeverity.Error, code: Codes.schema, message: `${at} ${e.message ?? "is invalid"}.` });
    }
  }
  return out;
}

function typeDiagnostic(doc: Document, text: string, path: YamlPath, value: unknown, want: string): RawDiagnostic {
  const at = dotted(path);
  const span = spanFor(doc, text, path, "value");
  const node = nodeAt(doc, path);
  const source = isScalar(node) ? sourceText(text, node) : undefined;
  // `yes`, `on`, `0777`: YAML 1.1 made them booleans/numbers, as Kubernetes reads them.
  if (want === "a string" && source !== undefined && isPlain(node) && (typeof value === "boolean" || typeof value === "number")) {
    const why = YAML11_WORDS.test(source) ? `Kubernetes reads ${source} as the boolean ${String(value)}` : `${source} is read as the number ${String(value)}`;
    return {
      span,
      severity: DiagnosticSeverity.Error,
      code: Codes.yaml11Scalar,
      message: `${at} must be a string, but ${why}. Quote it: "${source}".`,
      data: { text: source } satisfies QuoteData,
    };
  }
  let extra = "";
  if (typeof value === "string" && /^-?\d+$/.test(value) && /integer/.test(want)) extra = " Remove the quotes.";
  if (typeof value === "string" && /^(true|false)$/i.test(value) && /true or false/.test(want)) extra = " Remove the quotes.";
  if (value == null && !/null/.test(want)) extra = " The value is empty.";
  return { span, severity: DiagnosticSeverity.Error, code: Codes.type, message: `${at} must be ${want}, not ${typeName(value)}.${extra}` };
}

function quantityDiagnostic(doc: Document, text: string, path: YamlPath, value: unknown): RawDiagnostic {
  const at = dotted(path);
  const replacement = typeof value === "string" ? suggestQuantity(value) : undefined;
  const shown = typeof value === "string" ? `"${value}"` : JSON.stringify(value);
  return {
    span: spanFor(doc, text, path, "value"),
    severity: DiagnosticSeverity.Error,
    code: Codes.quantity,
    message: `${at}: ${shown} is not a Kubernetes quantity.${replacement ? ` Write ${replacement}` : " Write a number with an optional unit, e.g. 128Mi, 1Gi, 500m or 2"}${replacement && /i$/.test(replacement) ? ` (binary units: Ki, Mi, Gi; decimal ones are k, M, G)` : ""}.`,
    data: replacement ? ({ replacement } satisfies QuantityData) : undefined,
  };
}

function isPlain(node: unknown): boolean {
  return isScalar(node) && (node as Scalar).type === "PLAIN";
}

function sourceText(text: string, node: Scalar): string | undefined {
  const r = node.range;
  return r ? text.slice(r[0], r[1]) : undefined;
}
