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
  /** For RuntimeClasses: the handler. */
  handler?: string;
}

/** An image known to be a Spin app, and how we know. */
export interface SpinImage {
  image: string;
  /** For messages: `SpinApp "hello" in apps/hello.yaml`, `pushed from hello/spin.toml`, … */
  source: string;
}

export interface FileDefinitions {
  executors: ExecutorInfo[];
  runtimeClasses: KnownObject[];
  secrets: KnownObject[];
  configMaps: KnownObject[];
  spinImages: SpinImage[];
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
  private readonly byUri = new Map<string, FileDefinitions>();
  private cluster: ClusterFacts | undefined;
  private pushed: SpinImage[] = [];

  /** Replaces what one workspace file defines. */
  setFile(uri: string, defs: FileDefinitions): void {
    if (Object.values(defs).every((list: unknown[]) => list.length === 0)) this.byUri.delete(uri);
    else this.byUri.set(uri, defs);
  }

  /** Images pushed from the workspace's Spin apps (sent by the extension host). */
  setPushedImages(images: readonly string[]): void {
    this.pushed = images.map((image) => ({ image, source: "pushed from this workspace" }));
  }

  /** Images known to be Spin apps: workspace SpinApps, pushed images, the cluster's SpinApps. */
  spinImages(): SpinImage[] {
    const out: SpinImage[] = [];
    for (const d of this.byUri.values()) out.push(...d.spinImages);
    out.push(...this.pushed);
    for (const image of this.cluster?.spinAppImages ?? []) out.push({ image, source: `run by a SpinApp in cluster context ${this.cluster?.context}` });
    return out;
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
    for (const r of this.cluster?.runtimeClasses ?? []) out.push({ name: r.name, handler: r.handler, namespace: "", origin: "cluster" });
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
