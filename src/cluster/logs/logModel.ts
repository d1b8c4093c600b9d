/**
 * The shapes log streaming passes around — a source (one container of one pod), a line, a notice
 * — and the reading of a pod's container statuses the followers decide on (running, waiting and
 * why, restarts, the last exit). Plain data; vscode-free.
 */
import type { KObject } from "../kubeApi";
import type { SpinMatch } from "./spinLines";

/** One container of one pod: where lines come from. */
export interface LogSource {
  namespace: string;
  pod: string;
  uid: string;
  container: string;
  /** What the view prefixes lines with: a short pod name, plus the container when the pod has several. */
  label: string;
  /** The pod's colour slot (0-based, assigned in join order). */
  color: number;
}

/** A log line, ready for filters and the view. */
export interface LogLine {
  kind: "line";
  source: LogSource;
  /** The Kubernetes timestamp as the server sent it (RFC 3339), "" when the line had none. */
  ts: string;
  /** The text, with control characters escaped. */
  text: string;
  /** Bytes cut from the end of an over-long line (0 for most lines). */
  cut: number;
  /** Set when Spin printed it for its own reasons. */
  spin?: SpinMatch;
  /** True for the first line of its Spin kind in the session (the view explains the kind before it). */
  explain?: boolean;
  /** Set by the session when a highlight pattern matches. */
  highlight?: boolean;
}

/** Why a notice was shown (the view and tests key on it). */
export type NoticeCode =
  | "start"
  | "joined"
  | "left"
  | "waiting"
  | "sandbox"
  | "restarted"
  | "terminated"
  | "disconnected"
  | "reconnected"
  | "diverged"
  | "forbidden"
  | "unauthorized"
  | "noPrevious"
  | "noPods"
  | "error"
  | "capped"
  | "done";

/** A message from the streaming itself (not from the app), shown between lines. */
export interface LogNotice {
  kind: "notice";
  level: "info" | "warning" | "error";
  code: NoticeCode;
  text: string;
  source?: LogSource;
  /** For "sandbox": the SpinApp to run the runtime diagnosis on. */
  app?: { namespace: string; name: string };
  /** For "reconnected"/"disconnected": how long the stream was down (ms). */
  downMs?: number;
}

/** What the session emits, in order. */
export type LogEntry = LogLine | LogNotice;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === "object" && v != null && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** What a pod's status says about one container. */
export interface ContainerState {
  /** The container has a status entry. */
  known: boolean;
  running: boolean;
  /** Waiting reason (ContainerCreating, CrashLoopBackOff, ImagePullBackOff, …). */
  waiting?: string;
  waitingMessage?: string;
  /** The container ended and stays ended (state.terminated). */
  terminated?: { exitCode?: number; reason?: string };
  /** The previous instance's end (lastState.terminated). */
  lastTerminated?: { exitCode?: number; reason?: string };
  restarts: number;
  containerId?: string;
}

/** Reads one container's state from a pod (init containers included). */
export function containerState(pod: KObject | undefined, name: string): ContainerState {
  const status = obj(pod?.status);
  const all = [...(Array.isArray(status.containerStatuses) ? status.containerStatuses : []), ...(Array.isArray(status.initContainerStatuses) ? status.initContainerStatuses : [])];
  const cs = all.map(obj).find((c) => c.name === name);
  if (!cs) return { known: false, running: false, restarts: 0 };
  const state = obj(cs.state);
  const waiting = obj(state.waiting);
  const term = obj(state.terminated);
  const last = obj(obj(cs.lastState).terminated);
  const exitOf = (t: Obj): { exitCode?: number; reason?: string } | undefined =>
    Object.keys(t).length ? { exitCode: typeof t.exitCode === "number" ? t.exitCode : undefined, reason: str(t.reason) } : undefined;
  return {
    known: true,
    running: typeof state.running === "object" && state.running != null,
    waiting: str(waiting.reason),
    waitingMessage: str(waiting.message),
    terminated: exitOf(term),
    lastTerminated: exitOf(last),
    restarts: typeof cs.restartCount === "number" ? cs.restartCount : 0,
    containerId: str(cs.containerID),
  };
}

/** The containers of a pod spec, in order. */
export function containerNames(pod: KObject): string[] {
  const spec = obj(pod.spec);
  return (Array.isArray(spec.containers) ? spec.containers : []).map((c) => str(obj(c).name)).filter((n): n is string => !!n);
}

/** True when the pod is being deleted or has finished for good. */
export function podFinished(pod: KObject): boolean {
  const phase = str(obj(pod.status).phase);
  return !!pod.metadata.deletionTimestamp || phase === "Succeeded" || phase === "Failed";
}

/**
 * The short name the view prefixes a pod's lines with: a Deployment pod `<app>-<rs hash>-<id>`
 * shows as `<id>` (the five characters kubectl users recognise); any other pod keeps its name.
 */
export function shortPodName(pod: string, app?: string): string {
  const m = /^(.+)-([a-z0-9]{6,10})-([a-z0-9]{5})$/.exec(pod);
  return m && (!app || m[1] === app) ? m[3] : pod;
}
