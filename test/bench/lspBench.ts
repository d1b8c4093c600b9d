/**
 * The language-server benchmark (`npm run bench`): drives `dist/server.js --stdio` and, when it is
 * installed as a dev dependency, Red Hat's yaml-language-server with the SpinApp schema associated,
 * over stdio LSP on generated files of 1, 300 and 3,000 SpinApps, with and without planted errors.
 * Each (server, file) pair gets a fresh process, warmed with a one-document file so schema loading is
 * not counted, then measures: open → diagnostics; a one-character edit in the middle document →
 * diagnostics (the publish for the new version; yaml-language-server publishes no version, so its
 * next publish); completion and hover latency in the middle document (medians); peak RSS (VmHWM).
 * Prints tables and ratios, writes .test-artifacts/bench-lsp.json. Asserts nothing about time: it
 * fails only when something breaks (no diagnostics within the timeout, planted errors not reported,
 * a request that never answers).
 *
 * Options: --sizes=1,300,3000  --no-anchor  --profile=DIR (CPU profiles of our server, node --cpu-prof)
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import {
  CompletionRequest,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ErrorCodes,
  HoverRequest,
  ResponseError,
  type ClientCapabilities,
  type CompletionItem,
  type CompletionList,
  type Diagnostic,
  type Hover,
  type PublishDiagnosticsParams,
} from "vscode-languageserver-protocol/node";
import { startServer, type LspProcess, type StartOptions } from "../helpers/lspClient";
import { repoRoot } from "../helpers/paths";
import { generateFile, REPLICAS_VALUE_COLUMN, type BenchFile } from "./corpus";

const DIAGNOSTICS_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 30_000;
const WHOLE_RUN_TIMEOUT_MS = 8 * 60_000;
const EDITS = 5;
const QUERIES = 9;

/** What VS Code announces for the features measured, so both servers answer as they would there. */
const CLIENT_CAPABILITIES: ClientCapabilities = {
  textDocument: {
    synchronization: { didSave: true },
    publishDiagnostics: { relatedInformation: true, versionSupport: true },
    completion: { completionItem: { snippetSupport: true, documentationFormat: ["markdown", "plaintext"] }, contextSupport: true },
    hover: { contentFormat: ["markdown", "plaintext"] },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
  },
};

interface ServerSpec {
  name: string;
  version: string;
  options(profileDir: string | undefined): StartOptions;
}

interface RunResult {
  server: string;
  docs: number;
  lines: number;
  planted: number;
  ok: boolean;
  error?: string;
  openMs?: number;
  editMs?: number;
  editSamplesMs?: number[];
  completionMs?: number;
  completionItems?: number;
  hoverMs?: number;
  hoverChars?: number;
  peakRssMb?: number;
  diagnostics?: { errors: number; warnings: number; other: number };
  plantedReported?: number;
  notes: string[];
}

/** yaml-language-server's fixed debounce before validating (yamlSettings.validationDelayMs). */
const ANCHOR_VALIDATION_DELAY_MS = 200;

const fileLabel = (r: { docs: number; planted: number }): string => `${r.docs} doc${r.docs === 1 ? "" : "s"}${r.planted ? `, ${r.planted} planted` : ""}`;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Peak resident set of a process in MB (VmHWM), or undefined off Linux. */
function peakRssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

function countSeverities(ds: Diagnostic[]): { errors: number; warnings: number; other: number } {
  const c = { errors: 0, warnings: 0, other: 0 };
  for (const d of ds) {
    if (d.severity === 1) c.errors++;
    else if (d.severity === 2) c.warnings++;
    else c.other++;
  }
  return c;
}

/** How many planted lines carry an error or warning (yaml-language-server turns warnings into errors). */
function plantedReported(file: BenchFile, ds: Diagnostic[]): number {
  const flagged = new Set(ds.filter((d) => d.severity === 1 || d.severity === 2).map((d) => d.range.start.line));
  return file.plantedLines.filter((l) => flagged.has(l)).length;
}

function ourServer(): ServerSpec {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string };
  return {
    name: "spinkube",
    version: pkg.version,
    options: (profileDir) => ({
      capabilities: CLIENT_CAPABILITIES,
      serverArgs: [...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []), path.join(repoRoot, "dist", "server.js"), "--stdio"],
    }),
  };
}

/** Red Hat's yaml-language-server from node_modules, with the SpinApp schema for every *.yaml; undefined when not installed. */
function anchorServer(): ServerSpec | undefined {
  const dir = path.join(repoRoot, "node_modules", "yaml-language-server");
  if (!existsSync(path.join(dir, "package.json"))) return undefined;
  const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string; bin: Record<string, string> };
  const schemaUri = pathToFileURL(path.join(repoRoot, "schemas", "spinapp.v1alpha1.schema.json")).href;
  const yaml = {
    schemas: { [schemaUri]: ["*.yaml"] },
    validate: true,
    hover: true,
    completion: true,
    // Offline: no JSON Schema Store catalogue, no Kubernetes CRD store.
    schemaStore: { enable: false },
    kubernetesCRDStore: { enable: false },
  };
  return {
    name: "yaml-language-server",
    version: pkg.version,
    // It pulls sections yaml, http, [yaml] and editor; the same object answers each (extra keys are ignored).
    options: () => ({ capabilities: CLIENT_CAPABILITIES, settings: yaml, serverArgs: [path.join(dir, pkg.bin["yaml-language-server"]), "--stdio"] }),
  };
}

function itemsOf(r: CompletionItem[] | CompletionList | null): number {
  if (!r) return 0;
  return Array.isArray(r) ? r.length : r.items.length;
}

function hoverChars(h: Hover | null): number {
  if (!h) return 0;
  const c = h.contents;
  if (typeof c === "string") return c.length;
  if (Array.isArray(c)) return c.reduce((n, x) => n + (typeof x === "string" ? x.length : x.value.length), 0);
  return c.value.length;
}

/** Sends a request QUERIES times in a row; the median latency and the last answer, or undefined when the server lacks the method. */
async function timeRequests<T>(server: string, what: string, send: () => Promise<T>): Promise<{ medianMs: number; last: T } | undefined> {
  const samples: number[] = [];
  let last: T | undefined;
  for (let k = 0; k < QUERIES; k++) {
    const t0 = performance.now();
    try {
      last = await withTimeout(send(), REQUEST_TIMEOUT_MS, `${server}: ${what}`);
    } catch (err) {
      if (err instanceof ResponseError && err.code === ErrorCodes.MethodNotFound) return undefined;
      throw err;
    }
    samples.push(performance.now() - t0);
  }
  return { medianMs: median(samples), last: last as T };
}

/** Opens a file and waits for its first diagnostics that satisfy `accept`; returns them and the time taken. */
async function openAndWait(lsp: LspProcess, uri: string, text: string, accept: (p: PublishDiagnosticsParams) => boolean): Promise<[PublishDiagnosticsParams, number]> {
  const pending = lsp.nextDiagnostics(uri, accept, DIAGNOSTICS_TIMEOUT_MS);
  const t0 = performance.now();
  await lsp.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: "yaml", version: 1, text } });
  const p = await pending;
  return [p, performance.now() - t0];
}

async function measure(spec: ServerSpec, file: BenchFile, uri: string, warmup: BenchFile, warmupUri: string, profileDir: string | undefined): Promise<RunResult> {
  const result: RunResult = { server: spec.name, docs: file.docs, lines: file.lines, planted: file.plantedLines.length, ok: false, notes: [] };
  let lsp: LspProcess | undefined;
  let stderr = "";
  try {
    lsp = await withTimeout(startServer(spec.options(profileDir)), REQUEST_TIMEOUT_MS, `${spec.name}: initialize`);
    lsp.child.stderr.setEncoding("utf8");
    lsp.child.stderr.on("data", (d: string) => (stderr = (stderr + d).slice(-2000)));
    const conn = lsp.connection;

    // Warm-up: wait until the server has its settings and schema (the planted error is reported), then close.
    await openAndWait(lsp, warmupUri, warmup.text, (p) => plantedReported(warmup, p.diagnostics) === warmup.plantedLines.length);
    await conn.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: warmupUri } });

    const [opened, openMs] = await openAndWait(lsp, uri, file.text, (p) => p.version === undefined || p.version === 1);
    result.openMs = openMs;
    const versioned = opened.version !== undefined;
    if (!versioned) result.notes.push("publishes diagnostics without a version: edit timing waits for the next publish");
    result.diagnostics = countSeverities(opened.diagnostics);
    result.plantedReported = plantedReported(file, opened.diagnostics);
    if (result.plantedReported < file.plantedLines.length) {
      throw new Error(`reported ${result.plantedReported} of ${file.plantedLines.length} planted errors on open`);
    }

    // One-character edits of the middle document's replicas value (2 → 3 → 2 …), each waited for.
    const samples: number[] = [];
    let last = opened;
    for (let k = 0; k < EDITS; k++) {
      const version = k + 2;
      const pos = { line: file.replicasLine, character: REPLICAS_VALUE_COLUMN };
      const pending = lsp.nextDiagnostics(uri, (p) => !versioned || p.version === version, DIAGNOSTICS_TIMEOUT_MS);
      const t0 = performance.now();
      await conn.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version },
        contentChanges: [{ range: { start: pos, end: { line: pos.line, character: pos.character + 1 } }, text: k % 2 ? "2" : "3" }],
      });
      last = await pending;
      samples.push(performance.now() - t0);
    }
    result.editSamplesMs = samples;
    result.editMs = median(samples);
    if (plantedReported(file, last.diagnostics) < file.plantedLines.length) throw new Error("planted errors lost after the edits");

    // Completion at the start of the middle document's `replicas` key (which spec keys fit here), hover on it.
    const at = { textDocument: { uri }, position: { line: file.replicasLine, character: 2 } };
    const completion = await timeRequests(spec.name, "completion", () => conn.sendRequest(CompletionRequest.type, at));
    if (completion) {
      [result.completionMs, result.completionItems] = [completion.medianMs, itemsOf(completion.last)];
      if (!result.completionItems) result.notes.push("completion returned no items");
    } else result.notes.push("completion is not implemented (MethodNotFound)");

    const hoverAt = { ...at, position: { line: file.replicasLine, character: 4 } };
    const hover = await timeRequests(spec.name, "hover", () => conn.sendRequest(HoverRequest.type, hoverAt));
    if (hover) {
      [result.hoverMs, result.hoverChars] = [hover.medianMs, hoverChars(hover.last)];
      if (!result.hoverChars) result.notes.push("hover returned nothing");
    } else result.notes.push("hover is not implemented (MethodNotFound)");

    result.peakRssMb = peakRssMb(lsp.child.pid);
    result.ok = true;
    await withTimeout(lsp.stop(), 10_000, `${spec.name}: shutdown`);
    lsp = undefined;
  } catch (err) {
    result.error = (err as Error).message + (stderr ? `\n  server stderr: ${stderr.trim()}` : "");
  } finally {
    if (lsp) {
      lsp.child.kill("SIGKILL");
      lsp.connection.dispose();
    }
  }
  return result;
}

// ---- reporting ----

const ms = (x: number | undefined): string => (x === undefined ? "–" : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
const mb = (x: number | undefined): string => (x === undefined ? "–" : x.toFixed(0));
const times = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? "–" : x >= 10 ? `${x.toFixed(0)}×` : `${x.toFixed(1)}×`);

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

interface Ratio {
  docs: number;
  planted: number;
  openSpeedup?: number;
  editSpeedup?: number;
  completionSpeedup?: number;
  hoverSpeedup?: number;
  memoryFraction?: number;
}

function ratios(results: RunResult[], ours: string, anchor: string): Ratio[] {
  const out: Ratio[] = [];
  for (const o of results.filter((r) => r.server === ours && r.ok)) {
    const a = results.find((r) => r.server === anchor && r.ok && r.docs === o.docs && r.planted === o.planted);
    if (!a) continue;
    const div = (x?: number, y?: number): number | undefined => (x === undefined || y === undefined || y === 0 ? undefined : x / y);
    out.push({
      docs: o.docs,
      planted: o.planted,
      openSpeedup: div(a.openMs, o.openMs),
      editSpeedup: div(a.editMs, o.editMs),
      completionSpeedup: div(a.completionMs, o.completionMs),
      hoverSpeedup: div(a.hoverMs, o.hoverMs),
      memoryFraction: div(o.peakRssMb, a.peakRssMb),
    });
  }
  return out;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const opt = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const sizes = (opt("sizes") ?? "1,300,3000").split(",").map(Number);
  const profileDir = opt("profile") ? path.resolve(opt("profile") as string) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const servers = [ourServer()];
  const anchor = args.includes("--no-anchor") ? undefined : anchorServer();
  if (anchor) servers.push(anchor);

  const tmp = mkdtempSync(path.join(os.tmpdir(), "spinkube-bench-"));
  const warmup = generateFile(1, true);
  const warmupPath = path.join(tmp, "warmup.yaml");
  writeFileSync(warmupPath, warmup.text);
  const results: RunResult[] = [];
  console.log(`LSP benchmark on ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, node ${process.version}`);
  console.log(`servers: ${servers.map((s) => `${s.name} ${s.version}`).join(", ")}${anchor ? "" : args.includes("--no-anchor") ? " (anchor skipped: --no-anchor)" : " (yaml-language-server not installed: no anchor)"}`);
  try {
    for (const docs of sizes) {
      for (const plant of [false, true]) {
        const file = generateFile(docs, plant);
        const filePath = path.join(tmp, `bench-${docs}${plant ? "-errors" : ""}.yaml`);
        writeFileSync(filePath, file.text);
        for (const spec of servers) {
          const r = await measure(spec, file, pathToFileURL(filePath).href, warmup, pathToFileURL(warmupPath).href, spec === servers[0] ? profileDir : undefined);
          results.push(r);
          const status = r.ok ? `open ${ms(r.openMs)} ms, edit ${ms(r.editMs)} ms, completion ${ms(r.completionMs)} ms, hover ${ms(r.hoverMs)} ms, ${mb(r.peakRssMb)} MB` : `FAILED: ${r.error}`;
          console.log(`  ${spec.name} · ${fileLabel(r)}: ${status}`);
        }
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  console.log("\n" + table(
    ["server", "file", "lines", "open→diag ms", `edit→diag ms (med. ${EDITS})`, `completion ms (med. ${QUERIES})`, "items", `hover ms (med. ${QUERIES})`, "peak RSS MB", "diagnostics E/W/other", "planted found"],
    results.map((r) => [
      r.server,
      fileLabel(r),
      String(r.lines),
      r.ok ? ms(r.openMs) : "FAILED",
      ms(r.editMs),
      ms(r.completionMs),
      r.completionItems === undefined ? "–" : String(r.completionItems),
      ms(r.hoverMs),
      mb(r.peakRssMb),
      r.diagnostics ? `${r.diagnostics.errors}/${r.diagnostics.warnings}/${r.diagnostics.other}` : "–",
      r.plantedReported === undefined ? "–" : `${r.plantedReported}/${r.planted}`,
    ]),
  ));

  const rs = anchor ? ratios(results, servers[0].name, anchor.name) : [];
  if (rs.length) {
    console.log(`\nspinkube vs ${anchor?.name} ${anchor?.version} (speed-up = anchor time / our time; memory = our peak RSS / anchor's)`);
    console.log(table(
      ["file", "", "open", "edit→diag", "completion", "hover", "memory"],
      rs.map((r) => [fileLabel({ docs: r.docs, planted: 0 }), r.planted ? "planted errors" : "valid", times(r.openSpeedup), times(r.editSpeedup), times(r.completionSpeedup), times(r.hoverSpeedup), r.memoryFraction === undefined ? "–" : r.memoryFraction.toFixed(2)]),
    ));
    const big = rs.filter((r) => r.docs === Math.max(...rs.map((x) => x.docs)));
    for (const r of big) {
      const goal = (label: string, v: number | undefined, target: string, met: boolean): string => `  ${label}: ${v === undefined ? "–" : label === "memory" ? v.toFixed(2) : times(v)} (goal ${target}) ${v === undefined ? "" : met ? "met" : "MISSED"}`;
      console.log(`goals at ${r.docs} docs${r.planted ? " with planted errors" : ""}:`);
      console.log(goal("edit→diagnostics", r.editSpeedup, "≥ 20×", (r.editSpeedup ?? 0) >= 20));
      console.log(goal("completion", r.completionSpeedup, "≥ 10×", (r.completionSpeedup ?? 0) >= 10));
      console.log(goal("memory", r.memoryFraction, "≤ 0.25", (r.memoryFraction ?? 1) <= 0.25));
    }
  }
  const notes = new Map<string, string[]>();
  for (const r of results) for (const n of r.notes) notes.set(`${r.server}: ${n}`, [...(notes.get(`${r.server}: ${n}`) ?? []), fileLabel(r)]);
  console.log("\nnotes:");
  console.log("  each file runs in a fresh server process, after a 1-document warm-up file (schema loading not counted)");
  if (anchor) console.log(`  ${anchor.name} validates ${ANCHOR_VALIDATION_DELAY_MS} ms after the last change (its validationDelayMs); its open and edit figures include that delay`);
  for (const [n, files] of notes) console.log(`  ${n} (${files.length === results.filter((r) => n.startsWith(`${r.server}:`)).length ? "all files" : files.join("; ")})`);

  const artifacts = path.join(repoRoot, ".test-artifacts");
  mkdirSync(artifacts, { recursive: true });
  const out = path.join(artifacts, "bench-lsp.json");
  writeFileSync(out, JSON.stringify({
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, platform: process.platform },
    method: { warmup: "1-document file opened and closed first", edits: EDITS, queries: QUERIES, diagnosticsTimeoutMs: DIAGNOSTICS_TIMEOUT_MS },
    servers: servers.map((s) => ({ name: s.name, version: s.version })),
    results,
    ratios: rs,
  }, null, 2) + "\n");
  console.log(`\nfigures written to ${path.relative(repoRoot, out)}${profileDir ? `; CPU profiles in ${profileDir}` : ""}`);

  const failed = results.filter((r) => !r.ok);
  if (failed.length) {
    console.log(`\n${failed.length} run(s) broke:\n${failed.map((r) => `  ${r.server} · ${fileLabel(r)}: ${r.error}`).join("\n")}`);
    return 1;
  }
  return 0;
}

const watchdog = setTimeout(() => {
  console.error(`benchmark exceeded ${WHOLE_RUN_TIMEOUT_MS / 1000} s; aborting`);
  process.exit(1);
}, WHOLE_RUN_TIMEOUT_MS);
watchdog.unref();

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
