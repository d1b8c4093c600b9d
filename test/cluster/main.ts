// `npm run cluster`: starts the test API server in the foreground with the demo population
// (or `--seed empty`), writes its kubeconfig and prints `KUBECONFIG=<absolute path>` on a line of
// its own once it answers; SIGINT/SIGTERM (or its parent going away) stop it. Options: --port N (default: random),
// --seed demo|empty, --kubeconfig PATH, --log-rate LINES_PER_SECOND, --registry (also start an OCI
// registry on loopback — Debian's docker-registry — whose Spin apps the cluster's pods pull and serve
// with jco, so a Build & Deploy to the demo answers with the app; prints `REGISTRY=<host:port>` first).

import https from "node:https";
import path from "node:path";
import { spinWorkloads } from "../spin-standin/clusterRuntime";
import type { TestRegistry } from "../spin-standin/registry";
import { startRegistry } from "../spin-standin/registry";
import { startTestCluster } from "./index";
import type { ContainerRuntime } from "./index";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const seed = (arg("seed") ?? "demo") as "demo" | "empty";
  const kubeconfigPath = arg("kubeconfig") ? path.resolve(arg("kubeconfig") as string) : undefined;
  let registry: TestRegistry | undefined;
  let workloads: ContainerRuntime | undefined;
  if (process.argv.includes("--registry")) {
    const r = await startRegistry();
    registry = r;
    workloads = spinWorkloads([{ host: r.host, insecure: true }]);
    console.log(`REGISTRY=${r.host}`);
  }
  const cluster = await startTestCluster({
    ...(workloads ? { workloads } : {}),
    port: arg("port") ? Number(arg("port")) : 0,
    seed,
    kubeconfigPath,
    logLinesPerSecond: arg("log-rate") ? Number(arg("log-rate")) : 1,
  });
  // Answering check: GET /version with the CA and token, as a client would.
  await new Promise<void>((resolve, reject) => {
    const req = https.get(`${cluster.url}/version`, { ca: cluster.ca, headers: { Authorization: `Bearer ${cluster.token}` } }, (res) => {
      res.resume();
      if (res.statusCode === 200) resolve();
      else reject(new Error(`GET /version answered ${res.statusCode}`));
    });
    req.on("error", reject);
  });
  console.log(`SpinKube test cluster (${seed}) serving at ${cluster.url}`);
  console.log(`KUBECONFIG=${cluster.kubeconfigPath}`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`Received ${signal}, stopping.`);
    Promise.all([cluster.stop(), registry?.stop()]).then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  // If whoever started us (npm) goes away without forwarding a signal, stop too.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop("parent exit");
  }, 1000).unref();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
