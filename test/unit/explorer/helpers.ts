// Helpers of the explorer tests: a test API server with a kubeconfig file, an ExplorerModel on
// it, and event-driven waits on the model (re-checked on every coalesced change, bounded).

import type { KObject, TestCluster, TestClusterOptions } from "../../cluster";
import { startTestCluster } from "../../cluster";
import { ExplorerModel, MemoryExplorerMemory } from "../../../src/cluster/model";
import type { ExplorerModelOptions } from "../../../src/cluster/model";
import type { TreeNode } from "../../../src/cluster/nodes";

/** A cluster and a model reading its kubeconfig. */
export interface Fixture {
  cluster: TestCluster;
  model: ExplorerModel;
  memory: MemoryExplorerMemory;
  stop(): Promise<void>;
}

/** Starts a test cluster (fast pods) and a model on its kubeconfig. */
export async function fixture(opts: TestClusterOptions = {}, modelOpts: Partial<ExplorerModelOptions> = {}): Promise<Fixture> {
  const cluster = await startTestCluster({ seed: "empty", podStartDelayMs: 20, podReadyDelayMs: 10, podStopDelayMs: 10, logLinesPerSecond: 0, ...opts });
  const memory = new MemoryExplorerMemory();
  const model = new ExplorerModel({
    kubeconfig: () => ({ setting: cluster.kubeconfigPath }),
    memory,
    backoff: { initialMs: 50, maxMs: 400 },
    ...modelOpts,
  });
  return {
    cluster,
    model,
    memory,
    stop: async () => {
      model.dispose();
      await cluster.stop();
    },
  };
}

/** Resolves with the first truthy value of `check`, evaluated now and after every model change and flush; rejects after timeoutMs. */
export function until<T>(model: ExplorerModel, check: () => T | undefined | null | false, what: string, timeoutMs = 10_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let off: () => void = () => undefined;
    const timer = setTimeout(() => {
      off();
      let last = "";
      try {
        last = JSON.stringify(check());
      } catch (e) {
        last = String(e);
      }
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last})`));
    }, timeoutMs);
    const attempt = (): boolean => {
      let v: T | undefined | null | false;
      try {
        v = check();
      } catch (e) {
        clearTimeout(timer);
        off();
        reject(e as Error);
        return true;
      }
      if (v) {
        clearTimeout(timer);
        off();
        resolve(v);
        return true;
      }
      return false;
    };
    if (attempt()) return;
    // Re-checked on every repaint and every flush (a watch's status changes without a repaint).
    const offChange = model.onDidChange(() => void attempt());
    const offFlush = model.onDidFlush(() => void attempt());
    off = () => {
      offChange();
      offFlush();
    };
  });
}

/** Labels of a node's children (expanding it). */
export function labels(model: ExplorerModel, node?: TreeNode): string[] {
  return model.children(node).map((n) => model.view(n).label);
}

/** The child of `node` whose label is `label`. */
export function child(model: ExplorerModel, node: TreeNode | undefined, label: string): TreeNode {
  const c = model.children(node).find((n) => model.view(n).label === label);
  if (!c) throw new Error(`no child "${label}" under ${node ? model.view(node).label : "the root"}: ${labels(model, node).join(", ")}`);
  return c;
}

/** Waits for a child labelled `label` under `node`. */
export function waitChild(model: ExplorerModel, node: TreeNode | undefined, label: string, timeoutMs = 10_000): Promise<TreeNode> {
  return until(model, () => model.children(node).find((n) => model.view(n).label === label), `child "${label}"`, timeoutMs);
}

/** A SpinApp object. */
export function spinApp(namespace: string, name: string, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: "core.spinkube.dev/v1alpha1", kind: "SpinApp", metadata: { name, namespace }, spec: { image: `ghcr.io/example/${name}:v1`, executor: "containerd-shim-spin", replicas: 1, ...spec } };
}

/** A shim executor. */
export function executor(namespace: string, name = "containerd-shim-spin", runtimeClassName = "wasmtime-spin-v2"): Record<string, unknown> {
  return { apiVersion: "core.spinkube.dev/v1alpha1", kind: "SpinAppExecutor", metadata: { name, namespace }, spec: { createDeployment: true, deploymentConfig: { runtimeClassName } } };
}

/** A namespace. */
export function namespace(name: string): Record<string, unknown> {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name } };
}

/** A RuntimeClass (the default test node runs handler "spin"). */
export function runtimeClass(name = "wasmtime-spin-v2", handler = "spin"): Record<string, unknown> {
  return { apiVersion: "node.k8s.io/v1", kind: "RuntimeClass", metadata: { name }, handler };
}

/** Objects as the cluster's apply helper takes them. */
export function objs(...xs: Record<string, unknown>[]): KObject[] {
  return xs as unknown as KObject[];
}
