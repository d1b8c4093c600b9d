/**
 * Entry point of the in-host suites (the `extensionTestsPath` VS Code loads into its extension
 * host): runs every compiled `*.test.js` beside this file with Mocha (TDD interface), refusing
 * focused (`.only`) and pending (skipped) tests. When SPINKUBE_E2E_RESULTS names a file, writes each
 * test's outcome there as JSON for the end-to-end harness (test/e2e/run.mjs), which runs this in
 * code-server; under @vscode/test-electron (runDesktop.ts) the exit code alone counts.
 */
import Mocha from "mocha";
import { readdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/** One test's outcome, as the e2e harness reads it. */
export interface InHostResult {
  name: string;
  ok: boolean;
  error?: string;
  durationMs?: number;
}

/** Runs the suites; rejects when any test or hook failed (VS Code then exits non-zero). */
export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: "tdd",
    color: false,
    timeout: 60_000,
    forbidOnly: true,
    forbidPending: true,
    reporter: "spec",
  });
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith(".test.js"))
    .sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));

  const results: InHostResult[] = [];
  const resultFile = process.env.SPINKUBE_E2E_RESULTS;
  return new Promise<void>((resolve, reject) => {
    try {
      // Written after every test, so a run that hangs later still reports what finished.
      const save = (done: boolean) => {
        if (resultFile) writeFileSync(resultFile, JSON.stringify({ files, done, results }, null, 2));
      };
      const runner = mocha.run((failures) => {
        save(true);
        if (failures > 0) reject(new Error(`${failures} in-host test(s) failed`));
        else if (results.length === 0) reject(new Error("no in-host test ran"));
        else resolve();
      });
      runner.on("pass", (t) => {
        results.push({ name: t.fullTitle(), ok: true, durationMs: t.duration });
        save(false);
      });
      runner.on("fail", (t, err: unknown) => {
        results.push({ name: t.fullTitle(), ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
        save(false);
      });
    } catch (err) {
      if (resultFile) writeFileSync(resultFile, JSON.stringify({ files, done: true, results, error: String(err) }, null, 2));
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
