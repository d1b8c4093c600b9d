/**
 * The adapter from the explorer's connection (`KubeClient` of `src/cluster/kubeApi.ts`) to the
 * diagnosis's {@link ClusterReader}. Typed structurally, so this module imports neither kubeApi nor
 * client-node: any client with the same `list`/`get`/`serves` shape fits.
 */
import type { KubeObject } from "./objects";
import { record } from "./objects";
import type { ClusterReader, ListOptions, ResourceRef } from "./reader";

/** The part of kubeApi's `KubeClient` the diagnosis uses. */
export interface KubeClientLike {
  readonly defaultNamespace: string;
  list(t: ResourceRef, namespace?: string, opts?: ListOptions): Promise<{ items: KubeObject[] }>;
  /** Rejects with an error whose `status` is 404 (or `kind` "notFound") when the object does not exist. */
  get(t: ResourceRef, namespace: string | undefined, name: string): Promise<KubeObject>;
  serves(t: ResourceRef): Promise<boolean>;
}

function isNotFound(e: unknown): boolean {
  const r = record(e);
  return r.status === 404 || r.statusCode === 404 || r.code === 404 || r.kind === "notFound";
}

/** A {@link ClusterReader} over the explorer's `KubeClient`. */
export function readerFromKubeClient(client: KubeClientLike): ClusterReader {
  return {
    namespace: client.defaultNamespace,
    serves: (t) => client.serves(t),
    list: async (t, namespace, opts) => (await client.list(t, namespace, opts)).items,
    get: async (t, name, namespace) => {
      try {
        return await client.get(t, namespace, name);
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
  };
}
