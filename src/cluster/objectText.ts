/**
 * Text forms of cluster objects, shared by the live YAML documents, edit-and-apply, diff and
 * describe: YAML of a live object (managedFields dropped), the editable copy (status and
 * server-set metadata dropped, as `kubectl apply` would want it), a `kubectl describe`-like text
 * with events, and the objects of a YAML file for server-side apply. vscode-free.
 */
import { parseAllDocuments, stringify } from "yaml";
import type { KObject } from "./kubeApi";

/** Server-set metadata an applied or diffed copy leaves out. */
const SERVER_METADATA = ["managedFields", "resourceVersion", "uid", "creationTimestamp", "generation", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"];

/** YAML of a live object as the API returns it, without managedFields (noise for people). */
export function liveYaml(o: KObject): string {
  const copy = JSON.parse(JSON.stringify(o)) as KObject;
  delete copy.metadata.managedFields;
  return stringify(ordered(copy), { lineWidth: 0 });
}

/** The editable/diffable copy: no status, no server-set metadata, no last-applied annotation. */
export function editableObject(o: KObject): KObject {
  const copy = JSON.parse(JSON.stringify(o)) as KObject;
  delete copy.status;
  for (const k of SERVER_METADATA) delete (copy.metadata as Record<string, unknown>)[k];
  const ann = copy.metadata.annotations;
  if (ann) {
    delete ann["kubectl.kubernetes.io/last-applied-configuration"];
    delete ann["deployment.kubernetes.io/revision"];
    if (Object.keys(ann).length === 0) delete copy.metadata.annotations;
  }
  return ordered(copy);
}

/** YAML of {@link editableObject}. */
export function editableYaml(o: KObject): string {
  return stringify(editableObject(o), { lineWidth: 0 });
}

/** apiVersion, kind, metadata, spec first; the rest after (as kubectl prints). */
function ordered(o: KObject): KObject {
  const out: Record<string, unknown> = {};
  for (const k of ["apiVersion", "kind", "metadata", "spec"]) if (k in o) out[k] = o[k];
  for (const [k, v] of Object.entries(o)) if (!(k in out)) out[k] = v;
  return out as KObject;
}

/** A document of a YAML file that names an object. */
export interface FileObject {
  object: KObject;
  /** Zero-based line where the document starts. */
  line: number;
}

/** The objects of a YAML text (documents without apiVersion/kind/metadata.name are reported as errors). */
export function objectsOfYaml(text: string): { objects: FileObject[]; errors: string[] } {
  const objects: FileObject[] = [];
  const errors: string[] = [];
  const lineOf = (offset: number): number => text.slice(0, offset).split("\n").length - 1;
  for (const doc of parseAllDocuments(text)) {
    if (!("errors" in doc)) continue;
    const start = doc.range?.[0] ?? 0;
    if (doc.errors.length) {
      errors.push(`line ${lineOf(start) + 1}: ${doc.errors[0].message}`);
      continue;
    }
    const v = doc.toJS() as unknown;
    if (v == null) continue;
    const o = v as Partial<KObject>;
    if (typeof o !== "object" || Array.isArray(o) || typeof o.apiVersion !== "string" || typeof o.kind !== "string" || typeof o.metadata?.name !== "string") {
      errors.push(`line ${lineOf(start) + 1}: the document needs apiVersion, kind and metadata.name`);
      continue;
    }
    objects.push({ object: o as KObject, line: lineOf(start) });
  }
  return { objects, errors };
}

function age(ts: unknown, now: number): string {
  const t = typeof ts === "string" ? Date.parse(ts) : NaN;
  if (Number.isNaN(t)) return "<unknown>";
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

function kv(m: Record<string, string> | undefined): string {
  const e = Object.entries(m ?? {});
  return e.length ? e.map(([k, v]) => `${k}=${v}`).join("\n             ") : "<none>";
}

/** A `kubectl describe`-like text: identity, labels, annotations, spec and status as YAML, conditions, events. */
export function describeText(o: KObject, events: KObject[], now = Date.now()): string {
  const lines: string[] = [];
  lines.push(`Name:        ${o.metadata.name}`);
  if (o.metadata.namespace) lines.push(`Namespace:   ${o.metadata.namespace}`);
  lines.push(`Kind:        ${o.kind ?? "?"} (${o.apiVersion ?? "?"})`);
  lines.push(`Created:     ${o.metadata.creationTimestamp ?? "<unknown>"} (${age(o.metadata.creationTimestamp, now)} ago)`);
  lines.push(`Labels:      ${kv(o.metadata.labels)}`);
  const ann = { ...(o.metadata.annotations ?? {}) };
  delete ann["kubectl.kubernetes.io/last-applied-configuration"];
  lines.push(`Annotations: ${kv(ann)}`);
  const owners = o.metadata.ownerReferences ?? [];
  if (owners.length) lines.push(`Controlled By: ${owners.map((r) => `${r.kind}/${r.name}`).join(", ")}`);
  for (const key of ["spec", "handler", "scheduling", "data", "type"]) {
    const v = o[key];
    if (v === undefined || key === "data") continue;
    lines.push(`${key[0].toUpperCase()}${key.slice(1)}:`);
    lines.push(indent(typeof v === "object" ? stringify(v, { lineWidth: 0 }) : `${String(v)}\n`));
  }
  const status = (o.status ?? undefined) as Record<string, unknown> | undefined;
  if (status && typeof status === "object") {
    const { conditions, ...rest } = status;
    if (Object.keys(rest).length) {
      lines.push("Status:");
      lines.push(indent(stringify(rest, { lineWidth: 0 })));
    }
    if (Array.isArray(conditions) && conditions.length) {
      lines.push("Conditions:");
      lines.push("  Type              Status   Reason                        Message");
      for (const c of conditions as Record<string, unknown>[]) {
        lines.push(`  ${pad(String(c.type ?? ""), 17)} ${pad(String(c.status ?? ""), 8)} ${pad(String(c.reason ?? ""), 29)} ${String(c.message ?? "")}`);
      }
    }
  }
  lines.push("Events:");
  if (events.length === 0) lines.push("  <none>");
  else {
    lines.push("  Type     Reason                   Age     From                 Message");
    for (const e of events) {
      const src = (e.source as { component?: string } | undefined)?.component ?? (typeof e.reportingComponent === "string" ? e.reportingComponent : "");
      const count = typeof e.count === "number" && e.count > 1 ? ` (x${e.count})` : "";
      lines.push(`  ${pad(String(e.type ?? ""), 8)} ${pad(String(e.reason ?? ""), 24)} ${pad(age(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp, now), 7)} ${pad(src, 20)} ${String(e.message ?? "").trim()}${count}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

function indent(s: string): string {
  return s
    .replace(/\n$/, "")
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}

/** One line per SSA conflict cause ("spec.replicas: conflict with "kubectl-client-side-apply""). */
export function conflictLines(details: { causes?: { message?: string; field?: string }[] } | undefined, fallback: string): string[] {
  const causes = details?.causes ?? [];
  if (!causes.length) return [fallback];
  return causes.map((c) => `${c.field ?? ""}${c.field && c.message ? ": " : ""}${c.message ?? ""}`.trim());
}
