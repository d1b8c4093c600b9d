// Patching and field ownership: RFC 6902 JSON patch, RFC 7386 JSON merge patch, strategic merge
// patch (merge keys of the built-in types, `$patch`, `$setElementOrder`, `$retainKeys`,
// `$deleteFromPrimitiveList`), and server-side apply (field sets in the FieldsV1 format,
// `managedFields` entries for Apply and Update operations, conflicts with other managers, force).
// List semantics come from the CRD schema (`x-kubernetes-list-type`/`-map-keys`) or, for built-in
// kinds, from the merge keys the Go types declare.

import type { ManagedFieldsEntry, KObject } from "./types";
import { ApiError, isObject } from "./types";
import type { Schema } from "./validation";
import { OBJECT_META_FIELDS } from "./validation";

// ---------------------------------------------------------------------------------------------
// Schema navigation (list semantics per path)

/** How a list merges: atomically, as a map keyed by fields, or as a set of scalars. */
export type ListSem = { kind: "atomic" } | { kind: "map"; keys: string[] } | { kind: "set" };

/** Walks a type's structure to learn list semantics at each path. */
export interface Nav {
  field(name: string): Nav;
  item(): Nav;
  list(): ListSem;
  /** True when an object at this path is atomic (replaced whole). */
  atomic(): boolean;
}

const ATOMIC: ListSem = { kind: "atomic" };

const BUILTIN_LISTS: Record<string, ListSem> = {
  containers: { kind: "map", keys: ["name"] },
  initContainers: { kind: "map", keys: ["name"] },
  ephemeralContainers: { kind: "map", keys: ["name"] },
  env: { kind: "map", keys: ["name"] },
  volumes: { kind: "map", keys: ["name"] },
  volumeMounts: { kind: "map", keys: ["mountPath"] },
  volumeDevices: { kind: "map", keys: ["devicePath"] },
  imagePullSecrets: { kind: "map", keys: ["name"] },
  conditions: { kind: "map", keys: ["type"] },
  ownerReferences: { kind: "map", keys: ["uid"] },
  finalizers: { kind: "set" },
  hostAliases: { kind: "map", keys: ["ip"] },
  topologySpreadConstraints: { kind: "map", keys: ["topologyKey", "whenUnsatisfiable"] },
};

const metadataNav: Nav = builtinNav("", []).field("metadata");

/** Navigation for a built-in kind, by field names. */
export function builtinNav(kind: string, path: string[] = []): Nav {
  return {
    field: (n) => builtinNav(kind, [...path, n]),
    item: () => builtinNav(kind, [...path, "[]"]),
    list() {
      const last = path[path.length - 1];
      if (path[0] === "status") return last === "conditions" ? BUILTIN_LISTS.conditions : ATOMIC;
      if (last === "ports") return { kind: "map", keys: [kind === "Service" ? "port" : "containerPort"] };
      return BUILTIN_LISTS[last] ?? ATOMIC;
    },
    atomic: () => false,
  };
}

/** Navigation for a custom resource, from its openAPIV3Schema. */
export function schemaNav(schema: Schema | undefined, root = true): Nav {
  return {
    field(n) {
      if (root && n === "metadata") return metadataNav;
      const p = schema?.properties?.[n] ?? (isObject(schema?.additionalProperties) ? (schema?.additionalProperties as Schema) : undefined);
      return schemaNav(p, false);
    },
    item: () => schemaNav(schema?.items, false),
    list() {
      const t = schema?.["x-kubernetes-list-type"];
      if (t === "map") return { kind: "map", keys: schema?.["x-kubernetes-list-map-keys"] ?? [] };
      if (t === "set") return { kind: "set" };
      return ATOMIC;
    },
    atomic: () => schema?.["x-kubernetes-map-type"] === "atomic",
  };
}

// ---------------------------------------------------------------------------------------------
// JSON merge patch and JSON patch

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v == null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw new ApiError(422, "", `JSON pointer must start with '/': ${path}`);
  return path
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function containerAt(doc: unknown, parts: string[], op: string, path: string): unknown {
  let cur = doc;
  for (const p of parts) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isObject(cur)) cur = cur[p];
    else cur = undefined;
    if (cur === undefined) throw new ApiError(422, "", `${op} operation does not apply: doc is missing path: "${path}": missing value`);
  }
  return cur;
}

/** RFC 6902 JSON patch (add, remove, replace, move, copy, test). */
export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new ApiError(400, "BadRequest", "json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  let out = JSON.parse(JSON.stringify(doc)) as unknown;
  for (const raw of ops) {
    const o = raw as { op?: string; path?: string; from?: string; value?: unknown };
    const op = o.op ?? "";
    const path = o.path ?? "";
    const parts = pointer(path);
    const get = (p: string[], pathText: string): unknown => {
      const parent = containerAt(out, p.slice(0, -1), op, pathText);
      const last = p[p.length - 1];
      const v = Array.isArray(parent) ? parent[Number(last)] : (parent as Record<string, unknown>)[last];
      if (v === undefined) throw new ApiError(422, "", `${op} operation does not apply: doc is missing path: "${pathText}": missing value`);
      return v;
    };
    const remove = (p: string[], pathText: string): unknown => {
      const v = get(p, pathText);
      const parent = containerAt(out, p.slice(0, -1), op, pathText);
      const last = p[p.length - 1];
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete (parent as Record<string, unknown>)[last];
      return v;
    };
    const add = (p: string[], value: unknown, pathText: string): void => {
      if (p.length === 0) {
        out = value;
        return;
      }
      const parent = containerAt(out, p.slice(0, -1), op, pathText);
      const last = p[p.length - 1];
      if (Array.isArray(parent)) {
        const i = last === "-" ? parent.length : Number(last);
        if (!(i >= 0 && i <= parent.length)) throw new ApiError(422, "", `add operation does not apply: doc is missing path: "${pathText}": missing value`);
        parent.splice(i, 0, value);
      } else if (isObject(parent)) parent[last] = value;
      else throw new ApiError(422, "", `${op} operation does not apply: doc is missing path: "${pathText}": missing value`);
    };
    switch (op) {
      case "add":
        add(parts, clone(o.value), path);
        break;
      case "remove":
        remove(parts, path);
        break;
      case "replace":
        remove(parts, path);
        add(parts, clone(o.value), path);
        break;
      case "move": {
        const v = remove(pointer(o.from ?? ""), o.from ?? "");
        add(parts, v, path);
        break;
      }
      case "copy":
        add(parts, clone(get(pointer(o.from ?? ""), o.from ?? "")), path);
        break;
      case "test":
        if (JSON.stringify(get(parts, path)) !== JSON.stringify(o.value)) {
          throw new ApiError(422, "", `testing value ${path} failed: test failed`);
        }
        break;
      default:
        throw new ApiError(400, "BadRequest", `Unexpected kind: ${op}`);
    }
  }
  return out;
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

// ---------------------------------------------------------------------------------------------
// Strategic merge patch

/** Applies a strategic merge patch to an object. */
export function strategicMergePatch(original: unknown, patch: unknown, nav: Nav): unknown {
  if (!isObject(patch)) return patch;
  if (patch.$patch === "replace") {
    const { $patch: _, ...rest } = patch;
    return clone(rest);
  }
  if (patch.$patch === "delete") return undefined;
  const out: Record<string, unknown> = isObject(original) ? { ...original } : {};
  const retain = patch.$retainKeys;
  const orders: Record<string, unknown[]> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === "$patch" || k === "$retainKeys") continue;
    if (k.startsWith("$setElementOrder/")) {
      if (Array.isArray(v)) orders[k.slice("$setElementOrder/".length)] = v;
      continue;
    }
    if (k.startsWith("$deleteFromPrimitiveList/")) {
      const f = k.slice("$deleteFromPrimitiveList/".length);
      const cur = out[f];
      if (Array.isArray(cur) && Array.isArray(v)) out[f] = cur.filter((x) => !v.some((d) => JSON.stringify(d) === JSON.stringify(x)));
      continue;
    }
    if (v == null) {
      delete out[k];
      continue;
    }
    const child = nav.field(k);
    if (isObject(v)) {
      const r = child.atomic() ? clone(v) : strategicMergePatch(out[k], v, child);
      if (r === undefined) delete out[k];
      else out[k] = r;
    } else if (Array.isArray(v)) {
      const sem = child.list();
      if (sem.kind === "map" && v.every((e) => isObject(e))) out[k] = mergeKeyedList(Array.isArray(out[k]) ? (out[k] as unknown[]) : [], v as Record<string, unknown>[], sem.keys[0], child.item());
      else if (sem.kind === "set") {
        const base = Array.isArray(out[k]) ? [...(out[k] as unknown[])] : [];
        for (const x of v) if (!base.some((b) => JSON.stringify(b) === JSON.stringify(x))) base.push(x);
        out[k] = base;
      } else out[k] = clone(v);
    } else out[k] = v;
  }
  if (Array.isArray(retain)) {
    for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  }
  for (const [f, order] of Object.entries(orders)) {
    const cur = out[f];
    if (!Array.isArray(cur)) continue;
    const sem = nav.field(f).list();
    const keyOf = (e: unknown): string => (sem.kind === "map" && isObject(e) ? JSON.stringify(e[sem.keys[0]]) : JSON.stringify(e));
    const rank = new Map(order.map((e, i) => [keyOf(e), i]));
    out[f] = [...cur].sort((a, b) => (rank.get(keyOf(a)) ?? Infinity) - (rank.get(keyOf(b)) ?? Infinity));
  }
  return out;
}

function mergeKeyedList(orig: unknown[], patch: Record<string, unknown>[], key: string, itemNav: Nav): unknown[] {
  if (patch.some((p) => p.$patch === "replace")) return clone(patch.filter((p) => p.$patch !== "replace"));
  const out = [...orig];
  for (const p of patch) {
    const idx = out.findIndex((o) => isObject(o) && JSON.stringify(o[key]) === JSON.stringify(p[key]));
    if (p.$patch === "delete") {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = strategicMergePatch(out[idx], p, itemNav);
    else out.push(strategicMergePatch(undefined, p, itemNav));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Field sets (structured-merge-diff paths) and managed fields

/** One path element in the FieldsV1 notation: `f:name`, `k:{"name":"x"}`, `v:"x"`, `i:0`. */
type PE = string;
const SEP = "\u0001";

/** A set of field paths, each a SEP-joined list of path elements. Item entries end with ".". */
export type FieldSet = Set<string>;

/** ObjectMeta fields the system owns (not tracked in managedFields). */
const IGNORED_META = new Set([...OBJECT_META_FIELDS].filter((f) => !["labels", "annotations", "ownerReferences", "finalizers"].includes(f)));

function keyElement(item: Record<string, unknown>, keys: string[]): PE {
  const k: Record<string, unknown> = {};
  for (const key of [...keys].sort()) k[key] = item[key];
  return `k:${JSON.stringify(k)}`;
}

/** The field set of an object (which leaves and keyed items it sets). */
export function fieldSetOf(obj: Record<string, unknown>, nav: Nav, scope: "main" | "status" | "all" = "all"): FieldSet {
  const set: FieldSet = new Set();
  for (const [k, v] of Object.entries(obj)) {
    if (k === "apiVersion" || k === "kind") continue;
    if (scope === "main" && k === "status") continue;
    if (scope === "status" && k !== "status") continue;
    if (k === "metadata" && isObject(v)) {
      const md: Record<string, unknown> = {};
      for (const [mk, mv] of Object.entries(v)) if (!IGNORED_META.has(mk)) md[mk] = mv;
      if (Object.keys(md).length) walkFields(md, nav.field("metadata"), [`f:metadata`], set);
      continue;
    }
    addValue(v, nav.field(k), [`f:${k}`], set);
  }
  return set;
}

function walkFields(obj: Record<string, unknown>, nav: Nav, prefix: PE[], set: FieldSet): void {
  for (const [k, v] of Object.entries(obj)) addValue(v, nav.field(k), [...prefix, `f:${k}`], set);
}

function addValue(v: unknown, nav: Nav, path: PE[], set: FieldSet): void {
  if (isObject(v) && Object.keys(v).length > 0 && !nav.atomic()) {
    walkFields(v, nav, path, set);
    return;
  }
  if (Array.isArray(v)) {
    const sem = nav.list();
    if (sem.kind === "map" && v.every((e) => isObject(e))) {
      for (const item of v as Record<string, unknown>[]) {
        const p = [...path, keyElement(item, sem.keys)];
        set.add([...p, "."].join(SEP));
        walkFields(item, nav.item(), p, set);
      }
      return;
    }
    if (sem.kind === "set") {
      for (const item of v) set.add([...path, `v:${JSON.stringify(item)}`].join(SEP));
      return;
    }
  }
  set.add(path.join(SEP));
}

/** Converts a field set to the FieldsV1 JSON form. */
export function toFieldsV1(set: FieldSet): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const p of [...set].sort()) {
    let cur = root;
    for (const el of p.split(SEP)) {
      if (!isObject(cur[el])) cur[el] = {};
      cur = cur[el] as Record<string, unknown>;
    }
  }
  return root;
}

/** Converts FieldsV1 JSON to a field set. */
export function fromFieldsV1(f: Record<string, unknown> | undefined): FieldSet {
  const set: FieldSet = new Set();
  const walk = (node: Record<string, unknown>, prefix: string[]): void => {
    for (const [k, v] of Object.entries(node)) {
      const p = [...prefix, k];
      if (k === ".") {
        set.add(p.join(SEP));
        continue;
      }
      if (isObject(v) && Object.keys(v).length) walk(v, p);
      else set.add(p.join(SEP));
    }
  };
  if (f) walk(f, []);
  return set;
}

/** Renders a path as the API server does in conflict messages: `.spec.containers[name="x"].image`. */
export function pathString(path: string): string {
  let out = "";
  for (const el of path.split(SEP)) {
    if (el === ".") continue;
    if (el.startsWith("f:")) out += `.${el.slice(2)}`;
    else if (el.startsWith("k:")) {
      const k = JSON.parse(el.slice(2)) as Record<string, unknown>;
      out += `[${Object.entries(k)
        .map(([n, v]) => `${n}=${JSON.stringify(v)}`)
        .join(",")}]`;
    } else if (el.startsWith("v:")) out += `[=${el.slice(2)}]`;
    else if (el.startsWith("i:")) out += `[${el.slice(2)}]`;
  }
  return out;
}

/** The value at a field path, or undefined when the object lacks it. */
export function valueAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const el of path.split(SEP)) {
    if (el === ".") return cur;
    if (cur === undefined) return undefined;
    if (el.startsWith("f:")) cur = isObject(cur) ? cur[el.slice(2)] : undefined;
    else if (el.startsWith("k:")) {
      const k = JSON.parse(el.slice(2)) as Record<string, unknown>;
      cur = Array.isArray(cur) ? cur.find((e) => isObject(e) && Object.entries(k).every(([n, v]) => JSON.stringify(e[n]) === JSON.stringify(v))) : undefined;
    } else if (el.startsWith("v:")) {
      const want = el.slice(2);
      cur = Array.isArray(cur) ? cur.find((e) => JSON.stringify(e) === want) : undefined;
    } else if (el.startsWith("i:")) cur = Array.isArray(cur) ? cur[Number(el.slice(2))] : undefined;
  }
  return cur;
}

function removePath(obj: Record<string, unknown>, path: string): void {
  const els = path.split(SEP).filter((e) => e !== ".");
  let cur: unknown = obj;
  for (let i = 0; i < els.length - 1; i++) {
    cur = valueAt(cur, els[i]);
    if (cur === undefined) return;
  }
  const last = els[els.length - 1];
  if (last.startsWith("f:") && isObject(cur)) delete cur[last.slice(2)];
  else if (Array.isArray(cur)) {
    const target = valueAt(cur, last);
    const i = cur.indexOf(target);
    if (i >= 0) cur.splice(i, 1);
  }
}

/** Merges an applied configuration into a live object (keyed lists by key, sets by value). */
function applyMerge(live: unknown, applied: unknown, nav: Nav): unknown {
  if (isObject(applied) && !nav.atomic()) {
    const out: Record<string, unknown> = isObject(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(applied)) out[k] = applyMerge(out[k], v, nav.field(k));
    return out;
  }
  if (Array.isArray(applied)) {
    const sem = nav.list();
    if (sem.kind === "map" && applied.every((e) => isObject(e))) {
      const liveList = Array.isArray(live) ? live : [];
      const key = (e: unknown): string => (isObject(e) ? keyElement(e, sem.keys) : JSON.stringify(e));
      const out: unknown[] = applied.map((a) => {
        const l = liveList.find((x) => key(x) === key(a));
        return applyMerge(l, a, nav.item());
      });
      for (const l of liveList) if (!applied.some((a) => key(a) === key(l))) out.push(l);
      return out;
    }
    if (sem.kind === "set") {
      const out = [...applied];
      for (const l of Array.isArray(live) ? live : []) if (!out.some((a) => JSON.stringify(a) === JSON.stringify(l))) out.push(l);
      return out;
    }
  }
  return clone(applied);
}

function managerId(m: ManagedFieldsEntry): string {
  return `${m.manager}|${m.operation}|${m.subresource ?? ""}`;
}

function describeManager(m: ManagedFieldsEntry): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === "Update") s += ` using ${m.apiVersion}`;
  return s;
}

/** Options of {@link serverSideApply}. */
export interface ApplyOptions {
  manager: string;
  force: boolean;
  apiVersion: string;
  nav: Nav;
  subresource?: string;
  now: string;
}

/**
 * Server-side apply of `applied` onto `live` (undefined when creating). Returns the merged object
 * with updated managedFields, or throws the 409 conflict Status.
 */
export function serverSideApply(live: KObject | undefined, applied: KObject, opts: ApplyOptions): KObject {
  const scope = opts.subresource === "status" ? "status" : "all";
  const appliedSet = fieldSetOf(applied, opts.nav, scope);
  const managed: ManagedFieldsEntry[] = (live?.metadata.managedFields ?? []).map((m) => ({ ...m }));
  const me: ManagedFieldsEntry = { manager: opts.manager, operation: "Apply", apiVersion: opts.apiVersion, time: opts.now, fieldsType: "FieldsV1", fieldsV1: {}, ...(opts.subresource ? { subresource: opts.subresource } : {}) };
  const mine = managed.find((m) => managerId(m) === managerId(me));
  const previous = fromFieldsV1(mine?.fieldsV1);

  // Conflicts: leaves I apply with a different value than live, owned by someone else.
  const conflicts: Array<{ m: ManagedFieldsEntry; path: string }> = [];
  if (live) {
    for (const m of managed) {
      if (managerId(m) === managerId(me)) continue;
      const theirs = fromFieldsV1(m.fieldsV1);
      for (const p of appliedSet) {
        if (p.endsWith(`${SEP}.`) || !theirs.has(p)) continue;
        if (JSON.stringify(valueAt(live, p)) !== JSON.stringify(valueAt(applied, p))) conflicts.push({ m, path: p });
      }
    }
  }
  if (conflicts.length && !opts.force) throw conflictError(conflicts);
  for (const c of conflicts) {
    const theirs = fromFieldsV1(c.m.fieldsV1);
    theirs.delete(c.path);
    c.m.fieldsV1 = toFieldsV1(theirs);
  }

  const { managedFields: _mf, ...appliedMeta } = applied.metadata;
  let merged = applyMerge(live ?? {}, { ...applied, metadata: appliedMeta }, opts.nav) as KObject;
  merged = JSON.parse(JSON.stringify(merged)) as KObject;
  // Fields I applied before but no longer apply, that nobody else owns, are removed.
  const others = new Set<string>();
  for (const m of managed) if (managerId(m) !== managerId(me)) for (const p of fromFieldsV1(m.fieldsV1)) others.add(p);
  const dropped = [...previous].filter((p) => !appliedSet.has(p) && !others.has(p)).sort((a, b) => b.length - a.length);
  for (const p of dropped) removePath(merged, p);

  me.fieldsV1 = toFieldsV1(appliedSet);
  const entries: ManagedFieldsEntry[] = [];
  let placed = false;
  for (const m of managed) {
    if (managerId(m) === managerId(me)) {
      entries.push(me);
      placed = true;
    } else if (Object.keys(m.fieldsV1).length) entries.push(m);
  }
  if (!placed) entries.push(me);
  merged.metadata = { ...merged.metadata, managedFields: entries };
  return merged;
}

function conflictError(conflicts: Array<{ m: ManagedFieldsEntry; path: string }>): ApiError {
  const causes = conflicts.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with ${describeManager(c.m)}`, field: pathString(c.path) }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${describeManager(conflicts[0].m)}: ${pathString(conflicts[0].path)}`;
  } else {
    const by = new Map<string, string[]>();
    for (const c of conflicts) {
      const d = describeManager(c.m);
      by.set(d, [...(by.get(d) ?? []), pathString(c.path)]);
    }
    const lines: string[] = [];
    for (const d of [...by.keys()].sort()) {
      lines.push(`conflicts with ${d}:`);
      for (const p of by.get(d) ?? []) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
  }
  return new ApiError(409, "Conflict", message, { causes });
}

/** Options of {@link updateManagedFields}. */
export interface UpdateFieldsOptions {
  manager: string;
  apiVersion: string;
  nav: Nav;
  subresource?: string;
  now: string;
}

/**
 * Records an Update operation (create, replace, patch, controller write): the manager takes
 * ownership of the fields it changed; other managers lose those and any removed fields.
 */
export function updateManagedFields(old: KObject | undefined, next: KObject, opts: UpdateFieldsOptions): ManagedFieldsEntry[] {
  const scope = opts.subresource === "status" ? "status" : "all";
  const newSet = fieldSetOf(next, opts.nav, scope);
  const oldSet = old ? fieldSetOf(old, opts.nav, scope) : new Set<string>();
  const changed = new Set<string>();
  for (const p of newSet) if (!oldSet.has(p) || JSON.stringify(valueAt(old, p)) !== JSON.stringify(valueAt(next, p))) changed.add(p);
  const managed: ManagedFieldsEntry[] = (old?.metadata.managedFields ?? []).map((m) => ({ ...m }));
  const me: ManagedFieldsEntry = { manager: opts.manager, operation: "Update", apiVersion: opts.apiVersion, time: opts.now, fieldsType: "FieldsV1", fieldsV1: {}, ...(opts.subresource ? { subresource: opts.subresource } : {}) };
  const all = fieldSetOf(next, opts.nav, "all");
  const out: ManagedFieldsEntry[] = [];
  let mine: FieldSet = new Set();
  let myIndex = -1;
  let prev: ManagedFieldsEntry | undefined;
  for (const m of managed) {
    if (managerId(m) === managerId(me)) {
      mine = fromFieldsV1(m.fieldsV1);
      myIndex = out.length;
      prev = m;
      continue;
    }
    const s = new Set([...fromFieldsV1(m.fieldsV1)].filter((p) => all.has(p) && !changed.has(p)));
    if (s.size) out.push({ ...m, fieldsV1: toFieldsV1(s) });
  }
  mine = new Set([...mine, ...changed].filter((p) => all.has(p)));
  if (mine.size) {
    // Keep the old timestamp when this manager changed nothing.
    if (!changed.size && prev) me.time = prev.time;
    me.fieldsV1 = toFieldsV1(mine);
    if (myIndex >= 0) out.splice(myIndex, 0, me);
    else out.push(me);
  }
  return out;
}
