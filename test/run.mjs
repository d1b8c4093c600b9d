#!/usr/bin/env node
// The one test command (`npm test`): builds the extension, compiles the tests, then runs every
// layer — lint, unit/integration tests under node's test runner (real YAML, schema, LSP, HTTP/TLS,
// kubectl), and the end-to-end suites in a real VS Code (code-server) driven by Chromium — and
// prints one plain `N passed, N failed` line for all of them. Exit code is non-zero on any failure.
//
// Usage: node test/run.mjs [--only unit|lint|e2e] [--skip-build]
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, existsSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
const skipBuild = args.includes("--skip-build");
const artifacts = path.join(root, ".test-artifacts");
mkdirSync(artifacts, { recursive: true });

let passed = 0;
let failed = 0;
const failures = [];

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { cwd: root, stdio: "inherit", ...opts });
  return r.status ?? 1;
}

function step(name, fn) {
  process.stdout.write(`\n=== ${name}\n`);
  const t0 = Date.now();
  fn();
  process.stdout.write(`=== ${name} took ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

if (!skipBuild) {
  step("build", () => {
    const b = run("npm", ["run", "--silent", "build"]);
    const c = run("npm", ["run", "--silent", "compile-tests"]);
    if (b !== 0 || c !== 0) {
      failed++;
      failures.push("build/compile");
    } else passed++;
  });
}

if (!only || only === "lint") {
  step("lint", () => {
    if (run("npm", ["run", "--silent", "lint"]) === 0) passed++;
    else {
      failed++;
      failures.push("lint");
    }
  });
}

if (!only || only === "unit") {
  step("unit and integration tests (node --test)", () => {
    const tap = path.join(artifacts, "unit.tap");
    rmSync(tap, { force: true });
    const dir = path.join(root, "out", "test", "unit");
    if (!existsSync(dir)) {
      failed++;
      failures.push("no compiled unit tests in out/test/unit");
      return;
    }
    run(process.execPath, [
      "--test",
      "--test-concurrency=2",
      // A test that hangs fails after two minutes (the slowest takes ~20 s) instead of holding CI.
      "--test-timeout=120000",
      "--test-reporter=spec",
      "--test-reporter-destination=stdout",
      "--test-reporter=tap",
      `--test-reporter-destination=${tap}`,
      dir,
    ]);
    const text = existsSync(tap) ? readFileSync(tap, "utf8") : "";
    const p = /^# pass (\d+)/m.exec(text);
    const f = /^# fail (\d+)/m.exec(text);
    const c = /^# cancelled (\d+)/m.exec(text);
    if (!p) {
      failed++;
      failures.push("unit: the test runner produced no summary");
      return;
    }
    passed += Number(p[1]);
    const nf = Number(f?.[1] ?? 0) + Number(c?.[1] ?? 0);
    failed += nf;
    if (nf) failures.push(`unit: ${nf} failed`);
  });
}

if (!only || only === "e2e") {
  const e2e = path.join(root, "test", "e2e", "run.mjs");
  if (existsSync(e2e)) {
    step("end-to-end in code-server (real VS Code) + Chromium", () => {
      const out = path.join(artifacts, "e2e-result.json");
      rmSync(out, { force: true });
      run(process.execPath, [e2e, "--result", out]);
      if (!existsSync(out)) {
        failed++;
        failures.push("e2e: the harness wrote no result");
        return;
      }
      const r = JSON.parse(readFileSync(out, "utf8"));
      passed += r.passed;
      failed += r.failed;
      if (r.failed) failures.push(`e2e: ${r.failed} failed`);
    });
  }
}

if (failures.length) process.stdout.write(`\nFailures: ${failures.join("; ")}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed ? 1 : 0);
