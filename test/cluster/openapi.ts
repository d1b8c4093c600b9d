// The OpenAPI documents kubectl downloads: `/openapi/v3` (index) and one OpenAPI 3.0 document per
// group/version with every operation (GET/PUT/PATCH/DELETE/POST, with the `fieldValidation`,
// `dryRun`, `fieldManager` and `force` parameters and `x-kubernetes-group-version-kind`, which is
// how kubectl decides to validate server-side), and component schemas — the full CRD schemas for
// custom resources (what `kubectl explain spinapp.spec` renders) and minimal ones for built-ins;
// `/openapi/v2` as a minimal protobuf (gnostic) or JSON Swagger document, enough for kubectl's
// client-side apply setup, which always loads it.

import { createHash } from "node:crypto";
import type { ResourceType } from "./types";
import { isObject } from "./types";
import { crdSchema } from "./resources";
import { groupVersions } from "./discovery";

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** Reverse-DNS schema name: `dev.spinkube.core.v1alpha1.SpinApp`, `io.k8s.api.apps.v1.Deployment`. */
export function schemaName(t: Pick<ResourceType, "group" | "version" | "kind" | "crd">, kind = t.kind): string {
  if (t.crd) return `${t.group.split(".").reverse().join(".")}.${t.version}.${kind}`;
  const g = t.group === "" ? "core" : t.group.replace(/\.k8s\.io$/, "");
  return `io.k8s.api.${g}.${t.version}.${kind}`;
}

const OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
const LIST_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";

function hash(doc: unknown): string {
  return createHash("sha512").update(JSON.stringify(doc)).digest("hex").slice(0, 128).toUpperCase();
}

/** `/openapi/v3`: the index of group/version documents. */
export function openapiV3Index(types: ResourceType[]): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const [g, vs] of groupVersions(types)) {
    for (const v of vs) {
      const p = gvPath(g, v);
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash(openapiV3Doc(types, g, v))}` };
    }
  }
  paths.api = { serverRelativeURL: "/openapi/v3/api?hash=0" };
  paths.apis = { serverRelativeURL: "/openapi/v3/apis?hash=0" };
  paths.version = { serverRelativeURL: "/openapi/v3/version?hash=0" };
  return { paths };
}

function param(name: string, inWhere: "query" | "path", description: string, type = "string"): Record<string, unknown> {
  return { name, in: inWhere, description, ...(inWhere === "path" ? { required: true } : {}), schema: { type, uniqueItems: true } };
}

const FIELD_VALIDATION =
  'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.';

function writeParams(): Record<string, unknown>[] {
  return [
    param("dryRun", "query", "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed"),
    param("fieldManager", "query", "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint."),
    param("fieldValidation", "query", FIELD_VALIDATION),
  ];
}

/** One OpenAPI 3.0 document for a group/version, or undefined when not served. */
export function openapiV3Doc(types: ResourceType[], group: string, version: string): Record<string, unknown> | undefined {
  const ts = types.filter((t) => t.group === group && t.version === version);
  if (!ts.length) return undefined;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {
    [OBJECT_META]: {
      description: "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
      type: "object",
      properties: {
        annotations: { description: "Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata.", type: "object", additionalProperties: { type: "string", default: "" } },
        creationTimestamp: { description: "CreationTimestamp is a timestamp representing the server time when this object was created.", type: "string", format: "date-time" },
        finalizers: { description: "Must be empty before the object is deleted from the registry.", type: "array", items: { type: "string", default: "" }, "x-kubernetes-list-type": "set", "x-kubernetes-patch-strategy": "merge" },
        generateName: { description: "GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.", type: "string" },
        generation: { description: "A sequence number representing a specific generation of the desired state.", type: "integer", format: "int64" },
        labels: { description: "Map of string keys and values that can be used to organize and categorize (scope and select) objects.", type: "object", additionalProperties: { type: "string", default: "" } },
        name: { description: "Name must be unique within a namespace.", type: "string" },
        namespace: { description: "Namespace defines the space within which each name must be unique.", type: "string" },
        resourceVersion: { description: "An opaque value that represents the internal version of this object.", type: "string" },
        uid: { description: "UID is the unique in time and space value for this object.", type: "string" },
      },
    },
    [LIST_META]: {
      description: "ListMeta describes metadata that synthetic resources must have, including lists and various status objects.",
      type: "object",
      properties: { continue: { type: "string" }, remainingItemCount: { type: "integer", format: "int64" }, resourceVersion: { type: "string" } },
    },
    "io.k8s.apimachinery.pkg.apis.meta.v1.Patch": { description: "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.", type: "object" },
    "io.k8s.apimachinery.pkg.apis.meta.v1.Status": { description: "Status is a return value for calls that don't return other objects.", type: "object" },
  };
  for (const t of ts) {
    const gvk = { group: t.group, version: t.version, kind: t.kind };
    const ref = { $ref: `#/components/schemas/${schemaName(t)}` };
    const listRef = { $ref: `#/components/schemas/${schemaName(t, t.listKind)}` };
    const ok = (schema: unknown): Record<string, unknown> => ({ description: "OK", content: { "application/json": { schema }, "application/yaml": { schema } } });
    const op = (action: string, description: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      tags: [`${t.group || "core"}_${t.version}`],
      description,
      operationId: `${action}${t.kind}`,
      responses: { "200": ok(action === "list" ? listRef : ref), "401": { description: "Unauthorized" } },
      "x-kubernetes-action": action,
      "x-kubernetes-group-version-kind": gvk,
      ...extra,
    });
    const base = `/${gvPath(t.group, t.version)}${t.namespaced ? "/namespaces/{namespace}" : ""}/${t.plural}`;
    const nsParam = t.namespaced ? [param("namespace", "path", "object name and auth scope, such as for teams and projects")] : [];
    // Built-ins do not list strategic-merge-patch here on purpose: without full schemas, kubectl then
    // computes client-side apply patches from its compiled-in types (as with a real server's v2 doc).
    const patchTypes = ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json"];
    const body = (schema: unknown, kinds: string[]): Record<string, unknown> => ({ content: Object.fromEntries(kinds.map((k) => [k, { schema }])), required: true });
    if (t.verbs.includes("list") || t.verbs.includes("create")) {
      paths[base] = {
        ...(t.verbs.includes("list") ? { get: op("list", `list or watch objects of kind ${t.kind}`) } : {}),
        ...(t.verbs.includes("create") ? { post: op("post", `create a ${t.kind}`, { parameters: writeParams(), requestBody: body(ref, ["*/*"]) }) } : {}),
        parameters: nsParam,
      };
    }
    if (t.verbs.includes("get")) {
      paths[`${base}/{name}`] = {
        get: op("get", `read the specified ${t.kind}`),
        put: op("put", `replace the specified ${t.kind}`, { parameters: writeParams(), requestBody: body(ref, ["*/*"]) }),
        delete: op("delete", `delete a ${t.kind}`, { parameters: [param("dryRun", "query", "dry run"), param("gracePeriodSeconds", "query", "grace period", "integer"), param("propagationPolicy", "query", "propagation policy")] }),
        patch: op("patch", `partially update the specified ${t.kind}`, {
          parameters: [...writeParams(), param("force", "query", "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.", "boolean")],
          requestBody: body({ $ref: "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch" }, patchTypes),
        }),
        parameters: [param("name", "path", `name of the ${t.kind}`), ...nsParam],
      };
    }
    schemas[schemaName(t)] = { ...objectSchema(t), "x-kubernetes-group-version-kind": [gvk] };
    schemas[schemaName(t, t.listKind)] = {
      description: `${t.listKind} is a list of ${t.kind}`,
      type: "object",
      required: ["items"],
      properties: {
        apiVersion: { type: "string" },
        items: { type: "array", items: ref },
        kind: { type: "string" },
        metadata: { allOf: [{ $ref: `#/components/schemas/${LIST_META}` }], default: {} },
      },
      "x-kubernetes-group-version-kind": [{ group: t.group, version: t.version, kind: t.listKind }],
    };
  }
  return {
    openapi: "3.0.0",
    info: { title: t0Title(ts[0]), version: ts[0].crd ? "v0.1.0" : "v1.32.2" },
    paths,
    components: { schemas },
  };
}

function t0Title(t: ResourceType): string {
  return t.crd ? "Kubernetes CRD Swagger" : "Kubernetes";
}

const API_VERSION_DESC =
  "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources";
const KIND_DESC =
  "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds";
const METADATA_DESC = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

function objectSchema(t: ResourceType): Record<string, unknown> {
  const metadata = { description: METADATA_DESC, allOf: [{ $ref: `#/components/schemas/${OBJECT_META}` }], default: {} };
  if (t.crd) {
    const s = JSON.parse(JSON.stringify(crdSchema(t.crd, t.version) ?? { type: "object" })) as Record<string, unknown>;
    const props = isObject(s.properties) ? s.properties : {};
    props.metadata = metadata;
    s.properties = props;
    return s;
  }
  return {
    description: `${t.kind} (schema not published by this test server beyond its top level).`,
    type: "object",
    properties: {
      apiVersion: { description: API_VERSION_DESC, type: "string" },
      kind: { description: KIND_DESC, type: "string" },
      metadata,
      spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
      status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// OpenAPI v2 (protobuf, gnostic openapi_v2.Document)

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

function field(no: number, payload: Buffer | string): Buffer {
  const b = typeof payload === "string" ? Buffer.from(payload) : payload;
  return Buffer.concat([varint((no << 3) | 2), varint(b.length), b]);
}

/**
 * `/openapi/v2` as protobuf: Document{swagger: "2.0", info: {title, version}, paths: {},
 * definitions: {}}. kubectl parses it for client-side apply but validates server-side.
 */
export function openapiV2Protobuf(): Buffer {
  const info = Buffer.concat([field(1, "Kubernetes"), field(2, "v1.32.2")]);
  return Buffer.concat([field(1, "2.0"), field(2, info), field(8, Buffer.alloc(0)), field(9, Buffer.alloc(0))]);
}

/** `/openapi/v2` as JSON. */
export function openapiV2Json(): Record<string, unknown> {
  return { swagger: "2.0", info: { title: "Kubernetes", version: "v1.32.2" }, paths: {}, definitions: {} };
}

/** Builds the document for `/openapi/v3/<path>` (path without leading slash). */
export function openapiV3ForPath(types: ResourceType[], p: string): Record<string, unknown> | undefined {
  const m = /^(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))$/.exec(p);
  if (!m) {
    if (p === "api" || p === "apis" || p === "version") return { openapi: "3.0.0", info: { title: "Kubernetes", version: "v1.32.2" }, paths: {}, components: {} };
    return undefined;
  }
  return m[1] ? openapiV3Doc(types, "", m[1]) : openapiV3Doc(types, m[2], m[3]);
}

