// The object store (the "etcd" of the test API server): objects per resource type, one global
// resourceVersion counter, the event history used to resume watches (and to answer `410 Gone`
// once history is compacted or expired on purpose), watch fan-out to subscribers, an owner index
// for garbage collection, and list filtering (namespace, label and field selectors, limit/continue).
//
// Stored objects are never mutated: every write stores a new object. Readers may hold references.

import type { KObject, ResourceType } from "./types";
import { ApiError, getPath, typeKey } from "./types";
import type { Selector } from "./selectors";

/** The type of a watch event. */
export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

/** One change in the store, as delivered to watchers and kept in history. */
export interface StoreEvent {
  type: WatchEventType;
  /** The object after the change (for DELETED: the last state, with the deletion's resourceVersion). */
  object: KObject;
  /** The object before the change (MODIFIED and DELETED). */
  old?: KObject;
  rv: number;
  /** typeKey() of the object's resource. */
  resource: string;
}

interface Bucket {
  type: ResourceType;
  objects: Map<string, KObject>;
  sorted: string[] | null;
}

/** Options of {@link Store.list}. */
export interface ListOptions {
  namespace?: string;
  labelSelector?: Selector;
  fieldSelector?: Selector;
  limit?: number;
  continueToken?: string;
}

/** Result of {@link Store.list}. */
export interface ListResult {
  items: KObject[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

/** The store key of an object: "namespace/name" or "name". */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** The in-memory object store with watch history. */
export class Store {
  private rv = 1;
  private readonly buckets = new Map<string, Bucket>();
  private history: StoreEvent[] = [];
  /** Every event with rv <= compactedRv is gone from history. */
  private compactedRv = 0;
  private readonly subscribers = new Set<(e: StoreEvent) => void>();
  private readonly owners = new Map<string, Set<string>>();

  /** @param historyLimit how many events are kept for watch resumption before compaction. */
  constructor(private readonly historyLimit = 200_000) {}

  /** Registers a resource type (idempotent; keeps existing objects). */
  addType(t: ResourceType): void {
    const k = typeKey(t);
    const b = this.buckets.get(k);
    if (b) b.type = t;
    else this.buckets.set(k, { type: t, objects: new Map(), sorted: null });
  }

  /** Removes a resource type and all its objects (a deleted CRD). */
  removeType(t: ResourceType): void {
    const b = this.buckets.get(typeKey(t));
    if (!b) return;
    for (const [k, o] of [...b.objects]) this.remove(t, k.includes("/") ? k.split("/")[0] : undefined, o.metadata.name ?? "");
    this.buckets.delete(typeKey(t));
  }

  /** The registered types. */
  types(): ResourceType[] {
    return [...this.buckets.values()].map((b) => b.type);
  }

  /** The current (latest) resourceVersion. */
  currentRv(): number {
    return this.rv;
  }

  /** Gets one object or undefined. */
  get(t: ResourceType, namespace: string | undefined, name: string): KObject | undefined {
    return this.bucket(t).objects.get(objectKey(t.namespaced ? namespace : undefined, name));
  }

  /** Number of objects of a type. */
  count(t: ResourceType): number {
    return this.bucket(t).objects.size;
  }

  /** Stores a new object (metadata must be complete except resourceVersion). */
  insert(t: ResourceType, obj: KObject): KObject {
    const b = this.bucket(t);
    const key = objectKey(t.namespaced ? obj.metadata.namespace : undefined, obj.metadata.name ?? "");
    const rv = ++this.rv;
    const stored: KObject = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } };
    b.objects.set(key, stored);
    b.sorted = null;
    this.index(t, key, undefined, stored);
    this.emit({ type: "ADDED", object: stored, rv, resource: typeKey(t) });
    return stored;
  }

  /** Replaces an existing object; returns the stored object. */
  replace(t: ResourceType, obj: KObject): KObject {
    const b = this.bucket(t);
    const key = objectKey(t.namespaced ? obj.metadata.namespace : undefined, obj.metadata.name ?? "");
    const old = b.objects.get(key);
    const rv = ++this.rv;
    const stored: KObject = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } };
    b.objects.set(key, stored);
    if (!old) b.sorted = null;
    this.index(t, key, old, stored);
    this.emit({ type: old ? "MODIFIED" : "ADDED", object: stored, old, rv, resource: typeKey(t) });
    return stored;
  }

  /** Removes an object; returns its last state (with the deletion's resourceVersion). */
  remove(t: ResourceType, namespace: string | undefined, name: string): KObject | undefined {
    const b = this.bucket(t);
    const key = objectKey(t.namespaced ? namespace : undefined, name);
    const old = b.objects.get(key);
    if (!old) return undefined;
    b.objects.delete(key);
    b.sorted = null;
    this.index(t, key, old, undefined);
    const rv = ++this.rv;
    const last: KObject = { ...old, metadata: { ...old.metadata, resourceVersion: String(rv) } };
    this.emit({ type: "DELETED", object: last, old, rv, resource: typeKey(t) });
    return last;
  }

  /** Objects (any type) whose ownerReferences name this uid, as [type, object] pairs. */
  dependents(uid: string): Array<[ResourceType, KObject]> {
    const out: Array<[ResourceType, KObject]> = [];
    for (const ref of this.owners.get(uid) ?? []) {
      const sep = ref.indexOf("|");
      const b = this.buckets.get(ref.slice(0, sep));
      const o = b?.objects.get(ref.slice(sep + 1));
      if (b && o) out.push([b.type, o]);
    }
    return out;
  }

  /** Lists objects of a type with selectors and paging. */
  list(t: ResourceType, opts: ListOptions = {}): ListResult {
    const b = this.bucket(t);
    if (!b.sorted) b.sorted = [...b.objects.keys()].sort();
    const keys = b.sorted;
    let start = 0;
    let listRv = this.rv;
    if (opts.continueToken) {
      const c = decodeContinue(opts.continueToken);
      if (c.rv < this.compactedRv) {
        throw new ApiError(
          410,
          "Expired",
          "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
        );
      }
      listRv = c.rv;
      start = lowerBound(keys, c.start);
    }
    if (opts.namespace && t.namespaced) start = Math.max(start, lowerBound(keys, `${opts.namespace}/`));
    const items: KObject[] = [];
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const prefix = opts.namespace && t.namespaced ? `${opts.namespace}/` : "";
    let i = start;
    for (; i < keys.length; i++) {
      if (prefix && !keys[i].startsWith(prefix)) break;
      const o = b.objects.get(keys[i]);
      if (!o || !matches(o, opts)) continue;
      if (items.length >= limit) break;
      items.push(o);
    }
    const result: ListResult = { items, resourceVersion: String(listRv) };
    if (i < keys.length && items.length >= limit) {
      // Count the rest that would match, as remainingItemCount (only exact without a field selector).
      let rest = 0;
      for (let j = i; j < keys.length && (!prefix || keys[j].startsWith(prefix)); j++) {
        const o = b.objects.get(keys[j]);
        if (o && matches(o, opts)) rest++;
      }
      if (rest > 0) {
        result.continueToken = encodeContinue(listRv, keys[i - 1] + "\u0000");
        result.remainingItemCount = rest;
      }
    }
    return result;
  }

  /** All objects of a type (no copy). */
  all(t: ResourceType): IterableIterator<KObject> {
    return this.bucket(t).objects.values();
  }

  /**
   * History events after `rv` (exclusive), or a 410 error when that part of history is gone.
   * `rv` greater than the current version returns no events.
   */
  eventsSince(rv: number): StoreEvent[] {
    if (rv < this.compactedRv) {
      throw new ApiError(410, "Expired", `too old resource version: ${rv} (${this.compactedRv + 1})`);
    }
    const h = this.history;
    let lo = 0;
    let hi = h.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (h[mid].rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return h.slice(lo);
  }

  /**
   * Forgets all history: every resourceVersion handed out so far (even the latest) becomes too
   * old for a watch or continue token (410 Gone); a new list returns a newer one.
   */
  compact(): void {
    this.rv++;
    this.compactedRv = this.rv;
    this.history = [];
  }

  /** Subscribes to every change; returns the unsubscribe function. */
  subscribe(fn: (e: StoreEvent) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    if (this.history.length > this.historyLimit) {
      const drop = Math.floor(this.historyLimit / 2);
      this.compactedRv = this.history[drop - 1].rv;
      this.history = this.history.slice(drop);
    }
    for (const s of [...this.subscribers]) s(e);
  }

  private bucket(t: ResourceType): Bucket {
    const b = this.buckets.get(typeKey(t));
    if (!b) throw new ApiError(404, "NotFound", "the server could not find the requested resource");
    return b;
  }

  private index(t: ResourceType, key: string, old: KObject | undefined, cur: KObject | undefined): void {
    const ref = `${typeKey(t)}|${key}`;
    for (const o of old?.metadata.ownerReferences ?? []) this.owners.get(o.uid)?.delete(ref);
    for (const o of cur?.metadata.ownerReferences ?? []) {
      let s = this.owners.get(o.uid);
      if (!s) this.owners.set(o.uid, (s = new Set()));
      s.add(ref);
    }
  }
}

function matches(o: KObject, opts: ListOptions): boolean {
  if (opts.labelSelector && !opts.labelSelector.matches((k) => o.metadata.labels?.[k])) return false;
  if (opts.fieldSelector && !opts.fieldSelector.matches((k) => fieldValue(o, k))) return false;
  return true;
}

/** The string value of a field-selector label on an object (missing → ""). */
export function fieldValue(o: KObject, label: string): string {
  const v = getPath(o, label);
  if (v === undefined || v == null) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

function lowerBound(keys: string[], k: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid] < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv, start })).toString("base64url");
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const c = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { v?: string; rv?: number; start?: string };
    if (c.v !== "meta.k8s.io/v1" || typeof c.rv !== "number" || typeof c.start !== "string") throw new Error("bad");
    return { rv: c.rv, start: c.start };
  } catch {
    throw new ApiError(400, "BadRequest", `continue key is not valid: ${token}`);
  }
}
