// Optional real workloads behind the simulated kubelet (issue 8: "the test cluster's pods run the
// pushed component"). A ContainerRuntime, passed as `startTestCluster({ runtime })`, may take over
// a container when the kubelet starts it: it pulls the image and serves it on a loopback port (the
// spin tests' runtime pulls the Spin app from the test registry and serves it with jco; see
// test/spin-standin/clusterRuntime.ts). Returning undefined keeps the simulation for that
// container; rejecting is an image pull failure (ErrImagePull with the error's message). The
// kubelet records what runs here by pod uid and container name; port-forward connects to the
// real port instead of the simulated pod network; cluster.stop() stops everything.

/** A container the kubelet is starting. */
export interface ContainerStart {
  namespace: string;
  pod: string;
  uid: string;
  container: string;
  image: string;
  /** The pod uses a RuntimeClass or the container runs `command: ["/"]` (a Spin app). */
  spin: boolean;
}

/** A container a runtime runs for real. */
export interface RunningContainer {
  /** Loopback port where the container's (single) served port answers. */
  port: number;
  stop(): Promise<void>;
}

/** Runs some containers for real. */
export interface ContainerRuntime {
  start(c: ContainerStart): Promise<RunningContainer> | undefined;
}

/** The running real containers by pod uid and container name. */
export class RuntimeContainers {
  private readonly running = new Map<string, RunningContainer>();
  private readonly starting = new Set<Promise<unknown>>();

  constructor(private readonly runtime: ContainerRuntime | undefined) {}

  /** Starts a container through the runtime (undefined = simulate it). */
  start(c: ContainerStart): Promise<RunningContainer> | undefined {
    const p = this.runtime?.start(c);
    if (!p) return undefined;
    const tracked = p.then((r) => {
      this.running.set(`${c.uid}/${c.container}`, r);
      return r;
    });
    this.starting.add(tracked);
    void tracked.then(
      () => this.starting.delete(tracked),
      () => this.starting.delete(tracked),
    );
    return tracked;
  }

  /** The real port of a pod's container (undefined when simulated). */
  portOf(uid: string | undefined, container: string | undefined): number | undefined {
    if (!uid || !container) return undefined;
    return this.running.get(`${uid}/${container}`)?.port;
  }

  /** Stops a pod's real containers. */
  async stopPod(uid: string): Promise<void> {
    const stops: Promise<void>[] = [];
    for (const [k, r] of this.running) {
      if (k.startsWith(`${uid}/`)) {
        this.running.delete(k);
        stops.push(r.stop());
      }
    }
    await Promise.all(stops);
  }

  /** Stops everything (waits for containers still starting). */
  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.starting]);
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map((r) => r.stop()));
  }
}
