// The simulated spin-operator (FACTS.md section (e)): for each SpinApp whose SpinAppExecutor has
// createDeployment=true it maintains a Deployment and a Service named after the app (labels,
// selector with the readiness label, one container named after the app on port 80 `http-app`,
// runtimeClassName from the executor, SPIN_* environment, probes, runtime-config and CA
// Secrets) and mirrors the Deployment into the SpinApp status (readyReplicas, Available and
// Progressing conditions, activeScheduler, deploymentName, serviceName). Missing executors give
// a `MissingExecutor` warning event; executors carry the operator's finalizer and refuse deletion
// while SpinApps use them (`DeletionBlocked`).

import type { Api } from "./api";
import type { EventRecorder } from "./events";
import type { StoreEvent } from "./store";
import type { KObject, ResourceType } from "./types";
import { clone, isObject, rfc3339 } from "./types";
import { parseQuantity } from "./admission";
import { WorkQueue, controllerRef, nsName, splitKey, typeOf } from "./controllers";

const GROUP = "core.spinkube.dev";
const APP_LABEL = `${GROUP}/app-name`;
const FINALIZER = `${GROUP}/finalizer`;
const MANAGER = "spin-operator";

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return isObject(v) ? v : {};
}

/** Adler-32 of a string, as the operator names runtime-config Secrets. */
export function adler32(s: string): string {
  let a = 1;
  let b = 0;
  for (const byte of Buffer.from(s)) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return (((b << 16) | a) >>> 0).toString(16);
}

function tomlString(s: unknown): string {
  return JSON.stringify(String(s ?? ""));
}

/** Renders spec.runtimeConfig as Spin runtime-config TOML (inline values only). */
export function renderRuntimeConfig(rc: Obj): string {
  const lines: string[] = [];
  const options = (opts: unknown): void => {
    for (const o of (Array.isArray(opts) ? opts : []) as Obj[]) {
      if (o.value !== undefined) lines.push(`${String(o.name)} = ${tomlString(o.value)}`);
    }
  };
  for (const s of (Array.isArray(rc.keyValueStores) ? rc.keyValueStores : []) as Obj[]) {
    lines.push(`[key_value_store.${String(s.name)}]`, `type = ${tomlString(s.type)}`);
    options(s.options);
  }
  for (const s of (Array.isArray(rc.sqliteDatabases) ? rc.sqliteDatabases : []) as Obj[]) {
    lines.push(`[sqlite_database.${String(s.name)}]`, `type = ${tomlString(s.type)}`);
    options(s.options);
  }
  if (isObject(rc.llmCompute)) {
    lines.push("[llm_compute]", `type = ${tomlString(rc.llmCompute.type)}`);
    options(rc.llmCompute.options);
  }
  return lines.length ? `${lines.join("\n")}\n` : "";
}

const DEMO_CA = "-----BEGIN CERTIFICATE-----\nMIIBtest-cluster-default-ca-bundle\n-----END CERTIFICATE-----\n";

/** The operator's reconcilers. */
export class SpinOperator {
  private readonly apps: WorkQueue;
  private readonly executors: WorkQueue;

  constructor(
    private readonly api: Api,
    private readonly events: EventRecorder,
  ) {
    this.apps = new WorkQueue("spinapp", (k) => this.reconcileApp(k));
    this.executors = new WorkQueue("spinappexecutor", (k) => this.reconcileExecutor(k));
  }

  private type(plural: string): ResourceType | undefined {
    return this.api.find(GROUP, "v1alpha1", plural);
  }

  /** Feeds a store event. */
  observe(e: StoreEvent, t: ResourceType): void {
    const o = e.object;
    if (t.group === GROUP && t.plural === "spinapps") this.apps.add(nsName(o));
    else if (t.group === GROUP && t.plural === "spinappexecutors") {
      this.executors.add(nsName(o));
      const at = this.type("spinapps");
      if (at) {
        for (const a of this.api.store.list(at, { namespace: o.metadata.namespace }).items) {
          if (obj(a.spec).executor === o.metadata.name) this.apps.add(nsName(a));
        }
      }
    } else if ((t.plural === "deployments" && t.group === "apps") || (t.plural === "services" && t.group === "")) {
      for (const r of o.metadata.ownerReferences ?? []) {
        if (r.kind === "SpinApp" && r.apiVersion.startsWith(`${GROUP}/`)) this.apps.add(`${o.metadata.namespace}/${r.name}`);
      }
    }
  }

  private reconcileExecutor(key: string): void {
    const et = this.type("spinappexecutors");
    const at = this.type("spinapps");
    if (!et || !at) return;
    const [ns, name] = splitKey(key);
    const ex = this.api.store.get(et, ns, name);
    if (!ex) return;
    const fins = ex.metadata.finalizers ?? [];
    if (!ex.metadata.deletionTimestamp) {
      if (!fins.includes(FINALIZER)) this.api.write(et, { ...ex, metadata: { ...ex.metadata, finalizers: [...fins, FINALIZER] } }, MANAGER);
      return;
    }
    const users = this.api.store.list(at, { namespace: ns }).items.filter((a) => obj(a.spec).executor === name);
    if (users.length) {
      this.events.record(ex, "Warning", "DeletionBlocked", "Cannot delete SpinAppExecutor with dependent SpinApps", "spinappexecutor-reconciler");
      return;
    }
    if (fins.includes(FINALIZER)) this.api.write(et, { ...ex, metadata: { ...ex.metadata, finalizers: fins.filter((f) => f !== FINALIZER) } }, MANAGER);
  }

  private reconcileApp(key: string): void {
    const at = this.type("spinapps");
    const et = this.type("spinappexecutors");
    if (!at || !et) return;
    const [ns, name] = splitKey(key);
    const app = this.api.store.get(at, ns, name);
    if (!app || app.metadata.deletionTimestamp) {
      // A deleted app's executor may now be deletable.
      for (const ex of this.api.store.list(et, { namespace: ns }).items) if (ex.metadata.deletionTimestamp) this.executors.add(nsName(ex));
      return;
    }
    const spec = obj(app.spec);
    const exName = String(spec.executor ?? "");
    const ex = this.api.store.get(et, ns, exName);
    if (!ex) {
      this.events.record(app, "Warning", "MissingExecutor", `Could not find SpinAppExecutor ${ns}/${exName}`, "spinapp-reconciler");
      return;
    }
    const exSpec = obj(ex.spec);
    const deployments = typeOf(this.api, "apps", "v1", "deployments");
    const services = typeOf(this.api, "", "v1", "services");
    this.ensureService(services, at, app);
    if (exSpec.createDeployment === false) return;
    const dc = obj(exSpec.deploymentConfig);
    const secrets = typeOf(this.api, "", "v1", "secrets");
    const volumes: Obj[] = clone((spec.volumes as Obj[] | undefined) ?? []);
    const mounts: Obj[] = clone((spec.volumeMounts as Obj[] | undefined) ?? []);
    const rc = obj(spec.runtimeConfig);
    let rcSecret = typeof rc.loadFromSecret === "string" && rc.loadFromSecret ? rc.loadFromSecret : "";
    if (!rcSecret) {
      const toml = renderRuntimeConfig(rc);
      if (toml) {
        rcSecret = `${name}-${adler32(toml)}`;
        if (!this.api.store.get(secrets, ns, rcSecret)) {
          this.api.write(
            secrets,
            { apiVersion: "v1", kind: "Secret", metadata: { name: rcSecret, namespace: ns, labels: { [APP_LABEL]: name }, ownerReferences: [controllerRef(at, app)] }, type: "Opaque", data: { "runtime-config.toml": Buffer.from(toml).toString("base64") } },
            MANAGER,
          );
        }
      }
    }
    if (rcSecret) {
      volumes.push({ name: "spin-runtime-config", secret: { secretName: rcSecret, defaultMode: 420 } });
      mounts.push({ name: "spin-runtime-config", mountPath: "/runtime-config.toml", subPath: "runtime-config.toml", readOnly: true });
    }
    const caSecret = typeof dc.caCertSecret === "string" && dc.caCertSecret ? dc.caCertSecret : dc.installDefaultCACerts ? "spin-ca" : "";
    if (caSecret) {
      if (dc.installDefaultCACerts && !this.api.store.get(secrets, ns, caSecret)) {
        this.api.write(secrets, { apiVersion: "v1", kind: "Secret", metadata: { name: caSecret, namespace: ns }, type: "Opaque", data: { "ca-certificates.crt": Buffer.from(DEMO_CA).toString("base64") } }, MANAGER);
      }
      volumes.push({ name: "spin-ca", secret: { secretName: caSecret, defaultMode: 420, items: [{ key: "ca-certificates.crt", path: "ca-certificates.crt" }] } });
      mounts.push({ name: "spin-ca", mountPath: "/etc/ssl/certs/ca-certificates.crt", subPath: "ca-certificates.crt", readOnly: true });
    }
    const env: Obj[] = [];
    for (const v of (Array.isArray(spec.variables) ? spec.variables : []) as Obj[]) {
      env.push({ name: `SPIN_VARIABLE_${String(v.name).toUpperCase()}`, ...(v.value !== undefined ? { value: v.value } : {}), ...(v.valueFrom !== undefined ? { valueFrom: v.valueFrom } : {}) });
    }
    env.push({ name: "SPIN_HTTP_LISTEN_ADDR", value: "0.0.0.0:80" });
    if (Array.isArray(spec.components) && spec.components.length) env.push({ name: "SPIN_COMPONENTS_TO_RETAIN", value: spec.components.join(",") });
    const limits = obj(spec.invocationLimits);
    if (limits.memory !== undefined) env.push({ name: "SPIN_MAX_INSTANCE_MEMORY", value: String(Math.floor(parseQuantity(limits.memory))) });
    const otel = obj(dc.otel);
    const otelEnv: Record<string, string> = {
      exporter_otlp_endpoint: "OTEL_EXPORTER_OTLP_ENDPOINT",
      exporter_otlp_traces_endpoint: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
      exporter_otlp_metrics_endpoint: "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
      exporter_otlp_logs_endpoint: "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
    };
    for (const [k, envName] of Object.entries(otelEnv)) if (typeof otel[k] === "string" && otel[k]) env.push({ name: envName, value: otel[k] });
    const probe = (p: unknown): Obj | undefined => {
      if (!isObject(p)) return undefined;
      const hg = obj(p.httpGet);
      return {
        httpGet: { path: hg.path ?? "/", port: 80, ...(Array.isArray(hg.httpHeaders) && hg.httpHeaders.length ? { httpHeaders: hg.httpHeaders } : {}) },
        initialDelaySeconds: p.initialDelaySeconds ?? 10,
        timeoutSeconds: p.timeoutSeconds ?? 1,
        periodSeconds: p.periodSeconds ?? 10,
        successThreshold: p.successThreshold ?? 1,
        failureThreshold: p.failureThreshold ?? 3,
      };
    };
    const checks = obj(spec.checks);
    const spinImage = typeof dc.spinImage === "string" && dc.spinImage ? dc.spinImage : "";
    const container: Obj = {
      name,
      image: spinImage || spec.image,
      ...(spinImage
        ? {
            args: [
              "up",
              "--listen",
              "0.0.0.0:80",
              "-f",
              String(spec.image),
              "--runtime-config-file",
              "/runtime-config.toml",
              ...((Array.isArray(spec.components) ? spec.components : []) as string[]).flatMap((c) => ["--component-id", c]),
            ],
          }
        : { command: ["/"] }),
      ports: [{ containerPort: 80, name: "http-app", protocol: "TCP" }],
      env,
      ...(isObject(spec.resources) ? { resources: spec.resources } : {}),
      ...(probe(checks.liveness) ? { livenessProbe: probe(checks.liveness) } : {}),
      ...(probe(checks.readiness) ? { readinessProbe: probe(checks.readiness) } : {}),
      ...(mounts.length ? { volumeMounts: mounts } : {}),
    };
    const readyLabel = `${GROUP}/app.${name}.status`;
    const podSpec: Obj = {
      ...(typeof dc.runtimeClassName === "string" && dc.runtimeClassName ? { runtimeClassName: dc.runtimeClassName } : {}),
      serviceAccountName: spec.serviceAccountName || "default",
      ...(Array.isArray(spec.imagePullSecrets) ? { imagePullSecrets: spec.imagePullSecrets } : {}),
      ...(volumes.length ? { volumes } : {}),
      containers: [container],
    };
    const existing = this.api.store.get(deployments, ns, name);
    const autoscaling = spec.enableAutoscaling === true;
    const replicas = autoscaling ? (obj(existing?.spec).replicas ?? 1) : (spec.replicas ?? 1);
    const desired: KObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        ...(existing?.metadata ?? {}),
        name,
        namespace: ns,
        labels: { [APP_LABEL]: name },
        ...(isObject(spec.deploymentAnnotations) ? { annotations: spec.deploymentAnnotations as Record<string, string> } : { annotations: undefined }),
        ownerReferences: [controllerRef(at, app)],
      },
      spec: {
        replicas,
        selector: { matchLabels: { [APP_LABEL]: name, [readyLabel]: "ready" } },
        template: {
          metadata: {
            labels: { ...((spec.podLabels as Record<string, string>) ?? {}), [APP_LABEL]: name, [readyLabel]: "ready" },
            ...(isObject(spec.podAnnotations) ? { annotations: spec.podAnnotations } : {}),
          },
          spec: podSpec,
        },
      },
      ...(existing?.status ? { status: existing.status } : {}),
    };
    if (desired.metadata.annotations === undefined) delete desired.metadata.annotations;
    // Keep annotations others added on the pod template (e.g. kubectl rollout restart).
    const oldTplAnn = obj(obj(obj(existing?.spec).template).metadata).annotations;
    if (isObject(oldTplAnn)) {
      const tm = obj(obj(desired.spec).template).metadata as Obj;
      tm.annotations = { ...oldTplAnn, ...obj(tm.annotations) };
    }
    const dep = this.api.write(deployments, desired, MANAGER);
    this.updateStatus(at, app, dep, name);
  }

  private ensureService(services: ResourceType, at: ResourceType, app: KObject): void {
    const ns = app.metadata.namespace ?? "";
    const name = app.metadata.name ?? "";
    const spec = obj(app.spec);
    const existing = this.api.store.get(services, ns, name);
    const desired: KObject = {
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        ...(existing?.metadata ?? {}),
        name,
        namespace: ns,
        labels: { [APP_LABEL]: name },
        ...(isObject(spec.serviceAnnotations) ? { annotations: spec.serviceAnnotations as Record<string, string> } : {}),
        ownerReferences: [controllerRef(at, app)],
      },
      spec: {
        ...(existing ? obj(existing.spec) : {}),
        type: "ClusterIP",
        ports: [{ name: "http-app", port: 80, protocol: "TCP", targetPort: "http-app" }],
        selector: { [`${GROUP}/app.${name}.status`]: "ready" },
      },
      ...(existing?.status ? { status: existing.status } : {}),
    };
    if (!isObject(spec.serviceAnnotations)) delete desired.metadata.annotations;
    this.api.write(services, desired, MANAGER);
  }

  private updateStatus(at: ResourceType, app: KObject, dep: KObject | undefined, name: string): void {
    const cur = this.api.store.get(at, app.metadata.namespace, app.metadata.name ?? "");
    if (!cur) return;
    const old = obj(cur.status);
    const now = rfc3339();
    const ds = obj(dep?.status);
    const dconds = (Array.isArray(ds.conditions) ? ds.conditions : []) as Obj[];
    const oldConds = (Array.isArray(old.conditions) ? old.conditions : []) as Obj[];
    const mirror = (type: string): Obj => {
      const d = dconds.find((c) => c.type === type);
      const status = d ? String(d.status) : "Unknown";
      const reason = d ? String(d.reason ?? "") : "DeploymentNotFound";
      const message = d ? String(d.message ?? "") : "Deployment not found";
      const prev = oldConds.find((c) => c.type === type);
      return { type, status, lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : (d?.lastTransitionTime ?? now), reason: reason || "Unknown", message };
    };
    const status: Obj = {
      activeScheduler: obj(cur.spec).executor,
      conditions: dep ? dconds.filter((c) => c.type === "Available" || c.type === "Progressing").map((c) => mirror(String(c.type))) : [mirror("Available"), mirror("Progressing")],
      deploymentName: dep ? name : undefined,
      readyReplicas: typeof ds.readyReplicas === "number" ? ds.readyReplicas : 0,
      serviceName: name,
    };
    if (status.deploymentName === undefined) delete status.deploymentName;
    if (JSON.stringify(status) !== JSON.stringify(cur.status)) this.api.write(at, { ...cur, status }, MANAGER, "status");
  }

  /** Stops the queues. */
  stop(): void {
    this.apps.stop();
    this.executors.stop();
  }
}
