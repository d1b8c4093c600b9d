// The object lifecycle of the test API server, shared by the HTTP handlers, the simulated
// controllers and the seeding helpers: create, update (incl. the status and scale subresources),
// patch (JSON, merge, strategic, server-side apply), delete (preconditions, finalizers, graceful
// pod deletion, propagation policies). Each write runs the real server's pipeline: decoding with
// fieldValidation (Strict/Warn/Ignore), defaulting, mutating admission, validation, validating
// admission, optimistic concurrency (409 on a stale resourceVersion), generation bumps,
// managedFields, and dryRun=All.

import { randomUUID } from "node:crypto";
import { parse as parseYaml } from "yaml";
import type { Store } from "./store";
import type { KObject, ManagedFieldsEntry, ResourceType, StatusCause } from "./types";
import { ApiError, alreadyExists, apiVersionOf, badRequest, clone, invalid, isObject, notFound, rfc3339, typeKey } from "./types";
import { crdSchema } from "./resources";
import type { Schema } from "./validation";
import { applyDefaults, prune, validate, validateLabels, validateName } from "./validation";
import { defaultBuiltin, unknownBuiltinFields, validateBuiltin } from "./builtins";
import type { Nav } from "./patch";
import { builtinNav, jsonPatch, mergePatch, schemaNav, serverSideApply, strategicMergePatch, updateManagedFields } from "./patch";
import type { TokenUser } from "./auth";

/** Who writes and how: built from the request (or by a controller). */
export interface WriteContext {
  /** The authenticated user; undefined for the server's own controllers. */
  user?: TokenUser;
  /** The field manager name recorded in managedFields. */
  manager: string;
  dryRun?: boolean;
  fieldValidation?: "Strict" | "Warn" | "Ignore";
  /** Warnings to send back (`Warning: 299 - "..."` headers). */
  warnings: string[];
  /** Internal write: skips admission webhooks and keeps status on create. */
  system?: boolean;
}

/** An admission plugin (mutating when it changes `obj`, validating when it throws). */
export interface AdmissionPlugin {
  name: string;
  /** Runs before schema validation; may change obj. */
  mutate?(op: "CREATE" | "UPDATE", t: ResourceType, obj: KObject, old: KObject | undefined, ctx: WriteContext): void;
  /** Runs after schema validation; throws an ApiError to reject. */
  validate?(op: "CREATE" | "UPDATE" | "DELETE", t: ResourceType, obj: KObject, old: KObject | undefined, ctx: WriteContext): void;
}

/** Options of {@link Api.delete}. */
export interface DeleteOptions {
  propagationPolicy?: "Background" | "Foreground" | "Orphan";
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

const NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";

/** A random suffix as the API server appends for generateName (5 characters). */
export function randomSuffix(n = 5): string {
  let s = "";
  for (let i = 0; i < n; i++) s += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)];
  return s;
}

/** The default field manager for a user agent: its product token (`kubectl/v1.32 ...` → `kubectl`). */
export function managerFromUserAgent(ua: string | undefined): string {
  return (ua ?? "").split("/")[0].slice(0, 128) || "unknown";
}

/** The object API: every write goes through here. */
export class Api {
  private readonly byPath = new Map<string, ResourceType>();
  /** Admission plugins, in order. */
  readonly admission: AdmissionPlugin[] = [];
  /** Called after an object is finally removed (for GC of dependents). */
  onRemoved: (t: ResourceType, o: KObject) => void = () => undefined;

  constructor(readonly store: Store) {}

  /** Registers a resource type for serving. */
  register(t: ResourceType): void {
    this.byPath.set(`${t.group}/${t.version}/${t.plural}`, t);
    this.store.addType(t);
  }

  /** Stops serving a resource type (and drops its objects). */
  unregister(t: ResourceType): void {
    this.byPath.delete(`${t.group}/${t.version}/${t.plural}`);
    this.store.removeType(t);
  }

  /** The resource type at /apis/<group>/<version>/<plural>, if served. */
  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  /** The served type with this typeKey() ("plural.group"), if any. */
  typeByKey(key: string): ResourceType | undefined {
    return this.types().find((t) => typeKey(t) === key);
  }

  /** All served resource types. */
  types(): ResourceType[] {
    return [...this.byPath.values()];
  }

  /** The resource type of an apiVersion/kind pair, if served. */
  typeFor(apiVersion: string, kind: string): ResourceType | undefined {
    return this.types().find((t) => apiVersionOf(t) === apiVersion && t.kind === kind);
  }

  /** Gets an object or throws 404. */
  get(t: ResourceType, ns: string | undefined, name: string): KObject {
    const o = this.store.get(t, ns, name);
    if (!o) throw notFound(t, name);
    return o;
  }

  private nav(t: ResourceType): Nav {
    return t.crd ? schemaNav(crdSchema(t.crd, t.version) as Schema | undefined) : builtinNav(t.kind);
  }

  /** Removes unknown fields per fieldValidation; throws for Strict. */
  private decode(t: ResourceType, body: KObject, ctx: WriteContext): void {
    let unknown: string[];
    if (t.crd) {
      const schema = crdSchema(t.crd, t.version) as Schema | undefined;
      unknown = schema ? prune(schema, body) : [];
    } else {
      unknown = unknownBuiltinFields(body);
      for (const p of unknown) deletePath(body, p);
    }
    if (!unknown.length) return;
    const mode = ctx.fieldValidation ?? "Warn";
    if (mode === "Strict") {
      throw badRequest(`${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: strict decoding error: ${unknown.map((u) => `unknown field "${u}"`).join(", ")}`);
    }
    if (mode === "Warn") for (const u of unknown) ctx.warnings.push(`unknown field "${u}"`);
  }

  private defaults(t: ResourceType, o: KObject, old?: KObject): void {
    if (t.crd) {
      const schema = crdSchema(t.crd, t.version) as Schema | undefined;
      if (schema) applyDefaults(schema, o);
    } else defaultBuiltin(o, old);
  }

  private validate(t: ResourceType, o: KObject, old?: KObject): void {
    let causes: StatusCause[];
    if (t.crd) {
      const schema = crdSchema(t.crd, t.version) as Schema | undefined;
      causes = [...validateName(o.metadata.name ?? ""), ...(schema ? validate(schema, o) : [])];
    } else causes = validateBuiltin(o, old);
    causes.push(...validateLabels(o.metadata.labels));
    if (causes.length) throw invalid(t, o.metadata.name ?? "", causes);
  }

  private admit(op: "CREATE" | "UPDATE", t: ResourceType, o: KObject, old: KObject | undefined, ctx: WriteContext): void {
    for (const p of this.admission) p.mutate?.(op, t, o, old, ctx);
    this.validate(t, o, old);
    for (const p of this.admission) p.validate?.(op, t, o, old, ctx);
  }

  private checkBody(t: ResourceType, body: unknown): KObject {
    if (!isObject(body)) throw badRequest(`the object provided is unrecognized (must be of type ${t.kind})`);
    const o = body as KObject;
    if (o.kind !== undefined && o.kind !== t.kind) {
      throw badRequest(`the object provided is unrecognized (must be of type ${t.kind}): couldn't get version/kind; json parse error`);
    }
    if (o.apiVersion !== undefined && o.apiVersion !== apiVersionOf(t)) {
      throw badRequest(`the API version in the data (${String(o.apiVersion)}) does not match the expected API version (${apiVersionOf(t)})`);
    }
    o.kind = t.kind;
    o.apiVersion = apiVersionOf(t);
    o.metadata = isObject(o.metadata) ? o.metadata : {};
    return o;
  }

  private checkNamespace(t: ResourceType, o: KObject, ns: string | undefined): void {
    if (!t.namespaced) {
      delete o.metadata.namespace;
      return;
    }
    if (o.metadata.namespace && ns && o.metadata.namespace !== ns) {
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    o.metadata.namespace = ns ?? o.metadata.namespace;
    if (!o.metadata.namespace) throw badRequest("an empty namespace may not be set during creation");
  }

  /** POST: creates an object. */
  create(t: ResourceType, ns: string | undefined, body: unknown, ctx: WriteContext): KObject {
    const o = this.checkBody(t, clone(body));
    this.decode(t, o, ctx);
    this.checkNamespace(t, o, ns);
    const md = o.metadata;
    if (md.resourceVersion) throw badRequest("resourceVersion should not be set on objects to be created");
    for (const k of ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "managedFields", "selfLink"]) delete md[k];
    if (t.subresources.includes("status") && !ctx.system) delete o.status;
    this.defaults(t, o);
    // Mutating admission sees the object before a generated name is assigned (as the real server).
    if (!ctx.system) for (const p of this.admission) p.mutate?.("CREATE", t, o, undefined, ctx);
    if (!md.name && md.generateName) md.name = `${md.generateName}${randomSuffix()}`;
    this.validate(t, o);
    if (!ctx.system) for (const p of this.admission) p.validate?.("CREATE", t, o, undefined, ctx);
    if (this.store.get(t, md.namespace, md.name ?? "")) throw alreadyExists(t, md.name ?? "");
    md.uid = randomUUID();
    md.creationTimestamp = rfc3339();
    if (t.hasGeneration) md.generation = 1;
    const now = rfc3339();
    md.managedFields = updateManagedFields(undefined, o, { manager: ctx.manager, apiVersion: apiVersionOf(t), nav: this.nav(t), now });
    if (!md.managedFields.length) delete md.managedFields;
    if (ctx.dryRun) return o;
    return this.store.insert(t, o);
  }

  /** PUT: replaces an object (or its status/scale subresource). */
  update(t: ResourceType, ns: string | undefined, name: string, body: unknown, ctx: WriteContext, subresource?: string): KObject {
    if (subresource === "scale") return this.updateScale(t, ns, name, body, ctx);
    const old = this.get(t, ns, name);
    const o = this.checkBody(t, clone(body));
    this.decode(t, o, ctx);
    if (o.metadata.name !== undefined && o.metadata.name !== name) {
      throw badRequest(`the name of the object (${o.metadata.name}) does not match the name on the URL (${name})`);
    }
    o.metadata.name = name;
    this.checkNamespace(t, o, ns);
    const rv = o.metadata.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) throw this.conflict(t, name);
    return this.commit(t, old, o, ctx, subresource);
  }

  /** The 409 for a stale resourceVersion. */
  private conflict(t: ResourceType, name: string): ApiError {
    return new ApiError(
      409,
      "Conflict",
      `Operation cannot be fulfilled on ${typeKey(t)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, ...(t.group ? { group: t.group } : {}), kind: t.plural },
    );
  }

  /**
   * Stores `next` as the new state of `old` after defaulting, admission and validation.
   * `managed` replaces the managedFields computation (server-side apply).
   */
  private commit(t: ResourceType, old: KObject, next: KObject, ctx: WriteContext, subresource?: string, managed?: ManagedFieldsEntry[]): KObject {
    const o = next;
    const md = o.metadata;
    // System fields come from the stored object.
    md.uid = old.metadata.uid;
    md.creationTimestamp = old.metadata.creationTimestamp;
    if (old.metadata.deletionTimestamp) {
      md.deletionTimestamp = old.metadata.deletionTimestamp;
      if (old.metadata.deletionGracePeriodSeconds !== undefined) md.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
    } else {
      delete md.deletionTimestamp;
      delete md.deletionGracePeriodSeconds;
    }
    if (md.generateName === undefined && old.metadata.generateName !== undefined) md.generateName = old.metadata.generateName;
    const hasStatus = t.subresources.includes("status");
    if (subresource === "status") {
      // Only the status stanza changes through /status.
      const status = o.status;
      const keep = clone(old);
      keep.status = status;
      keep.metadata = { ...keep.metadata, resourceVersion: md.resourceVersion };
      return this.commitFinal(t, old, keep, ctx, subresource, managed);
    }
    if (hasStatus && !ctx.system) {
      if (old.status === undefined) delete o.status;
      else o.status = clone(old.status);
    }
    this.defaults(t, o, old);
    if (ctx.system) this.validate(t, o, old);
    else this.admit("UPDATE", t, o, old, ctx);
    return this.commitFinal(t, old, o, ctx, subresource, managed);
  }

  private commitFinal(t: ResourceType, old: KObject, o: KObject, ctx: WriteContext, subresource: string | undefined, managed?: ManagedFieldsEntry[]): KObject {
    const md = o.metadata;
    if (t.hasGeneration) {
      md.generation = old.metadata.generation ?? 1;
      if (specChanged(old, o)) md.generation += 1;
    }
    const now = rfc3339();
    md.managedFields = managed ?? updateManagedFields(old, o, { manager: ctx.manager, apiVersion: apiVersionOf(t), nav: this.nav(t), subresource, now });
    if (!md.managedFields.length) delete md.managedFields;
    delete md.resourceVersion;
    if (ctx.dryRun) return { ...o, metadata: { ...md, resourceVersion: old.metadata.resourceVersion } };
    // An object being deleted goes away once its last finalizer is removed.
    if (md.deletionTimestamp && !(md.finalizers ?? []).length && t.kind !== "Pod" && t.kind !== "Namespace") {
      const gone = this.store.remove(t, md.namespace, md.name ?? "");
      if (gone) this.onRemoved(t, gone);
      return gone ?? o;
    }
    if (sameContent(old, o)) return old;
    return this.store.replace(t, o);
  }

  /** PATCH with the given Content-Type; returns the object and whether it was created. */
  patch(
    t: ResourceType,
    ns: string | undefined,
    name: string,
    contentType: string,
    raw: string,
    ctx: WriteContext,
    opts: { force?: boolean; subresource?: string } = {},
  ): { object: KObject; created: boolean } {
    const ct = contentType.split(";")[0].trim().toLowerCase();
    const accepted = t.crd
      ? ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"]
      : ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml"];
    if (!accepted.includes(ct)) {
      throw new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`);
    }
    if (opts.subresource === "scale") return { object: this.patchScale(t, ns, name, ct, raw, ctx), created: false };
    if (ct === "application/apply-patch+yaml") return this.apply(t, ns, name, raw, ctx, opts);
    const old = this.get(t, ns, name);
    let patchBody: unknown;
    try {
      patchBody = JSON.parse(raw);
    } catch (e) {
      throw badRequest(`error decoding patch: ${(e as Error).message}`);
    }
    const base = clone(old) as unknown;
    let patched: unknown;
    if (ct === "application/json-patch+json") patched = jsonPatch(base, patchBody);
    else if (ct === "application/merge-patch+json") patched = mergePatch(base, patchBody);
    else patched = strategicMergePatch(base, patchBody, this.nav(t));
    if (!isObject(patched)) throw badRequest("the patched object is not an object");
    const o = patched as KObject;
    o.metadata = isObject(o.metadata) ? o.metadata : {};
    // Unknown fields in the patched object.
    const probe = clone(o);
    const unknown = t.crd ? prune((crdSchema(t.crd, t.version) as Schema | undefined) ?? {}, probe) : unknownBuiltinFields(probe);
    if (unknown.length) {
      const mode = ctx.fieldValidation ?? "Warn";
      const text = `strict decoding error: ${unknown.map((u) => `unknown field "${u}"`).join(", ")}`;
      if (mode === "Strict") {
        const json = JSON.stringify(patched);
        throw new ApiError(422, "Invalid", ` "" is invalid: patch: Invalid value: ${JSON.stringify(json)}: ${text}`, {
          causes: [{ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(json)}: ${text}`, field: "patch" }],
        });
      }
      if (mode === "Warn") for (const u of unknown) ctx.warnings.push(`unknown field "${u}"`);
    }
    const c = { ...ctx, fieldValidation: "Ignore" as const };
    const patchRv = isObject(patchBody) && isObject(patchBody.metadata) ? patchBody.metadata.resourceVersion : undefined;
    if (typeof patchRv === "string" && patchRv && patchRv !== old.metadata.resourceVersion) throw this.conflict(t, name);
    o.metadata.resourceVersion = old.metadata.resourceVersion;
    if (o.metadata.name !== name) throw badRequest(`the name of the object (${String(o.metadata.name)}) does not match the name on the URL (${name})`);
    this.decode(t, o, c);
    this.checkNamespace(t, o, ns);
    return { object: this.commit(t, old, o, c, opts.subresource), created: false };
  }

  private apply(t: ResourceType, ns: string | undefined, name: string, raw: string, ctx: WriteContext, opts: { force?: boolean; subresource?: string }): { object: KObject; created: boolean } {
    let applied: unknown;
    try {
      applied = parseYaml(raw);
    } catch (e) {
      throw badRequest(`error decoding YAML: ${(e as Error).message}`);
    }
    if (!isObject(applied)) throw badRequest("error decoding YAML: the apply patch is not an object");
    const a = applied as KObject;
    if (!a.kind || !a.apiVersion) {
      throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(applied)}'`);
    }
    if (a.apiVersion !== apiVersionOf(t)) {
      throw badRequest(`Incorrect version specified in apply patch. Specified patch version: ${a.apiVersion}, expected: ${apiVersionOf(t)}`);
    }
    a.metadata = isObject(a.metadata) ? a.metadata : {};
    if (a.metadata.name !== undefined && a.metadata.name !== name) {
      throw badRequest(`the name of the object (${a.metadata.name}) does not match the name on the URL (${name})`);
    }
    a.metadata.name = name;
    if (t.namespaced) {
      if (a.metadata.namespace && ns && a.metadata.namespace !== ns) {
        throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      }
      a.metadata.namespace = ns;
    }
    // Fields not in the schema make the typed conversion fail (regardless of fieldValidation).
    const probe = clone(a);
    const unknown = t.crd ? prune((crdSchema(t.crd, t.version) as Schema | undefined) ?? {}, probe) : unknownBuiltinFields(probe);
    if (unknown.length) {
      const gvk = `${apiVersionOf(t).includes("/") ? apiVersionOf(t) : `/${apiVersionOf(t)}`}, Kind=${t.kind}`;
      const list = unknown.map((u) => `.${u.replace(/\[(\d+)\]/g, "[$1]")}: field not declared in schema`);
      const detail = list.length === 1 ? list[0] : `errors:\n  ${list.join("\n  ")}`;
      throw new ApiError(500, "", `failed to create typed patch object (${t.namespaced ? ns : ""}/${name}; ${gvk}): ${detail}`);
    }
    if (opts.subresource !== "status" && t.subresources.includes("status")) delete a.status;
    const live = this.store.get(t, ns, name);
    const now = rfc3339();
    const merged = serverSideApply(live, a, {
      manager: ctx.manager,
      force: !!opts.force,
      apiVersion: apiVersionOf(t),
      nav: this.nav(t),
      subresource: opts.subresource,
      now,
    });
    if (!live) {
      const managed = merged.metadata.managedFields;
      const c: WriteContext = { ...ctx, fieldValidation: "Ignore" };
      const created = this.create(t, ns, { ...merged, metadata: { ...merged.metadata, managedFields: undefined } }, c);
      if (managed) {
        created.metadata.managedFields = managed;
        if (!ctx.dryRun) return { object: this.store.replace(t, { ...created, metadata: { ...created.metadata, managedFields: managed } }), created: true };
      }
      return { object: created, created: true };
    }
    const managed = merged.metadata.managedFields;
    merged.metadata.resourceVersion = live.metadata.resourceVersion;
    return { object: this.commit(t, live, merged, { ...ctx, fieldValidation: "Ignore" }, opts.subresource, managed), created: false };
  }

  /** The autoscaling/v1 Scale of a Deployment/ReplicaSet. */
  scaleOf(o: KObject): KObject {
    const spec = (o.spec ?? {}) as Record<string, unknown>;
    const status = (o.status ?? {}) as Record<string, unknown>;
    const ml = ((spec.selector as Record<string, unknown> | undefined)?.matchLabels ?? {}) as Record<string, string>;
    return {
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      metadata: {
        name: o.metadata.name,
        namespace: o.metadata.namespace,
        uid: o.metadata.uid,
        resourceVersion: o.metadata.resourceVersion,
        creationTimestamp: o.metadata.creationTimestamp,
      },
      spec: { replicas: spec.replicas ?? 0 },
      status: {
        replicas: status.replicas ?? 0,
        selector: Object.entries(ml)
          .map(([k, v]) => `${k}=${v}`)
          .join(","),
      },
    };
  }

  private setReplicas(t: ResourceType, old: KObject, replicas: unknown, ctx: WriteContext): KObject {
    if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
      throw new ApiError(422, "Invalid", `Scale.autoscaling "${old.metadata.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, {
        name: old.metadata.name,
        group: "autoscaling",
        kind: "Scale",
        causes: [{ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, field: "spec.replicas" }],
      });
    }
    const next = clone(old);
    (next.spec as Record<string, unknown>).replicas = replicas;
    const stored = this.commit(t, old, next, { ...ctx, system: true }, "scale");
    return this.scaleOf(stored);
  }

  private updateScale(t: ResourceType, ns: string | undefined, name: string, body: unknown, ctx: WriteContext): KObject {
    if (!t.subresources.includes("scale")) throw new ApiError(404, "NotFound", "the server could not find the requested resource");
    const old = this.get(t, ns, name);
    const b = isObject(body) ? body : {};
    const rv = isObject(b.metadata) ? b.metadata.resourceVersion : undefined;
    if (typeof rv === "string" && rv && rv !== old.metadata.resourceVersion) throw this.conflict(t, name);
    return this.setReplicas(t, old, isObject(b.spec) ? b.spec.replicas : undefined, ctx);
  }

  private patchScale(t: ResourceType, ns: string | undefined, name: string, ct: string, raw: string, ctx: WriteContext): KObject {
    if (!t.subresources.includes("scale")) throw new ApiError(404, "NotFound", "the server could not find the requested resource");
    const old = this.get(t, ns, name);
    const scale = this.scaleOf(old);
    let p: unknown;
    try {
      p = ct === "application/apply-patch+yaml" ? parseYaml(raw) : JSON.parse(raw);
    } catch (e) {
      throw badRequest(`error decoding patch: ${(e as Error).message}`);
    }
    const patched = ct === "application/json-patch+json" ? jsonPatch(scale, p) : mergePatch(scale, p);
    const spec = isObject(patched) && isObject(patched.spec) ? patched.spec : {};
    return this.setReplicas(t, old, spec.replicas, ctx);
  }

  /**
   * DELETE. Returns the object when it still exists afterwards (finalizers, graceful deletion)
   * or undefined when it is gone.
   */
  delete(t: ResourceType, ns: string | undefined, name: string, ctx: WriteContext, opts: DeleteOptions = {}): { object: KObject; gone: boolean } {
    const old = this.get(t, ns, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${typeKey(t)} "${name}": Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`, { name, ...(t.group ? { group: t.group } : {}), kind: t.plural });
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${typeKey(t)} "${name}": Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`, { name, ...(t.group ? { group: t.group } : {}), kind: t.plural });
    }
    if (!ctx.system) for (const p of this.admission) p.validate?.("DELETE", t, old, old, ctx);
    if (ctx.dryRun) return { object: old, gone: true };
    const finalizers = [...(old.metadata.finalizers ?? [])];
    const policy = opts.propagationPolicy ?? "Background";
    if (policy === "Foreground" && !finalizers.includes("foregroundDeletion") && this.store.dependents(old.metadata.uid ?? "").length) finalizers.push("foregroundDeletion");
    if (policy === "Orphan" && !finalizers.includes("orphan")) finalizers.push("orphan");
    const graceful = t.kind === "Pod" && (old.spec as Record<string, unknown> | undefined)?.nodeName && opts.gracePeriodSeconds !== 0;
    if (t.kind === "Namespace" || finalizers.length || graceful) {
      if (old.metadata.deletionTimestamp && !graceful) return { object: old, gone: false };
      const next = clone(old);
      const grace = graceful ? (opts.gracePeriodSeconds ?? ((old.spec as Record<string, unknown>).terminationGracePeriodSeconds as number | undefined) ?? 30) : 0;
      next.metadata.deletionTimestamp = old.metadata.deletionTimestamp ?? rfc3339(Date.now() + grace * 1000);
      next.metadata.deletionGracePeriodSeconds = grace;
      if (finalizers.length) next.metadata.finalizers = finalizers;
      if (t.kind === "Namespace") next.status = { ...(next.status as object), phase: "Terminating" };
      if (t.hasGeneration) next.metadata.generation = (old.metadata.generation ?? 1) + 1;
      return { object: this.store.replace(t, next), gone: false };
    }
    const gone = this.store.remove(t, ns, name) ?? old;
    this.onRemoved(t, gone);
    return { object: gone, gone: true };
  }

  /** Removes an object immediately (graceful deletion finished, namespace emptied). */
  finalizeRemoval(t: ResourceType, o: KObject): void {
    const gone = this.store.remove(t, o.metadata.namespace, o.metadata.name ?? "");
    if (gone) this.onRemoved(t, gone);
  }

  /** Writes an object as a controller (Update operation by `manager`), bypassing webhooks. */
  write(t: ResourceType, o: KObject, manager: string, subresource?: string): KObject {
    const ctx: WriteContext = { manager, warnings: [], system: true, fieldValidation: "Ignore" };
    const old = this.store.get(t, o.metadata.namespace, o.metadata.name ?? "");
    if (!old) return this.create(t, o.metadata.namespace, o, ctx);
    return this.commit(t, old, clone(o), ctx, subresource);
  }
}

function specChanged(a: KObject, b: KObject): boolean {
  const strip = (o: KObject): string => {
    const { metadata: _m, status: _s, ...rest } = o;
    return JSON.stringify(rest);
  };
  return strip(a) !== strip(b);
}

function sameContent(a: KObject, b: KObject): boolean {
  const strip = (o: KObject): string => {
    const { resourceVersion: _r, managedFields: _mf, ...md } = o.metadata;
    return JSON.stringify({ ...o, metadata: md });
  };
  return strip(a) === strip(b);
}

function deletePath(o: Record<string, unknown>, path: string): void {
  const parts = path.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== "");
  let cur: unknown = o;
  for (let i = 0; i < parts.length - 1; i++) {
    cur = Array.isArray(cur) ? cur[Number(parts[i])] : isObject(cur) ? cur[parts[i]] : undefined;
  }
  if (isObject(cur)) delete cur[parts[parts.length - 1]];
}
