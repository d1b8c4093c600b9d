#!/usr/bin/env node
// `npm run bench`: builds dist/server.js, compiles the TypeScript (tests and benchmark into out/),
// then runs the LSP benchmark (out/test/bench/lspBench.js) with this script's arguments, e.g.
// `npm run bench -- --sizes=1,300 --no-anchor --profile=/tmp/prof`. Exit code is the benchmark's:
// non-zero only when something broke, never because of a time.
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
const entry = path.join(root, "out", "test", "bench", "lspBench.js");
// tsc emits even when a file elsewhere in the project has type errors; the benchmark still runs then.
if (run(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "."]) !== 0) {
  console.error("bench: tsc reported errors (see above); running the compiled benchmark anyway");
}
if (!existsSync(entry)) {
  console.error(`bench: ${path.relative(root, entry)} was not produced`);
  process.exit(1);
}
process.exit(run(process.execPath, [entry, ...process.argv.slice(2)]));
