/**
 * The cluster-explorer benchmark (`npm run bench`, after the LSP benchmark): 10,000 SpinApps in 100
 * namespaces on the test API server (its own process, test/bench/explorerCluster.ts), the explorer
 * model here, as VS Code drives it (expand the context, render the first level, expand every
 * namespace, repaint on every change event). Prints:
 *
 * - connect → SpinApp list returned → first level (namespaces with counts) rendered;
 * - rendering every namespace's SpinApps (10,000 tree items' view-models);
 * - heap after GC before connecting, after the first level, after everything is rendered;
 * - delay from a server-side change to the model update: single changes (median, p95) and a burst
 *   of 1,000 changes (until the last is reflected, and how many repaints it took);
 * - heap across a bounded churn of updates, creations and deletions (default 60 s), start vs end;
 * - baseline: `kubectl get spinapps -A` on the same server (wall time, rows).
 *
 * Writes .test-artifacts/bench-explorer.json. Asserts nothing about time: exits non-zero only when
 * something breaks (a list never returns, changes never arrive, kubectl fails).
 *
 * Options: --explorer-apps=10000 --explorer-namespaces=100 --explorer-churn-seconds=60
 */
import { spawnSync } from "node:child_process";
import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { ExplorerModel, MemoryExplorerMemory } from "../../src/cluster/model";
import type { TreeNode } from "../../src/cluster/nodes";
import { repoRoot } from "../helpers/paths";

const args = process.argv.slice(2);
const opt = (name: string, def: number): number => {
  const v = args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  return v ? Number(v) : def;
};
const APPS = opt("explorer-apps", 10_000);
const NAMESPACES = opt("explorer-namespaces", 100);
const CHURN_S = opt("explorer-churn-seconds", 60);
const KUBECTL = process.env.KUBECTL ?? "/usr/bin/kubectl";

const gc = (globalThis as { gc?: () => void }).gc;
function heapMb(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

interface ClusterProc {
  child: ChildProcess;
  ready: { kubeconfigPath: string; apps: number; namespaces: number; seedMs: number };
  ask<T>(m: unknown): Promise<T>;
}

function startCluster(): Promise<ClusterProc> {
  const child = fork(path.join(__dirname, "explorerCluster.js"), [], { env: { ...process.env, BENCH_APPS: String(APPS), BENCH_NAMESPACES: String(NAMESPACES) }, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  let waiting: ((m: unknown) => void) | undefined;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the benchmark cluster did not start within 180 s")), 180_000);
    child.once("exit", (code) => reject(new Error(`the benchmark cluster exited (${code})`)));
    child.on("message", (m: unknown) => {
      const r = m as { ready?: boolean };
      if (r.ready) {
        clearTimeout(timer);
        resolve({
          child,
          ready: m as ClusterProc["ready"],
          ask: <T>(msg: unknown) =>
            new Promise<T>((res) => {
              waiting = res as (m: unknown) => void;
              child.send(msg as object);
            }),
        });
      } else if (waiting) {
        const w = waiting;
        waiting = undefined;
        w(m);
      }
    });
  });
}

/** Resolves when `check` is true, evaluated on every model flush; rejects after timeoutMs. */
function until(model: ExplorerModel, check: () => boolean, what: string, timeoutMs = 60_000): Promise<number> {
  return new Promise((resolve, reject) => {
    if (check()) return resolve(performance.now());
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const off = model.onDidFlush(() => {
      if (check()) {
        clearTimeout(timer);
        off();
        resolve(performance.now());
      }
    });
  });
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (n: number): string => `${n.toFixed(0)} ms`;
const mb = (n: number): string => `${n.toFixed(1)} MB`;

async function main(): Promise<void> {
  const results: Record<string, unknown> = { apps: APPS, namespaces: NAMESPACES, churnSeconds: CHURN_S, gcExposed: !!gc };
  console.log(`\n=== explorer benchmark: ${APPS} SpinApps in ${NAMESPACES} namespaces${gc ? "" : " (run with --expose-gc for exact heap figures)"}`);
  const tSeed = performance.now();
  const c = await startCluster();
  console.log(`cluster: ${c.ready.apps} SpinApps seeded in ${ms(c.ready.seedMs)} (startup ${ms(performance.now() - tSeed)})`);

  // Baseline: kubectl on the same server.
  const cache = mkdtempSync(path.join(os.tmpdir(), "bench-kubectl-"));
  const kubectlRuns: number[] = [];
  let rows = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const r = spawnSync(KUBECTL, ["--kubeconfig", c.ready.kubeconfigPath, "--cache-dir", cache, "get", "spinapps", "-A", "--no-headers"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env: { ...process.env, KUBECONFIG: "" } });
    kubectlRuns.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`kubectl get spinapps -A failed: ${r.stderr || r.error?.message}`);
    rows = r.stdout.trim().split("\n").length;
  }
  rmSync(cache, { recursive: true, force: true });
  results.kubectl = { runsMs: kubectlRuns, rows };

  // The explorer, as VS Code drives it.
  const heap0 = heapMb();
  const model = new ExplorerModel({ kubeconfig: () => ({ setting: c.ready.kubeconfigPath }), memory: new MemoryExplorerMemory() });
  let renders = 0;
  const render = (nodes: TreeNode[] | undefined): void => {
    // VS Code asks for the fired nodes' items and their children's items.
    for (const n of nodes ?? model.children()) {
      model.view(n);
      for (const k of model.children(n)) model.view(k);
    }
    renders++;
  };
  model.onDidChange(render);
  const tConnect = performance.now();
  const [ctx] = model.children();
  model.view(ctx);
  model.children(ctx);
  const tList = await until(model, () => model.scope(ctx.kind === "context" ? ctx.context : "").synced, "the SpinApp list", 120_000);
  const tRender0 = performance.now();
  const level = model.children(ctx).filter((n) => n.kind === "namespace");
  const views = level.map((n) => model.view(n));
  const tFirstLevel = performance.now();
  const heapFirst = heapMb();
  // The context's own namespace ("default") is shown too, even without SpinApps.
  if (level.length < NAMESPACES) throw new Error(`first level has ${level.length} namespaces, expected ${NAMESPACES}`);
  const counted = views.reduce((s, v) => s + Number(/^(\d+) SpinApp/.exec(v.description ?? "")?.[1] ?? 0), 0);
  if (counted !== c.ready.apps) throw new Error(`namespace counts add up to ${counted}, expected ${c.ready.apps}`);
  // Expand every namespace (each starts its pod and executor watches) and render all SpinApps.
  const tExpand = performance.now();
  let items = 0;
  for (const ns of level) for (const a of model.children(ns)) {
    model.view(a);
    items++;
  }
  const tAll = performance.now();
  const contextName = ctx.kind === "context" ? ctx.context : "";
  await until(model, () => model.session(contextName)?.activeWatches().every((w) => w.status === "synced" || w.status === "notServed") ?? false, "every namespace's watches", 120_000);
  const heapAll = heapMb();
  results.connect = {
    listMs: tList - tConnect,
    firstLevelAfterListMs: tFirstLevel - tRender0,
    connectToFirstLevelMs: tFirstLevel - tConnect,
    renderAllAppsMs: tAll - tExpand,
    items,
    heapMb: { before: heap0, firstLevel: heapFirst, allExpanded: heapAll },
    watches: model.session(contextName)?.activeWatches().length,
  };

  // Single changes: server write → model flush with the change.
  const single: number[] = [];
  const cache2 = () => model.session(contextName);
  const spinSpec = { resource: { group: "core.spinkube.dev", version: "v1alpha1", plural: "spinapps", kind: "SpinApp", namespaced: true } };
  for (let i = 0; i < 20; i++) {
    const stamp = `one-${i}`;
    const box: { target?: { ns: string; name: string } } = {};
    const seen = new Promise<number>((resolve) => {
      const off = model.onDidFlush(() => {
        const o = box.target && cache2()?.object(spinSpec, box.target.ns, box.target.name);
        if (o?.metadata.labels?.["bench/stamp"] === stamp) {
          off();
          resolve(Date.now());
        }
      });
    });
    const { t0, ns, name } = await c.ask<{ t0: number; ns: string; name: string }>({ cmd: "one", stamp });
    box.target = { ns, name };
    single.push((await seen) - t0);
    // Isolated changes: let the coalescer's streaming window (300 ms) pass.
    await new Promise((r) => setTimeout(r, 400));
  }

  // A burst of 1,000 changes across all namespaces.
  const repaintsBefore = model.repaints;
  const stamped = () => (cache2()?.objects(spinSpec) ?? []).filter((o) => o.metadata.labels?.["bench/stamp"] === "burst").length;
  const burstDone = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the burst never fully arrived")), 60_000);
    const off = model.onDidFlush(() => {
      if (stamped() >= 1000) {
        clearTimeout(timer);
        off();
        resolve(Date.now());
      }
    });
  });
  const { t0: b0, t1: b1 } = await c.ask<{ t0: number; t1: number }>({ cmd: "burst", n: 1000, stamp: "burst" });
  const bDone = await burstDone;
  await new Promise((r) => setTimeout(r, 400));
  results.changes = {
    singleMs: { median: pct(single, 50), p95: pct(single, 95), max: Math.max(...single) },
    burst: { writesMs: b1 - b0, lastReflectedAfterLastWriteMs: bDone - b1, lastReflectedAfterFirstWriteMs: bDone - b0, repaints: model.repaints - repaintsBefore },
  };

  // Churn, bounded.
  const samples: { t: number; heapMb: number; rssMb: number }[] = [];
  const heapChurn0 = heapMb();
  const tChurn = Date.now();
  const sampler = setInterval(() => samples.push({ t: (Date.now() - tChurn) / 1000, heapMb: heapMb(), rssMb: process.memoryUsage().rss / 1024 / 1024 }), 5000);
  const rendersBefore = renders;
  const { changes } = await c.ask<{ changes: number }>({ cmd: "churn", seconds: CHURN_S, perTick: 20, tickMs: 100 });
  // Let the deletions at the end arrive.
  await until(model, () => (cache2()?.objects(spinSpec).length ?? 0) === c.ready.apps, "churn creations removed again", 60_000);
  clearInterval(sampler);
  await new Promise((r) => setTimeout(r, 300));
  const heapChurn1 = heapMb();
  results.churn = { seconds: CHURN_S, changes, renders: renders - rendersBefore, heapMbStart: heapChurn0, heapMbEnd: heapChurn1, samples };

  // Report.
  const r = results as { connect: { listMs: number; firstLevelAfterListMs: number; connectToFirstLevelMs: number; renderAllAppsMs: number; items: number; heapMb: { before: number; firstLevel: number; allExpanded: number }; watches: number } };
  console.log("\nexplorer (connect → first level):");
  console.log(`  SpinApp list returned (connect → synced)     ${ms(r.connect.listMs)}`);
  console.log(`  first level rendered after the list          ${ms(r.connect.firstLevelAfterListMs)}   (goal ≤ 1000 ms)`);
  console.log(`  connect → first level                        ${ms(r.connect.connectToFirstLevelMs)}`);
  console.log(`  every namespace expanded, ${r.connect.items} SpinApp items  ${ms(r.connect.renderAllAppsMs)} (${r.connect.watches} watches)`);
  console.log(`  heap after GC: before ${mb(r.connect.heapMb.before)}, first level ${mb(r.connect.heapMb.firstLevel)}, all expanded ${mb(r.connect.heapMb.allExpanded)}`);
  console.log("server change → model update:");
  console.log(`  single change: median ${ms(pct(single, 50))}, p95 ${ms(pct(single, 95))}, max ${ms(Math.max(...single))}   (goal ≤ 100 ms)`);
  const burst = (results.changes as { burst: { repaints: number } }).burst;
  console.log(`  burst of 1,000 (written in ${ms(b1 - b0)}): last reflected ${ms(bDone - b1)} after the last write, ${burst.repaints} repaint(s)`);
  console.log(`churn: ${changes} changes in ${CHURN_S} s, ${renders - rendersBefore} repaints; heap after GC ${mb(heapChurn0)} → ${mb(heapChurn1)} (${heapChurn1 - heapChurn0 >= 0 ? "+" : ""}${mb(heapChurn1 - heapChurn0)})`);
  if (samples.length) console.log(`  samples (s: heap MB): ${samples.map((s) => `${s.t.toFixed(0)}: ${s.heapMb.toFixed(1)}`).join(", ")}`);
  console.log(`baseline kubectl get spinapps -A (${rows} rows): ${kubectlRuns.map(ms).join(", ")} (first run includes discovery)`);
  const outDir = path.join(repoRoot, ".test-artifacts");
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, "bench-explorer.json"), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`written: ${path.relative(process.cwd(), path.join(outDir, "bench-explorer.json"))}`);
  model.dispose();
  await new Promise<void>((resolve) => {
    const t = setTimeout(() => {
      c.child.kill();
      resolve();
    }, 10_000);
    c.child.removeAllListeners("exit");
    c.child.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
    c.child.send({ cmd: "stop" });
  });
}

const watchdog = setTimeout(() => {
  console.error("explorer bench: gave up after 15 minutes");
  process.exit(1);
}, 15 * 60_000);
watchdog.unref();
main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`explorer bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
