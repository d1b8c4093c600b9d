// The simulated nodes: the scheduler (nodeSelector, including the RuntimeClass's
// scheduling.nodeSelector merged at admission; FailedScheduling when nothing fits) and the
// kubelet (pod phases and conditions, container statuses, the RuntimeClass handler check that
// leaves pods in ContainerCreating with the real `FailedCreatePodSandBox` event when the node has
// no such runtime, image pull failures, crash loops, restarts on demand, graceful termination,
// and each container's log).

import { randomBytes } from "node:crypto";
import type { Api } from "./api";
import type { EventRecorder } from "./events";
import { ContainerLog } from "./logs";
import { RuntimeContainers } from "./containerRuntime";
import type { StoreEvent } from "./store";
import type { Timers } from "./controllers";
import { WorkQueue, splitKey, typeOf } from "./controllers";
import type { KObject, ResourceType } from "./types";
import { ApiError, clone, isObject, rfc3339 } from "./types";
import type { NodeRuntimeSpec } from "./runtimeSetups";
import { containerRuntimeVersion, reportsRuntimeHandlers, sandboxFailure } from "./runtimeSetups";

/** Pod annotation overriding the start delay of that pod (ms), e.g. to keep an app progressing. */
export const START_DELAY_ANNOTATION = "test.spinkube.dev/start-delay-ms";

/** A simulated node (its container runtime: runtimeSetups.ts). */
export interface NodeSpec extends NodeRuntimeSpec {
  name: string;
  labels?: Record<string, string>;
  /** Container runtime handlers configured in the node's containerd (besides the default runc). */
  runtimeHandlers?: string[];
}

/** Timing and behaviour of the simulated kubelet. */
export interface KubeletOptions {
  /** From scheduling to a running container (default 1000 ms). */
  podStartDelayMs: number;
  /** From a running container to Ready (default 200 ms). */
  podReadyDelayMs: number;
  /** From deletion to removal (default 200 ms). */
  podStopDelayMs: number;
  /** Synthetic log lines per second per container (default 2). */
  logLinesPerSecond: number;
  /** How often FailedCreatePodSandBox repeats (default 10,000 ms). */
  sandboxRetryMs: number;
  /** Images matching this fail to pull (default /does-not-exist|:missing$/). */
  failImagePattern: RegExp;
  /** Images matching this crash after crashAfterMs (default /crash/). */
  crashImagePattern: RegExp;
  /** How long a crashing container runs (default 1500 ms). */
  crashAfterMs: number;
  /** First crash-loop back-off (doubles each time, capped at 5 min; default 10,000 ms). */
  crashBackoffMs: number;
}

interface ContainerState {
  name: string;
  image: string;
  current?: ContainerLog;
  previous?: ContainerLog;
  restarts: number;
  startedAt?: string;
  containerId?: string;
  lastTerminated?: Record<string, unknown>;
  waiting?: { reason: string; message?: string };
  ready: boolean;
}

interface PodState {
  uid: string;
  ns: string;
  name: string;
  node: string;
  ip: string;
  containers: ContainerState[];
  stopping: boolean;
  timers: Array<NodeJS.Timeout | undefined>;
  backoff: number;
}

/** Scheduler + kubelet for all simulated nodes. */
export class Kubelet {
  private readonly pods = new Map<string, PodState>();
  private readonly nodeSpecs = new Map<string, NodeSpec>();
  private nextIp = 10;
  private readonly queue: WorkQueue;

  constructor(
    private readonly api: Api,
    private readonly events: EventRecorder,
    private readonly timers: Timers,
    readonly opts: KubeletOptions,
    /** Containers a real runtime runs (issue 8; containerRuntime.ts). */
    readonly runtimes: RuntimeContainers = new RuntimeContainers(undefined),
  ) {
    this.queue = new WorkQueue("kubelet", (k) => this.reconcile(k));
  }

  private get podType(): ResourceType {
    return typeOf(this.api, "", "v1", "pods");
  }
  private get nodeType(): ResourceType {
    return typeOf(this.api, "", "v1", "nodes");
  }

  /** Creates (or replaces) a node object. */
  addNode(n: NodeSpec): KObject {
    const handlers = ["", "runc", ...(n.runtimeHandlers ?? [])];
    this.nodeSpecs.set(n.name, n);
    const now = rfc3339();
    const cond = (type: string, status: string, reason: string, message: string): Record<string, unknown> => ({ type, status, lastHeartbeatTime: now, lastTransitionTime: now, reason, message });
    return this.api.write(
      this.nodeType,
      {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
          name: n.name,
          labels: {
            "beta.kubernetes.io/arch": "amd64",
            "beta.kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64",
            "kubernetes.io/hostname": n.name,
            "kubernetes.io/os": "linux",
            ...n.labels,
          },
          annotations: { "node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true" },
        },
        spec: { podCIDR: "10.244.0.0/24", podCIDRs: ["10.244.0.0/24"], providerID: `kind://docker/spinkube/${n.name}` },
        status: {
          addresses: [
            { type: "InternalIP", address: `172.18.0.${2 + this.api.store.count(this.nodeType)}` },
            { type: "Hostname", address: n.name },
          ],
          allocatable: { cpu: "2", "ephemeral-storage": "61202244Ki", memory: "8029364Ki", pods: "110" },
          capacity: { cpu: "2", "ephemeral-storage": "61202244Ki", memory: "8029364Ki", pods: "110" },
          conditions: [
            cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
          ],
          daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
          nodeInfo: {
            architecture: "amd64",
            bootID: randomBytes(16).toString("hex"),
            containerRuntimeVersion: containerRuntimeVersion(n),
            kernelVersion: "6.1.0-28-amd64",
            kubeProxyVersion: "v1.32.2",
            kubeletVersion: "v1.32.2",
            machineID: randomBytes(16).toString("hex"),
            operatingSystem: "linux",
            osImage: "Debian GNU/Linux 12 (bookworm)",
            systemUUID: randomBytes(16).toString("hex"),
          },
          ...(reportsRuntimeHandlers(n) ? { runtimeHandlers: handlers.map((h) => ({ name: h, features: { recursiveReadOnlyMounts: true, userNamespaces: true } })) } : {}),
        },
      },
      "kubelet",
    );
  }

  /** Feeds a store event. */
  observe(e: StoreEvent, t: ResourceType): void {
    if (t.group !== "" || t.plural !== "pods") return;
    const p = e.object;
    if (e.type === "DELETED") {
      this.forget(p.metadata.uid ?? "");
      return;
    }
    this.queue.add(`${p.metadata.namespace}/${p.metadata.name}`);
  }

  private reconcile(key: string): void {
    const [ns, name] = splitKey(key);
    const p = this.api.store.get(this.podType, ns, name);
    if (!p) return;
    const uid = p.metadata.uid ?? "";
    const spec = (p.spec ?? {}) as Record<string, unknown>;
    if (!spec.nodeName) {
      if (!p.metadata.deletionTimestamp) this.schedule(ns, name, uid);
      return;
    }
    const st = this.pods.get(uid);
    if (!st) {
      if (!p.metadata.deletionTimestamp) this.start(p);
      else this.stop(p);
      return;
    }
    if (p.metadata.deletionTimestamp && !st.stopping) this.stop(p);
  }

  private current(st: PodState): KObject | undefined {
    const p = this.api.store.get(this.podType, st.ns, st.name);
    return p && p.metadata.uid === st.uid ? p : undefined;
  }

  private schedule(ns: string, name: string, uid: string): void {
    const p = this.api.store.get(this.podType, ns, name);
    if (!p || p.metadata.uid !== uid || p.metadata.deletionTimestamp) return;
    const spec = (p.spec ?? {}) as Record<string, unknown>;
    if (spec.nodeName) return;
    const sel = (isObject(spec.nodeSelector) ? spec.nodeSelector : {}) as Record<string, string>;
    const nodes = [...this.api.store.all(this.nodeType)];
    const fits = nodes.filter((n) => Object.entries(sel).every(([k, v]) => n.metadata.labels?.[k] === v));
    const now = rfc3339();
    if (!fits.length) {
      const n = nodes.length;
      const message = `0/${n} nodes are available: ${n} node(s) didn't match Pod's node affinity/selector. preemption: 0/${n} nodes are available: ${n} Preemption is not helpful for scheduling.`;
      const status = (p.status ?? {}) as Record<string, unknown>;
      const conds = (status.conditions ?? []) as Array<Record<string, unknown>>;
      if (!conds.some((c) => c.type === "PodScheduled" && c.reason === "Unschedulable")) {
        this.api.write(this.podType, { ...p, status: { ...status, phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", lastProbeTime: null, lastTransitionTime: now, reason: "Unschedulable", message }] } }, "default-scheduler", "status");
      }
      this.events.record(p, "Warning", "FailedScheduling", message, "default-scheduler");
      this.timers.after(this.opts.sandboxRetryMs, () => this.schedule(ns, name, uid));
      return;
    }
    // Least loaded node.
    const load = (n: KObject): number => [...this.pods.values()].filter((s) => s.node === n.metadata.name).length;
    const node = fits.sort((a, b) => load(a) - load(b))[0];
    this.api.write(this.podType, { ...p, spec: { ...spec, nodeName: node.metadata.name } }, "default-scheduler");
    const bound = this.api.store.get(this.podType, ns, name);
    if (!bound) return;
    this.api.write(this.podType, { ...bound, status: { ...(bound.status as object), conditions: [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: now }] } }, "default-scheduler", "status");
    this.events.record(bound, "Normal", "Scheduled", `Successfully assigned ${ns}/${name} to ${node.metadata.name}`, "default-scheduler");
  }

  private start(p: KObject): void {
    const spec = (p.spec ?? {}) as Record<string, unknown>;
    const containers = ((spec.containers ?? []) as Array<Record<string, unknown>>).map<ContainerState>((c) => ({
      name: String(c.name),
      image: String(c.image),
      restarts: 0,
      ready: false,
      waiting: { reason: "ContainerCreating" },
    }));
    const st: PodState = {
      uid: p.metadata.uid ?? "",
      ns: p.metadata.namespace ?? "",
      name: p.metadata.name ?? "",
      node: String(spec.nodeName),
      ip: `10.244.${Math.floor(this.nextIp / 250)}.${(this.nextIp % 250) + 2}`,
      containers,
      stopping: false,
      timers: [],
      backoff: this.opts.crashBackoffMs,
    };
    this.nextIp++;
    this.pods.set(st.uid, st);
    this.writeStatus(st);
    // The RuntimeClass handler must be configured on the node.
    const rcName = spec.runtimeClassName;
    if (typeof rcName === "string" && rcName) {
      const rcType = this.api.find("node.k8s.io", "v1", "runtimeclasses");
      const rc = rcType ? this.api.store.get(rcType, undefined, rcName) : undefined;
      const handler = String(rc?.handler ?? rcName);
      const node = this.api.store.get(this.nodeType, undefined, st.node);
      const reported = (((node?.status as Record<string, unknown> | undefined)?.runtimeHandlers ?? []) as Array<{ name: string }>).map((h) => h.name);
      const failure = sandboxFailure(this.nodeSpecs.get(st.node) ?? { name: st.node, runtimeHandlers: reported }, handler);
      if (failure !== undefined) {
        const fail = (): void => {
          const cur = this.current(st);
          if (!cur || st.stopping) return;
          this.events.record(cur, "Warning", "FailedCreatePodSandBox", failure, "kubelet", { host: st.node });
          st.timers.push(this.timers.after(this.opts.sandboxRetryMs, fail));
        };
        st.timers.push(this.timers.after(Math.min(200, this.opts.podStartDelayMs), fail));
        return;
      }
    }
    const custom = Number(p.metadata.annotations?.[START_DELAY_ANNOTATION]);
    st.timers.push(this.timers.after(Number.isFinite(custom) && custom >= 0 ? custom : this.opts.podStartDelayMs, () => this.runContainers(st)));
  }

  private runContainers(st: PodState): void {
    const p = this.current(st);
    if (!p || st.stopping) return;
    for (const c of st.containers) {
      const field = { host: st.node, fieldPath: `spec.containers{${c.name}}` };
      this.events.record(p, "Normal", "Pulling", `Pulling image "${c.image}"`, "kubelet", field);
      const pullFailed = (p: KObject, detail: string): void => {
        this.events.record(p, "Warning", "Failed", `Failed to pull image "${c.image}": ${detail}`, "kubelet", field);
        this.events.record(p, "Warning", "Failed", "Error: ErrImagePull", "kubelet", field);
        c.waiting = { reason: "ErrImagePull", message: detail };
        st.timers.push(
          this.timers.after(this.opts.podReadyDelayMs + 100, () => {
            const cur = this.current(st);
            if (!cur || st.stopping) return;
            c.waiting = { reason: "ImagePullBackOff", message: `Back-off pulling image "${c.image}"` };
            this.events.record(cur, "Normal", "BackOff", `Back-off pulling image "${c.image}"`, "kubelet", field);
            this.events.record(cur, "Warning", "Failed", "Error: ImagePullBackOff", "kubelet", field);
            this.writeStatus(st);
          }),
        );
      };
      if (this.opts.failImagePattern.test(c.image)) {
        const ref = c.image.includes(":") ? c.image : `docker.io/library/${c.image}:latest`;
        pullFailed(p, `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`);
        continue;
      }
      // A real runtime may run this container (containerRuntime.ts): pulled and serving first, then started.
      const spec = (p.spec ?? {}) as Record<string, unknown>;
      const spin = !!spec.runtimeClassName || JSON.stringify((spec.containers as Array<Record<string, unknown>>).find((x) => x.name === c.name)?.command) === '["/"]';
      const real = this.runtimes.start({ namespace: st.ns, pod: st.name, uid: st.uid, container: c.name, image: c.image, spin });
      if (real) {
        const t0 = Date.now();
        real.then(
          () => {
            const cur = this.current(st);
            if (!cur || st.stopping) return;
            this.events.record(cur, "Normal", "Pulled", `Successfully pulled image "${c.image}" in ${Date.now() - t0}ms (${Date.now() - t0}ms including waiting).`, "kubelet", field);
            this.launch(st, c, cur);
            this.writeStatus(st);
          },
          (e: unknown) => {
            const cur = this.current(st);
            if (!cur || st.stopping) return;
            pullFailed(cur, `rpc error: code = Unknown desc = ${e instanceof Error ? e.message : String(e)}`);
            this.writeStatus(st);
          },
        );
        continue;
      }
      this.events.record(p, "Normal", "Pulled", `Successfully pulled image "${c.image}" in 812ms (812ms including waiting). Image size: 4351232 bytes.`, "kubelet", field);
      this.launch(st, c, p);
    }
    this.writeStatus(st);
  }

  private launch(st: PodState, c: ContainerState, p: KObject): void {
    const field = { host: st.node, fieldPath: `spec.containers{${c.name}}` };
    this.events.record(p, "Normal", "Created", `Created container: ${c.name}`, "kubelet", field);
    this.events.record(p, "Normal", "Started", `Started container ${c.name}`, "kubelet", field);
    const now = Date.now();
    c.waiting = undefined;
    c.startedAt = rfc3339(now);
    c.containerId = `containerd://${randomBytes(32).toString("hex")}`;
    const pod = st.name;
    c.current = new ContainerLog(now, this.opts.logLinesPerSecond, (k) => `${pod}: handled request #${k + 1}: GET / -> 200 OK`);
    const spec = (p.spec ?? {}) as Record<string, unknown>;
    const isSpin = !!spec.runtimeClassName || JSON.stringify((spec.containers as Array<Record<string, unknown>>).find((x) => x.name === c.name)?.command) === '["/"]';
    if (isSpin) {
      c.current.append("Serving http://0.0.0.0:80", now);
      c.current.append("Available Routes:", now);
      c.current.append(`  ${c.name}: http://0.0.0.0:80 (wildcard)`, now);
    } else c.current.append(`Starting ${c.name} (${c.image})`, now);
    st.timers.push(
      this.timers.after(this.opts.podReadyDelayMs, () => {
        if (st.stopping || !this.current(st) || c.waiting) return;
        c.ready = true;
        this.writeStatus(st);
      }),
    );
    if (this.opts.crashImagePattern.test(c.image)) {
      const log = c.current;
      st.timers.push(
        this.timers.after(this.opts.crashAfterMs, () => {
          if (st.stopping || !this.current(st) || c.current !== log) return;
          log.append("Error: failed to start the application: component trapped: wasm trap: wasm `unreachable` instruction executed");
          this.terminate(c, 1, "Error");
          // The first restart is immediate; later ones back off (10s, 20s, ... up to 5 min).
          const delay = c.restarts === 0 ? 0 : st.backoff;
          if (c.restarts > 0) st.backoff = Math.min(st.backoff * 2, 300_000);
          const cur = this.current(st);
          if (delay > 0) {
            c.waiting = { reason: "CrashLoopBackOff", message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${c.name} pod=${st.name}_${st.ns}(${st.uid})` };
            if (cur) this.events.record(cur, "Warning", "BackOff", `Back-off restarting failed container ${c.name} in pod ${st.name}_${st.ns}(${st.uid})`, "kubelet", field);
            this.writeStatus(st);
          }
          st.timers.push(
            this.timers.after(delay, () => {
              const again = this.current(st);
              if (!again || st.stopping) return;
              c.restarts++;
              this.events.record(again, "Normal", "Pulled", `Container image "${c.image}" already present on machine`, "kubelet", field);
              this.launch(st, c, again);
              this.writeStatus(st);
            }),
          );
        }),
      );
    }
  }

  private terminate(c: ContainerState, exitCode: number, reason: string): void {
    const finished = Date.now();
    c.current?.end(finished);
    c.previous = c.current;
    c.lastTerminated = { terminated: { exitCode, reason, startedAt: c.startedAt, finishedAt: rfc3339(finished), containerID: c.containerId } };
    c.ready = false;
  }

  /**
   * Restarts a container now (as after a crash with `exitCode`): the old instance's log becomes
   * `previous`, restartCount increments. Throws 404 when the pod or container is unknown.
   */
  restartContainer(ns: string, podName: string, container?: string, exitCode = 1): void {
    const p = this.api.store.get(this.podType, ns, podName);
    const st = p ? this.pods.get(p.metadata.uid ?? "") : undefined;
    if (!p || !st) throw new ApiError(404, "NotFound", `pods "${podName}" not found`);
    const c = container ? st.containers.find((x) => x.name === container) : st.containers[0];
    if (!c || !c.current) throw new ApiError(400, "BadRequest", `container ${container ?? ""} is not running in pod ${podName}`);
    c.current.append(exitCode === 0 ? "Shutting down" : `Error: exited with code ${exitCode}`);
    this.terminate(c, exitCode, exitCode === 0 ? "Completed" : "Error");
    c.restarts++;
    this.events.record(p, "Normal", "Pulled", `Container image "${c.image}" already present on machine`, "kubelet", { host: st.node, fieldPath: `spec.containers{${c.name}}` });
    this.launch(st, c, p);
    this.writeStatus(st);
  }

  /** Appends a line to a running container's log (tests use this for exact content). */
  appendLog(ns: string, podName: string, container: string | undefined, text: string): void {
    const { log } = this.logOf(ns, podName, container, false);
    log.append(text);
  }

  /**
   * The log a `pods/log` request reads. Errors are the kubelet's: 400 for a waiting container,
   * a missing previous instance, or an ambiguous container.
   */
  logOf(ns: string, podName: string, container: string | undefined, previous: boolean): { log: ContainerLog; container: string } {
    const p = this.api.get(this.podType, ns, podName);
    const spec = (p.spec ?? {}) as Record<string, unknown>;
    const names = ((spec.containers ?? []) as Array<{ name: string }>).map((c) => c.name);
    let name = container;
    if (!name) {
      if (names.length !== 1) throw new ApiError(400, "BadRequest", `a container name must be specified for pod ${podName}, choose one of: [${names.join(" ")}]`);
      name = names[0];
    }
    if (!names.includes(name)) throw new ApiError(400, "BadRequest", `container ${name} is not valid for pod ${podName}`);
    const st = this.pods.get(p.metadata.uid ?? "");
    const c = st?.containers.find((x) => x.name === name);
    if (previous) {
      if (!c?.previous) throw new ApiError(400, "BadRequest", `previous terminated container "${name}" in pod "${podName}" not found`);
      return { log: c.previous, container: name };
    }
    if (!c?.current) {
      const reason = c?.waiting?.reason ?? "ContainerCreating";
      const why = reason === "ErrImagePull" || reason === "ImagePullBackOff" ? "trying and failing to pull image" : reason;
      throw new ApiError(400, "BadRequest", `container "${name}" in pod "${podName}" is waiting to start: ${why}`);
    }
    return { log: c.current, container: name };
  }

  private stop(p: KObject): void {
    const uid = p.metadata.uid ?? "";
    const st = this.pods.get(uid);
    if (st) {
      st.stopping = true;
      for (const h of st.timers) this.timers.cancel(h);
      for (const c of st.containers) {
        if (c.current && c.current.endMs === undefined) this.events.record(p, "Normal", "Killing", `Stopping container ${c.name}`, "kubelet", { host: st.node, fieldPath: `spec.containers{${c.name}}` });
      }
    }
    this.timers.after(this.opts.podStopDelayMs, () => {
      if (st) for (const c of st.containers) c.current?.end();
      const cur = this.api.store.get(this.podType, p.metadata.namespace, p.metadata.name ?? "");
      if (cur && cur.metadata.uid === uid) this.api.finalizeRemoval(this.podType, cur);
    });
  }

  private forget(uid: string): void {
    void this.runtimes.stopPod(uid);
    const st = this.pods.get(uid);
    if (!st) return;
    for (const h of st.timers) this.timers.cancel(h);
    for (const c of st.containers) c.current?.end();
    this.pods.delete(uid);
  }

  private writeStatus(st: PodState): void {
    const p = this.current(st);
    if (!p || st.stopping) return;
    const old = (p.status ?? {}) as Record<string, unknown>;
    const oldConds = (old.conditions ?? []) as Array<Record<string, unknown>>;
    const now = rfc3339();
    const cond = (type: string, ok: boolean, reason?: string, message?: string): Record<string, unknown> => {
      const prev = oldConds.find((c) => c.type === type);
      const status = ok ? "True" : "False";
      return { type, status, lastProbeTime: null, lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : now, ...(reason ? { reason, message } : {}) };
    };
    const spec = (p.spec ?? {}) as Record<string, unknown>;
    const specContainers = (spec.containers ?? []) as Array<Record<string, unknown>>;
    const statuses = st.containers.map((c) => {
      const image = String(specContainers.find((x) => x.name === c.name)?.image ?? c.image);
      const running = !!c.current && c.current.endMs === undefined && !c.waiting;
      return {
        ...(c.containerId && (running || c.lastTerminated) ? { containerID: c.containerId } : {}),
        image,
        imageID: c.containerId ? `${image.includes("/") ? "" : "docker.io/library/"}${image.split(":")[0]}@sha256:${hashOf(image)}` : "",
        lastState: c.lastTerminated ?? {},
        name: c.name,
        ready: running && c.ready,
        restartCount: c.restarts,
        started: running,
        state: running ? { running: { startedAt: c.startedAt } } : { waiting: c.waiting ?? { reason: "ContainerCreating" } },
      };
    });
    const allReady = statuses.length > 0 && statuses.every((s) => s.ready);
    const unready = statuses.filter((s) => !s.ready).map((s) => s.name);
    const anyStarted = st.containers.some((c) => !!c.startedAt);
    const status: Record<string, unknown> = {
      conditions: [
        cond("PodReadyToStartContainers", anyStarted || st.containers.some((c) => c.waiting && c.waiting.reason !== "ContainerCreating")),
        cond("Initialized", true),
        allReady ? cond("Ready", true) : cond("Ready", false, "ContainersNotReady", `containers with unready status: [${unready.join(" ")}]`),
        allReady ? cond("ContainersReady", true) : cond("ContainersReady", false, "ContainersNotReady", `containers with unready status: [${unready.join(" ")}]`),
        cond("PodScheduled", true),
      ],
      containerStatuses: statuses,
      hostIP: this.nodeIp(st.node),
      hostIPs: [{ ip: this.nodeIp(st.node) }],
      phase: anyStarted ? "Running" : "Pending",
      ...(anyStarted ? { podIP: st.ip, podIPs: [{ ip: st.ip }] } : {}),
      qosClass: old.qosClass ?? "BestEffort",
      startTime: old.startTime ?? now,
    };
    if (JSON.stringify(clone(status)) !== JSON.stringify(old)) this.api.write(this.podType, { ...p, status }, "kubelet", "status");
  }

  private nodeIp(name: string): string {
    const n = this.api.store.get(this.nodeType, undefined, name);
    const addrs = ((n?.status as Record<string, unknown> | undefined)?.addresses ?? []) as Array<{ type: string; address: string }>;
    return addrs.find((a) => a.type === "InternalIP")?.address ?? "172.18.0.2";
  }

  /** Stops all pods' timers and ends their logs. */
  shutdown(): void {
    this.queue.stop();
    for (const uid of [...this.pods.keys()]) this.forget(uid);
  }
}

function hashOf(s: string): string {
  let h = 0;
  for (const ch of s) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return (h.toString(16).padStart(8, "0")).repeat(8);
}
