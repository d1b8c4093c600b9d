// Wasm runtime setups of the simulated nodes, for the runtime diagnosis scenarios (issue 6):
// which container runtime a node runs (containerd, or the Docker runtime whose kubelet answers
// every RuntimeClass handler with `RuntimeHandler "<h>" not supported`, deislabs/containerd-wasm-shims
// #190), whether it reports `status.runtimeHandlers` (containerd 1.7 does not), the exact sandbox
// failure the kubelet records, and builders for runtime-class-manager (the real Shim CRD from
// ../shared/spinkube/runtime-class-manager/, a Shim with status, the RuntimeClass RCM creates with a
// controller reference and the `<runtimeclass>: "true"` label, node labels `<shim>: provisioned`)
// and stand-in cert-manager CRDs (group cert-manager.io; schema-less, only discovery matters).

import { readFileSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import type { NodeSpec } from "./kubelet";
import { repoRoot } from "./resources";
import type { KObject } from "./types";

/** How a simulated node runs containers. */
export interface NodeRuntimeSpec {
  /** containerd (default) or the Docker runtime (dockershim / cri-dockerd). */
  containerRuntime?: "containerd" | "docker";
  /** Report `status.runtimeHandlers` (default true for containerd; never for Docker). */
  reportRuntimeHandlers?: boolean;
}

/** `status.nodeInfo.containerRuntimeVersion` of a node. */
export function containerRuntimeVersion(n: NodeSpec): string {
  return n.containerRuntime === "docker" ? "docker://24.0.7" : "containerd://1.7.24";
}

/** Whether the node's status lists its runtime handlers. */
export function reportsRuntimeHandlers(n: NodeSpec): boolean {
  return n.containerRuntime !== "docker" && n.reportRuntimeHandlers !== false;
}

/**
 * The FailedCreatePodSandBox message the kubelet of node `n` records for a pod whose RuntimeClass
 * has `handler`, or undefined when the node can run it.
 */
export function sandboxFailure(n: NodeSpec, handler: string): string | undefined {
  if (n.containerRuntime === "docker") {
    return handler === "" || handler === "docker" ? undefined : `Failed to create pod sandbox: rpc error: code = Unknown desc = RuntimeHandler "${handler}" not supported`;
  }
  const handlers = ["", "runc", ...(n.runtimeHandlers ?? [])];
  return handlers.includes(handler) ? undefined : `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox runtime: no runtime for "${handler}" is configured`;
}

/** runtime-class-manager's Shim CRD, verbatim from the shared folder. */
export function shimCrd(): KObject {
  const file = path.join(repoRoot(), "..", "shared", "spinkube", "runtime-class-manager", "crd", "runtime.spinkube.dev_shims.yaml");
  const doc = parseAllDocuments(readFileSync(file, "utf8"))
    .map((d) => d.toJS() as KObject | null)
    .find((o) => o?.kind === "CustomResourceDefinition");
  if (!doc) throw new Error(`no CRD in ${file}`);
  return doc;
}

/** Options of {@link rcmShim}. */
export interface ShimOptions {
  name?: string;
  runtimeClass?: string;
  handler?: string;
  nodeSelector?: Record<string, string>;
  /** status.nodes / status.nodesReady (RCM counts nodes matching the selector, and those labelled provisioned). */
  nodes?: number;
  nodesReady?: number;
}

/** A Shim like RCM's `config/samples/sample_shim_spin.yaml`, with a status. */
export function rcmShim(o: ShimOptions = {}): KObject {
  const name = o.name ?? "spin-v2";
  return {
    apiVersion: "runtime.spinkube.dev/v1alpha1",
    kind: "Shim",
    metadata: { name },
    spec: {
      nodeSelector: o.nodeSelector ?? { spin: "true" },
      fetchStrategy: {
        platforms: [{ os: "linux", arch: "x86_64", location: "https://github.com/spinframework/containerd-shim-spin/releases/download/v0.23.0/containerd-shim-spin-v2-linux-x86_64.tar.gz" }],
      },
      containerdRuntimeOptions: { SystemdCgroup: "true" },
      runtimeClass: { name: o.runtimeClass ?? "wasmtime-spin-v2", handler: o.handler ?? "spin-v2" },
      rolloutStrategy: { type: "recreate" },
    },
    status: { nodes: o.nodes ?? 0, nodesReady: o.nodesReady ?? 0 },
  };
}

/**
 * The RuntimeClass RCM creates for a Shim (`createRuntimeClassManifest`): named after
 * spec.runtimeClass.name, labelled `<name>: "true"`, handler and scheduling.nodeSelector from the
 * Shim, controlled by the Shim (pass the applied Shim so the owner reference carries its uid).
 */
export function rcmRuntimeClass(shim: KObject): KObject {
  const spec = shim.spec as { runtimeClass: { name: string; handler: string }; nodeSelector?: Record<string, string> };
  const name = spec.runtimeClass.name;
  return {
    apiVersion: "node.k8s.io/v1",
    kind: "RuntimeClass",
    metadata: {
      name,
      labels: { [name]: "true" },
      ownerReferences: [{ apiVersion: "runtime.spinkube.dev/v1alpha1", kind: "Shim", name: shim.metadata.name ?? "", uid: shim.metadata.uid ?? "", controller: true, blockOwnerDeletion: true }],
    },
    handler: spec.runtimeClass.handler,
    scheduling: { nodeSelector: spec.nodeSelector ?? {} },
  };
}

/** A node set up by RCM: the Shim's selector label `spin: "true"` and `<shim>: <state>`; when provisioned its containerd has the Shim's runtime. */
export function rcmNode(name: string, opts: { shim?: string; handler?: string; state?: string; labels?: Record<string, string>; reportRuntimeHandlers?: boolean } = {}): NodeSpec {
  const shim = opts.shim ?? "spin-v2";
  const state = opts.state ?? "provisioned";
  return {
    name,
    labels: { spin: "true", [shim]: state, ...opts.labels },
    runtimeHandlers: state === "provisioned" ? [opts.handler ?? "spin-v2"] : [],
    ...(opts.reportRuntimeHandlers !== undefined ? { reportRuntimeHandlers: opts.reportRuntimeHandlers } : {}),
  };
}

function stubCrd(plural: string, kind: string, scope: "Namespaced" | "Cluster"): KObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.cert-manager.io` },
    spec: {
      group: "cert-manager.io",
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      scope,
      versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
    },
  };
}

/** Stand-ins for cert-manager's CRDs (Certificate, Issuer, ClusterIssuer in cert-manager.io/v1) and its namespace. */
export function certManagerObjects(): KObject[] {
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "cert-manager" } },
    stubCrd("certificates", "Certificate", "Namespaced"),
    stubCrd("issuers", "Issuer", "Namespaced"),
    stubCrd("clusterissuers", "ClusterIssuer", "Cluster"),
  ];
}
