/**
 * What the server knows beyond the document being edited: SpinAppExecutors, RuntimeClasses,
 * Secrets and ConfigMaps defined in the workspace's YAML files and, when the explorer is
 * connected, in the cluster. Completion and the cross-document checks ask this, never the files.
 */
import type { ClusterFacts, ClusterObjectRef } from "../shared/protocol";

/** Where a known object came from. */
export type Origin = "workspace" | "cluster";

export interface KnownObject extends ClusterObjectRef {
  origin: Origin;
  /** For workspace objects: the file that defines it. */
  uri?: string;
}

export interface ExecutorInfo extends KnownObject {
  createDeployment?: boolean;
  runtimeClassName?: string;
  spinImage?: string;
}

/** A namespace-less manifest is applied to the current namespace; we treat it as "default". */
export const DEFAULT_NAMESPACE = "default";

export class Knowledge {
  /** Workspace objects by file uri, replaced whenever that file is re-indexed. */
  private readonly byUri = new Map<string, { executors: ExecutorInfo[]; runtimeClasses: KnownObject[]; secrets: KnownObject[]; configMaps: KnownObject[] }>();
  private cluster: ClusterFacts | undefined;

  /** Replaces what one workspace file defines. */
  setFile(
    uri: string,
    defs: { executors: ExecutorInfo[]; runtimeClasses: KnownObject[]; secrets: KnownObject[]; configMaps: KnownObject[] },
  ): void {
    if (defs.executors.length + defs.runtimeClasses.length + defs.secrets.length + defs.configMaps.length === 0) this.byUri.delete(uri);
    else this.byUri.set(uri, defs);
  }

  deleteFile(uri: string): void {
    this.byUri.delete(uri);
  }

  setCluster(facts: ClusterFacts | undefined): void {
    this.cluster = facts;
  }

  /** The connected cluster's context name, when the explorer has sent facts. */
  get clusterContext(): string | undefined {
    return this.cluster?.context;
  }

  /** True when the cluster's executors are known (a connected explorer sent them). */
  get clusterKnowsExecutors(): boolean {
    return this.cluster?.context !== undefined;
  }

  /** All known executors (workspace first, then cluster). */
  executors(): ExecutorInfo[] {
    const out: ExecutorInfo[] = [];
    for (const d of this.byUri.values()) out.push(...d.executors);
    for (const e of this.cluster?.executors ?? []) out.push({ ...e, origin: "cluster" });
    return out;
  }

  /** Executors in one namespace. */
  executorsIn(namespace: string): ExecutorInfo[] {
    return this.executors().filter((e) => e.namespace === namespace);
  }

  /** RuntimeClass names (cluster-scoped). */
  runtimeClasses(): KnownObject[] {
    const out: KnownObject[] = [];
    for (const d of this.byUri.values()) out.push(...d.runtimeClasses);
    for (const name of this.cluster?.runtimeClasses ?? []) out.push({ name, namespace: "", origin: "cluster" });
    return out;
  }

  secretsIn(namespace: string): KnownObject[] {
    const out: KnownObject[] = [];
    for (const d of this.byUri.values()) out.push(...d.secrets.filter((s) => s.namespace === namespace));
    for (const s of this.cluster?.secrets ?? []) if (s.namespace === namespace) out.push({ ...s, origin: "cluster" });
    return out;
  }

  configMapsIn(namespace: string): KnownObject[] {
    const out: KnownObject[] = [];
    for (const d of this.byUri.values()) out.push(...d.configMaps.filter((s) => s.namespace === namespace));
    for (const s of this.cluster?.configMaps ?? []) if (s.namespace === namespace) out.push({ ...s, origin: "cluster" });
    return out;
  }
}
