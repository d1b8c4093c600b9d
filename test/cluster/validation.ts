// Validation of custom resources against a CRD's structural openAPIV3Schema, as the API server
// does it: pruning of unknown fields (reported for fieldValidation=Strict/Warn as
// `unknown field "spec.x"`), structural defaulting, and schema validation producing the
// apiextensions error causes (`spec.executor: Required value`, `... in body must be of type
// integer: "x"`, enum, pattern, min/max, length and item counts). Also metadata.name checks.

import type { StatusCause } from "./types";
import { isObject } from "./types";

/** The subset of OpenAPI v3 schema keywords a structural CRD schema uses. */
export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  format?: string;
  default?: unknown;
  nullable?: boolean;
  description?: string;
  anyOf?: Schema[];
  allOf?: Schema[];
  oneOf?: Schema[];
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
  "x-kubernetes-list-type"?: string;
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-map-type"?: string;
  [k: string]: unknown;
}

/** Every field of metav1.ObjectMeta. */
export const OBJECT_META_FIELDS = new Set([
  "name",
  "generateName",
  "namespace",
  "selfLink",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
]);

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/**
 * Removes fields the schema does not declare (in place on a copy the caller owns) and returns
 * their paths (`spec.executr`, `spec.variables[0].vaule`), in document order.
 */
export function prune(schema: Schema, obj: Record<string, unknown>): string[] {
  const unknown: string[] = [];
  for (const key of Object.keys(obj)) {
    if (key === "apiVersion" || key === "kind") continue;
    if (key === "metadata") {
      const md = obj.metadata;
      if (isObject(md)) {
        for (const k of Object.keys(md)) {
          if (!OBJECT_META_FIELDS.has(k)) {
            unknown.push(`metadata.${k}`);
            delete md[k];
          }
        }
      }
      continue;
    }
    const prop = schema.properties?.[key];
    if (!prop) {
      if (!schema["x-kubernetes-preserve-unknown-fields"]) {
        unknown.push(key);
        delete obj[key];
      }
      continue;
    }
    pruneValue(prop, obj[key], key, unknown);
  }
  return unknown;
}

function pruneValue(schema: Schema, value: unknown, path: string, unknown: string[]): void {
  if (schema["x-kubernetes-embedded-resource"] && isObject(value)) {
    // Embedded resources keep apiVersion/kind/metadata.
    for (const k of Object.keys(value)) {
      if (k === "apiVersion" || k === "kind" || k === "metadata") continue;
      const p = schema.properties?.[k];
      if (p) pruneValue(p, value[k], join(path, k), unknown);
      else if (!schema["x-kubernetes-preserve-unknown-fields"]) {
        unknown.push(join(path, k));
        delete value[k];
      }
    }
    return;
  }
  if (isObject(value)) {
    if (schema.properties) {
      for (const k of Object.keys(value)) {
        const p = schema.properties[k];
        if (p) pruneValue(p, value[k], join(path, k), unknown);
        else if (!schema["x-kubernetes-preserve-unknown-fields"] && !schema.additionalProperties) {
          unknown.push(join(path, k));
          delete value[k];
        }
      }
    } else if (isObject(schema.additionalProperties)) {
      const ap = schema.additionalProperties as Schema;
      for (const k of Object.keys(value)) pruneValue(ap, value[k], join(path, k), unknown);
    }
  } else if (Array.isArray(value) && schema.items) {
    value.forEach((v, i) => pruneValue(schema.items as Schema, v, `${path}[${i}]`, unknown));
  }
}

/** Applies structural defaults (in place): missing properties that declare a `default` get it. */
export function applyDefaults(schema: Schema, value: unknown): void {
  if (isObject(value)) {
    if (schema.properties) {
      for (const [k, p] of Object.entries(schema.properties)) {
        if (value[k] === undefined && p.default !== undefined) value[k] = JSON.parse(JSON.stringify(p.default));
        if (value[k] !== undefined) applyDefaults(p, value[k]);
      }
    } else if (isObject(schema.additionalProperties)) {
      for (const k of Object.keys(value)) applyDefaults(schema.additionalProperties as Schema, value[k]);
    }
  } else if (Array.isArray(value) && schema.items) {
    for (const v of value) applyDefaults(schema.items, v);
  }
}

/** Go's %v-ish rendering of a value inside `Invalid value: ...`. */
export function goValue(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (v == null) return "null";
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map(goValue).join(", ")}}`;
  if (isObject(v)) {
    const inner = Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${goValue(v[k])}`)
      .join(", ");
    return `map[string]interface {}{${inner}}`;
  }
  return String(v);
}

function typeOf(v: unknown): string {
  if (v == null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function typeMatches(schema: Schema, v: unknown): boolean {
  if (schema["x-kubernetes-int-or-string"]) return typeof v === "string" || (typeof v === "number" && Number.isInteger(v));
  if (!schema.type) return true;
  const t = typeOf(v);
  if (schema.type === "number") return t === "number" || t === "integer";
  return t === schema.type;
}

/** Validates a value against a schema and returns the error causes (empty when valid). */
export function validate(schema: Schema, value: unknown, path = ""): StatusCause[] {
  const causes: StatusCause[] = [];
  walk(schema, value, path, causes);
  return causes;
}

function invalidCause(path: string, value: unknown, detail: string): StatusCause {
  return { reason: "FieldValueInvalid", message: `Invalid value: ${goValue(value)}: ${detail}`, field: path };
}

function walk(schema: Schema, v: unknown, path: string, causes: StatusCause[]): void {
  if (v == null) {
    if (!schema.nullable && !schema["x-kubernetes-preserve-unknown-fields"]) {
      causes.push({ reason: "FieldValueTypeInvalid", message: `Invalid value: "null": ${path} in body must be of type ${schema.type ?? "object"}: "null"`, field: path });
    }
    return;
  }
  if (!typeMatches(schema, v)) {
    const t = typeOf(v);
    causes.push({
      reason: "FieldValueTypeInvalid",
      message: `Invalid value: "${t}": ${path} in body must be of type ${schema.type}: "${t}"`,
      field: path,
    });
    return;
  }
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
    causes.push({
      reason: "FieldValueNotSupported",
      message: `Unsupported value: ${goValue(v)}: supported values: ${schema.enum.map((e) => goValue(e)).join(", ")}`,
      field: path,
    });
  }
  if (typeof v === "string") {
    if (schema.maxLength !== undefined && Buffer.byteLength(v) > schema.maxLength) {
      causes.push({ reason: "FieldValueTooLong", message: `Too long: may not be more than ${schema.maxLength} bytes`, field: path });
    }
    if (schema.minLength !== undefined && [...v].length < schema.minLength) {
      causes.push(invalidCause(path, v, `${path} in body should be at least ${schema.minLength} chars long`));
    }
    if (schema.pattern && !new RegExp(schema.pattern, "u").test(v)) {
      causes.push(invalidCause(path, v, `${path} in body should match '${schema.pattern}'`));
    }
  }
  if (typeof v === "number") {
    if (schema.minimum !== undefined && (schema.exclusiveMinimum ? v <= schema.minimum : v < schema.minimum)) {
      causes.push(invalidCause(path, v, `${path} in body should be greater than ${schema.exclusiveMinimum ? "" : "or equal to "}${schema.minimum}`));
    }
    if (schema.maximum !== undefined && (schema.exclusiveMaximum ? v >= schema.maximum : v > schema.maximum)) {
      causes.push(invalidCause(path, v, `${path} in body should be less than ${schema.exclusiveMaximum ? "" : "or equal to "}${schema.maximum}`));
    }
    if (schema.format === "int32" && (v > 2147483647 || v < -2147483648)) {
      causes.push(invalidCause(path, v, `${path} in body should be ${v > 0 ? "less than or equal to 2147483647" : "greater than or equal to -2147483648"}`));
    }
  }
  if (Array.isArray(v)) {
    if (schema.minItems !== undefined && v.length < schema.minItems) {
      causes.push(invalidCause(path, v.length, `${path} in body should have at least ${schema.minItems} items`));
    }
    if (schema.maxItems !== undefined && v.length > schema.maxItems) {
      causes.push({ reason: "FieldValueTooMany", message: `Too many: ${v.length}: must have at most ${schema.maxItems} items`, field: path });
    }
    if (schema.items) v.forEach((item, i) => walk(schema.items as Schema, item, `${path}[${i}]`, causes));
  }
  if (isObject(v)) {
    for (const r of schema.required ?? []) {
      if (v[r] === undefined) causes.push({ reason: "FieldValueRequired", message: "Required value", field: join(path, r) });
    }
    if (schema.properties) {
      for (const [k, p] of Object.entries(schema.properties)) {
        if (v[k] !== undefined && !(path === "" && (k === "metadata" || k === "apiVersion" || k === "kind"))) walk(p, v[k], join(path, k), causes);
      }
    } else if (isObject(schema.additionalProperties)) {
      for (const [k, item] of Object.entries(v)) walk(schema.additionalProperties as Schema, item, join(path, k), causes);
    }
  }
  for (const sub of schema.allOf ?? []) walk({ ...sub, type: sub.type ?? undefined }, v, path, causes);
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Validates metadata.name by the rule of the kind: "subdomain" (default), "label" or "dns1035". */
export function validateName(name: string, rule: "subdomain" | "label" | "dns1035" = "subdomain"): StatusCause[] {
  const field = "metadata.name";
  if (!name) return [{ reason: "FieldValueRequired", message: "Required value: name or generateName is required", field }];
  if (rule === "subdomain") {
    const causes: StatusCause[] = [];
    if (name.length > 253) causes.push(invalidCause(field, name, "must be no more than 253 characters"));
    if (!DNS1123_SUBDOMAIN.test(name)) {
      causes.push(
        invalidCause(
          field,
          name,
          "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        ),
      );
    }
    return causes;
  }
  if (rule === "label") {
    if (name.length > 63) return [invalidCause(field, name, "must be no more than 63 characters")];
    if (!DNS1123_LABEL.test(name)) {
      return [
        invalidCause(
          field,
          name,
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        ),
      ];
    }
    return [];
  }
  if (name.length > 63) return [invalidCause(field, name, "must be no more than 63 characters")];
  if (!DNS1035_LABEL.test(name)) {
    return [
      invalidCause(
        field,
        name,
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
      ),
    ];
  }
  return [];
}

/** Validates label keys and values of metadata.labels. */
export function validateLabels(labels: Record<string, string> | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    const name = k.includes("/") ? k.slice(k.indexOf("/") + 1) : k;
    if (name.length > 63 || !/^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/.test(name)) {
      causes.push(
        invalidCause(
          "metadata.labels",
          k,
          name.length > 63
            ? "name part must be no more than 63 characters"
            : "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        ),
      );
    }
    if (typeof v !== "string" || v.length > 63 || (v !== "" && !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/.test(v))) {
      causes.push(
        invalidCause(
          "metadata.labels",
          v,
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ),
      );
    }
  }
  return causes;
}
