// The resource types the test API server serves: the built-in ones (core/v1, apps/v1,
// node.k8s.io/v1, apiextensions.k8s.io/v1, authorization.k8s.io/v1) with the short names,
// categories, verbs, subresources and field-selector labels a real server reports, the
// conversion of a CustomResourceDefinition into resource types, and loading the SpinKube CRDs
// from `../shared/spinkube/spin-operator/crd/` relative to the repository root.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import type { KObject, ResourceType } from "./types";
import { getPath } from "./types";

const ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

function builtin(
  group: string,
  version: string,
  kind: string,
  plural: string,
  opts: Partial<ResourceType> = {},
): ResourceType {
  return {
    group,
    version,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced: true,
    shortNames: [],
    categories: [],
    verbs: ALL_VERBS,
    subresources: [],
    hasGeneration: false,
    fieldLabels: [],
    ...opts,
  };
}

/** The built-in resource types, in discovery order. */
export function builtinTypes(): ResourceType[] {
  return [
    builtin("", "v1", "Namespace", "namespaces", {
      namespaced: false,
      shortNames: ["ns"],
      verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
      subresources: ["status", "finalize"],
      fieldLabels: ["status.phase"],
    }),
    builtin("", "v1", "Node", "nodes", { namespaced: false, shortNames: ["no"], subresources: ["status"], fieldLabels: ["spec.unschedulable"] }),
    builtin("", "v1", "Pod", "pods", {
      shortNames: ["po"],
      categories: ["all"],
      subresources: ["status", "log"],
      fieldLabels: [
        "spec.nodeName",
        "spec.restartPolicy",
        "spec.schedulerName",
        "spec.serviceAccountName",
        "spec.hostNetwork",
        "status.phase",
        "status.podIP",
        "status.podIPs",
        "status.nominatedNodeName",
      ],
    }),
    builtin("", "v1", "Service", "services", {
      shortNames: ["svc"],
      categories: ["all"],
      verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
      subresources: ["status"],
    }),
    builtin("", "v1", "Event", "events", {
      shortNames: ["ev"],
      fieldLabels: [
        "involvedObject.kind",
        "involvedObject.namespace",
        "involvedObject.name",
        "involvedObject.uid",
        "involvedObject.apiVersion",
        "involvedObject.resourceVersion",
        "involvedObject.fieldPath",
        "reason",
        "reportingComponent",
        "source",
        "type",
      ],
    }),
    builtin("", "v1", "Secret", "secrets", { fieldLabels: ["type"] }),
    builtin("", "v1", "ConfigMap", "configmaps", { shortNames: ["cm"] }),
    builtin("", "v1", "ServiceAccount", "serviceaccounts", { shortNames: ["sa"] }),
    builtin("apps", "v1", "Deployment", "deployments", {
      shortNames: ["deploy"],
      categories: ["all"],
      subresources: ["status", "scale"],
      hasGeneration: true,
    }),
    builtin("apps", "v1", "ReplicaSet", "replicasets", {
      shortNames: ["rs"],
      categories: ["all"],
      subresources: ["status", "scale"],
      hasGeneration: true,
      fieldLabels: ["status.replicas"],
    }),
    builtin("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", { namespaced: false }),
    builtin("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", {
      namespaced: false,
      shortNames: ["crd", "crds"],
      categories: ["api-extensions"],
      subresources: ["status"],
      hasGeneration: true,
    }),
    builtin("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", {
      namespaced: false,
      verbs: ["create"],
    }),
  ];
}

/** The resource types a CRD defines (one per served version). */
export function typesFromCrd(crd: KObject): ResourceType[] {
  const spec = crd.spec as {
    group: string;
    names: { kind: string; listKind?: string; plural: string; singular?: string; shortNames?: string[]; categories?: string[] };
    scope: string;
    versions: Array<{ name: string; served: boolean; subresources?: Record<string, unknown> }>;
  };
  return spec.versions
    .filter((v) => v.served)
    .map((v) => ({
      group: spec.group,
      version: v.name,
      kind: spec.names.kind,
      listKind: spec.names.listKind ?? `${spec.names.kind}List`,
      plural: spec.names.plural,
      singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
      namespaced: spec.scope === "Namespaced",
      shortNames: spec.names.shortNames ?? [],
      categories: spec.names.categories ?? [],
      verbs: ALL_VERBS,
      subresources: Object.keys(v.subresources ?? {}),
      hasGeneration: true,
      fieldLabels: [],
      crd,
    }));
}

/** The openAPIV3Schema of a CRD version, or undefined. */
export function crdSchema(crd: KObject, version: string): Record<string, unknown> | undefined {
  const versions = getPath(crd, "spec.versions") as Array<{ name: string; schema?: { openAPIV3Schema?: Record<string, unknown> } }>;
  return versions.find((v) => v.name === version)?.schema?.openAPIV3Schema;
}

/** The repository root: the nearest folder above `from` holding a package.json named "spinkube". */
export function repoRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    const pj = path.join(dir, "package.json");
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, "utf8")) as { name?: string }).name === "spinkube") return dir;
      } catch {
        // keep looking
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`test cluster: no repository root above ${from}`);
    dir = up;
  }
}

/** The folder with the SpinKube CRDs (`SPINKUBE_CRD_DIR` overrides). */
export function crdDir(): string {
  return process.env.SPINKUBE_CRD_DIR ?? path.join(repoRoot(), "..", "shared", "spinkube", "spin-operator", "crd");
}

/** Reads every CRD document from the YAML files of a folder. */
export function loadCrds(dir: string = crdDir()): KObject[] {
  if (!existsSync(dir)) throw new Error(`test cluster: CRD folder not found: ${dir}`);
  const out: KObject[] = [];
  for (const f of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
    for (const doc of parseAllDocuments(readFileSync(path.join(dir, f), "utf8"))) {
      const o = doc.toJS() as KObject | null;
      if (o && o.kind === "CustomResourceDefinition") out.push(o);
    }
  }
  return out;
}
