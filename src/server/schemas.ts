/**
 * The SpinApp and SpinAppExecutor JSON Schemas (generated into schemas/ from the real CRDs), one
 * ajv instance with Kubernetes formats and the x-kubernetes-* vocabulary, compiled validators by
 * kind, and schema navigation by YAML path for completion, hover and error mapping.
 */
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { readFileSync } from "node:fs";
import path from "node:path";
import { KIND_EXECUTOR, KIND_SPINAPP, type SpinKind } from "../shared/spinApp";

/** The subset of JSON Schema the CRDs use. */
export interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  format?: string;
  pattern?: string;
  minItems?: number;
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-list-type"?: string;
  "x-kubernetes-map-type"?: string;
  [k: string]: unknown;
}

const FILES: Record<SpinKind, string> = {
  [KIND_SPINAPP]: "spinapp.v1alpha1.schema.json",
  [KIND_EXECUTOR]: "spinappexecutor.v1alpha1.schema.json",
};

/** Where schemas/ is: beside dist/ in the bundle, two levels up from out/src/server in tests. */
function schemaDir(): string {
  const candidates = [path.join(__dirname, "..", "schemas"), path.join(__dirname, "..", "..", "..", "schemas")];
  for (const c of candidates) {
    try {
      readFileSync(path.join(c, FILES[KIND_SPINAPP]));
      return c;
    } catch {
      // try the next location
    }
  }
  throw new Error(`SpinKube schemas not found (looked in ${candidates.join(", ")})`);
}

export class SchemaRegistry {
  private readonly schemas = new Map<SpinKind, JsonSchema>();
  private readonly validators = new Map<SpinKind, ValidateFunction>();
  private readonly ajv: Ajv;

  constructor(dir: string = schemaDir()) {
    this.ajv = new Ajv({ allErrors: true, strict: false, logger: false, validateSchema: false });
    addFormats(this.ajv, ["int32", "int64", "date-time", "byte"]);
    for (const kw of ["x-kubernetes-int-or-string", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-list-type", "x-kubernetes-map-type", "x-kubernetes-list-map-keys"])
      this.ajv.addKeyword(kw);
    for (const [kind, file] of Object.entries(FILES) as [SpinKind, string][]) {
      this.schemas.set(kind, JSON.parse(readFileSync(path.join(dir, file), "utf8")) as JsonSchema);
    }
  }

  schema(kind: SpinKind): JsonSchema {
    return this.schemas.get(kind)!;
  }

  /** The compiled validator for a kind, compiled on first use. */
  validator(kind: SpinKind): ValidateFunction {
    let v = this.validators.get(kind);
    if (!v) {
      v = this.ajv.compile(this.schema(kind));
      this.validators.set(kind, v);
    }
    return v;
  }
}

let shared: SchemaRegistry | undefined;
/** The process-wide registry (schemas are read once). */
export function schemaRegistry(): SchemaRegistry {
  shared ??= new SchemaRegistry();
  return shared;
}

/** The alternatives a schema offers (anyOf/oneOf branches, or itself). */
function alternatives(s: JsonSchema): JsonSchema[] {
  return s.anyOf ?? s.oneOf ?? [s];
}

/**
 * The subschema at a path of keys and indexes below `root`, or undefined when the path leaves the
 * schema (an unknown key). Map-typed objects (`additionalProperties: {…}`) accept any key.
 */
export function schemaAt(root: JsonSchema, pathKeys: readonly (string | number)[]): JsonSchema | undefined {
  let cur: JsonSchema | undefined = root;
  for (const key of pathKeys) {
    if (!cur) return undefined;
    let next: JsonSchema | undefined;
    for (const alt of alternatives(cur)) {
      if (typeof key === "number") next = alt.items;
      else next = alt.properties?.[key] ?? (typeof alt.additionalProperties === "object" ? alt.additionalProperties : undefined);
      if (next) break;
    }
    cur = next;
  }
  return cur;
}

/** The property names an object schema allows, or [] for maps and non-objects. */
export function propertyNames(s: JsonSchema | undefined): string[] {
  return s?.properties ? Object.keys(s.properties) : [];
}

/** True for a Kubernetes quantity (int-or-string with the quantity pattern, on the schema or a branch). */
export function isQuantitySchema(s: JsonSchema | undefined): boolean {
  return !!s?.["x-kubernetes-int-or-string"] && (!!s.pattern || !!s.anyOf?.some((a) => a.pattern));
}

/** A short human type for hover and messages: "integer (int32)", "quantity", "map of string", … */
export function describeType(s: JsonSchema): string {
  if (s["x-kubernetes-int-or-string"]) return isQuantitySchema(s) ? "quantity (e.g. 128Mi, 500m, 2)" : "integer or string";
  const t = Array.isArray(s.type) ? s.type.join(" | ") : s.type;
  if (t === "array") return `list of ${s.items ? describeType(s.items) : "items"}`;
  if (t === "object" && !s.properties && typeof s.additionalProperties === "object")
    return `map of ${describeType(s.additionalProperties)}`;
  if (t === "object") return "object";
  return s.format ? `${t} (${s.format})` : (t ?? "any");
}
