#!/usr/bin/env node
// Activation benchmark (issue 4): the bundle sizes, and the time from the first statement of
// dist/extension.js to the end of activate() inside a real extension host (code-server), read from
// the extension's API by the in-host suite. Goal: activation ≤ 50 ms; client-node is a separate
// bundle (dist/clientNode.js) loaded only on the first cluster call. Prints figures; asserts
// nothing about time. Run by `npm run bench` (after its build and tsc) or alone.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const kb = (f) => (statSync(path.join(root, f)).size / 1024).toFixed(0);

console.log("\nActivation and bundles");
for (const f of ["dist/extension.js", "dist/clientNode.js", "dist/server.js"]) {
  console.log(`  ${f.padEnd(22)} ${kb(f).padStart(6)} KB${f.endsWith("clientNode.js") ? "  (loaded on the first cluster call)" : ""}`);
}
/** One extension-host start: the in-host suite writes the API's timing to a file. */
function measureOnce(i) {
  const out = path.join(os.tmpdir(), `spinkube-activation-${process.pid}-${i}.json`);
  rmSync(out, { force: true });
  const r = spawnSync(process.execPath, [path.join(root, "test", "e2e", "run.mjs"), "--only", "inhost", "--result", path.join(os.tmpdir(), `spinkube-activation-e2e-${process.pid}.json`)], {
    cwd: root,
    env: { ...process.env, SPINKUBE_BENCH_ACTIVATION: out },
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (!existsSync(out)) {
    console.error(`activation: the in-host suite did not report timings (exit ${r.status})`);
    process.exit(1);
  }
  const t = JSON.parse(readFileSync(out, "utf8"));
  rmSync(out, { force: true });
  return t;
}

const RUNS = Number(process.argv.find((a) => a.startsWith("--activation-runs="))?.split("=")[1] ?? 3);
const runs = Array.from({ length: RUNS }, (_, i) => measureOnce(i));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const act = median(runs.map((t) => t.activateMs));
const all = median(runs.map((t) => t.loadAndActivateMs));
console.log(`  activate()             ${act.toFixed(1).padStart(6)} ms   (median of ${RUNS} extension-host starts)`);
console.log(`  load + activate()      ${all.toFixed(1).padStart(6)} ms   goal ≤ 50 ms: ${all <= 50 ? "met" : "missed"}; runs: ${runs.map((t) => t.loadAndActivateMs.toFixed(0)).join(", ")} ms`);
