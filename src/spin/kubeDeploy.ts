/**
 * Adapts the explorer's cluster connection (src/cluster/kubeApi.ts `KubeClient`: server-side
 * apply, informers, the loaded client-node module) to the deploy core's {@link DeployCluster}, and
 * reads a deployed SpinApp's image for the stale-deploy check. Imports only types from kubeApi, so
 * client-node is still loaded by kubeApi alone, on the first cluster call. vscode-free.
 */
import type { Informer, KObject, KubeClient, ResourceType } from "../cluster/kubeApi";
import { KubeError, Resources } from "../cluster/kubeApi";
import { PassThrough } from "node:stream";
import type { ClusterError, DeployCluster, KObj, WatchHandle, WatchKind } from "./deploy";

const KINDS: Record<WatchKind, ResourceType> = {
  SpinApp: Resources.spinApps,
  Deployment: Resources.deployments,
  ReplicaSet: Resources.replicaSets,
  Pod: Resources.pods,
  Event: Resources.events,
};

/** A {@link ClusterError} from whatever the client threw. */
export function clusterErrorOf(err: unknown): ClusterError {
  if (err instanceof KubeError) {
    const kind = err.kind === "gone" || err.kind === "tooManyRequests" || err.kind === "server" ? "other" : err.kind;
    return { kind, message: err.message, ...(err.status !== undefined ? { status: err.status } : {}) };
  }
  return { kind: "other", message: err instanceof Error ? err.message : String(err) };
}

/** The deploy core's view of a KubeClient. */
export function deployClusterOf(client: KubeClient): DeployCluster {
  return {
    context: client.context,
    defaultNamespace: client.defaultNamespace,
    server: client.server,
    async namespaceExists(namespace) {
      try {
        await client.get(Resources.namespaces, undefined, namespace);
        return true;
      } catch (err) {
        if (err instanceof KubeError && err.kind === "notFound") return false;
        throw clusterErrorOf(err);
      }
    },
    async apply(o, opts) {
      try {
        return (await client.apply(o as KObject, { dryRun: opts.dryRun })) as KObj;
      } catch (err) {
        throw clusterErrorOf(err);
      }
    },
    async watch(kind, namespace, handlers, labelSelector): Promise<WatchHandle> {
      let stopped = false;
      let started = false;
      const emit = (): void => {
        if (!stopped && started) handlers.changed(informer.list() as KObj[]);
      };
      const informer: Informer = await client.informer(
        KINDS[kind],
        namespace,
        {
          add: emit,
          update: emit,
          delete: emit,
          synced: emit,
          error: (err) => {
            if (!stopped) handlers.error(clusterErrorOf(err));
          },
        },
        labelSelector ? { labelSelector } : {},
      );
      started = true;
      try {
        await informer.start();
      } catch (err) {
        informer.dispose();
        throw clusterErrorOf(err);
      }
      emit();
      return {
        stop: () => {
          stopped = true;
          informer.dispose();
        },
      };
    },
    async podLogTail(namespace, pod, container, lines) {
      const k8s = client.module();
      const sink = new PassThrough();
      const chunks: Buffer[] = [];
      sink.on("data", (d: Buffer) => chunks.push(d));
      const ended = new Promise<void>((resolve) => sink.on("end", resolve));
      try {
        await new k8s.Log(client.kubeConfig()).log(namespace, pod, container ?? "", sink, { follow: false, tailLines: lines });
      } catch (err) {
        const e = err as { code?: unknown; body?: { message?: string } };
        throw { kind: "other", message: e.body?.message ?? `HTTP ${String(e.code)} reading the log`, ...(typeof e.code === "number" ? { status: e.code } : {}) } satisfies ClusterError;
      }
      await ended;
      return Buffer.concat(chunks).toString("utf8");
    },
  };
}

/** The `spec.image` of a deployed SpinApp, or undefined when there is no such SpinApp. */
export async function deployedImage(client: KubeClient, namespace: string, name: string): Promise<string | undefined> {
  try {
    const o = await client.get(Resources.spinApps, namespace, name);
    const image = (o.spec as { image?: unknown } | undefined)?.image;
    return typeof image === "string" ? image : undefined;
  } catch (err) {
    if (err instanceof KubeError && err.kind === "notFound") return undefined;
    throw clusterErrorOf(err);
  }
}
