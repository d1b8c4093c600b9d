// Shared helpers of the test-cluster tests: running the real kubectl against a test cluster
// (fresh --cache-dir per cluster, always --kubeconfig), streaming kubectl output line by line
// (get -w, logs -f), raw HTTPS requests with the cluster's CA and token, and loading the real
// ESM-only @kubernetes/client-node from compiled CommonJS.

import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import type * as K8s from "@kubernetes/client-node" with { "resolution-mode": "import" };
import type { KObject, TestCluster } from "../../cluster";
import { repoRoot } from "../../cluster/resources";

/**
 * Resolves with the first value `find` returns (checked now and whenever a waiter in `waiters`
 * is called); rejects with `fail(...)` on timeout or once `ended()` is true without a value.
 */
export function waitOn<T>(waiters: Set<() => void>, find: () => T | undefined, opts: { timeoutMs: number; ended?: () => boolean; fail: (why: "timeout" | "ended") => string }): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const hit = find();
      if (hit !== undefined) {
        finish();
        resolve(hit);
      } else if (opts.ended?.()) {
        finish();
        reject(new Error(opts.fail("ended")));
      }
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(opts.fail("timeout")));
    }, opts.timeoutMs);
    const finish = (): void => {
      clearTimeout(timer);
      waiters.delete(check);
    };
    waiters.add(check);
    check();
  });
}

/** Resolves like `p`, or rejects after `ms` naming what did not happen (a hang becomes a failure). */
export function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The real kubectl every machine of this kind has. */
export const KUBECTL = process.env.KUBECTL ?? "/usr/bin/kubectl";

/** Result of one kubectl run. */
export interface KubectlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const cacheDirs = new WeakMap<TestCluster, string>();

/** A fresh kubectl cache folder for this cluster (removed by {@link cleanupKubectl}). */
export function cacheDirFor(cluster: TestCluster): string {
  let d = cacheDirs.get(cluster);
  if (!d) {
    d = mkdtempSync(path.join(os.tmpdir(), "kubectl-cache-"));
    cacheDirs.set(cluster, d);
  }
  return d;
}

/** Removes the cluster's kubectl cache folder. */
export function cleanupKubectl(cluster: TestCluster): void {
  const d = cacheDirs.get(cluster);
  if (d) rmSync(d, { recursive: true, force: true });
  cacheDirs.delete(cluster);
}

function baseArgs(cluster: TestCluster, args: string[], context?: string): string[] {
  return ["--kubeconfig", cluster.kubeconfigPath, "--cache-dir", cacheDirFor(cluster), ...(context ? ["--context", context] : []), ...args];
}

/** Runs kubectl to completion (killed after timeoutMs). */
export function kubectl(cluster: TestCluster, args: string[], opts: { input?: string; timeoutMs?: number; context?: string; binary?: string } = {}): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(opts.binary ?? KUBECTL, baseArgs(cluster, args, opts.context), { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, KUBECONFIG: "" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 30_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? "");
  });
}

/** A long-running kubectl (get -w, logs -f) whose output lines can be awaited. */
export interface KubectlStream {
  child: ChildProcess;
  lines: string[];
  stderr(): string;
  /** Resolves with the first line (seen so far or later) matching; rejects after timeoutMs. */
  waitForLine(match: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves when the process exits. */
  exited: Promise<number | null>;
  /** Kills the process and waits for it. */
  stop(): Promise<void>;
}

/** Starts kubectl and collects its stdout lines. */
export function kubectlStream(cluster: TestCluster, args: string[], opts: { context?: string } = {}): KubectlStream {
  const child = spawn(KUBECTL, baseArgs(cluster, args, opts.context), { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, KUBECONFIG: "" } });
  const lines: string[] = [];
  let partial = "";
  let err = "";
  const waiters = new Set<() => void>();
  child.stdout?.on("data", (d: Buffer) => {
    partial += d.toString();
    const parts = partial.split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts);
    for (const w of [...waiters]) w();
  });
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => {
    if (partial) lines.push(partial);
    partial = "";
    for (const w of [...waiters]) w();
    resolve(code);
  }));
  let done = false;
  void exited.then(() => (done = true));
  return {
    child,
    lines,
    stderr: () => err,
    exited,
    waitForLine(match, timeoutMs = 10_000) {
      return waitOn(waiters, () => lines.find((l) => match.test(l)), {
        timeoutMs,
        ended: () => done,
        fail: (why) => `${why === "ended" ? `kubectl ${args.join(" ")} exited without a line matching ${match}` : `no line matching ${match} within ${timeoutMs} ms`}; stdout:\n${lines.join("\n")}\nstderr:\n${err}`,
      });
    },
    async stop() {
      if (!done) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** A raw HTTPS response. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

/** One HTTPS request to the cluster with its CA and (by default) the admin token. */
export function request(cluster: TestCluster, method: string, urlPath: string, opts: { body?: unknown; contentType?: string; accept?: string; token?: string | null } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    const token = opts.token === undefined ? cluster.token : opts.token;
    if (token) headers.Authorization = `Bearer ${token}`;
    if (opts.accept) headers.Accept = opts.accept;
    let payload: string | undefined;
    if (opts.body !== undefined) {
      payload = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
      headers["Content-Type"] = opts.contentType ?? "application/json";
    }
    const req = https.request(`${cluster.url}${urlPath}`, { method, ca: cluster.ca, headers }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          json<T>() {
            return JSON.parse(body) as T;
          },
        }),
      );
    });
    req.on("error", reject);
    req.end(payload);
  });
}

/** An open watch over raw HTTPS: events arrive as parsed JSON lines. */
export interface RawWatch {
  events: Array<{ type: string; object: Record<string, unknown> }>;
  status: number;
  waitFor(pred: (e: { type: string; object: Record<string, unknown> }) => boolean, timeoutMs?: number): Promise<{ type: string; object: Record<string, unknown> }>;
  ended: Promise<void>;
  close(): void;
}

/** Opens a watch (GET with watch=true) and parses its event stream. */
export function rawWatch(cluster: TestCluster, urlPath: string, opts: { accept?: string } = {}): Promise<RawWatch> {
  return new Promise((resolve, reject) => {
    const waiters = new Set<() => void>();
    const events: RawWatch["events"] = [];
    let endResolve: () => void = () => undefined;
    const ended = new Promise<void>((r) => (endResolve = r));
    let isEnded = false;
    const req = https.get(`${cluster.url}${urlPath}`, { ca: cluster.ca, headers: { Authorization: `Bearer ${cluster.token}`, ...(opts.accept ? { Accept: opts.accept } : {}) } }, (res) => {
      let partial = "";
      res.on("data", (d: Buffer) => {
        partial += d.toString();
        const parts = partial.split("\n");
        partial = parts.pop() ?? "";
        for (const p of parts) if (p.trim()) events.push(JSON.parse(p) as RawWatch["events"][number]);
        for (const w of [...waiters]) w();
      });
      const end = (): void => {
        isEnded = true;
        endResolve();
        for (const w of [...waiters]) w();
      };
      res.on("end", end);
      res.on("close", end);
      resolve({
        events,
        status: res.statusCode ?? 0,
        ended,
        close: () => req.destroy(),
        waitFor(pred, timeoutMs = 10_000) {
          return waitOn(waiters, () => events.find(pred), {
            timeoutMs,
            ended: () => isEnded,
            fail: (why) => `${why === "ended" ? "watch ended without a matching event" : `no matching watch event within ${timeoutMs} ms`}; got ${JSON.stringify(events.map((e) => e.type))}`,
          });
        },
      });
    });
    req.on("error", (e) => {
      if (!isEnded) reject(e);
    });
  });
}

/** Loads the real @kubernetes/client-node (ESM-only) from CommonJS. */
export async function loadClientNode(): Promise<typeof K8s> {
  const load = new Function("m", "return import(m)") as (m: string) => Promise<typeof K8s>;
  return load("@kubernetes/client-node");
}

/** A client-node KubeConfig from the cluster's generated kubeconfig (TLS + token). */
export async function kubeConfigFor(cluster: TestCluster, context?: string): Promise<K8s.KubeConfig> {
  const k8s = await loadClientNode();
  const kc = new k8s.KubeConfig();
  kc.loadFromString(cluster.kubeconfig);
  if (context) kc.setCurrentContext(context);
  return kc;
}

/** Splits kubectl table output into rows of whitespace-separated cells (header first). */
export function tableRows(text: string): string[][] {
  return text
    .trim()
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => l.trim().split(/\s{2,}|\t/));
}

/** A SpinAppExecutor and RuntimeClass pair the corpus samples expect (handler "spin"). */
export function shimExecutor(namespace = "default"): KObject[] {
  return [
    { apiVersion: "node.k8s.io/v1", kind: "RuntimeClass", metadata: { name: "wasmtime-spin-v2" }, handler: "spin" },
    {
      apiVersion: "core.spinkube.dev/v1alpha1",
      kind: "SpinAppExecutor",
      metadata: { name: "containerd-shim-spin", namespace },
      spec: { createDeployment: true, deploymentConfig: { runtimeClassName: "wasmtime-spin-v2", installDefaultCACerts: true } },
    },
  ];
}

/** The repository's shared folder (../shared from the repo root). */
export function sharedDir(): string {
  return path.join(repoRoot(), "..", "shared");
}
