/**
 * The real-world corpus (../shared/corpus: 240 files from 84 public repositories) as the
 * false-positive test bed: current-group SpinApps/SpinAppExecutors validate with no error, legacy
 * documents get exactly the migration warning, Helm templates and other YAML get nothing. Where a
 * real file is wrong by the CRD or the webhook rules, the expectation below says why.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { SpinKubeService } from "../../../src/server/service";
import { splitDocuments } from "../../../src/server/documents";
import { corpusDir } from "../../helpers/paths";

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

const files = yamlFiles(corpusDir);
const rel = (f: string) => path.relative(corpusDir, f);

/** Real files that are wrong, each with the rule that catches it and why. */
const KNOWN_WRONG: Record<string, { codes: string[]; why: string }> = {
  "doc-snippets/spinframework__spinkube-docs__content__en__docs__glossary.md__L94-119.yaml": {
    codes: ["executor-missing", "unknown-field"],
    why: "the glossary's example puts `env` under spec (SpinApp has `variables`, no `env`: strict validation rejects it) and leaves out `executor` (defaulted by the webhook: a warning)",
  },
  "doc-snippets/spinframework__spinkube-docs__content__en__docs__topics__autoscaling__scaling-with-hpa.md__L147-179.yaml": {
    codes: ["executor-missing"],
    why: "the HPA tutorial's SpinApp leaves out `executor`; the webhook fills in the cluster's first executor (a warning, not an error)",
  },
};

const GROUP_LINE = /^apiVersion:\s*["']?core\.(spinkube|spinoperator)\.dev\//m;

test("the corpus is there (CI has ../shared too)", () => {
  assert.ok(files.length >= 150, `found ${files.length} YAML files in ${corpusDir}`);
});

test("every corpus file validates without throwing, and current-group documents have no errors", () => {
  const offenders: string[] = [];
  for (const f of files) {
    const text = readFileSync(f, "utf8");
    const ds = new SpinKubeService().validateNow(`file://${f}`, text);
    const known = KNOWN_WRONG[rel(f)];
    if (known) {
      assert.deepEqual([...new Set(ds.map((d) => String(d.code)))].sort(), known.codes, `${rel(f)}: ${known.why}`);
      continue;
    }
    const bad = ds.filter((d) => d.code !== "legacy-group");
    if (bad.length) offenders.push(`${rel(f)}: ${bad.map((d) => `${d.range.start.line + 1}: ${String(d.message)}`).join("; ")}`);
  }
  assert.deepEqual(offenders, []);
});

test("legacy-group documents get exactly one migration diagnostic each, and nothing else", () => {
  let legacyDocs = 0;
  for (const f of files) {
    const text = readFileSync(f, "utf8");
    if (text.includes("{{")) continue;
    const legacyLines = splitDocuments(text)
      .filter((c) => GROUP_LINE.exec(c.text)?.[1] === "spinoperator")
      .map((c) => c.line + c.text.slice(0, GROUP_LINE.exec(c.text)!.index).split("\n").length - 1);
    if (!legacyLines.length) continue;
    legacyDocs += legacyLines.length;
    const ds = new SpinKubeService().validateNow(`file://${f}`, text);
    const onLegacy = ds.filter((d) => legacyLines.includes(d.range.start.line));
    assert.equal(onLegacy.length, legacyLines.length, `${rel(f)}: ${JSON.stringify(ds.map((d) => d.message))}`);
    assert.ok(onLegacy.every((d) => d.code === "legacy-group" && d.severity === 2), rel(f));
    assert.ok(ds.every((d) => d.code === "legacy-group"), `${rel(f)} has other diagnostics: ${JSON.stringify(ds.map((d) => d.message))}`);
  }
  assert.ok(legacyDocs >= 25, `expected many legacy documents in the corpus, found ${legacyDocs}`);
});

test("Helm templates, workloads, RuntimeClasses and related YAML produce no diagnostics", () => {
  const quiet = files.filter((f) => /\/(helm-template|wasm-workload|runtimeclass|related)\//.test(f));
  assert.ok(quiet.length >= 30);
  for (const f of quiet) {
    const ds = new SpinKubeService().validateNow(`file://${f}`, readFileSync(f, "utf8"));
    assert.deepEqual(ds.map((d) => d.message), [], rel(f));
  }
});

test("the whole corpus as one workspace: executors defined in one file satisfy apps in another", () => {
  const s = new SpinKubeService();
  for (const f of files) s.indexFile(`file://${f}`, readFileSync(f, "utf8"));
  const shim = s.knowledge.executorsIn("default").filter((e) => e.name === "containerd-shim-spin");
  assert.ok(shim.length >= 3, "the corpus defines the shim executor in several files");
  const f = files.find((x) => rel(x) === "real/spinapp/mikkelhegn__spin-k8s-scenarios__deployments__hello_cyclotron.yaml")!;
  const ds = s.validateNow(`file://${f}`, readFileSync(f, "utf8"));
  // `cyclotron` is a real but non-public executor: with other executors known, the note says so —
  // an information, never an error, since no cluster is connected.
  assert.deepEqual(ds.map((d) => [d.code, d.severity]), [["executor-not-found", 3]]);
});
