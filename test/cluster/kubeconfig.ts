// Writing the kubeconfig a test cluster emits: one cluster entry (https://127.0.0.1:<port> with
// the generated CA in certificate-authority-data), one user per token (bearer token auth) and one
// context per user; the admin context is current and defaults to namespace "default".

import { stringify } from "yaml";

/** A user entry of the kubeconfig. */
export interface KubeconfigUser {
  name: string;
  token: string;
  /** Default namespace of this user's context. */
  namespace?: string;
}

/** The kubeconfig YAML for a cluster at `url` with these users; the first user's context is current. */
export function kubeconfigYaml(opts: { url: string; caPem: string; clusterName?: string; users: KubeconfigUser[] }): string {
  const cluster = opts.clusterName ?? "spinkube-test";
  const ctxName = (u: KubeconfigUser): string => (u === opts.users[0] ? cluster : `${u.name}@${cluster}`);
  const doc = {
    apiVersion: "v1",
    kind: "Config",
    preferences: {},
    clusters: [{ name: cluster, cluster: { server: opts.url, "certificate-authority-data": Buffer.from(opts.caPem).toString("base64") } }],
    users: opts.users.map((u) => ({ name: u.name, user: { token: u.token } })),
    contexts: opts.users.map((u) => ({ name: ctxName(u), context: { cluster, user: u.name, namespace: u.namespace ?? "default" } })),
    "current-context": ctxName(opts.users[0]),
  };
  return stringify(doc);
}
