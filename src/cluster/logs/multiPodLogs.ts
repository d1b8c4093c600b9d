/**
 * A log session: every container of every pod of a SpinApp (or one pod, or one container),
 * followed live, in one ordered stream of lines and notices.
 *
 * Pods are found by watching, never by polling: the explorer's {@link WatchSession} runs one pod
 * informer per label key — `core.spinkube.dev/app-name=<app>` and the pre-v0.4
 * `core.spinoperator.dev/app-name=<app>` (FACTS.md (e)) — with its restart-with-back-off and
 * RBAC handling, and the session merges the two caches by uid. A pod that appears joins (all its
 * containers, read from their start), a pod that goes away finishes its last lines, is announced
 * and leaves. Each container is a {@link ContainerFollower} (reconnects, restarts, exactness).
 *
 * Options as kubectl/stern users know them: since (duration or time), tail (for the pods present
 * at the start; pods that join later are read whole), previous (one read of each restarted
 * container), include/exclude/highlight regexes. Spin's own lines are explained once.
 *
 * Lines are queued and handed to the sink in batches (one timer per `flushMs`, at most
 * `maxBatch` entries per call, yielding in between); when the queue passes `highWater` entries
 * every response is paused until the sink has caught up, so a firehose costs bounded memory and
 * never monopolises the event loop. A container still being created is diagnosed with the
 * runtime diagnosis core when its sandbox fails (no runtime for "spin", …). vscode-free.
 */
import type { KObject, KubeClient } from "../kubeApi";
import { Resources } from "../kubeApi";
import { WatchSession, type WatchSpec } from "../spinAppWatcher";
import { APP_NAME_LABEL, LEGACY_APP_NAME_LABEL } from "../../shared/spinApp";
import { explainFailures, type SandboxDiagnosis } from "../diagnosis/sandbox";
import { ContainerFollower } from "./logFollower";
import type { ContainerState, LogEntry, LogLine, LogNotice, LogSource } from "./logModel";
import { containerNames, containerState, shortPodName } from "./logModel";
import { rfc3339Seconds, type Since } from "./logText";
import { kubeConfigTransport, type LogTransport } from "./transport";

/** What to follow. */
export interface LogTarget {
  namespace: string;
  /** The SpinApp: its pods are selected by the app-name label (either group). */
  app?: string;
  /** One pod (of the app when `app` is given). */
  pod?: string;
  /** One container (of every selected pod). */
  container?: string;
}

/** Options of a session. */
export interface LogSessionOptions {
  /** Keep following (default true); false reads what is there and finishes. */
  follow?: boolean;
  since?: Since;
  /** Lines per container from the pods present at the start (undefined = all). */
  tail?: number;
  /** Read each restarted container's previous instance once (implies no follow). */
  previous?: boolean;
  include?: RegExp[];
  exclude?: RegExp[];
  highlight?: RegExp[];
  /** Longest line kept, in bytes (default 64 KiB); longer ones are cut and say so. */
  maxLineBytes?: number;
  /** Explain each kind of Spin line the first time (default true). */
  explainSpin?: boolean;
  /** How often queued entries go to the sink (default 16 ms). */
  flushMs?: number;
  /** Entries per sink call at most (default 4,000). */
  maxBatch?: number;
  /** Queue length that pauses every stream (default 20,000 entries). */
  highWater?: number;
  /** Reconnect back-off of the streams. */
  backoff?: { initialMs: number; maxMs: number };
  /** Restart back-off of the pod watches. */
  watchBackoff?: { initialMs: number; maxMs: number };
  settleMs?: number;
  downNoticeMs?: number;
  /** When to look for a failing sandbox after a container waits in ContainerCreating (ms; default 1 s, 4 s, 15 s, 60 s). */
  sandboxChecksMs?: number[];
}

/** Explains why a pod's sandbox cannot be created (default: the diagnosis core over events, nodes, RuntimeClasses). */
export type SandboxDiagnoser = (pod: KObject) => Promise<SandboxDiagnosis | undefined>;

/** Counters of a session. */
export interface LogSessionStats {
  /** Lines delivered by the streams. */
  received: number;
  /** Lines handed to the sink (after include/exclude). */
  emitted: number;
  /** Lines the filters dropped. */
  filtered: number;
  /** Pods currently followed. */
  pods: number;
  /** Times every stream was paused because the sink fell behind. */
  pauses: number;
}

interface PodEntry {
  uid: string;
  name: string;
  pod: KObject;
  color: number;
  followers: ContainerFollower[];
  leaving: boolean;
  sandboxChecks: number;
  sandboxTimer?: NodeJS.Timeout;
  diagnosed: boolean;
}

const OWNER = "logs";

/** Wraps a shared client so that a WatchSession never disposes it. */
function borrowed(client: KubeClient): KubeClient {
  return new Proxy(client, {
    get(target, prop) {
      if (prop === "dispose") return () => undefined;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Follows the logs of a target and emits lines and notices in batches. */
export class LogSession {
  readonly stats: LogSessionStats = { received: 0, emitted: 0, filtered: 0, pods: 0, pauses: 0 };
  private readonly pods = new Map<string, PodEntry>();
  private readonly watch: WatchSession;
  private readonly specs: WatchSpec[];
  private readonly transport: LogTransport;
  private readonly diagnose: SandboxDiagnoser;
  private readonly startedAt = Date.now();
  private queue: LogEntry[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private paused = false;
  private reconcileQueued = false;
  private initialDone = false;
  private nextColor = 0;
  private stopped = false;
  private finishedFlag = false;
  private readonly explained = new Set<string>();
  private readonly forbiddenSeen = new Set<string>();
  private readonly finishListeners = new Set<() => void>();
  private noPodsNoticed = false;

  constructor(
    private readonly client: KubeClient,
    readonly target: LogTarget,
    private readonly opts: LogSessionOptions,
    private readonly sink: (entries: LogEntry[]) => void,
    deps: { transport?: LogTransport; diagnose?: SandboxDiagnoser } = {},
  ) {
    this.transport = deps.transport ?? kubeConfigTransport(client.kubeConfig());
    this.diagnose = deps.diagnose ?? defaultDiagnoser(client);
    const ns = target.namespace;
    this.specs = target.app
      ? [APP_NAME_LABEL, LEGACY_APP_NAME_LABEL].map((k) => ({ resource: Resources.pods, namespace: ns, labelSelector: `${k}=${target.app}` }))
      : [{ resource: Resources.pods, namespace: ns }];
    const shared = borrowed(client);
    this.watch = new WatchSession({ context: client.context, connect: async () => shared, onChange: () => this.queueReconcile(), backoff: opts.watchBackoff });
  }

  /** True when the session reads once and finishes (previous, or follow off). */
  get oneShot(): boolean {
    return !!this.opts.previous || this.opts.follow === false;
  }

  /** True once the session ended by itself (one-shot read done, the one pod gone). */
  get finished(): boolean {
    return this.finishedFlag;
  }

  /** Calls `fn` once the session finishes by itself. */
  onFinish(fn: () => void): () => void {
    this.finishListeners.add(fn);
    return () => this.finishListeners.delete(fn);
  }

  /** What is being followed, in words. */
  describe(): string {
    const t = this.target;
    const what = t.pod ? `pod ${t.namespace}/${t.pod}` : `SpinApp ${t.namespace}/${t.app ?? "?"}`;
    return t.container ? `${what}, container ${t.container}` : what;
  }

  /** Starts watching pods and following them. */
  start(): void {
    const o = this.opts;
    const mode = o.previous ? "previous container logs of" : o.follow === false ? "logs of" : "following";
    const cut = [o.since ? ("seconds" in o.since ? `since ${o.since.seconds} s ago` : `since ${o.since.time}`) : "", o.tail !== undefined ? `last ${o.tail} lines per container` : ""].filter(Boolean).join(", ");
    this.push({ kind: "notice", level: "info", code: "start", text: `${mode} ${this.describe()}${cut ? ` (${cut})` : ""}` });
    for (const s of this.specs) this.watch.acquire(OWNER, s);
  }

  /** The followers (tests and the view's status). */
  followers(): ContainerFollower[] {
    return [...this.pods.values()].flatMap((p) => p.followers);
  }

  /** Stops everything; queued entries are flushed first. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.watch.dispose();
    for (const p of this.pods.values()) {
      if (p.sandboxTimer) clearTimeout(p.sandboxTimer);
      for (const f of p.followers) f.stop();
    }
    this.pods.clear();
    this.flush(true);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }

  // ---- discovery

  private queueReconcile(): void {
    if (this.reconcileQueued || this.stopped) return;
    this.reconcileQueued = true;
    setImmediate(() => {
      this.reconcileQueued = false;
      if (!this.stopped) this.reconcile();
    });
  }

  private selected(p: KObject): boolean {
    return !this.target.pod || p.metadata.name === this.target.pod;
  }

  private reconcile(): void {
    const current = new Map<string, KObject>();
    let allSynced = true;
    let usable = 0;
    for (const s of this.specs) {
      const status = this.watch.status(s);
      if (status === "forbidden") {
        const key = s.labelSelector ?? "";
        if (!this.forbiddenSeen.has(key)) {
          this.forbiddenSeen.add(key);
          if (this.forbiddenSeen.size === 1) {
            this.push({
              kind: "notice",
              level: "error",
              code: "forbidden",
              text: `may not watch pods in namespace ${this.target.namespace} (RBAC), so the SpinApp's pods cannot be found: ${this.watch.errorOf(s)?.message ?? "forbidden"}. Following logs needs list and watch on pods and get on pods/log.`,
            });
          }
        }
        continue;
      }
      usable++;
      if (!this.watch.synced(s)) allSynced = false;
      for (const p of this.watch.objects(s)) if (this.selected(p)) current.set(p.metadata.uid ?? p.metadata.name, p);
    }
    if (usable === 0) {
      this.finish("no pods can be read");
      return;
    }
    if (!allSynced) return;
    const initial = !this.initialDone;
    this.initialDone = true;
    if (initial && this.oneShot) {
      for (const [uid, p] of current) this.join(uid, p, true);
      if (this.pods.size === 0) this.finish(`no pods of ${this.describe()} to read`);
      this.checkDone();
      return;
    }
    if (this.oneShot) return; // a one-shot read ignores later pods
    const joined: string[] = [];
    for (const [uid, p] of current) {
      const e = this.pods.get(uid);
      if (!e) {
        if (this.join(uid, p, initial)) joined.push(p.metadata.name);
      } else if (p.metadata.resourceVersion !== e.pod.metadata.resourceVersion) {
        e.pod = p;
        for (const f of e.followers) f.podChanged(p);
      }
    }
    for (const [uid, e] of this.pods) if (!current.has(uid) && !e.leaving) this.leave(e);
    if (initial) {
      if (joined.length) this.push({ kind: "notice", level: "info", code: "joined", text: `${joined.length} pod${joined.length === 1 ? "" : "s"}: ${joined.join(", ")}` });
    }
    if (this.pods.size === 0 && !this.noPodsNoticed) {
      this.noPodsNoticed = true;
      this.push({
        kind: "notice",
        level: "info",
        code: "noPods",
        text: this.target.pod
          ? `pod ${this.target.namespace}/${this.target.pod} does not exist (any more).`
          : `no pods of ${this.describe()} yet (labels ${APP_NAME_LABEL} and ${LEGACY_APP_NAME_LABEL}); waiting for them to appear.`,
      });
      if (this.target.pod) this.finish(`pod ${this.target.pod} not found`);
    }
    if (this.pods.size > 0) this.noPodsNoticed = false;
  }

  private join(uid: string, pod: KObject, initial: boolean): boolean {
    const name = pod.metadata.name;
    let containers = containerNames(pod);
    if (this.target.container) {
      if (!containers.includes(this.target.container)) {
        this.push({ kind: "notice", level: "warning", code: "error", text: `pod ${name} has no container ${this.target.container} (it has ${containers.join(", ") || "none"}).` });
        return false;
      }
      containers = [this.target.container];
    }
    const color = this.nextColor++;
    const entry: PodEntry = { uid, name, pod, color, followers: [], leaving: false, sandboxChecks: 0, diagnosed: false };
    this.pods.set(uid, entry);
    this.stats.pods = this.pods.size;
    const multi = containerNames(pod).length > 1 && !this.target.container;
    const short = shortPodName(name, this.target.app);
    if (!initial) this.push({ kind: "notice", level: "info", code: "joined", text: `pod ${name} joined${multi ? ` (containers ${containers.join(", ")})` : ""}.` });
    for (const c of containers) {
      if (this.opts.previous && containerState(pod, c).restarts === 0) {
        this.push({ kind: "notice", level: "info", code: "noPrevious", text: `${name}/${c} has not restarted: there is no previous container log.`, source: this.sourceFor(entry, c, multi, short) });
        continue;
      }
      const source = this.sourceFor(entry, c, multi, short);
      const f = new ContainerFollower(
        {
          transport: this.transport,
          source,
          follow: this.opts.follow !== false,
          previous: !!this.opts.previous,
          first: initial ? this.firstCut() : this.joinCut(),
          maxLineBytes: this.opts.maxLineBytes ?? 64 * 1024,
          backoff: this.opts.backoff,
          settleMs: this.opts.settleMs,
          downNoticeMs: this.opts.downNoticeMs,
          getPod: () => this.client.get(Resources.pods, this.target.namespace, name),
        },
        {
          line: (l) => this.line(l),
          notice: (n) => this.push({ kind: "notice", source, ...n }),
          waiting: (reason, cs) => this.waiting(entry, reason, cs),
          done: () => this.followerDone(entry),
        },
      );
      entry.followers.push(f);
    }
    for (const f of entry.followers) f.start(pod);
    if (entry.followers.length === 0) {
      this.pods.delete(uid);
      this.stats.pods = this.pods.size;
    }
    return true;
  }

  private sourceFor(entry: PodEntry, container: string, multi: boolean, short: string): LogSource {
    return { namespace: this.target.namespace, pod: entry.name, uid: entry.uid, container, label: multi ? `${short}/${container}` : short, color: entry.color };
  }

  /** The cut of the first request for pods present at the start. */
  private firstCut(): { sinceSeconds?: number; sinceTime?: string; tailLines?: number } {
    const o = this.opts;
    return {
      ...(o.since ? ("seconds" in o.since ? { sinceSeconds: o.since.seconds } : { sinceTime: o.since.time }) : {}),
      ...(o.tail !== undefined ? { tailLines: o.tail } : {}),
    };
  }

  /** Pods that join later are read from their start (the since still applies, as a point in time). */
  private joinCut(): { sinceTime?: string } {
    const s = this.opts.since;
    if (!s) return {};
    return { sinceTime: "seconds" in s ? rfc3339Seconds(Math.floor(this.startedAt / 1000) - s.seconds) : s.time };
  }

  private leave(e: PodEntry): void {
    e.leaving = true;
    if (e.sandboxTimer) clearTimeout(e.sandboxTimer);
    for (const f of e.followers) f.podGone();
    this.followerDone(e);
  }

  private followerDone(e: PodEntry): void {
    if (!e.followers.every((f) => f.finished)) return;
    if (this.pods.get(e.uid) !== e) return;
    if (e.sandboxTimer) clearTimeout(e.sandboxTimer);
    // A pod whose containers all finished while it still exists (forbidden, completed) stays
    // known, so the watch does not make it join again; it leaves when it is deleted.
    if (e.leaving || this.oneShot) {
      this.pods.delete(e.uid);
      this.stats.pods = this.pods.size;
      if (e.leaving) this.push({ kind: "notice", level: "info", code: "left", text: `pod ${e.name} is gone (deleted); it left the stream.` });
    }
    this.checkDone();
  }

  private checkDone(): void {
    if (this.finishedFlag || !this.initialDone) return;
    if (this.oneShot && this.pods.size === 0) this.finish("read complete");
    else if (this.target.pod && this.pods.size === 0 && !this.oneShot) this.finish(`pod ${this.target.pod} is gone`);
  }

  private finish(why: string): void {
    if (this.finishedFlag || this.stopped) return;
    this.finishedFlag = true;
    this.push({ kind: "notice", level: "info", code: "done", text: `stream ended: ${why}.` });
    this.watch.dispose();
    this.flush(true);
    for (const fn of this.finishListeners) fn();
  }

  // ---- sandbox diagnosis

  private waiting(e: PodEntry, reason: string, cs: ContainerState): void {
    if (reason !== "ContainerCreating" || e.diagnosed || e.sandboxTimer || cs.running) return;
    const checks = this.opts.sandboxChecksMs ?? [1000, 4000, 15_000, 60_000];
    if (e.sandboxChecks >= checks.length) return;
    const delay = checks[e.sandboxChecks] - (e.sandboxChecks > 0 ? checks[e.sandboxChecks - 1] : 0);
    e.sandboxTimer = setTimeout(() => {
      e.sandboxTimer = undefined;
      e.sandboxChecks++;
      if (this.stopped || this.pods.get(e.uid) !== e) return;
      const stillCreating = e.followers.some((f) => f.status === "waiting" && containerState(e.pod, f.source.container).waiting === "ContainerCreating");
      if (!stillCreating) return;
      this.diagnose(e.pod).then(
        (d) => {
          if (this.stopped || this.pods.get(e.uid) !== e) return;
          if (d) {
            e.diagnosed = true;
            const fix = d.fixes[0] ? ` Fix: ${d.fixes[0]}` : "";
            this.push({
              kind: "notice",
              level: "error",
              code: "sandbox",
              text: `pod ${e.name} cannot start its containers: ${d.title}. Kubernetes says: ${d.evidence}.${fix} Run "Check Runtime Readiness" on the SpinApp for the whole diagnosis.`,
              ...(this.target.app ? { app: { namespace: this.target.namespace, name: this.target.app } } : {}),
            });
            return;
          }
          this.waiting(e, reason, containerState(e.pod, e.followers[0]?.source.container ?? ""));
        },
        () => this.waiting(e, reason, containerState(e.pod, e.followers[0]?.source.container ?? "")),
      );
    }, delay);
  }

  // ---- lines and the queue

  private line(l: LogLine): void {
    this.stats.received++;
    const o = this.opts;
    const text = l.text;
    if (o.include?.length && !o.include.some((r) => r.test(text))) {
      this.stats.filtered++;
      return;
    }
    if (o.exclude?.length && o.exclude.some((r) => r.test(text))) {
      this.stats.filtered++;
      return;
    }
    if (o.highlight?.length && o.highlight.some((r) => r.test(text))) l.highlight = true;
    if (l.spin && o.explainSpin !== false && !this.explained.has(l.spin.kind)) {
      this.explained.add(l.spin.kind);
      l.explain = true;
    }
    this.stats.emitted++;
    this.push(l);
  }

  private push(e: LogEntry | LogNotice): void {
    if (this.stopped) return;
    this.queue.push(e);
    if (!this.paused && this.queue.length >= (this.opts.highWater ?? 20_000)) {
      this.paused = true;
      this.stats.pauses++;
      for (const f of this.followers()) f.pause();
    }
    if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flush(false), this.opts.flushMs ?? 16);
  }

  private flush(all: boolean): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const max = all ? Number.POSITIVE_INFINITY : (this.opts.maxBatch ?? 4000);
    if (this.queue.length) {
      const batch = this.queue.length <= max ? this.queue : this.queue.slice(0, max);
      this.queue = this.queue.length <= max ? [] : this.queue.slice(max);
      this.sink(batch);
    }
    if (this.queue.length && !this.stopped) {
      // More than one batch waiting: the next one after the event loop had a turn.
      this.flushTimer = setTimeout(() => this.flush(false), 0);
    } else if (this.paused) {
      this.paused = false;
      for (const f of this.followers()) f.resume();
    }
  }
}

/** The runtime diagnosis of one pod's sandbox: its events, the nodes and RuntimeClasses (each best effort). */
export function defaultDiagnoser(client: Pick<KubeClient, "list">): SandboxDiagnoser {
  return async (pod) => {
    const ns = pod.metadata.namespace;
    const name = pod.metadata.name;
    const quiet = async (p: Promise<{ items: KObject[] }>): Promise<KObject[]> => (await p.catch(() => ({ items: [] as KObject[] }))).items;
    const [events, nodes, runtimeClasses] = await Promise.all([
      quiet(client.list(Resources.events, ns, { fieldSelector: `involvedObject.name=${name},involvedObject.kind=Pod` })),
      quiet(client.list(Resources.nodes)),
      quiet(client.list(Resources.runtimeClasses)),
    ]);
    if (!events.some((e) => e.reason === "FailedCreatePodSandBox")) return undefined;
    return explainFailures({ pods: [pod], events, nodes, runtimeClasses }).find((d) => d.code === "no-runtime" || d.code === "handler-not-supported") ?? explainFailures({ pods: [pod], events, nodes, runtimeClasses })[0];
  };
}
