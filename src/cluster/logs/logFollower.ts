/**
 * Follows the log of one container of one pod, for as long as the pod lives, through every kind
 * of interruption, delivering each line exactly once.
 *
 * - Waits while the container is not started (ContainerCreating, image pulls, crash-loop back-off)
 *   and joins when the pod's status (from the session's watch) says it runs; a log request that
 *   still answers "waiting to start" is retried with back-off.
 * - A dropped connection (the API server restarting, a proxy's idle timeout, the network) is
 *   retried with exponential back-off and resumed with `sinceTime` + timestamps; the repeated
 *   overlap is skipped exactly (overlap.ts). When it comes back, a notice says when it dropped
 *   and for how long; one also comes while it stays down.
 * - A clean end while following means the container stopped (or the server ended the stream):
 *   the follower waits briefly for the pod's status; a restarted container (restartCount grew) is
 *   read whole from its start; with no news it resumes (an idle timeout) with back-off on repeats.
 * - When the connection dropped and the container restarted meanwhile, the old instance's
 *   unread tail is fetched with `previous=true` + `sinceTime` before the new instance is read.
 * - 403 (RBAC) ends this follower with the API server's message; others are unaffected.
 *
 * Lines are split and decoded per line (invalid UTF-8 → U+FFFD), cut at a byte limit, escaped,
 * recognised as Spin lines, and handed to the session as they arrive. `pause()` stops reading
 * the response (TCP back-pressure) while the session's queue is full. vscode-free.
 */
import type { Readable } from "node:stream";
import type { KObject } from "../kubeApi";
import type { ContainerState, LogLine, LogNotice, LogSource } from "./logModel";
import { containerState, podFinished } from "./logModel";
import { LineSplitter, TimestampParser, clockTime, formatDuration, hashText, rfc3339Seconds, sanitizeLine } from "./logText";
import { DeliveredWindow, OverlapSkipper } from "./overlap";
import { SpinLineRecognizer } from "./spinLines";
import type { LogRequest, LogResponse, LogTransport } from "./transport";

/** Options of one {@link ContainerFollower}. */
export interface FollowerOptions {
  transport: LogTransport;
  source: LogSource;
  /** Keep following (false: read once and finish). */
  follow: boolean;
  /** Read the previous (terminated) instance once. */
  previous: boolean;
  /** The cut of the first request (the user's since/tail); a later container instance is read whole. */
  first: { sinceSeconds?: number; sinceTime?: string; tailLines?: number };
  maxLineBytes: number;
  /** Reconnect back-off (default 100 ms doubling to 5 s). */
  backoff?: { initialMs: number; maxMs: number };
  /** How long a clean end waits for the pod's status before resuming (default 500 ms, doubling on repeats). */
  settleMs?: number;
  /** After how long down a "disconnected" notice is shown (default 2 s). */
  downNoticeMs?: number;
  /**
   * Reads the pod now (a GET). Used before resuming after a drop: the pod watch may have dropped
   * too, and whether the container restarted meanwhile decides how to resume.
   */
  getPod?: () => Promise<KObject | undefined>;
  now?: () => number;
}

/** What a follower reports to its session. */
export interface FollowerEvents {
  line(l: LogLine): void;
  notice(n: Omit<LogNotice, "kind" | "source">): void;
  /** The container waits to start for this reason (the session may diagnose ContainerCreating). */
  waiting(reason: string, state: ContainerState): void;
  /** The follower finished (container gone, forbidden, one-shot read done). */
  done(): void;
}

/** Counters for tests, the benchmark and the view's status. */
export interface FollowerStats {
  /** Successful (200) requests. */
  connects: number;
  /** Connections that dropped (not a clean end). */
  drops: number;
  /** Lines delivered. */
  lines: number;
  /** Repeated lines skipped after reconnects. */
  repeats: number;
  /** Lines before the first delivered one that a resume included and were skipped. */
  before: number;
  /** Resumes whose replay did not match what was delivered. */
  diverged: number;
  /** Total time spent disconnected (ms). */
  downMs: number;
}

type State = "idle" | "waiting" | "connecting" | "streaming" | "settling" | "retrying" | "done";
type Mode = "first" | "resume" | "fresh" | "previousTail";

const WAITING_LOG = /is waiting to start|ContainerCreating|PodInitializing|trying and failing to pull image|is not available/;
const NO_PREVIOUS = /previous terminated container .* not found/;

/** One container's log, followed across reconnects and restarts. */
export class ContainerFollower {
  readonly stats: FollowerStats = { connects: 0, drops: 0, lines: 0, repeats: 0, before: 0, diverged: 0, downMs: 0 };
  private state: State = "idle";
  private pod: KObject | undefined;
  private readonly window = new DeliveredWindow();
  private readonly splitter: LineSplitter;
  private readonly ts = new TimestampParser();
  private readonly spin = new SpinLineRecognizer();
  private abort: AbortController | undefined;
  private body: Readable | undefined;
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private cleanStreak = 0;
  private linesAtConnect = 0;
  /** restartCount when the current/last stream was opened (-1 before the first). */
  private restartsAtConnect = -1;
  private lastRestarts = -1;
  private connectedOnce = false;
  private firstConnectedAt = 0;
  private lastEndClean = false;
  private downSince: number | undefined;
  private downNoticed = false;
  private lastWaiting: string | undefined;
  private gone = false;
  private paused = false;
  private skipper: OverlapSkipper | undefined;
  private lastSec = 0;
  private lastNano = 0;
  private readonly now: () => number;
  private readonly backoff: { initialMs: number; maxMs: number };

  constructor(
    private readonly o: FollowerOptions,
    private readonly ev: FollowerEvents,
  ) {
    this.splitter = new LineSplitter(o.maxLineBytes);
    this.now = o.now ?? Date.now;
    this.backoff = o.backoff ?? { initialMs: 100, maxMs: 5000 };
  }

  /** The source this follower reads. */
  get source(): LogSource {
    return this.o.source;
  }

  /** What it is doing (tests and the view's status). */
  get status(): State {
    return this.state;
  }

  /** True once it finished for good. */
  get finished(): boolean {
    return this.state === "done";
  }

  /** Starts with the pod as the watch knows it. */
  start(pod: KObject): void {
    this.pod = pod;
    const cs = containerState(pod, this.o.source.container);
    this.lastRestarts = cs.restarts;
    this.state = "waiting";
    this.evaluate();
  }

  /** The pod changed (status, restarts). */
  podChanged(pod: KObject): void {
    if (this.state === "done") return;
    this.pod = pod;
    const cs = containerState(pod, this.o.source.container);
    if (this.lastRestarts >= 0 && cs.restarts > this.lastRestarts) {
      const last = cs.lastTerminated;
      const exit = last ? ` (the previous instance ${last.exitCode !== undefined ? `exited with code ${last.exitCode}` : "ended"}${last.reason ? `: ${last.reason}` : ""})` : "";
      this.notice("info", "restarted", `container ${this.o.source.container} restarted${exit}; restart #${cs.restarts}. Its log continues below.`);
    }
    this.lastRestarts = Math.max(this.lastRestarts, cs.restarts);
    // While streaming, the status catching up with the instance being read is not a restart to act on.
    if (this.state === "streaming" && cs.running) this.restartsAtConnect = Math.max(this.restartsAtConnect, cs.restarts);
    if (this.state === "waiting" || this.state === "settling") this.evaluate();
  }

  /** The pod was deleted: finish after the stream ends (the kubelet sends the last lines first). */
  podGone(): void {
    if (this.state === "done") return;
    this.gone = true;
    if (this.state === "streaming" || this.state === "connecting") {
      // The stream normally ends when the containers stop; don't wait forever.
      this.setTimer(30_000, () => this.finish());
      return;
    }
    this.finish();
  }

  /** Stops reading (the session's queue is full). */
  pause(): void {
    this.paused = true;
    this.body?.pause();
  }

  /** Reads again. */
  resume(): void {
    this.paused = false;
    this.body?.resume();
  }

  /** Stops for good without a "done" event (the session is closing). */
  stop(): void {
    this.state = "done";
    this.clearTimer();
    this.abort?.abort();
    this.abort = undefined;
    this.body = undefined;
  }

  // ---- decisions

  /** Decides what to do while not streaming, from the pod's status. */
  private evaluate(): void {
    const cs = containerState(this.pod, this.o.source.container);
    if (this.gone) return this.finish();
    if (this.state === "settling") {
      if (cs.running && cs.restarts > this.restartsAtConnect) return this.connect(this.lastEndClean ? "fresh" : "previousTail");
      if (cs.waiting) return this.wait(cs);
      if (cs.terminated && this.pod && podFinished(this.pod)) return this.terminated(cs);
      return; // the settle timer resumes
    }
    if (this.state !== "waiting") return;
    if (cs.running || cs.terminated || (cs.waiting === "CrashLoopBackOff" && !this.connectedOnce)) {
      // A crash-looping container's last instance is readable; a finished one too.
      return this.connect(this.modeFor(cs));
    }
    if (!cs.known && this.pod && podFinished(this.pod)) return this.finish();
    this.wait(cs);
  }

  private modeFor(cs: ContainerState): Mode {
    if (!this.connectedOnce) return "first";
    if (this.restartsAtConnect >= 0 && cs.restarts > this.restartsAtConnect && (cs.running || cs.terminated)) return this.lastEndClean ? "fresh" : "previousTail";
    return "resume";
  }

  private wait(cs: ContainerState): void {
    this.state = "waiting";
    const reason = cs.waiting ?? (cs.known ? "not running" : "Pending");
    if (reason !== this.lastWaiting) {
      this.lastWaiting = reason;
      this.notice(reason === "CrashLoopBackOff" || /BackOff|Err|Error/.test(reason) ? "warning" : "info", "waiting", waitingText(this.o.source.container, reason, cs));
    }
    this.ev.waiting(reason, cs);
  }

  private terminated(cs: ContainerState): void {
    const t = cs.terminated;
    this.notice("info", "terminated", `container ${this.o.source.container} terminated${t?.exitCode !== undefined ? ` with exit code ${t.exitCode}` : ""}${t?.reason ? ` (${t.reason})` : ""}.`);
    this.finish();
  }

  // ---- requests

  private request(mode: Mode): { req: LogRequest; skipper?: OverlapSkipper } {
    const s = this.o.source;
    const base = { namespace: s.namespace, pod: s.pod, container: s.container };
    const follow = this.o.follow && !this.o.previous;
    if (mode === "first") return { req: { ...base, follow, previous: this.o.previous, ...this.o.first } };
    if (mode === "fresh") {
      this.window.reset();
      return { req: { ...base, follow, previous: this.o.previous } };
    }
    const sec = this.window.resumeSecond();
    if (sec === undefined) {
      // Nothing delivered yet: the whole log when the first request was not cut, else from the
      // second of the first connection (a line of that second may show that a tail had cut).
      const cut = this.o.first.tailLines !== undefined || this.o.first.sinceSeconds !== undefined || this.o.first.sinceTime !== undefined;
      const sinceTime = cut ? rfc3339Seconds(Math.floor(this.firstConnectedAt / 1000)) : undefined;
      return { req: { ...base, follow: mode === "previousTail" ? false : follow, previous: mode === "previousTail" || this.o.previous, ...(sinceTime ? { sinceTime } : {}) } };
    }
    const skipper = new OverlapSkipper(this.window.overlap(sec));
    return { req: { ...base, follow: mode === "previousTail" ? false : follow, previous: mode === "previousTail" || this.o.previous, sinceTime: rfc3339Seconds(sec) }, skipper };
  }

  private connect(mode: Mode): void {
    this.clearTimer();
    this.abort?.abort();
    const ac = new AbortController();
    this.abort = ac;
    this.state = "connecting";
    const { req, skipper } = this.request(mode);
    this.o.transport.open(req, ac.signal).then(
      (res) => {
        if (ac !== this.abort || this.state === "done") {
          if (res.ok) res.body.destroy();
          return;
        }
        if (!res.ok) return this.failed(res, mode);
        this.streaming(res, mode, skipper, ac);
      },
      (err: unknown) => {
        if (ac !== this.abort || this.state === "done") return;
        this.dropped(err instanceof Error ? err.message : String(err), mode);
      },
    );
  }

  private streaming(res: Extract<LogResponse, { ok: true }>, mode: Mode, skipper: OverlapSkipper | undefined, ac: AbortController): void {
    this.state = "streaming";
    this.stats.connects++;
    this.attempt = 0;
    this.lastWaiting = undefined;
    if (!this.connectedOnce) {
      this.connectedOnce = true;
      this.firstConnectedAt = this.now();
    }
    const cs = containerState(this.pod, this.o.source.container);
    if (mode !== "previousTail") this.restartsAtConnect = Math.max(this.restartsAtConnect, cs.restarts);
    if (this.downSince !== undefined) {
      const down = this.now() - this.downSince;
      this.stats.downMs += down;
      this.notice("info", "reconnected", `log stream of ${this.o.source.label} was interrupted at ${clockTime(this.downSince)} for ${formatDuration(down)}; resumed where it stopped.`, down);
      this.downSince = undefined;
      this.downNoticed = false;
    }
    this.skipper = skipper;
    this.linesAtConnect = this.stats.lines;
    this.splitter.discard();
    const body = res.body;
    this.body = body;
    if (this.paused) body.pause();
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      if (this.body === body) this.body = undefined;
      if (ac !== this.abort || this.state === "done") return;
      this.streamEnded(res.complete(), mode);
    };
    body.on("data", (chunk: Buffer) => {
      if (ac === this.abort) this.splitter.push(chunk, this.onLine);
    });
    body.on("end", end);
    body.on("error", end);
    body.on("close", end);
  }

  private readonly onLine = (raw: string, cut: number): void => {
    const p = this.ts;
    let ts = "";
    let text = raw;
    if (p.parse(raw)) {
      ts = raw.slice(0, p.stampEnd);
      text = raw.slice(p.textStart);
      this.lastSec = p.sec;
      this.lastNano = p.nano;
    }
    const sec = this.lastSec;
    const nano = this.lastNano;
    const h = hashText(text);
    const sk = this.skipper;
    if (sk && !sk.settled) {
      const v = sk.next(sec, nano, h);
      if (v === "repeat") {
        this.stats.repeats++;
        return;
      }
      if (v === "before") {
        this.stats.before++;
        return;
      }
      if (sk.diverged) this.reportDivergence(sk);
    }
    this.window.record(sec, nano, h);
    this.stats.lines++;
    const safe = sanitizeLine(text);
    const spin = this.spin.recognize(safe);
    const line: LogLine = { kind: "line", source: this.o.source, ts, text: safe, cut };
    if (spin) line.spin = spin;
    this.ev.line(line);
  };

  private reportDivergence(sk: OverlapSkipper): void {
    this.stats.diverged++;
    if (sk.repeats > 0) {
      this.notice("warning", "diverged", `after reconnecting, the server's log of ${this.o.source.label} differed from what was shown after ${sk.repeats} repeated line(s): ${sk.missing} line(s) shown before were not in it (the log may have been rotated). Showing what the server sent.`);
    } else {
      this.notice("info", "diverged", `the log of ${this.o.source.label} started over (a new container instance); showing it from its start.`);
    }
  }

  private streamEnded(complete: boolean, mode: Mode): void {
    if (complete) this.splitter.flush(this.onLine);
    else this.splitter.discard();
    const sk = this.skipper;
    this.skipper = undefined;
    if (complete && sk?.diverged === false && !sk.settled && mode !== "previousTail") {
      // The replay ended before everything shown was repeated: the server has fewer lines now.
      this.stats.diverged++;
    }
    if (mode === "previousTail" && complete) {
      // The old instance's tail is in; read the new instance whole.
      this.lastEndClean = true;
      return this.connect("fresh");
    }
    if (!complete) return this.dropped("the connection was closed before the log ended", mode);
    this.lastEndClean = true;
    if (!this.o.follow || this.o.previous) return this.finish();
    if (this.gone) return this.finish();
    const cs = containerState(this.pod, this.o.source.container);
    if (cs.terminated && this.pod && podFinished(this.pod)) return this.terminated(cs);
    this.cleanStreak = this.stats.lines === this.linesAtConnect ? this.cleanStreak + 1 : 0;
    this.state = "settling";
    const settle = Math.min(30_000, (this.o.settleMs ?? 500) * 2 ** Math.min(this.cleanStreak, 6));
    this.setTimer(settle, () => {
      if (this.state !== "settling") return;
      // No news from the watch: ask the server whether the container restarted.
      void this.readPod().then(() => {
        if (this.state === "settling" && !this.timer) this.connect(this.modeFor(containerState(this.pod, this.o.source.container)));
      });
    });
    this.evaluate();
  }

  private dropped(reason: string, mode: Mode): void {
    this.stats.drops++;
    this.lastEndClean = false;
    if (this.gone) return this.finish();
    const now = this.now();
    this.downSince ??= now;
    if (!this.downNoticed && now - this.downSince >= (this.o.downNoticeMs ?? 2000)) {
      this.downNoticed = true;
      this.notice("warning", "disconnected", `log stream of ${this.o.source.label} disconnected at ${clockTime(this.downSince)} (${reason}); reconnecting…`, now - this.downSince);
    }
    this.retry(mode === "first" && !this.connectedOnce ? "first" : undefined);
  }

  private retry(mode?: Mode): void {
    this.state = "retrying";
    this.attempt++;
    const delay = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** Math.max(0, this.attempt - 1));
    this.setTimer(delay, () => {
      if (this.state !== "retrying") return;
      if (this.gone) return this.finish();
      void this.readPod().then(() => {
        if (this.state !== "retrying" || this.timer) return;
        if (this.gone) return this.finish();
        this.connect(mode ?? this.modeFor(containerState(this.pod, this.o.source.container)));
      });
    });
  }

  /** Refreshes the pod from the server (best effort) so a restart during the outage is known. */
  private async readPod(): Promise<void> {
    if (!this.o.getPod) return;
    try {
      const pod = await this.o.getPod();
      if (pod && this.state !== "done") this.podChanged(pod);
    } catch {
      // The server is still unreachable: the request that follows fails the same way and retries.
    }
  }

  private failed(res: Extract<LogResponse, { ok: false }>, mode: Mode): void {
    const msg = res.message;
    const c = this.o.source.container;
    if (res.status === 403) {
      this.notice("error", "forbidden", `may not read the log of ${this.o.source.pod}/${c}: ${msg}`);
      return this.finish();
    }
    if (res.status === 401) {
      this.notice("error", "unauthorized", `the cluster rejected the credentials (401 Unauthorized) reading ${this.o.source.pod}/${c}: log in again (refresh the kubeconfig) and show the logs again.`);
      return this.finish();
    }
    if (mode === "previousTail" && res.status === 400) {
      // The old instance is no longer readable: read the new one whole.
      this.lastEndClean = true;
      return this.connect("fresh");
    }
    if (res.status === 400 && NO_PREVIOUS.test(msg)) {
      this.notice("info", "noPrevious", `container ${c} has no previous (terminated) instance: ${msg}`);
      return this.finish();
    }
    if (res.status === 400 && WAITING_LOG.test(msg)) {
      const cs = containerState(this.pod, c);
      this.wait({ ...cs, waiting: cs.waiting ?? /waiting to start: (.+)$/.exec(msg)?.[1] ?? "ContainerCreating" });
      // The status may be ahead of the kubelet (or stale): look again after a back-off too.
      this.attempt++;
      this.setTimer(Math.min(10_000, 500 * 2 ** Math.min(this.attempt, 5)), () => {
        if (this.state === "waiting") this.connect(this.modeFor(containerState(this.pod, c)));
      });
      return;
    }
    if (res.status === 404) {
      if (this.gone) return this.finish();
      // The pod is going away (its deletion reaches the watch next) or the cache is behind.
      return this.retry(mode);
    }
    if (res.status === 429 || res.status >= 500) return this.dropped(`HTTP ${res.status}: ${msg}`, mode);
    this.notice("error", "error", `reading the log of ${this.o.source.pod}/${c} failed: HTTP ${res.status}: ${msg}`);
    this.finish();
  }

  private finish(): void {
    if (this.state === "done") return;
    this.state = "done";
    this.clearTimer();
    this.abort?.abort();
    this.abort = undefined;
    this.ev.done();
  }

  private notice(level: LogNotice["level"], code: LogNotice["code"], text: string, downMs?: number): void {
    this.ev.notice({ level, code, text, ...(downMs !== undefined ? { downMs } : {}) });
  }

  private setTimer(ms: number, fn: () => void): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      fn();
    }, ms);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function waitingText(container: string, reason: string, cs: ContainerState): string {
  const msg = cs.waitingMessage ? `: ${cs.waitingMessage}` : "";
  switch (reason) {
    case "ContainerCreating":
    case "PodInitializing":
    case "Pending":
      return `waiting for container ${container} to start (${reason}); its log joins here when it does.`;
    case "CrashLoopBackOff": {
      const last = cs.lastTerminated;
      return `container ${container} exited${last?.exitCode !== undefined ? ` with code ${last.exitCode}` : ""}${last?.reason ? ` (${last.reason})` : ""} and Kubernetes restarts it after a back-off (CrashLoopBackOff); its log continues here when it runs again.`;
    }
    case "ImagePullBackOff":
    case "ErrImagePull":
      return `container ${container} cannot start: its image cannot be pulled (${reason}${msg}).`;
    default:
      return `container ${container} is not running (${reason}${msg}); waiting for it to start.`;
  }
}
