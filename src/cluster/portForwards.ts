/**
 * Port-forward sessions: a SpinApp's Service forwarded to a local port. The Service is read once
 * (its first port, its targetPort and its selector); each new local connection then goes to a
 * Running and Ready pod the Service selects, taken from a pod watch held for the session — so when
 * the pod is replaced (rollout, crash, delete) the next connection reaches the new one. Sessions
 * are listed and stopped by id. vscode-free (explorer.ts shows them as a view).
 */
import type { KObject, PortForwardHandle, ResourceType } from "./kubeApi";
import { KubeError, Resources } from "./kubeApi";
import type { ExplorerModel } from "./model";
import { conditionsOf } from "./nodes";
import type { WatchSpec } from "./spinAppWatcher";

/** One port-forward session. */
export interface PortForwardSession {
  id: string;
  context: string;
  namespace: string;
  service: string;
  /** The Service port forwarded. */
  servicePort: number;
  localPort: number;
  /** http://127.0.0.1:<localPort>/ */
  url: string;
  /** The pod the latest connection reached. */
  pod?: string;
  connections: number;
  startedAt: number;
}

interface Live {
  session: PortForwardSession;
  handle: PortForwardHandle;
  spec: WatchSpec;
}

/** Starts, lists and stops port-forwards. */
export class PortForwardManager {
  private readonly live = new Map<string, Live>();
  private readonly listeners = new Set<() => void>();
  private seq = 0;

  constructor(private readonly model: ExplorerModel) {}

  /** Fires when a session starts, stops or reaches another pod. */
  onDidChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  /** The running sessions. */
  list(): PortForwardSession[] {
    return [...this.live.values()].map((l) => ({ ...l.session, pod: l.handle.lastPod, connections: l.handle.connections }));
  }

  /** Forwards 127.0.0.1:localPort (0 = any free port) to the Service's first port. */
  async start(context: string, namespace: string, service: string, localPort = 0): Promise<PortForwardSession> {
    const client = await this.model.client(context);
    const svc = await client.get(Resources.services, namespace, service);
    const spec = (svc.spec ?? {}) as { ports?: { port?: number; targetPort?: number | string }[]; selector?: Record<string, string> };
    const port = spec.ports?.[0];
    if (!port || typeof port.port !== "number") throw new KubeError(`Service ${namespace}/${service} has no port to forward.`, "invalid");
    const selector = spec.selector ?? {};
    if (Object.keys(selector).length === 0) throw new KubeError(`Service ${namespace}/${service} has no selector: there is no pod to forward to.`, "invalid");
    const labelSelector = Object.entries(selector)
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
    const targetPort = port.targetPort ?? port.port;
    const id = `pf-${++this.seq}`;
    const watch: WatchSpec = { resource: Resources.pods as ResourceType, namespace, labelSelector };
    const session = this.model.session(context);
    session?.acquire(`portforward:${id}`, watch);
    let current: string | undefined;
    const resolve = async (): Promise<{ pod: string; port: number }> => {
      // The session's watch when it is live; a list when it is not (still starting, reconnecting).
      let pods = session && session.status(watch) === "synced" ? session.objects(watch) : (await client.list(Resources.pods, namespace, { labelSelector })).items;
      pods = pods.filter(podServes);
      const pick = pods.find((p) => p.metadata.name === current) ?? pods.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))[0];
      if (!pick) throw new KubeError(`No running, ready pod backs Service ${namespace}/${service}.`, "notFound");
      if (pick.metadata.name !== current) {
        current = pick.metadata.name;
        setImmediate(() => this.changed());
      }
      return { pod: pick.metadata.name, port: containerPort(pick, targetPort) };
    };
    let handle: PortForwardHandle;
    try {
      handle = await client.portForward(namespace, resolve, localPort);
    } catch (err) {
      session?.release(`portforward:${id}`);
      throw err;
    }
    const s: PortForwardSession = { id, context, namespace, service, servicePort: port.port, localPort: handle.localPort, url: `http://127.0.0.1:${handle.localPort}/`, connections: 0, startedAt: Date.now() };
    this.live.set(id, { session: s, handle, spec: watch });
    this.changed();
    return s;
  }

  /** Stops a session. */
  async stop(id: string): Promise<void> {
    const l = this.live.get(id);
    if (!l) return;
    this.live.delete(id);
    this.model.session(l.session.context)?.release(`portforward:${id}`);
    await l.handle.close();
    this.changed();
  }

  /** Stops every session. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.live.keys()].map((id) => this.stop(id)));
  }

  dispose(): void {
    void this.stopAll();
    this.listeners.clear();
  }
}

/** True for a pod that can take connections: Running, Ready, not terminating. */
function podServes(p: KObject): boolean {
  const phase = (p.status as { phase?: string } | undefined)?.phase;
  if (phase !== "Running" || p.metadata.deletionTimestamp) return false;
  const ready = conditionsOf(p).find((c) => c.type === "Ready");
  return !ready || ready.status === "True";
}

/** The container port a Service targetPort (number or port name) means in this pod. */
export function containerPort(pod: KObject, targetPort: number | string): number {
  if (typeof targetPort === "number") return targetPort;
  if (/^\d+$/.test(targetPort)) return Number(targetPort);
  const containers = ((pod.spec as { containers?: { ports?: { name?: string; containerPort?: number }[] }[] } | undefined)?.containers ?? []);
  for (const c of containers) for (const p of c.ports ?? []) if (p.name === targetPort && typeof p.containerPort === "number") return p.containerPort;
  throw new KubeError(`Pod ${pod.metadata.name} has no container port named "${targetPort}".`, "invalid");
}
