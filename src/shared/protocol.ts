/**
 * Custom LSP messages between the extension host and the language server, defined once: method
 * names and parameter types. Plain constants, so the extension bundle that sends them does not
 * load the LSP libraries at activation. vscode-free.
 */

/** A named object the cluster has, for completion and existence checks. */
export interface ClusterObjectRef {
  namespace: string;
  name: string;
}

export interface ClusterFacts {
  /** The kube context these facts came from, or undefined when no cluster is connected. */
  context?: string;
  executors: (ClusterObjectRef & { createDeployment?: boolean; runtimeClassName?: string; spinImage?: string })[];
  runtimeClasses: { name: string; handler?: string }[];
  secrets: ClusterObjectRef[];
  configMaps: ClusterObjectRef[];
  /** Images the cluster's SpinApps run (so raw workloads using them are known to be Wasm). */
  spinAppImages?: string[];
}

/**
 * Client → server: images the extension pushed from the workspace's spin.toml apps (`spin registry
 * push`), so a raw Deployment using one is recognised as a Spin app.
 */
export const PushedImagesMethod = "spinkube/pushedImages";
export interface PushedImages {
  images: string[];
}

/**
 * Client → server: what the connected cluster has (executors, RuntimeClasses, Secrets, ConfigMaps).
 * Sent by the explorer whenever its informers learn something new, so completion and the
 * "executor does not exist" check use the cluster too, not only the workspace.
 */
export const ClusterFactsMethod = "spinkube/clusterFacts";
