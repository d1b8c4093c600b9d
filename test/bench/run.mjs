#!/usr/bin/env node
// `npm run bench`: builds dist/server.js, compiles the TypeScript (tests and benchmark into out/),
// then runs the LSP benchmark (out/test/bench/lspBench.js) and the cluster-explorer benchmark
// (out/test/bench/explorer.js, with --expose-gc) and the log-streaming benchmark
// (out/test/bench/logsBench.js) and the activation benchmark (test/bench/activation.mjs) with this script's arguments, e.g.
// `npm run bench -- --sizes=1,300 --no-anchor --profile=/tmp/prof --explorer-churn-seconds=600 --logs-seconds=5`;
// `--only=lsp|explorer|logs|activation` runs one of them. Exit code is non-zero only when something
// broke, never because of a time.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const run = (cmd, argv) => spawnSync(cmd, argv, { cwd: root, stdio: "inherit" }).status ?? 1;

if (run("npm", ["run", "--silent", "build"]) !== 0) {
  console.error("bench: the build failed");
  process.exit(1);
}
const args = process.argv.slice(2);
const only = args.find((a) => a.startsWith("--only="))?.slice("--only=".length);
const entries = [
  { name: "lsp", file: path.join(root, "out", "test", "bench", "lspBench.js"), node: [] },
  { name: "explorer", file: path.join(root, "out", "test", "bench", "explorer.js"), node: ["--expose-gc"] },
  { name: "logs", file: path.join(root, "out", "test", "bench", "logsBench.js"), node: [] },
  { name: "activation", file: path.join(root, "test", "bench", "activation.mjs"), node: [] },
].filter((e) => !only || e.name === only);
// tsc emits even when a file elsewhere in the project has type errors; the benchmark still runs then.
if (run(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "."]) !== 0) {
  console.error("bench: tsc reported errors (see above); running the compiled benchmark anyway");
}
let failed = 0;
for (const e of entries) {
  if (!existsSync(e.file)) {
    console.error(`bench: ${path.relative(root, e.file)} was not produced`);
    failed++;
    continue;
  }
  if (run(process.execPath, [...e.node, e.file, ...args.filter((a) => !a.startsWith("--only="))]) !== 0) failed++;
}
process.exit(failed ? 1 : 0);
