/**
 * The server side of the log benchmark, in a process of its own so that its CPU is not counted as
 * the extension's: a test API server whose pods write `--rate` lines per second each (more than
 * it can send, so "as fast as the server can"), a SpinApp `firehose` with `--pods` replicas.
 * Prints one JSON line `{"kubeconfig": …, "pods": […]}` once every pod runs, then serves until
 * stdin closes or a signal comes.
 */
import { startTestCluster } from "../cluster";
import { shimExecutor } from "../unit/cluster/harness";

function arg(name: string, dflt: number): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : dflt;
}

async function main(): Promise<void> {
  const pods = arg("pods", 10);
  const cluster = await startTestCluster({ seed: "empty", podStartDelayMs: 20, podReadyDelayMs: 10, podStopDelayMs: 10, logLinesPerSecond: arg("rate", 200_000) });
  cluster.apply(shimExecutor());
  cluster.apply({
    apiVersion: "core.spinkube.dev/v1alpha1",
    kind: "SpinApp",
    metadata: { name: "firehose", namespace: "default" },
    spec: { image: "ghcr.io/example/firehose:v1", executor: "containerd-shim-spin", replicas: pods },
  });
  const running = await cluster.waitFor(
    () => {
      const ps = cluster.list("v1", "Pod", "default", { "core.spinkube.dev/app-name": "firehose" }).filter((p) => (p.status as { phase?: string } | undefined)?.phase === "Running");
      return ps.length === pods ? ps : undefined;
    },
    30_000,
    `${pods} running pods`,
  );
  process.stdout.write(`${JSON.stringify({ kubeconfig: cluster.kubeconfigPath, pods: running.map((p) => p.metadata.name) })}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void cluster.stop().then(() => process.exit(0));
  };
  process.stdin.on("end", stop);
  process.stdin.on("close", stop);
  process.stdin.resume();
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
