// A local Kubernetes API server for tests and the demo (issue 3). It speaks HTTPS with a
// generated CA and bearer tokens, serves discovery, OpenAPI, the built-in resources the extension
// uses and the SpinKube CRDs from ../shared/spinkube/spin-operator/crd/, and runs a small
// operator, controller-manager and kubelet so SpinApps turn into Deployments, Services,
// ReplicaSets and log-producing Pods. Real kubectl and @kubernetes/client-node use it through the
// kubeconfig it writes.
//
// Usage from a test (compiled to CommonJS; the cluster is vscode-free):
//
//   import { startTestCluster } from "../../cluster";
//   const cluster = await startTestCluster({ seed: "empty", podStartDelayMs: 100 });
//   try {
//     cluster.apply(`apiVersion: core.spinkube.dev/v1alpha1\nkind: SpinApp\n...`); // YAML or objects
//     await cluster.waitFor(() => cluster.get("core.spinkube.dev/v1alpha1", "SpinApp", "default", "hello")?.status);
//     cluster.faults.failNext(429, { retryAfter: 1 });
//     // run kubectl with --kubeconfig cluster.kubeconfigPath, or client-node with cluster.kubeconfig
//     cluster.requests; // what clients sent (method, path, query, headers without secrets)
//   } finally {
//     await cluster.stop();
//   }
//
// startTestCluster options (all optional): port (0 = random loopback port), seed ("empty":
// namespaces, one node, the CRDs; "demo": plus the demo population of demo.ts), podStartDelayMs,
// podReadyDelayMs, podStopDelayMs, logLinesPerSecond, sandboxRetryMs, crashAfterMs,
// crashBackoffMs, failImagePattern, crashImagePattern, nodes, webhooks (SpinKube admission
// webhooks, default true), controllers (operator/controller-manager/kubelet, default true),
// users (RBAC-limited tokens), bookmarkIntervalMs, watchTimeoutSeconds, historyLimit,
// kubeconfigPath, crdDir, workloads (a ContainerRuntime that runs some containers for real and
// takes their port-forwards, see containerRuntime.ts).
//
// Nodes (NodeSpec): labels, runtimeHandlers, containerRuntime ("docker" answers every handler with
// `RuntimeHandler "<h>" not supported`), reportRuntimeHandlers; runtimeSetups.ts also builds
// runtime-class-manager Shims/RuntimeClasses/nodes and cert-manager stand-in CRDs.
//
// The returned TestCluster: url, port, kubeconfigPath, kubeconfig (YAML text), ca (PEM), token
// (admin), users (name → token/context), api/store (internals), apply/get/list/remove helpers,
// waitFor, restartContainer, appendLog, logLines, faults { dropConnections, refuseFor, isAccepting, failNext,
// expireResourceVersions, delay, revokeToken, reset }, requests, clearRequests, stop.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { Api } from "./api";
import { namespaceLifecycle, podAdmission, spinkubeWebhooks } from "./admission";
import type { AccessRule } from "./auth";
import { Authenticator, newToken, tlsMaterial } from "./auth";
import { GarbageCollector, Timers, WorkloadControllers } from "./controllers";
import { DEMO_NODES, seedDemo } from "./demo";
import { EventRecorder } from "./events";
import { FaultState } from "./faults";
import type { FailOptions } from "./faults";
import { kubeconfigYaml } from "./kubeconfig";
import type { KubeletOptions, NodeSpec } from "./kubelet";
import { Kubelet } from "./kubelet";
import type { ContainerRuntime } from "./containerRuntime";
import { RuntimeContainers } from "./containerRuntime";
import { SpinOperator } from "./operator";
import { builtinTypes, crdDir as defaultCrdDir, loadCrds, typesFromCrd } from "./resources";
import type { RequestRecord } from "./server";
import { ApiServer } from "./server";
import { Store } from "./store";
import type { KObject, ResourceType } from "./types";
import { ApiError, isObject, rfc3339 } from "./types";

export type { KObject, ResourceType } from "./types";
export type { RequestRecord } from "./server";
export type { AccessRule } from "./auth";
export type { NodeSpec } from "./kubelet";
export type { ContainerRuntime, ContainerStart, RunningContainer } from "./containerRuntime";
export { START_DELAY_ANNOTATION } from "./kubelet";

/** An extra (usually RBAC-limited) user of the test cluster. */
export interface TestUser {
  name: string;
  /** Fixed token; a random one by default. */
  token?: string;
  /** Allow rules; omitted = cluster-admin. */
  rules?: AccessRule[];
  /** Default namespace of the user's kubeconfig context. */
  namespace?: string;
}

/** Options of {@link startTestCluster}. */
export interface TestClusterOptions extends Partial<KubeletOptions> {
  port?: number;
  seed?: "demo" | "empty";
  nodes?: NodeSpec[];
  webhooks?: boolean;
  controllers?: boolean;
  users?: TestUser[];
  bookmarkIntervalMs?: number;
  watchTimeoutSeconds?: number;
  historyLimit?: number;
  kubeconfigPath?: string;
  crdDir?: string;
  /** Runs some containers for real, e.g. Spin apps pulled from a test registry (containerRuntime.ts); the rest stay simulated. */
  workloads?: ContainerRuntime;
}

/** Fault injection, as a real cluster (or network) would cause it. */
export interface TestClusterFaults {
  /** Closes every open watch and log stream and every keep-alive connection. */
  dropConnections(): void;
  /** Refuses TCP connections for `ms` (the port is closed), then listens again. Resolves once refusing. */
  refuseFor(ms: number): Promise<void>;
  /** False while connections are refused. */
  isAccepting(): boolean;
  /** The next matching request(s) get this HTTP status as a Status (429/503 with Retry-After if given). */
  failNext(status: number, opts?: FailOptions): void;
  /** Forgets history: open watches get ERROR 410 and end; older resourceVersions/continue tokens get 410. */
  expireResourceVersions(): void;
  /** Adds latency to every response (0 to stop). */
  delay(ms: number): void;
  /** Revokes a token: later requests with it get 401 Unauthorized. */
  revokeToken(token: string): void;
  /** Clears queued failures and delay. */
  reset(): void;
}

/** A running test cluster. */
export interface TestCluster {
  url: string;
  port: number;
  kubeconfigPath: string;
  /** The kubeconfig YAML (also written to kubeconfigPath). */
  kubeconfig: string;
  /** The CA certificate (PEM) the server certificate is signed with. */
  ca: string;
  /** The admin bearer token. */
  token: string;
  /** Extra users: name → token and kubeconfig context name. */
  users: Record<string, { token: string; context: string }>;
  api: Api;
  /** Creates or updates objects (YAML text with one or more documents, or objects) as the cluster itself would, keeping any status given. */
  apply(objs: string | KObject | KObject[]): KObject[];
  /** Gets an object or undefined. */
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KObject | undefined;
  /** Lists objects of a kind (all namespaces when namespace is undefined). */
  list(apiVersion: string, kind: string, namespace?: string, labelSelector?: Record<string, string>): KObject[];
  /** Deletes an object (as kubectl delete would, with background propagation). */
  remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): void;
  /** Resolves with the first truthy value of `check`, polled on every store change and every 50 ms; rejects after timeoutMs. */
  waitFor<T>(check: () => T | undefined | null | false, timeoutMs?: number, what?: string): Promise<T>;
  /** Restarts a container now (its old log becomes `previous`). */
  restartContainer(namespace: string, pod: string, container?: string, exitCode?: number): void;
  /** Appends one line to a running container's log. */
  appendLog(namespace: string, pod: string, container: string | undefined, text: string): void;
  /** The lines a container has logged so far (the previous instance's with previous=true). */
  logLines(namespace: string, pod: string, container?: string, previous?: boolean): string[];
  faults: TestClusterFaults;
  /** Requests seen so far (method, path, query, headers without secrets, user, status). */
  requests: RequestRecord[];
  /** Empties the request log. */
  clearRequests(): void;
  /** Stops the server, controllers and timers, and deletes the kubeconfig it wrote. */
  stop(): Promise<void>;
}

const DEFAULT_NODE: NodeSpec = { name: "spinkube-worker", runtimeHandlers: ["spin"] };

function typeFor(api: Api, apiVersion: string, kind: string): ResourceType {
  const t = api.typeFor(apiVersion, kind);
  if (!t) throw new Error(`test cluster: no resource for ${apiVersion} ${kind}`);
  return t;
}

/** Starts a test API server on 127.0.0.1. */
export async function startTestCluster(opts: TestClusterOptions = {}): Promise<TestCluster> {
  const store = new Store(opts.historyLimit ?? 200_000);
  const api = new Api(store);
  for (const t of builtinTypes()) api.register(t);
  const tls = tlsMaterial();
  const auth = new Authenticator();
  const token = newToken();
  auth.add({ token, user: "kubernetes-admin", groups: ["system:masters"] });
  const users: Record<string, { token: string; context: string }> = {};
  const timers = new Timers();
  const faults = new FaultState();
  const events = new EventRecorder(api, () => api.find("", "v1", "events"));
  const kubeletOpts: KubeletOptions = {
    podStartDelayMs: opts.podStartDelayMs ?? 1000,
    podReadyDelayMs: opts.podReadyDelayMs ?? 200,
    podStopDelayMs: opts.podStopDelayMs ?? 200,
    logLinesPerSecond: opts.logLinesPerSecond ?? 2,
    sandboxRetryMs: opts.sandboxRetryMs ?? 10_000,
    failImagePattern: opts.failImagePattern ?? /does-not-exist|:missing$/,
    crashImagePattern: opts.crashImagePattern ?? /crash/,
    crashAfterMs: opts.crashAfterMs ?? 1500,
    crashBackoffMs: opts.crashBackoffMs ?? 10_000,
  };
  const kubelet = new Kubelet(api, events, timers, kubeletOpts, new RuntimeContainers(opts.workloads));
  const controllersOn = opts.controllers !== false;
  const gc = new GarbageCollector(api, tls.caCert);
  const workloads = new WorkloadControllers(api, events, timers);
  const operator = new SpinOperator(api, events);

  api.admission.push(namespaceLifecycle(api), podAdmission(api));
  if (opts.webhooks !== false) api.admission.push(spinkubeWebhooks(api));

  // CRDs served from customresourcedefinitions objects (also ones created through the API).
  const crdType = typeFor(api, "apiextensions.k8s.io/v1", "CustomResourceDefinition");
  const served = new Map<string, ResourceType[]>();
  const syncCrd = (crd: KObject | undefined, name: string): void => {
    const next = crd && !crd.metadata.deletionTimestamp ? typesFromCrd(crd) : [];
    // Versions no longer served lose their objects (as when a CRD is deleted); others keep them.
    for (const t of served.get(name) ?? []) if (!next.some((n) => n.version === t.version && n.plural === t.plural)) api.unregister(t);
    for (const t of next) api.register(t);
    if (next.length) served.set(name, next);
    else served.delete(name);
  };
  store.subscribe((e) => {
    if (e.resource === "customresourcedefinitions.apiextensions.k8s.io") {
      syncCrd(e.type === "DELETED" ? undefined : e.object, e.object.metadata.name ?? "");
      if (e.type === "ADDED" && !isObject((e.object.status as Record<string, unknown> | undefined)?.acceptedNames)) {
        setImmediate(() => establish(e.object.metadata.name ?? ""));
      }
    }
    if (!controllersOn) return;
    const t = api.typeByKey(e.resource);
    if (!t) return;
    gc.observe(e, t);
    workloads.observe(e, t);
    kubelet.observe(e, t);
    operator.observe(e, t);
  });
  const establish = (name: string): void => {
    const crd = store.get(crdType, undefined, name);
    if (!crd) return;
    const spec = crd.spec as Record<string, unknown>;
    const now = rfc3339();
    api.write(
      crdType,
      {
        ...crd,
        status: {
          acceptedNames: spec.names,
          conditions: [
            { type: "NamesAccepted", status: "True", lastTransitionTime: now, reason: "NoConflicts", message: "no conflicts found" },
            { type: "Established", status: "True", lastTransitionTime: now, reason: "InitialNamesAccepted", message: "the initial names have been accepted" },
          ],
          storedVersions: ((spec.versions as Array<{ name: string; storage?: boolean }>) ?? []).filter((v) => v.storage).map((v) => v.name),
        },
      },
      "kube-apiserver",
      "status",
    );
  };

  const system = { manager: "kube-apiserver", warnings: [], system: true, fieldValidation: "Ignore" as const };
  const nsType = typeFor(api, "v1", "Namespace");
  for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease"]) api.create(nsType, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, system);
  for (const crd of loadCrds(opts.crdDir ?? defaultCrdDir())) {
    api.create(crdType, undefined, crd, { ...system, manager: "kubectl-client-side-apply" });
    establish(crd.metadata.name ?? "");
  }
  for (const n of opts.nodes ?? (opts.seed === "demo" ? DEMO_NODES : [DEFAULT_NODE])) kubelet.addNode(n);

  const server = new ApiServer({
    api,
    kubelet,
    auth,
    tls,
    faults,
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000,
    watchTimeoutSeconds: opts.watchTimeoutSeconds ?? 1800,
    requestLogLimit: 10_000,
  });
  const port = await server.listen(opts.port ?? 0);
  const url = `https://127.0.0.1:${port}`;
  const kuUsers = [{ name: "admin", token }];
  for (const u of opts.users ?? []) {
    const t = u.token ?? newToken();
    auth.add({ token: t, user: u.name, rules: u.rules });
    kuUsers.push({ name: u.name, token: t, ...(u.namespace ? { namespace: u.namespace } : {}) });
    users[u.name] = { token: t, context: `${u.name}@spinkube-test` };
  }
  const kubeconfig = kubeconfigYaml({ url, caPem: tls.caCert, users: kuUsers });
  let tmpDir: string | undefined;
  let kubeconfigPath = opts.kubeconfigPath;
  if (!kubeconfigPath) {
    tmpDir = mkdtempSync(path.join(os.tmpdir(), "spinkube-cluster-"));
    kubeconfigPath = path.join(tmpDir, "kubeconfig");
  }
  writeFileSync(kubeconfigPath, kubeconfig, { mode: 0o600 });

  const apply = (input: string | KObject | KObject[]): KObject[] => {
    const objs: KObject[] =
      typeof input === "string"
        ? parseAllDocuments(input)
            .map((d) => d.toJS() as KObject | null)
            .filter((o): o is KObject => !!o)
        : Array.isArray(input)
          ? input
          : [input];
    return objs.map((o) => {
      const t = typeFor(api, o.apiVersion, o.kind);
      const ns = t.namespaced ? (o.metadata.namespace ?? "default") : undefined;
      const existing = store.get(t, ns, o.metadata.name ?? "");
      const ctx = { ...system, manager: "test-seed", warnings: [] };
      if (!existing) return api.create(t, ns, { ...o, metadata: { ...o.metadata, namespace: ns } }, ctx);
      return api.write(t, { ...(o.status === undefined && existing.status !== undefined ? { status: existing.status } : {}), ...o, metadata: { ...existing.metadata, ...o.metadata, namespace: ns, resourceVersion: existing.metadata.resourceVersion } }, "test-seed");
    });
  };

  if (opts.seed === "demo") seedDemo(apply);

  let stopped = false;
  const cluster: TestCluster = {
    url,
    port,
    kubeconfigPath,
    kubeconfig,
    ca: tls.caCert,
    token,
    users,
    api,
    apply,
    get: (apiVersion, kind, ns, name) => store.get(typeFor(api, apiVersion, kind), ns, name),
    list: (apiVersion, kind, ns, labels) =>
      store.list(typeFor(api, apiVersion, kind), { namespace: ns }).items.filter((o) => Object.entries(labels ?? {}).every(([k, v]) => o.metadata.labels?.[k] === v)),
    remove: (apiVersion, kind, ns, name) => {
      api.delete(typeFor(api, apiVersion, kind), ns, name, { ...system, manager: "test-seed", warnings: [] });
    },
    waitFor<T>(check: () => T | undefined | null | false, timeoutMs = 10_000, what = "condition"): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        let done = false;
        const attempt = (): void => {
          if (done) return;
          let v: T | undefined | null | false;
          try {
            v = check();
          } catch (e) {
            if (!(e instanceof ApiError)) {
              finish();
              reject(e as Error);
              return;
            }
          }
          if (v) {
            finish();
            resolve(v);
          }
        };
        const unsubscribe = store.subscribe(() => setImmediate(attempt));
        const poll = setInterval(attempt, 50);
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`test cluster: timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs);
        const finish = (): void => {
          done = true;
          unsubscribe();
          clearInterval(poll);
          clearTimeout(timer);
        };
        attempt();
      });
    },
    restartContainer: (ns, pod, container, exitCode) => kubelet.restartContainer(ns, pod, container, exitCode),
    appendLog: (ns, pod, container, text) => kubelet.appendLog(ns, pod, container, text),
    logLines: (ns, pod, container, previous) =>
      kubelet
        .logOf(ns, pod, container, !!previous)
        .log.read(Date.now())
        .lines.map((l) => l.text),
    faults: {
      dropConnections: () => server.dropConnections(),
      refuseFor: (ms) => server.refuseFor(ms),
      isAccepting: () => server.accepting,
      failNext: (status, o) => faults.failNext(status, o),
      expireResourceVersions: () => {
        store.compact();
        server.expireWatches();
      },
      delay: (ms) => {
        faults.delayMs = ms;
      },
      revokeToken: (t) => auth.revoke(t),
      reset: () => faults.reset(),
    },
    requests: server.requests,
    clearRequests: () => {
      server.requests.length = 0;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      timers.stop();
      gc.stop();
      workloads.stop();
      operator.stop();
      kubelet.shutdown();
      await kubelet.runtimes.stopAll();
      await server.close();
      if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
    },
  };
  return cluster;
}
