/**
 * The SpinApp manifest in the workspace (usually `spinapp.yaml` next to spin.toml): finding the
 * SpinApp documents of a multi-document YAML file, updating `spec.image` in place, and turning the
 * file into objects to apply. The image is located with the `yaml` Document API and replaced by
 * splicing exactly that scalar's source range in its own quoting style, so every comment, blank
 * line, key order and indentation of the file stays byte-for-byte. vscode-free.
 */
import { isMap, isScalar, parse, parseAllDocuments } from "yaml";
import type { Document, Scalar } from "yaml";
import { API_VERSION, KIND_SPINAPP } from "../shared/spinApp";
import { fail, ok } from "./result";
import type { Result } from "./result";

/** A Kubernetes object read from the manifest. */
export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

/** A SpinApp document of the file. */
export interface SpinAppDoc {
  name: string;
  namespace?: string;
  image?: string;
  /** Index of the document in the file. */
  index: number;
}

function docsOf(text: string): Result<Document.Parsed[]> {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  for (const d of list) {
    const e = d.errors[0];
    if (e) {
      const line = e.linePos?.[0]?.line;
      return fail("manifestFile", `The SpinApp manifest is not valid YAML${line ? ` at line ${line}` : ""}: ${e.message.split("\n")[0]}`, { ...(line ? { line } : {}) });
    }
  }
  return ok(list);
}

/** The SpinApp documents of a YAML file. */
export function findSpinApps(text: string): Result<SpinAppDoc[]> {
  const docs = docsOf(text);
  if (!docs.ok) return docs;
  const out: SpinAppDoc[] = [];
  docs.value.forEach((d, index) => {
    const o = d.toJS() as unknown;
    if (!o || typeof o !== "object") return;
    const obj = o as Record<string, unknown>;
    if (obj.kind !== KIND_SPINAPP || typeof obj.apiVersion !== "string" || !obj.apiVersion.endsWith("/v1alpha1")) return;
    const md = (obj.metadata ?? {}) as Record<string, unknown>;
    const spec = (obj.spec ?? {}) as Record<string, unknown>;
    if (typeof md.name !== "string") return;
    out.push({ name: md.name, ...(typeof md.namespace === "string" ? { namespace: md.namespace } : {}), ...(typeof spec.image === "string" ? { image: spec.image } : {}), index });
  });
  return ok(out);
}

function renderLike(node: Scalar, value: string): string {
  switch (node.type) {
    case "QUOTE_SINGLE":
      return `'${value.replace(/'/g, "''")}'`;
    case "PLAIN": {
      let same = false;
      try {
        same = (parse(`k: ${value}`) as { k?: unknown }).k === value;
      } catch {
        same = false;
      }
      return same ? value : JSON.stringify(value);
    }
    default:
      return JSON.stringify(value);
  }
}

/**
 * Sets `spec.image` of the SpinApp named `name` (or of the only SpinApp) to `image`, keeping the
 * rest of the text as it is. Returns the new text and whether it changed.
 */
export function setSpinAppImage(text: string, image: string, name?: string): Result<{ text: string; changed: boolean; name: string }> {
  const docs = docsOf(text);
  if (!docs.ok) return docs;
  const apps = findSpinApps(text);
  if (!apps.ok) return apps;
  const candidates = name ? apps.value.filter((a) => a.name === name) : apps.value;
  if (!candidates.length) {
    return fail("manifestFile", name ? `The manifest has no SpinApp named ${name}: add one or choose another file.` : "The manifest has no SpinApp document: scaffold one first.");
  }
  if (candidates.length > 1) return fail("manifestFile", `The manifest has ${candidates.length} SpinApps (${candidates.map((c) => c.name).join(", ")}): say which one to update.`);
  const target = candidates[0];
  const doc = docs.value[target.index];
  const node = doc.getIn(["spec", "image"], true);
  if (isScalar(node) && node.range && (node.type === "PLAIN" || node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE")) {
    if (node.value === image) return ok({ text, changed: false, name: target.name });
    const [start, end] = node.range;
    return ok({ text: text.slice(0, start) + renderLike(node, image) + text.slice(end), changed: true, name: target.name });
  }
  // No image yet: insert `image:` as the first key of spec, indented like its siblings.
  const spec = doc.get("spec", true);
  const first = isMap(spec) && !spec.flow ? spec.items[0] : undefined;
  const key = first?.key as { range?: [number, number, number] } | undefined;
  if (!key?.range) return fail("manifestFile", `SpinApp ${target.name} has no block-style spec to put the image in: add \`image:\` under spec.`);
  const lineStart = text.lastIndexOf("\n", key.range[0] - 1) + 1;
  const indent = text.slice(lineStart, key.range[0]);
  if (indent.trim() !== "") return fail("manifestFile", `SpinApp ${target.name}: add \`image:\` under spec by hand (its first key does not start a line).`);
  return ok({ text: `${text.slice(0, lineStart)}${indent}image: ${JSON.stringify(image)}\n${text.slice(lineStart)}`, changed: true, name: target.name });
}

/** All non-empty documents of a manifest as objects to apply (each needs apiVersion, kind, metadata.name). */
export function manifestObjects(text: string): Result<ManifestObject[]> {
  const docs = docsOf(text);
  if (!docs.ok) return docs;
  const out: ManifestObject[] = [];
  for (const [i, d] of docs.value.entries()) {
    const o = d.toJS() as unknown;
    if (o == null) continue;
    const obj = o as Record<string, unknown>;
    const md = obj.metadata as Record<string, unknown> | undefined;
    if (typeof obj.apiVersion !== "string" || typeof obj.kind !== "string" || typeof md?.name !== "string") {
      return fail("manifestFile", `Document ${i + 1} of the manifest needs apiVersion, kind and metadata.name.`);
    }
    out.push(obj as ManifestObject);
  }
  if (!out.some((o) => o.kind === KIND_SPINAPP)) return fail("manifestFile", "The manifest has no SpinApp to deploy.");
  const legacy = out.find((o) => o.kind === KIND_SPINAPP && o.apiVersion !== API_VERSION);
  if (legacy) return fail("manifestFile", `SpinApp ${legacy.metadata.name} uses apiVersion ${legacy.apiVersion}: change it to ${API_VERSION} (operator v0.4.0 and later).`);
  return ok(out);
}
