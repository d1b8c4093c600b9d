// API discovery as a real API server answers it: `/version`, legacy discovery (`/api`,
// `/api/v1`, `/apis`, `/apis/<group>`, `/apis/<group>/<version>`) and aggregated discovery
// (apidiscovery.k8s.io v2 and v2beta1 `APIGroupDiscoveryList`) for `/api` and `/apis` when the
// client asks for it in Accept (kubectl 1.32 does).

import { createHash } from "node:crypto";
import type { ResourceType } from "./types";
import { apiVersionOf } from "./types";

/** The Kubernetes version the server claims (kubectl's gcloud dispatcher picks its client by it). */
export const SERVER_VERSION = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.2",
  gitCommit: "67a30c0adcf52bd3f56ff0893ce19966be12991f",
  gitTreeState: "clean",
  buildDate: "2025-02-12T21:19:47Z",
  goVersion: "go1.23.6",
  compiler: "gc",
  platform: "linux/amd64",
};

function storageVersionHash(t: ResourceType): string {
  return createHash("sha256").update(`${t.group}/${t.version}/${t.kind}`).digest().subarray(0, 8).toString("base64");
}

const SUB_VERBS: Record<string, string[]> = {
  status: ["get", "patch", "update"],
  scale: ["get", "patch", "update"],
  log: ["get"],
  finalize: ["update"],
};

function subresourceKind(t: ResourceType, sub: string): { group: string; version: string; kind: string } {
  if (sub === "scale") return { group: "autoscaling", version: "v1", kind: "Scale" };
  return { group: t.group, version: t.version, kind: t.kind };
}

/** Groups and their versions, in a stable order (core first, then as registered). */
export function groupVersions(types: ResourceType[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const t of types) {
    const vs = groups.get(t.group) ?? [];
    if (!vs.includes(t.version)) vs.push(t.version);
    groups.set(t.group, vs);
  }
  return groups;
}

/** `/api`. */
export function apiVersions(): Record<string, unknown> {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "172.18.0.2:6443" }] };
}

function groupEntry(group: string, versions: string[]): Record<string, unknown> {
  const vs = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions: vs, preferredVersion: vs[0] };
}

/** `/apis` (legacy APIGroupList). */
export function apiGroupList(types: ResourceType[]): Record<string, unknown> {
  const groups = [...groupVersions(types)].filter(([g]) => g !== "");
  return { kind: "APIGroupList", apiVersion: "v1", groups: groups.map(([g, vs]) => groupEntry(g, vs)) };
}

/** `/apis/<group>` (APIGroup), or undefined when not served. */
export function apiGroup(types: ResourceType[], group: string): Record<string, unknown> | undefined {
  const vs = groupVersions(types).get(group);
  if (!vs || group === "") return undefined;
  return { kind: "APIGroup", apiVersion: "v1", ...groupEntry(group, vs) };
}

/** `/api/v1` or `/apis/<group>/<version>` (APIResourceList), or undefined when not served. */
export function apiResourceList(types: ResourceType[], group: string, version: string): Record<string, unknown> | undefined {
  const ts = types.filter((t) => t.group === group && t.version === version);
  if (!ts.length) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const t of ts) {
    resources.push({
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.verbs,
      ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
      ...(t.categories.length ? { categories: t.categories } : {}),
      storageVersionHash: storageVersionHash(t),
    });
    for (const sub of t.subresources) {
      const k = subresourceKind(t, sub);
      resources.push({
        name: `${t.plural}/${sub}`,
        singularName: "",
        namespaced: t.namespaced,
        ...(k.group !== t.group ? { group: k.group, version: k.version } : {}),
        kind: k.kind,
        verbs: SUB_VERBS[sub] ?? ["get"],
      });
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: apiVersionOf({ group, version }), resources };
}

/** Which aggregated discovery version the Accept header asks for, if any. */
export function wantsAggregated(accept: string | undefined): "v2" | "v2beta1" | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(",")) {
    const p = part.replace(/\s/g, "");
    if (!p.includes("as=APIGroupDiscoveryList") || !p.includes("g=apidiscovery.k8s.io")) continue;
    if (p.includes("v=v2beta1")) return "v2beta1";
    if (p.includes("v=v2")) return "v2";
  }
  return undefined;
}

/** Aggregated discovery for `/api` (core) or `/apis` (all other groups). */
export function aggregatedDiscovery(types: ResourceType[], core: boolean, version: "v2" | "v2beta1"): Record<string, unknown> {
  const items: Record<string, unknown>[] = [];
  for (const [group, versions] of groupVersions(types)) {
    if ((group === "") !== core) continue;
    items.push({
      metadata: group ? { name: group, creationTimestamp: null } : { creationTimestamp: null },
      versions: versions.map((v) => ({
        version: v,
        resources: types
          .filter((t) => t.group === group && t.version === v)
          .map((t) => ({
            resource: t.plural,
            responseKind: { group: t.group, version: t.version, kind: t.kind },
            scope: t.namespaced ? "Namespaced" : "Cluster",
            singularResource: t.singular,
            verbs: t.verbs,
            ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
            ...(t.categories.length ? { categories: t.categories } : {}),
            ...(t.subresources.length
              ? {
                  subresources: t.subresources.map((sub) => ({
                    subresource: sub,
                    responseKind: subresourceKind(t, sub),
                    verbs: SUB_VERBS[sub] ?? ["get"],
                  })),
                }
              : {}),
          })),
        freshness: "Current",
      })),
    });
  }
  return { kind: "APIGroupDiscoveryList", apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}
