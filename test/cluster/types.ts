// Shared shapes of the test API server: Kubernetes objects as plain JSON, resource types, the
// API error type every module throws and the server turns into a `Status` response, and tiny
// helpers (deep clone, dotted-path access, timestamps) used everywhere.

/** A Kubernetes object as plain JSON. Stored objects are never mutated in place (copy on write). */
export interface KObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** The subset of ObjectMeta the server reads or writes; other keys pass through. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
  [field: string]: unknown;
}

/** metav1.OwnerReference. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** metav1.ManagedFieldsEntry. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  fieldsType: "FieldsV1";
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** One REST resource the server serves (built-in or from a CRD). */
export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Subresources, e.g. "status", "scale", "log". */
  subresources: string[];
  /** True when spec changes bump metadata.generation. */
  hasGeneration: boolean;
  /** Field selector labels accepted besides metadata.name/metadata.namespace. */
  fieldLabels: string[];
  /** The CRD this resource comes from, when it is a custom resource. */
  crd?: KObject;
}

/** "group/version" or "v1" for the core group. */
export function apiVersionOf(t: Pick<ResourceType, "group" | "version">): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** "plural.group" or "plural" for the core group (the key used in RBAC messages and the store). */
export function typeKey(t: Pick<ResourceType, "group" | "plural">): string {
  return t.group ? `${t.plural}.${t.group}` : t.plural;
}

/** One entry of a `Status.details.causes` list. */
export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

/** An error answered to the client as a `Status` object with this HTTP code. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[]; retryAfterSeconds?: number },
  ) {
    super(message);
  }

  /** The `Status` body for this error. */
  toStatus(): Record<string, unknown> {
    const s: Record<string, unknown> = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
    };
    if (this.details) s.details = this.details;
    s.code = this.code;
    return s;
  }
}

/** `<resource> "<name>" not found` (404), as the API server words it. */
export function notFound(t: Pick<ResourceType, "group" | "plural">, name: string): ApiError {
  return new ApiError(404, "NotFound", `${typeKey(t)} "${name}" not found`, {
    name,
    ...(t.group ? { group: t.group } : {}),
    kind: t.plural,
  });
}

/** `<resource> "<name>" already exists` (409). */
export function alreadyExists(t: Pick<ResourceType, "group" | "plural">, name: string): ApiError {
  return new ApiError(409, "AlreadyExists", `${typeKey(t)} "${name}" already exists`, {
    name,
    ...(t.group ? { group: t.group } : {}),
    kind: t.plural,
  });
}

/** A 400 BadRequest with the message as given. */
export function badRequest(message: string): ApiError {
  return new ApiError(400, "BadRequest", message);
}

/** The 422 Invalid error: `<Kind>.<group> "<name>" is invalid: <causes>`. */
export function invalid(t: Pick<ResourceType, "group" | "kind">, name: string, causes: StatusCause[]): ApiError {
  const qualified = t.group ? `${t.kind}.${t.group}` : t.kind;
  const text = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const joined = text.length === 1 ? text[0] : `[${text.join(", ")}]`;
  return new ApiError(422, "Invalid", `${qualified} "${name}" is invalid: ${joined}`, {
    name,
    ...(t.group ? { group: t.group } : {}),
    kind: t.kind,
    causes,
  });
}

/** JSON deep clone (objects here are always plain JSON). */
export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** Reads a dotted path such as `status.phase` from an object; undefined when absent. */
export function getPath(obj: unknown, path: string | string[]): unknown {
  const parts = typeof path === "string" ? path.split(".").filter((p) => p) : path;
  let cur: unknown = obj;
  for (const p of parts) {
    if (cur == null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** True for a plain JSON object (not an array, not null). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v != null && !Array.isArray(v);
}

/** RFC 3339 timestamp with second precision, as metadata timestamps are written. */
export function rfc3339(ms: number = Date.now()): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** RFC 3339 with microseconds, as `MicroTime` fields (managedFields time is seconds) are written. */
export function rfc3339Micro(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/** RFC 3339 with nanoseconds, as kubelet writes log timestamps. */
export function rfc3339Nano(ms: number): string {
  const whole = Math.floor(ms);
  const frac = Math.round((ms - whole) * 1e6);
  const iso = new Date(whole).toISOString();
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}${String(frac).padStart(6, "0")}Z`;
}
