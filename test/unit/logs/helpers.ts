// Helpers of the log-streaming tests: a test API server with the shim executor, the extension's
// own client on its kubeconfig (kubeApi.connect, as the explorer makes it), a SpinApp builder, a
// collecting sink with event-driven waits (re-checked on every batch, bounded), and reading the
// lines the cluster produced.

import type { KObject, TestCluster, TestClusterOptions } from "../../cluster";
import { startTestCluster } from "../../cluster";
import { connect, type KubeClient } from "../../../src/cluster/kubeApi";
import { loadKubeconfig } from "../../../src/cluster/kubeconfig";
import type { LogEntry, LogLine, LogNotice, LogSessionOptions, LogTarget } from "../../../src/cluster/logs";
import { LogSession } from "../../../src/cluster/logs";
import { shimExecutor } from "../cluster/harness";

export const SA = "core.spinkube.dev/v1alpha1";

/** A SpinApp object. */
export function spinApp(name: string, replicas = 1, spec: Record<string, unknown> = {}, namespace = "default"): KObject {
  return { apiVersion: SA, kind: "SpinApp", metadata: { name, namespace }, spec: { image: `ghcr.io/example/${name}:v1`, executor: "containerd-shim-spin", replicas, ...spec } };
}

/** A test cluster with the shim executor, and the extension's client on it. */
export interface LogFixture {
  cluster: TestCluster;
  client: KubeClient;
  /** A client of another user (by name, from `users`). */
  clientAs(user: string): Promise<KubeClient>;
  stop(): Promise<void>;
}

/** Starts a cluster (fast pods) and connects the extension's client. */
export async function logFixture(opts: TestClusterOptions = {}): Promise<LogFixture> {
  const cluster = await startTestCluster({ seed: "empty", podStartDelayMs: 30, podReadyDelayMs: 10, podStopDelayMs: 30, logLinesPerSecond: 0, ...opts });
  cluster.apply(shimExecutor());
  const kc = loadKubeconfig({ setting: cluster.kubeconfigPath });
  if (kc.kind !== "loaded") throw new Error(`kubeconfig: ${kc.kind}`);
  const clients: KubeClient[] = [];
  const client = await connect(kc.merged, kc.currentContext ?? "");
  clients.push(client);
  return {
    cluster,
    client,
    clientAs: async (user) => {
      const c = await connect(kc.merged, cluster.users[user].context);
      clients.push(c);
      return c;
    },
    stop: async () => {
      for (const c of clients) c.dispose();
      await cluster.stop();
    },
  };
}

/** The names of the running pods of an app, once there are `n`. */
export async function runningPods(cluster: TestCluster, app: string, n: number, namespace = "default"): Promise<string[]> {
  const pods = await cluster.waitFor(
    () => {
      const ps = cluster.list("v1", "Pod", namespace, { "core.spinkube.dev/app-name": app }).filter((p) => (p.status as { phase?: string } | undefined)?.phase === "Running" && !p.metadata.deletionTimestamp);
      return ps.length === n ? ps : undefined;
    },
    10_000,
    `${n} running pods of ${app}`,
  );
  return pods.map((p) => p.metadata.name ?? "").sort();
}

/** A session with a sink that collects entries, and waits on them. */
export class Collector {
  readonly entries: LogEntry[] = [];
  readonly session: LogSession;
  private readonly waiters = new Set<() => void>();
  batches = 0;

  constructor(client: KubeClient, target: LogTarget, opts: LogSessionOptions = {}, deps: ConstructorParameters<typeof LogSession>[4] = {}) {
    this.session = new LogSession(client, target, { flushMs: 5, backoff: { initialMs: 20, maxMs: 200 }, watchBackoff: { initialMs: 20, maxMs: 200 }, settleMs: 100, ...opts }, (batch) => {
      this.batches++;
      for (const e of batch) this.entries.push(e);
      for (const w of [...this.waiters]) w();
    }, deps);
    this.session.onFinish(() => {
      for (const w of [...this.waiters]) w();
    });
  }

  start(): this {
    this.session.start();
    return this;
  }

  stop(): void {
    this.session.stop();
  }

  /** Lines (optionally of one pod), in order. */
  lines(pod?: string): LogLine[] {
    return this.entries.filter((e): e is LogLine => e.kind === "line" && (!pod || e.source.pod === pod));
  }

  /** Texts of the lines of one pod (and container). */
  texts(pod?: string, container?: string): string[] {
    return this.lines(pod)
      .filter((l) => !container || l.source.container === container)
      .map((l) => l.text);
  }

  notices(code?: LogNotice["code"]): LogNotice[] {
    return this.entries.filter((e): e is LogNotice => e.kind === "notice" && (!code || e.code === code));
  }

  /** Resolves with the first truthy value of `check`, evaluated now and after every batch; rejects after timeoutMs. */
  until<T>(check: () => T | undefined | null | false, what: string, timeoutMs = 10_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const attempt = (): boolean => {
        let v: T | undefined | null | false;
        try {
          v = check();
        } catch (e) {
          done();
          reject(e as Error);
          return true;
        }
        if (v) {
          done();
          resolve(v);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        const tail = this.entries.slice(-8).map((e) => (e.kind === "line" ? `${e.source.label}: ${e.text}` : `[${e.code}] ${e.text}`));
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last entries:\n  ${tail.join("\n  ")}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(attempt);
      };
      if (attempt()) return;
      this.waiters.add(attempt);
    });
  }
}
