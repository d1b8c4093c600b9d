// Admission plugins of the test API server: NamespaceLifecycle (no content in missing or
// terminating namespaces), ServiceAccount (pods need their service account), RuntimeClass
// (pods need an existing RuntimeClass; its scheduling.nodeSelector is merged into the pod), and
// the SpinKube operator's admission webhooks (mspinapp/vspinapp/vspinappexecutor): executor
// defaulting and the cross-field rules with their exact messages (FACTS.md section (a)).

import type { AdmissionPlugin, Api } from "./api";
import type { KObject, ResourceType, StatusCause } from "./types";
import { ApiError, isObject, notFound, typeKey } from "./types";

function nsType(api: Api): ResourceType {
  const t = api.find("", "v1", "namespaces");
  if (!t) throw new Error("namespaces not registered");
  return t;
}

/** NamespaceLifecycle: creating in a missing namespace is 404, in a terminating one 403. */
export function namespaceLifecycle(api: Api): AdmissionPlugin {
  return {
    name: "NamespaceLifecycle",
    mutate(op, t, obj) {
      if (op !== "CREATE" || !t.namespaced) return;
      const ns = obj.metadata.namespace ?? "";
      const nso = api.store.get(nsType(api), undefined, ns);
      if (!nso) throw notFound(nsType(api), ns);
      if (nso.metadata.deletionTimestamp) {
        throw new ApiError(
          403,
          "Forbidden",
          `${typeKey(t)} "${obj.metadata.name || obj.metadata.generateName || ""}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
          { name: obj.metadata.name, ...(t.group ? { group: t.group } : {}), kind: t.plural },
        );
      }
    },
  };
}

function forbiddenPod(obj: KObject, why: string): ApiError {
  const name = obj.metadata.name || obj.metadata.generateName || "";
  return new ApiError(403, "Forbidden", `pods "${name}" is forbidden: ${why}`, { name, kind: "pods" });
}

/** ServiceAccount and RuntimeClass admission for pods. */
export function podAdmission(api: Api): AdmissionPlugin {
  return {
    name: "PodAdmission",
    mutate(op, t, obj) {
      if (op !== "CREATE" || t.kind !== "Pod" || t.group !== "") return;
      const spec = (obj.spec ?? {}) as Record<string, unknown>;
      const sa = String(spec.serviceAccountName ?? "default");
      const saType = api.find("", "v1", "serviceaccounts");
      if (saType && !api.store.get(saType, obj.metadata.namespace, sa)) {
        throw forbiddenPod(obj, `error looking up service account ${obj.metadata.namespace}/${sa}: serviceaccount "${sa}" not found`);
      }
      const rcName = spec.runtimeClassName;
      if (typeof rcName === "string" && rcName) {
        const rcType = api.find("node.k8s.io", "v1", "runtimeclasses");
        const rc = rcType ? api.store.get(rcType, undefined, rcName) : undefined;
        if (!rc) throw forbiddenPod(obj, `pod rejected: RuntimeClass "${rcName}" not found`);
        const sched = isObject(rc.scheduling) ? rc.scheduling : {};
        if (isObject(sched.nodeSelector)) {
          const ns = isObject(spec.nodeSelector) ? spec.nodeSelector : {};
          for (const [k, v] of Object.entries(sched.nodeSelector)) {
            if (ns[k] !== undefined && ns[k] !== v) {
              throw forbiddenPod(obj, `pod rejected: conflict with RuntimeClass nodeSelector: ${k}=${String(v)}`);
            }
            ns[k] = v;
          }
          spec.nodeSelector = ns;
        }
        if (Array.isArray(sched.tolerations)) spec.tolerations = [...((spec.tolerations as unknown[]) ?? []), ...sched.tolerations];
        if (isObject(rc.overhead) && isObject(rc.overhead.podFixed)) spec.overhead = rc.overhead.podFixed;
        obj.spec = spec;
      }
    },
  };
}

function webhookDenied(webhook: string, t: ResourceType, name: string, causes: StatusCause[]): ApiError {
  const text = causes.map((c) => `${c.field}: ${c.message}`);
  const joined = text.length === 1 ? text[0] : `[${text.join(", ")}]`;
  return new ApiError(422, "Invalid", `admission webhook "${webhook}" denied the request: ${t.kind}.${t.group} "${name}" is invalid: ${joined}`, {
    name,
    group: t.group,
    kind: t.kind,
    causes,
  });
}

/** Parses a Kubernetes quantity to bytes (or units); NaN when it is not a quantity. */
export function parseQuantity(q: unknown): number {
  if (typeof q === "number") return q;
  if (typeof q !== "string") return NaN;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/.exec(q.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  const s = m[2] ?? "";
  const bin: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
  const dec: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
  if (s in bin) return n * bin[s];
  if (s in dec) return n * dec[s];
  return n * 10 ** Number(s.slice(1));
}

/** The SpinKube operator's mutating and validating webhooks for SpinApps and SpinAppExecutors. */
export function spinkubeWebhooks(api: Api): AdmissionPlugin {
  const executorType = (t: ResourceType): ResourceType | undefined => api.find(t.group, t.version, "spinappexecutors");
  return {
    name: "SpinKubeWebhooks",
    mutate(op, t, obj) {
      if (t.group !== "core.spinkube.dev" || t.plural !== "spinapps") return;
      const spec = (isObject(obj.spec) ? obj.spec : {}) as Record<string, unknown>;
      if (!spec.executor) {
        // findDefaultExecutor: the alphabetically first executor, listed cluster-wide.
        const et = executorType(t);
        const names = et ? [...api.store.all(et)].map((e) => e.metadata.name ?? "").sort() : [];
        if (names.length) spec.executor = names[0];
        obj.spec = spec;
      }
      void op;
    },
    validate(op, t, obj) {
      if (op === "DELETE" || t.group !== "core.spinkube.dev") return;
      const spec = (isObject(obj.spec) ? obj.spec : {}) as Record<string, unknown>;
      const name = obj.metadata.name ?? "";
      if (t.plural === "spinappexecutors") {
        const dc = spec.deploymentConfig;
        if (isObject(dc)) {
          const has = (k: string): boolean => typeof dc[k] === "string" && dc[k] !== "";
          if (has("runtimeClassName") && has("spinImage")) {
            throw webhookDenied("vspinappexecutor.kb.io", t, name, [{ reason: "FieldValueInvalid", field: "spec.deploymentConfig.runtimeClassName", message: `Invalid value: ${JSON.stringify(dc.runtimeClassName)}: runtimeClassName and spinImage are mutually exclusive` }]);
          }
          if (!has("runtimeClassName") && !has("spinImage")) {
            throw webhookDenied("vspinappexecutor.kb.io", t, name, [{ reason: "FieldValueInvalid", field: "spec.deploymentConfig.runtimeClassName", message: `Invalid value: "": either runtimeClassName or spinImage must be set` }]);
          }
        }
        return;
      }
      if (t.plural !== "spinapps") return;
      const causes: StatusCause[] = [];
      const exec = String(spec.executor ?? "");
      const et = executorType(t);
      const executor = exec && et ? api.store.get(et, obj.metadata.namespace, exec) : undefined;
      if (!exec) {
        causes.push({ reason: "FieldValueInvalid", field: "spec.executor", message: `Invalid value: "": executor must be set, likely no default executor was set because you have no executors installed` });
      } else if (!executor) {
        causes.push({ reason: "FieldValueInvalid", field: "spec.executor", message: `Invalid value: ${JSON.stringify(exec)}: executor does not exist in namespace` });
      }
      const replicas = typeof spec.replicas === "number" ? spec.replicas : 0;
      if (spec.enableAutoscaling === true) {
        if (replicas !== 0) causes.push({ reason: "FieldValueInvalid", field: "spec.replicas", message: `Invalid value: ${replicas}: replicas cannot be set when autoscaling is enabled` });
      } else if (replicas < 1) {
        causes.push({ reason: "FieldValueInvalid", field: "spec.replicas", message: `Invalid value: ${replicas}: replicas must be > 0` });
      }
      const createDeployment = executor ? (executor.spec as Record<string, unknown> | undefined)?.createDeployment !== false : true;
      if (!createDeployment) {
        for (const f of ["deploymentAnnotations", "podAnnotations"]) {
          if (isObject(spec[f]) && Object.keys(spec[f] as object).length) {
            causes.push({ reason: "FieldValueInvalid", field: `spec.${f}`, message: `Invalid value: ${goStringMap(spec[f])}: ${f} can't be set when the executor does not use operator deployments` });
          }
        }
      }
      const limits = isObject(spec.invocationLimits) ? spec.invocationLimits : {};
      if (limits.memory !== undefined) {
        const q = parseQuantity(limits.memory);
        const res = isObject(spec.resources) ? spec.resources : {};
        const lim = isObject(res.limits) ? res.limits.memory : undefined;
        const req = isObject(res.requests) ? res.requests.memory : undefined;
        if (Number.isNaN(q)) {
          causes.push({ reason: "FieldValueInvalid", field: "spec.invocationLimits[memory]", message: `Invalid value: ${JSON.stringify(limits.memory)}: memory limit must be a valid memory quantity (e.g. 128Mi, 1Gi)` });
        } else if (lim !== undefined && q > parseQuantity(lim)) {
          causes.push({ reason: "FieldValueInvalid", field: "spec.invocationLimits[memory]", message: `Invalid value: ${JSON.stringify(limits.memory)}: invocation limit quantity cannot be greater than the memory limit (${String(lim)})` });
        } else if (lim === undefined && req !== undefined && q > parseQuantity(req)) {
          causes.push({ reason: "FieldValueInvalid", field: "spec.invocationLimits[memory]", message: `Invalid value: ${JSON.stringify(limits.memory)}: invocation limit quantity cannot be greater than the memory request (${String(req)})` });
        }
      }
      if (causes.length) throw webhookDenied("vspinapp.kb.io", t, name, causes);
    },
  };
}

function goStringMap(m: unknown): string {
  const entries = Object.entries(isObject(m) ? m : {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  return `map[string]string{${entries.join(", ")}}`;
}
