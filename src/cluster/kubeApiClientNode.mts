/**
 * Part of kubeApi.ts (and imported by it alone, with `await import()`): the client-node names
 * kubeApi uses, re-exported statically so esbuild bundles only what they need (about 2 MB instead
 * of the whole 15 MB package, which a dynamic import of the package itself would keep). An ES
 * module (.mts) because client-node 1.x is ESM-only and kubeApi.ts compiles to CommonJS.
 */
export { KubeConfig, ListWatch, Log, PortForward, Watch } from "@kubernetes/client-node";
