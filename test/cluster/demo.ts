// The seeded demo population (`npm run cluster`, `seed: "demo"`): namespaces with SpinApps in
// the states the extension must show — ready, still progressing, crash-looping, failing to pull,
// stuck in ContainerCreating because the node has no runtime for the RuntimeClass handler
// (`no runtime for "spin" is configured`), blocked by a missing RuntimeClass, and missing its
// executor — plus executors (shim and spintainer), RuntimeClasses and a plain Deployment.
// Every running pod writes log lines.

import type { KObject } from "./types";
import type { NodeSpec } from "./kubelet";
import { START_DELAY_ANNOTATION } from "./kubelet";

/** The demo's nodes: containerd configured by runtime-class-manager (runtime "spin-v2"). */
export const DEMO_NODES: NodeSpec[] = [
  { name: "spinkube-worker", labels: { spin: "true" }, runtimeHandlers: ["spin-v2"] },
  { name: "spinkube-worker2", labels: { spin: "true" }, runtimeHandlers: ["spin-v2"] },
];

function ns(name: string): KObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name } };
}

function executor(namespace: string, name: string, deploymentConfig: Record<string, unknown>): KObject {
  return { apiVersion: "core.spinkube.dev/v1alpha1", kind: "SpinAppExecutor", metadata: { name, namespace }, spec: { createDeployment: true, deploymentConfig } };
}

function app(namespace: string, name: string, spec: Record<string, unknown>): KObject {
  return { apiVersion: "core.spinkube.dev/v1alpha1", kind: "SpinApp", metadata: { name, namespace }, spec: { executor: "containerd-shim-spin", replicas: 1, ...spec } };
}

/** The demo objects, in apply order. */
export function demoObjects(): KObject[] {
  const shim = { runtimeClassName: "wasmtime-spin-v2", installDefaultCACerts: true };
  return [
    ns("spin-apps"),
    ns("staging"),
    ns("broken"),
    // The demo nodes were set up by runtime-class-manager: their containerd runtime is "spin-v2"
    // (DEMO_NODES). Its RuntimeClass works; the shim demos' RuntimeClass (handler "spin") does not.
    { apiVersion: "node.k8s.io/v1", kind: "RuntimeClass", metadata: { name: "wasmtime-spin-v2", labels: { "wasmtime-spin-v2": "true" } }, handler: "spin-v2" },
    { apiVersion: "node.k8s.io/v1", kind: "RuntimeClass", metadata: { name: "wasmtime-spin" }, handler: "spin" },
    executor("default", "containerd-shim-spin", shim),
    executor("spin-apps", "containerd-shim-spin", shim),
    executor("spin-apps", "spintainer", { spinImage: "ghcr.io/fermyon/spin:v2.7.0", installDefaultCACerts: true }),
    executor("staging", "containerd-shim-spin", shim),
    executor("broken", "containerd-shim-spin", { runtimeClassName: "wasmtime-spin" }),
    executor("broken", "missing-runtime-class", { runtimeClassName: "wasmtime-spin-v1" }),
    app("default", "hello-spin", { image: "ghcr.io/spinkube/containerd-shim-spin/examples/spin-rust-hello:v0.13.0", replicas: 2 }),
    app("spin-apps", "cart-api", {
      image: "ghcr.io/example/cart-api:v1.4.2",
      replicas: 3,
      variables: [{ name: "greeting", value: "hello" }],
      podLabels: { tier: "backend" },
    }),
    app("spin-apps", "spintainer-app", { image: "ghcr.io/example/legacy-app:v2", executor: "spintainer" }),
    app("spin-apps", "slow-start", { image: "ghcr.io/example/slow-start:v1", podAnnotations: { [START_DELAY_ANNOTATION]: "86400000" } }),
    app("staging", "crashy", { image: "ghcr.io/example/crash-on-start:v0.1.0" }),
    app("staging", "bad-image", { image: "ghcr.io/example/does-not-exist:v1" }),
    app("broken", "needs-runtime", { image: "ghcr.io/example/needs-runtime:v1", replicas: 2 }),
    app("broken", "missing-runtimeclass", { image: "ghcr.io/example/missing-rc:v1", executor: "missing-runtime-class" }),
    app("broken", "no-executor", { image: "ghcr.io/example/no-executor:v1", executor: "cyclotron" }),
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "redis", namespace: "spin-apps", labels: { app: "redis" } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "redis" } },
        template: { metadata: { labels: { app: "redis" } }, spec: { containers: [{ name: "redis", image: "redis:7.2", ports: [{ containerPort: 6379 }] }] } },
      },
    },
  ];
}

/** Seeds the demo population through the cluster's apply helper. */
export function seedDemo(apply: (objs: KObject[]) => unknown): void {
  apply(demoObjects());
}
