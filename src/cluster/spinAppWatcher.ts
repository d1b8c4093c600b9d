/**
 * The watch layer of one kube context: informers started only for what the explorer shows,
 * shared by reference count (an owner is a tree node id), stopped when the last owner lets go,
 * paused (cache and resourceVersion kept) while the view is hidden and resumed from the last
 * resourceVersion when it shows again. After an error an informer restarts with exponential
 * backoff (client-node's ListWatch resumes the watch from its resourceVersion and relists after
 * 410 Gone). Errors become the context's connection state: connected, reconnecting (with the
 * reason), unreachable, forbidden (per watch, for the namespace fallback) or expired credentials.
 *
 * Changes are reported through {@link Coalescer}: a burst of events becomes one flush of the keys
 * that changed. No polling: every update comes from a watch. vscode-free (unit-tested against the
 * test API server).
 */
import type { Informer, KObject, KubeClient, ResourceType } from "./kubeApi";
import { KubeError, apiVersionOf } from "./kubeApi";

/**
 * Collects keys and flushes them once per burst: after `quietMs` without a new key, at most
 * `maxWaitMs` after the first. While changes keep streaming (a flush less than `streamMs` ago) the
 * quiet period grows to `streamQuietMs`, so a long trickle repaints a few times a second instead of
 * on every small gap, and an isolated change still shows after `quietMs`.
 */
export class Coalescer<K> {
  private pending = new Set<K>();
  private quiet: NodeJS.Timeout | undefined;
  private max: NodeJS.Timeout | undefined;
  private lastFlush = -Infinity;
  /** Flushes so far (what the tests and the benchmark count as repaints). */
  flushes = 0;

  constructor(
    private readonly flushTo: (keys: Set<K>) => void,
    private readonly quietMs = 25,
    private readonly maxWaitMs = 250,
    private readonly streamMs = 300,
    private readonly streamQuietMs = 150,
  ) {}

  add(key: K): void {
    this.pending.add(key);
    if (this.quiet) clearTimeout(this.quiet);
    const streaming = Date.now() - this.lastFlush < this.streamMs;
    this.quiet = setTimeout(() => this.flush(), streaming ? this.streamQuietMs : this.quietMs);
    this.max ??= setTimeout(() => this.flush(), this.maxWaitMs);
  }

  flush(): void {
    if (this.quiet) clearTimeout(this.quiet);
    if (this.max) clearTimeout(this.max);
    this.quiet = this.max = undefined;
    if (this.pending.size === 0) return;
    const keys = this.pending;
    this.pending = new Set();
    this.flushes++;
    this.lastFlush = Date.now();
    this.flushTo(keys);
  }

  dispose(): void {
    if (this.quiet) clearTimeout(this.quiet);
    if (this.max) clearTimeout(this.max);
    this.pending.clear();
  }
}

/** Drops metadata.managedFields (about half of a typical object; the tree never shows it). */
export function slim(o: KObject): KObject {
  if (!o.metadata.managedFields) return o;
  const { managedFields: _drop, ...metadata } = o.metadata;
  return { ...o, metadata: metadata as KObject["metadata"] };
}

/** How a context's connection is doing (shown on the context node). */
export type ConnectionState =
  | { kind: "idle" }
  | { kind: "connecting" }
  | { kind: "connected" }
  | { kind: "reconnecting"; reason: string; retryInMs: number }
  | { kind: "unreachable"; reason: string; retryInMs: number }
  | { kind: "expired"; message: string }
  | { kind: "forbidden"; message: string }
  | { kind: "error"; message: string };

/** What one watch is doing. */
export type WatchStatus = "starting" | "synced" | "retrying" | "forbidden" | "notServed" | "expired" | "paused";

/** A watch: one resource in one namespace (undefined = all, or cluster-scoped), optionally label-filtered. */
export interface WatchSpec {
  resource: ResourceType;
  namespace?: string;
  labelSelector?: string;
  /** Slims objects before they are cached (e.g. drop Secret data). */
  transform?: (o: KObject) => KObject;
}

/** The key of a watch spec ("spinapps.core.spinkube.dev|ns|selector"). */
export function watchKey(s: WatchSpec): string {
  return `${s.resource.plural}.${s.resource.group}|${s.namespace ?? "*"}|${s.labelSelector ?? ""}`;
}

/** Backoff of informer restarts. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

interface Entry {
  spec: WatchSpec;
  key: string;
  owners: Set<string>;
  informer?: Informer;
  status: WatchStatus;
  error?: KubeError;
  attempt: number;
  /** The informer has listed at least once: its cache is worth showing (stale while reconnecting). */
  listed: boolean;
  timer?: NodeJS.Timeout;
  /** Bumped on every (re)creation so late callbacks of an old informer are ignored. */
  generation: number;
}

/** Options of {@link WatchSession}. */
export interface WatchSessionOptions {
  context: string;
  /** Creates the client (loads client-node); called on the first watch only. */
  connect: () => Promise<KubeClient>;
  /**
   * Called with the key of a watch whose objects or status changed ("state" for the connection
   * state) and, for an object event, the object's namespace (the caller coalesces).
   */
  onChange: (watchKey: string, namespace?: string) => void;
  backoff?: BackoffOptions;
}

/** The informers of one context. */
export class WatchSession {
  private readonly entries = new Map<string, Entry>();
  private clientPromise: Promise<KubeClient> | undefined;
  private clientValue: KubeClient | undefined;
  private paused = false;
  private pausable: (owner: string) => boolean = () => true;
  private disposed = false;
  private everConnected = false;
  private connectError: KubeError | undefined;
  private readonly backoff: BackoffOptions;
  private stateValue: ConnectionState = { kind: "idle" };

  constructor(private readonly o: WatchSessionOptions) {
    this.backoff = o.backoff ?? { initialMs: 500, maxMs: 30_000 };
  }

  get context(): string {
    return this.o.context;
  }

  /** The client, connecting on first use. */
  client(): Promise<KubeClient> {
    if (!this.clientPromise) {
      this.clientPromise = this.o.connect().then(
        (c) => {
          if (this.disposed) c.dispose();
          this.clientValue = c;
          return c;
        },
        (err: unknown) => {
          this.clientPromise = undefined;
          throw err;
        },
      );
    }
    return this.clientPromise;
  }

  /** The connection state, derived from the watches. */
  get state(): ConnectionState {
    return this.stateValue;
  }

  private recomputeState(): void {
    const before = JSON.stringify(this.stateValue);
    this.stateValue = this.computeState();
    if (JSON.stringify(this.stateValue) !== before) this.o.onChange("state");
  }

  private computeState(): ConnectionState {
    if (this.connectError) return { kind: "error", message: this.connectError.message };
    const es = [...this.entries.values()];
    if (es.length === 0) return this.everConnected ? { kind: "connected" } : { kind: "idle" };
    const expired = es.find((e) => e.status === "expired");
    if (expired) {
      return {
        kind: "expired",
        message: `The cluster rejected the credentials of context "${this.o.context}" (401 Unauthorized): the token may have expired. Log in again (refresh the kubeconfig), then refresh the explorer.`,
      };
    }
    const retrying = es.filter((e) => e.status === "retrying");
    if (retrying.length) {
      const reason = retrying[0].error?.message ?? "connection lost";
      const retryInMs = this.delayFor(retrying[0].attempt);
      return this.everConnected ? { kind: "reconnecting", reason, retryInMs } : { kind: "unreachable", reason, retryInMs };
    }
    if (es.some((e) => e.status === "starting")) return this.everConnected ? { kind: "connected" } : { kind: "connecting" };
    if (es.every((e) => e.status === "forbidden" || e.status === "notServed") && es.some((e) => e.status === "forbidden")) {
      return { kind: "forbidden", message: es.find((e) => e.status === "forbidden")?.error?.message ?? "forbidden" };
    }
    return { kind: "connected" };
  }

  private delayFor(attempt: number): number {
    return Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** Math.max(0, attempt - 1));
  }

  /** Starts (or shares) a watch for `owner`. */
  acquire(owner: string, spec: WatchSpec): void {
    if (this.disposed) return;
    const key = watchKey(spec);
    let e = this.entries.get(key);
    const pause = this.paused && this.pausable(owner);
    if (!e) {
      e = { spec, key, owners: new Set(), status: pause ? "paused" : "starting", attempt: 0, generation: 0, listed: false };
      this.entries.set(key, e);
      if (!pause) void this.startEntry(e);
      this.recomputeState();
    } else if (e.status === "paused" && !pause) {
      e.status = "starting";
      void this.startEntry(e);
    }
    e.owners.add(owner);
  }

  /** Releases every watch `owner` holds (and those of owners under it when `prefix`); stops unowned ones. */
  release(owner: string, prefix = false): void {
    for (const e of [...this.entries.values()]) {
      for (const o of [...e.owners]) if (o === owner || (prefix && o.startsWith(owner))) e.owners.delete(o);
      if (e.owners.size === 0) this.stopEntry(e);
    }
    this.recomputeState();
  }

  /** Owners of watches (for tests and the benchmark). */
  activeWatches(): { key: string; status: WatchStatus; owners: string[] }[] {
    return [...this.entries.values()].map((e) => ({ key: e.key, status: e.status, owners: [...e.owners] }));
  }

  /** The status of a watch, undefined when not watched. */
  status(spec: WatchSpec): WatchStatus | undefined {
    return this.entries.get(watchKey(spec))?.status;
  }

  /** The error of a watch that failed (forbidden, not served, ...). */
  errorOf(spec: WatchSpec): KubeError | undefined {
    return this.entries.get(watchKey(spec))?.error;
  }

  /** Objects of a watch, of one namespace when given (empty when not watched or not yet listed). */
  objects(spec: WatchSpec, namespace?: string): KObject[] {
    return this.entries.get(watchKey(spec))?.informer?.list(namespace) ?? [];
  }

  /** One object of a watch. */
  object(spec: WatchSpec, namespace: string | undefined, name: string): KObject | undefined {
    return this.entries.get(watchKey(spec))?.informer?.get(namespace, name);
  }

  /**
   * True when the watch has listed at least once: its cache means something (while reconnecting
   * or paused it is shown as it was, so nodes never disappear because of a network error).
   */
  synced(spec: WatchSpec): boolean {
    const e = this.entries.get(watchKey(spec));
    return !!e && !!e.informer && e.listed;
  }

  /**
   * Stops the informers (caches and resourceVersions kept) whose owners all satisfy `pausable`
   * (the tree's nodes when the view is hidden; open live documents and port-forwards keep theirs).
   */
  pause(pausable: (owner: string) => boolean = () => true): void {
    if (this.paused) return;
    this.paused = true;
    this.pausable = pausable;
    for (const e of this.entries.values()) {
      if (![...e.owners].every(pausable)) continue;
      if (e.timer) clearTimeout(e.timer);
      e.timer = undefined;
      e.informer?.stop();
      if (e.status !== "forbidden" && e.status !== "notServed") e.status = "paused";
    }
  }

  /** Restarts the informers from their resourceVersions (the view shows again). */
  resume(): void {
    if (!this.paused || this.disposed) return;
    this.paused = false;
    for (const e of this.entries.values()) {
      if (e.status === "paused") {
        e.status = "starting";
        void this.startEntry(e);
      }
    }
    this.recomputeState();
  }

  /** Forgets failures and restarts every watch now (the user's Refresh). */
  retryAll(): void {
    this.connectError = undefined;
    this.clientValue?.rediscover();
    for (const e of this.entries.values()) {
      if (e.timer) clearTimeout(e.timer);
      e.timer = undefined;
      e.attempt = 0;
      if (e.status === "forbidden" || e.status === "notServed" || e.status === "retrying" || e.status === "expired") {
        e.generation++;
        e.informer?.dispose();
        e.informer = undefined;
        e.listed = false;
        e.error = undefined;
        const pause = this.paused && [...e.owners].every(this.pausable);
        e.status = pause ? "paused" : "starting";
        if (!pause) void this.startEntry(e);
      }
    }
    this.recomputeState();
  }

  private async startEntry(e: Entry): Promise<void> {
    // The generation changes only when the informer is thrown away (stop, retryAll), so a
    // restart after an error keeps the informer, its cache and its handlers.
    const generation = e.generation;
    const live = (): boolean => !this.disposed && this.entries.get(e.key) === e && e.generation === generation;
    let client: KubeClient;
    try {
      client = await this.client();
    } catch (err) {
      if (!live()) return;
      this.connectError = err instanceof KubeError ? err : new KubeError(err instanceof Error ? err.message : String(err), "other");
      this.recomputeState();
      return;
    }
    if (!live()) return;
    try {
      if (!e.informer) {
        if (!(await client.serves(e.spec.resource))) {
          if (!live()) return;
          e.status = "notServed";
          e.error = new KubeError(`The cluster does not serve ${e.spec.resource.kind} (${apiVersionOf(e.spec.resource)}).`, "notFound");
          this.o.onChange(e.key);
          this.recomputeState();
          return;
        }
        if (!live()) return;
        const changed = (o: KObject): void => {
          if (e.generation === generation) this.o.onChange(e.key, o.metadata.namespace);
        };
        e.informer = await client.informer(
          e.spec.resource,
          e.spec.namespace,
          {
            add: changed,
            update: changed,
            delete: changed,
            synced: () => {
              if (e.generation !== generation || e.status === "paused") return;
              e.status = "synced";
              e.listed = true;
              e.attempt = 0;
              e.error = undefined;
              this.everConnected = true;
              this.o.onChange(e.key);
              this.recomputeState();
            },
            error: (err) => {
              if (e.generation === generation) this.failed(e, err);
            },
          },
          { labelSelector: e.spec.labelSelector, transform: e.spec.transform ? (o) => slim(e.spec.transform?.(o) ?? o) : slim },
        );
        if (!live()) {
          e.informer.dispose();
          return;
        }
      }
      await e.informer.start();
    } catch (err) {
      if (live()) this.failed(e, err instanceof KubeError ? err : new KubeError(String(err), "other"));
    }
  }

  private failed(e: Entry, err: KubeError): void {
    if (this.disposed || this.entries.get(e.key) !== e) return;
    e.error = err;
    if (err.kind === "forbidden") {
      e.status = "forbidden";
    } else if (err.kind === "notFound") {
      e.status = "notServed";
    } else {
      e.status = err.kind === "unauthorized" ? "expired" : "retrying";
      e.attempt++;
      if (!this.paused || ![...e.owners].every(this.pausable)) {
        const delay = err.kind === "unauthorized" ? Math.max(this.delayFor(e.attempt), 10_000) : this.delayFor(e.attempt);
        if (e.timer) clearTimeout(e.timer);
        e.timer = setTimeout(() => {
          e.timer = undefined;
          if (this.disposed || this.entries.get(e.key) !== e || e.status === "paused") return;
          void this.startEntry(e);
        }, delay);
      }
    }
    this.o.onChange(e.key);
    this.recomputeState();
  }

  private stopEntry(e: Entry): void {
    if (e.timer) clearTimeout(e.timer);
    e.generation++;
    e.informer?.dispose();
    this.entries.delete(e.key);
    this.o.onChange(e.key);
  }

  dispose(): void {
    this.disposed = true;
    for (const e of [...this.entries.values()]) {
      if (e.timer) clearTimeout(e.timer);
      e.informer?.dispose();
    }
    this.entries.clear();
    this.clientValue?.dispose();
  }
}
