// `npm run cluster` (the README's demo command) and the seeded demo population: the script
// prints `KUBECONFIG=<absolute path>` on its own line once the server answers, kubectl works with
// that file, SIGTERM stops it cleanly; the demo shows SpinApps ready, progressing, crash-looping,
// failing to pull, stuck on a runtime the nodes lack, blocked by a missing RuntimeClass, and
// missing their executor.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { TestCluster } from "../../cluster";
import { startTestCluster } from "../../cluster";
import { repoRoot } from "../../cluster/resources";
import { KUBECTL, cleanupKubectl, kubectl, tableRows } from "./harness";

type Obj = Record<string, unknown>;

describe("npm run cluster", { timeout: 60_000 }, () => {
  it("prints KUBECONFIG=<path> once serving, answers kubectl, and stops on SIGTERM", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "spinkube-npm-cluster-"));
    const kc = path.join(dir, "kubeconfig");
    const child = spawn("npm", ["run", "--silent", "cluster", "--", "--seed", "demo", "--kubeconfig", kc], { cwd: repoRoot(), detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    let out = "";
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no KUBECONFIG line; stdout: ${out}; stderr: ${err}`)), 30_000);
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const m = /^KUBECONFIG=(.+)$/m.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
        void exited.then(() => reject(new Error(`exited early; stdout: ${out}; stderr: ${err}`)));
      });
      assert.equal(line, kc);
      assert.ok(path.isAbsolute(line) && existsSync(line));
      const cache = path.join(dir, "cache");
      const r = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const k = spawn(KUBECTL, ["--kubeconfig", line, "--cache-dir", cache, "get", "spinapps", "-A", "-o", "name"], { stdio: ["ignore", "pipe", "pipe"] });
        let so = "";
        k.stdout.on("data", (d: Buffer) => (so += d.toString()));
        k.on("close", (code) => resolve({ code, stdout: so }));
      });
      assert.equal(r.code, 0);
      assert.ok(r.stdout.includes("spinapp.core.spinkube.dev/hello-spin"), r.stdout);
      // SIGTERM to npm reaches the server (the script execs node), which stops cleanly.
      child.kill("SIGTERM");
      assert.equal(await exited, 0);
      assert.match(out, /Received SIGTERM, stopping\./);
    } finally {
      if (child.exitCode == null) {
        try {
          process.kill(-(child.pid ?? 0), "SIGKILL");
        } catch {
          // already gone
        }
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the demo population", { timeout: 60_000 }, () => {
  let cluster: TestCluster;

  before(async () => {
    cluster = await startTestCluster({ seed: "demo", podStartDelayMs: 100, podReadyDelayMs: 20, crashAfterMs: 100, crashBackoffMs: 5000, sandboxRetryMs: 300 });
  });

  after(async () => {
    await cluster.stop();
    cleanupKubectl(cluster);
  });

  it("has SpinApps in every state the extension must show", async () => {
    const phaseOf = (ns: string, app: string): string | undefined => {
      const p = cluster.list("v1", "Pod", ns, { "core.spinkube.dev/app-name": app })[0];
      const cs = ((p?.status as Obj | undefined)?.containerStatuses as Obj[] | undefined)?.[0];
      const st = cs?.state as Obj | undefined;
      return st?.running ? (cs?.ready ? "Ready" : "Running") : ((st?.waiting as Obj | undefined)?.reason as string | undefined);
    };
    await cluster.waitFor(
      () =>
        phaseOf("default", "hello-spin") === "Ready" &&
        phaseOf("spin-apps", "cart-api") === "Ready" &&
        phaseOf("staging", "crashy") === "CrashLoopBackOff" &&
        phaseOf("staging", "bad-image") === "ImagePullBackOff" &&
        phaseOf("spin-apps", "slow-start") === "ContainerCreating" &&
        phaseOf("broken", "needs-runtime") === "ContainerCreating",
      15_000,
      "demo states",
    );
    const g = await kubectl(cluster, ["get", "spinapps", "-A"]);
    const rows = tableRows(g.stdout);
    assert.deepEqual(rows[0], ["NAMESPACE", "NAME", "READY", "DESIRED", "EXECUTOR"]);
    const byName = new Map(rows.slice(1).map((r) => [`${r[0]}/${r[1]}`, r.slice(2)]));
    assert.deepEqual(byName.get("default/hello-spin"), ["2", "2", "containerd-shim-spin"]);
    assert.deepEqual(byName.get("spin-apps/cart-api"), ["3", "3", "containerd-shim-spin"]);
    assert.deepEqual(byName.get("broken/needs-runtime"), ["0", "2", "containerd-shim-spin"]);
    const sandbox = await cluster.waitFor(() => cluster.list("v1", "Event", "broken").find((e) => e.reason === "FailedCreatePodSandBox"), 5000, "sandbox event");
    assert.equal(sandbox.message, 'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox runtime: no runtime for "spin" is configured');
    const rcFail = await cluster.waitFor(() => cluster.list("v1", "Event", "broken").find((e) => e.reason === "FailedCreate"), 5000, "FailedCreate event");
    assert.match(String(rcFail.message), /pod rejected: RuntimeClass "wasmtime-spin-v1" not found$/);
    const missing = await cluster.waitFor(() => cluster.list("v1", "Event", "broken").find((e) => e.reason === "MissingExecutor"), 5000, "MissingExecutor event");
    assert.equal(missing.message, "Could not find SpinAppExecutor broken/cyclotron");
    const slow = cluster.get("core.spinkube.dev/v1alpha1", "SpinApp", "spin-apps", "slow-start");
    const conds = Object.fromEntries((((slow?.status as Obj).conditions ?? []) as Obj[]).map((c) => [c.type, c.status]));
    assert.deepEqual(conds, { Available: "False", Progressing: "True" });
    const pod = cluster.list("v1", "Pod", "default", { "core.spinkube.dev/app-name": "hello-spin" })[0];
    const logs = await kubectl(cluster, ["logs", "-n", "default", pod.metadata.name ?? "", "--tail=-1"]);
    assert.match(logs.stdout, /^Serving http:\/\/0\.0\.0\.0:80\nAvailable Routes:\n {2}hello-spin: http:\/\/0\.0\.0\.0:80 \(wildcard\)\n/);
  });
});
