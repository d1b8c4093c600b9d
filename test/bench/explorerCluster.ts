/**
 * The cluster side of the explorer benchmark, in its own process (so the explorer's memory is
 * measured without the API server's): a test API server (no controllers) seeded with N SpinApps
 * spread over M namespaces, each with a realistic status, driven over IPC by test/bench/explorer.ts:
 *
 *   → { cmd: "burst", n, stamp }     n SpinApps relabelled in one synchronous loop; ← { t0, t1 } (ms epoch)
 *   → { cmd: "one", stamp }          one SpinApp relabelled; ← { t0 }
 *   → { cmd: "churn", seconds, perTick, tickMs }  updates, creations and deletions; ← { changes }
 *   → { cmd: "stop" }
 *
 * First message sent: { ready: true, kubeconfigPath, apps, namespaces, seedMs }.
 */
import { startTestCluster } from "../cluster";
import type { KObject } from "../cluster";

const SA = "core.spinkube.dev/v1alpha1";

function app(ns: string, name: string, ready: boolean): KObject {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  return {
    apiVersion: SA,
    kind: "SpinApp",
    metadata: { name, namespace: ns, labels: { tier: name.endsWith("0") ? "frontend" : "backend" } },
    spec: { image: `ghcr.io/example/${name}:v1`, executor: "containerd-shim-spin", replicas: 2 },
    status: {
      readyReplicas: ready ? 2 : 1,
      activeScheduler: "containerd-shim-spin",
      conditions: [
        { type: "Available", status: ready ? "True" : "False", reason: ready ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable", message: ready ? "Deployment has minimum availability." : "Deployment does not have minimum availability.", lastTransitionTime: now },
        { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable", message: `ReplicaSet "${name}-abc" has successfully progressed.`, lastTransitionTime: now },
      ],
    },
  } as unknown as KObject;
}

async function main(): Promise<void> {
  const apps = Number(process.env.BENCH_APPS ?? 10_000);
  const namespaces = Number(process.env.BENCH_NAMESPACES ?? 100);
  const perNs = Math.ceil(apps / namespaces);
  const cluster = await startTestCluster({ seed: "empty", controllers: false, webhooks: false, historyLimit: 50_000 });
  const t = Date.now();
  const names: { ns: string; name: string }[] = [];
  for (let n = 0; n < namespaces; n++) {
    const ns = `team-${String(n).padStart(3, "0")}`;
    const batch: KObject[] = [{ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } } as KObject];
    for (let i = 0; i < perNs && names.length < apps; i++) {
      const name = `app-${String(i).padStart(3, "0")}`;
      names.push({ ns, name });
      batch.push(app(ns, name, i % 10 !== 7));
    }
    cluster.apply(batch);
  }
  const send = (m: unknown): void => {
    process.send?.(m);
  };
  send({ ready: true, kubeconfigPath: cluster.kubeconfigPath, apps: names.length, namespaces, seedMs: Date.now() - t });

  const relabel = (x: { ns: string; name: string }, stamp: string): void => {
    const o = cluster.get(SA, "SpinApp", x.ns, x.name);
    if (!o) return;
    cluster.apply({ ...o, metadata: { ...o.metadata, labels: { ...(o.metadata.labels ?? {}), "bench/stamp": stamp } } });
  };

  let extra = 0;
  process.on("message", (raw: unknown) => {
    const m = raw as { cmd: string; n?: number; stamp?: string; seconds?: number; perTick?: number; tickMs?: number };
    if (m.cmd === "burst") {
      const t0 = Date.now();
      // Spread over every namespace: a rollout touching many apps at once.
      const step = Math.max(1, Math.floor(names.length / (m.n ?? 1000)));
      for (let i = 0, k = 0; k < (m.n ?? 1000) && i < names.length; i += step, k++) relabel(names[i], m.stamp ?? "x");
      send({ t0, t1: Date.now() });
    } else if (m.cmd === "one") {
      const x = names[Math.floor(Math.random() * names.length)];
      const t0 = Date.now();
      relabel(x, m.stamp ?? "x");
      send({ t0, ns: x.ns, name: x.name });
    } else if (m.cmd === "churn") {
      const end = Date.now() + (m.seconds ?? 60) * 1000;
      const perTick = m.perTick ?? 20;
      let changes = 0;
      const created: { ns: string; name: string }[] = [];
      const tick = (): void => {
        if (Date.now() >= end) {
          for (const c of created.splice(0)) cluster.remove(SA, "SpinApp", c.ns, c.name);
          send({ changes });
          return;
        }
        for (let i = 0; i < perTick; i++) {
          const r = Math.random();
          if (r < 0.6) relabel(names[Math.floor(Math.random() * names.length)], String(changes));
          else if (r < 0.8 || created.length === 0) {
            const ns = names[Math.floor(Math.random() * names.length)].ns;
            const c = { ns, name: `churn-${extra++}` };
            cluster.apply(app(c.ns, c.name, true));
            created.push(c);
          } else {
            const c = created.splice(Math.floor(Math.random() * created.length), 1)[0];
            cluster.remove(SA, "SpinApp", c.ns, c.name);
          }
          changes++;
        }
        setTimeout(tick, m.tickMs ?? 100);
      };
      tick();
    } else if (m.cmd === "stop") {
      void cluster.stop().then(() => process.exit(0));
    }
  });
  process.on("disconnect", () => void cluster.stop().then(() => process.exit(0)));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
