// Helpers of the diagnosis tests: a ClusterReader over the real @kubernetes/client-node
// (KubernetesObjectApi: discovery per group/version, typed lists with Date timestamps for built-in
// kinds, plain objects for CRDs) against the test cluster, and builders for the SpinKube objects
// the scenarios seed.

import type { ClusterReader, KubeObject, ReadinessReport, ResourceRef } from "../../../src/cluster/diagnosis";
import { checkAppReadiness } from "../../../src/cluster/diagnosis";
import type * as K8s from "@kubernetes/client-node" with { "resolution-mode": "import" };
import type { KObject, TestCluster, TestClusterOptions } from "../../cluster";
import { kubeConfigFor, loadClientNode } from "../cluster/harness";

const apiVersionOf = (r: ResourceRef): string => (r.group ? `${r.group}/${r.version}` : r.version);

function statusOf(e: unknown): number | undefined {
  const c = (e as { code?: unknown } | undefined)?.code;
  return typeof c === "number" ? c : undefined;
}

/** A ClusterReader for the cluster's admin (or a named user's context), over client-node. */
export async function clientNodeReader(cluster: TestCluster, context?: string): Promise<ClusterReader> {
  const k8s = await loadClientNode();
  const kc = await kubeConfigFor(cluster, context);
  // KubernetesObjectApi's discovery (`resource`) is protected; a subclass exposes it.
  class DiscoveringApi extends k8s.KubernetesObjectApi {
    discover(apiVersion: string, kind: string): ReturnType<K8s.KubernetesObjectApi["resource"]> {
      return this.resource(apiVersion, kind);
    }
  }
  const api = kc.makeApiClient(DiscoveringApi);
  return {
    namespace: kc.getContextObject(kc.getCurrentContext())?.namespace ?? "default",
    async serves(ref) {
      try {
        const r = await api.discover(apiVersionOf(ref), ref.kind);
        return r?.name === ref.plural;
      } catch (e) {
        if (statusOf(e) === 404) return false;
        throw e;
      }
    },
    async list(ref, namespace, opts) {
      const l = await api.list(apiVersionOf(ref), ref.kind, namespace, undefined, undefined, undefined, opts?.fieldSelector, opts?.labelSelector);
      return l.items as unknown as KubeObject[];
    },
    async get(ref, name, namespace) {
      try {
        return (await api.read({ apiVersion: apiVersionOf(ref), kind: ref.kind, metadata: { name, ...(namespace ? { namespace } : {}) } })) as unknown as KubeObject;
      } catch (e) {
        if (statusOf(e) === 404) return undefined;
        throw e;
      }
    },
  };
}

export const GROUP_VERSION = "core.spinkube.dev/v1alpha1";
export const LEGACY_GROUP_VERSION = "core.spinoperator.dev/v1alpha1";

export function namespace(name: string): KObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name } };
}

export function runtimeClass(name: string, handler: string, nodeSelector?: Record<string, string>): KObject {
  return { apiVersion: "node.k8s.io/v1", kind: "RuntimeClass", metadata: { name }, handler, ...(nodeSelector ? { scheduling: { nodeSelector } } : {}) };
}

export function executor(ns: string, name: string, deploymentConfig?: Record<string, unknown>, apiVersion = GROUP_VERSION): KObject {
  return { apiVersion, kind: "SpinAppExecutor", metadata: { name, namespace: ns }, spec: { createDeployment: true, ...(deploymentConfig ? { deploymentConfig } : {}) } };
}

export function spinApp(ns: string, name: string, executorName: string | undefined, image = `ghcr.io/example/${name}:v1`, apiVersion = GROUP_VERSION, replicas = 1): KObject {
  return { apiVersion, kind: "SpinApp", metadata: { name, namespace: ns }, spec: { image, replicas, ...(executorName ? { executor: executorName } : {}) } };
}

/** Resolves once a Warning event with `reason` exists about an object named like `prefix` in `ns`. */
export function waitForEvent(cluster: TestCluster, ns: string, reason: string, prefix: string, timeoutMs = 8000): Promise<KObject> {
  return cluster.waitFor(
    () => cluster.list("v1", "Event", ns).find((e) => e.reason === reason && String((e.involvedObject as { name?: string }).name).startsWith(prefix)),
    timeoutMs,
    `${reason} event for ${ns}/${prefix}`,
  );
}

/** Test-cluster options with fast pods and a quick sandbox retry. */
export const FAST_PODS: TestClusterOptions = { seed: "empty", podStartDelayMs: 50, podReadyDelayMs: 20, sandboxRetryMs: 400 };

/** Applies a SpinApp, waits for the Warning event `reason` about its pods or ReplicaSet, and runs the readiness check. */
export async function deployAndCheck(cluster: TestCluster, reader: ClusterReader, app: KObject, reason: string): Promise<{ event: KObject; report: ReadinessReport }> {
  cluster.apply(app);
  const event = await waitForEvent(cluster, app.metadata.namespace ?? "default", reason, `${app.metadata.name ?? ""}-`);
  return { event, report: await checkAppReadiness(reader, app) };
}

/** The link of a report by id. */
export function linkOf<T extends { id: string }>(links: T[], id: string): T {
  const l = links.find((x) => x.id === id);
  if (!l) throw new Error(`no link ${id} in ${links.map((x) => x.id).join(", ")}`);
  return l;
}
