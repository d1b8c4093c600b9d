// The test API server as the spin tests use it: the upstream shim RuntimeClass (handler `spin`) and
// SpinAppExecutor `containerd-shim-spin` in `default`, optionally real Spin workloads, and a
// connection through the extension's own kubeconfig reader and kubeApi client.

import type { KubeClient } from "../../src/cluster/kubeApi";
import { connect } from "../../src/cluster/kubeApi";
import { loadKubeconfig } from "../../src/cluster/kubeconfig";
import type { TestCluster, TestClusterOptions } from "../cluster";
import { startTestCluster } from "../cluster";

/** The shim RuntimeClass and executor (OP config/samples, namespaced in `default`). */
export const SHIM_SETUP = "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: wasmtime-spin-v2\nhandler: spin\n---\napiVersion: core.spinkube.dev/v1alpha1\nkind: SpinAppExecutor\nmetadata:\n  name: containerd-shim-spin\n  namespace: default\nspec:\n  createDeployment: true\n  deploymentConfig:\n    runtimeClassName: wasmtime-spin-v2\n";

/** Connects the extension's client to a kubeconfig file's current context. */
export async function clientFor(kubeconfigPath: string): Promise<KubeClient> {
  const st = loadKubeconfig({ setting: kubeconfigPath });
  if (st.kind !== "loaded" || !st.currentContext) throw new Error(`no usable kubeconfig at ${kubeconfigPath}`);
  return connect(st.merged, st.currentContext);
}

/** A fast test cluster with the shim executor, and a client connected to it. */
export async function spinTestCluster(o: TestClusterOptions = {}): Promise<{ cluster: TestCluster; client: KubeClient }> {
  const cluster = await startTestCluster({ seed: "empty", podStartDelayMs: 50, podReadyDelayMs: 50, podStopDelayMs: 50, logLinesPerSecond: 0, ...o });
  cluster.apply(SHIM_SETUP);
  return { cluster, client: await clientFor(cluster.kubeconfigPath) };
}
