#!/usr/bin/env node
// `npm run package`: builds the bundles, packages the extension with vsce (no dependencies: the
// bundles contain them; .vscodeignore allow-lists dist/*.js, schemas, snippets, media, README,
// LICENSE and CHANGELOG), lists what went in, and checks the .vsix against the 3 MB budget.
// Exit code 1 when the build or packaging fails or the package is over budget.
//
// Usage: node test/package.mjs [--out FILE] [--skip-build]
import { spawnSync } from "node:child_process";
import path from "node:path";
import { packageVsix, root } from "./e2e/codeServer.mjs";
import { readFileSync } from "node:fs";

const BUDGET_BYTES = 3 * 1024 * 1024;
const args = process.argv.slice(2);
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const out = path.resolve(args.includes("--out") ? args[args.indexOf("--out") + 1] : path.join(root, `${pkg.name}-${pkg.version}.vsix`));

if (!args.includes("--skip-build")) {
  const b = spawnSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit" });
  if (b.status !== 0) {
    console.error("package: the build failed");
    process.exit(1);
  }
}

let result;
try {
  result = packageVsix(out);
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}

// vsce's own summary lists the files (`DONE  Packaged: … (N files, X KB)` and a tree).
process.stdout.write(result.output.trim() + "\n");
const mb = (n) => `${(n / 1024 / 1024).toFixed(2)} MB`;
const pct = ((result.bytes / BUDGET_BYTES) * 100).toFixed(0);
const over = result.bytes > BUDGET_BYTES;
console.log(`\n${path.relative(process.cwd(), out)}: ${mb(result.bytes)} of the ${mb(BUDGET_BYTES)} budget (${pct}%)${over ? " — OVER BUDGET" : ""}`);
process.exit(over ? 1 : 0);
