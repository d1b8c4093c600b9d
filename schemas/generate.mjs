#!/usr/bin/env node
// Generates the JSON Schemas in this folder from the real spin-operator CRDs in
// ../shared/spinkube/spin-operator/crd/ (see README.md here for provenance and every change made).
// Run by `npm run schemas` (and by `npm run build`). With --check it fails when a committed schema
// differs from what the CRDs give, so the schemas can never drift from their source silently.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const here = path.dirname(fileURLToPath(import.meta.url));
const crdDir = path.resolve(here, "..", "..", "shared", "spinkube", "spin-operator", "crd");
const check = process.argv.includes("--check");

/** Kubernetes ObjectMeta, as the API server validates `metadata` (the CRD leaves it `type: object`). */
const objectMeta = {
  type: "object",
  description:
    "Standard object metadata: name, namespace, labels and annotations. The API server validates it for every resource.",
  properties: {
    name: {
      type: "string",
      description:
        "Name must be unique within a namespace. For a SpinApp it also names the Deployment, the Service and the `core.spinkube.dev/app-name` label the operator creates.",
    },
    generateName: { type: "string", description: "Prefix the server uses to generate a unique name when `name` is not set." },
    namespace: {
      type: "string",
      description: "The namespace the object lives in. A SpinApp's executor must exist in this same namespace.",
    },
    labels: {
      type: "object",
      description: "Map of string keys and values for organizing and selecting objects. Values must be strings (quote numbers and booleans).",
      additionalProperties: { type: "string" },
    },
    annotations: {
      type: "object",
      description: "Map of string keys and values for arbitrary, non-identifying metadata. Values must be strings.",
      additionalProperties: { type: "string" },
    },
    finalizers: { type: "array", items: { type: "string" }, description: "Conditions that must be cleared before the object is deleted." },
    ownerReferences: {
      type: "array",
      description: "Objects this object depends on; it is garbage-collected with them.",
      items: {
        type: "object",
        required: ["apiVersion", "kind", "name", "uid"],
        properties: {
          apiVersion: { type: "string" },
          kind: { type: "string" },
          name: { type: "string" },
          uid: { type: "string" },
          controller: { type: "boolean" },
          blockOwnerDeletion: { type: "boolean" },
        },
        additionalProperties: false,
      },
    },
    uid: { type: "string", description: "Set by the server." },
    resourceVersion: { type: "string", description: "Set by the server; used for optimistic concurrency." },
    generation: { type: "integer", format: "int64", description: "Set by the server." },
    creationTimestamp: { type: ["string", "null"], description: "Set by the server." },
    deletionTimestamp: { type: "string", description: "Set by the server." },
    deletionGracePeriodSeconds: { type: "integer", format: "int64", description: "Set by the server." },
    selfLink: { type: "string", description: "Deprecated; set by older servers." },
    managedFields: { type: "array", items: { type: "object" }, description: "Server-side apply field ownership; set by the server." },
  },
  additionalProperties: false,
};

/**
 * Makes a CRD schema as strict as the API server's field validation: every object that lists its
 * properties (or lists none and does not preserve unknown fields) rejects other keys.
 */
function strictify(s) {
  if (!s || typeof s !== "object") return;
  if (s.type === "object" && !s["x-kubernetes-preserve-unknown-fields"] && !("additionalProperties" in s)) {
    s.additionalProperties = false;
  }
  for (const p of Object.values(s.properties ?? {})) strictify(p);
  if (s.items) strictify(s.items);
  if (s.additionalProperties && typeof s.additionalProperties === "object") strictify(s.additionalProperties);
  for (const k of ["anyOf", "allOf", "oneOf"]) for (const sub of s[k] ?? []) strictify(sub);
}

function generate(file, out, title) {
  const text = readFileSync(path.join(crdDir, file), "utf8");
  const provenance = /^# Upstream: (.*)$/m.exec(text)?.[1] ?? file;
  const crd = parseAllDocuments(text).map((d) => d.toJS()).find((d) => d?.kind === "CustomResourceDefinition");
  const version = crd.spec.versions.find((v) => v.storage);
  const schema = structuredClone(version.schema.openAPIV3Schema);
  strictify(schema);
  schema.properties.metadata = objectMeta;
  schema.required = ["apiVersion", "kind", "metadata"];
  const result = {
    $schema: "http://json-schema.org/draft-07/schema#",
    $id: `https://spinkube.dev/schemas/${out}`,
    title,
    "x-spinkube-source": provenance,
    "x-spinkube-group": crd.spec.group,
    "x-spinkube-version": version.name,
    "x-spinkube-kind": crd.spec.names.kind,
    ...schema,
  };
  const json = JSON.stringify(result, null, 2) + "\n";
  const target = path.join(here, out);
  if (check) {
    if (!existsSync(target) || readFileSync(target, "utf8") !== json) {
      process.stderr.write(`${out} is out of date: run npm run schemas\n`);
      process.exitCode = 1;
    }
    return;
  }
  if (!existsSync(target) || readFileSync(target, "utf8") !== json) writeFileSync(target, json);
}

if (!existsSync(crdDir)) {
  // A packaged or copied checkout without ../shared keeps the committed schemas.
  process.stderr.write(`schemas: ${crdDir} not found; keeping the committed schemas\n`);
} else {
  generate("core.spinkube.dev_spinapps.yaml", "spinapp.v1alpha1.schema.json", "SpinApp");
  generate("core.spinkube.dev_spinappexecutors.yaml", "spinappexecutor.v1alpha1.schema.json", "SpinAppExecutor");
}
