/**
 * Runtime hints for Wasm workloads (FACTS.md sections (b) and (f)): where runtimeClassName belongs,
 * when a Wasm workload lacks it, whether the class exists, how the Spin shim runs each container
 * of a mixed pod, and whether a RuntimeClass's handler matches how the shim is installed. These are
 * the only diagnostics SpinKube adds to Pods and workload templates.
 */
import { DiagnosticSeverity } from "vscode-languageserver-types";
import { DEFAULT_SPIN_RUNTIME_CLASS, SPIN_HANDLERS, imageRepository } from "../shared/spinApp";
import { Codes } from "./diagnosticCodes";
import type { RawDiagnostic } from "./errorMapping";
import type { Knowledge, KnownObject } from "./knowledge";
import { closest } from "./similarity";
import type { ContainerInfo, WorkloadInfo } from "./workloads";

// Shared with the cluster diagnosis; re-exported for the server modules that import them from here.
export { DEFAULT_SPIN_RUNTIME_CLASS, imageRepository };

/** Data of a `wasm-without-runtime-class` diagnostic: what to add where. */
export interface AddRuntimeClassData {
  podSpecPath: readonly string[];
  runtimeClassName: string;
}
/** Data of a `runtime-class-in-container` diagnostic (on the misplaced key): where the value goes. */
export interface MoveRuntimeClassData {
  podSpecPath: readonly string[];
  value: string;
}

/** True when a RuntimeClass runs Spin apps: a known class with a Spin handler, or a Spin-ish name. */
export function isSpinRuntimeClass(name: string, knowledge: Knowledge): boolean {
  const known = knowledge.runtimeClasses().find((r) => r.name === name);
  if (known?.handler) return SPIN_HANDLERS.includes(known.handler);
  return /spin/i.test(name);
}

/** Runtime class names of Wasm shims in general (Spin, Slight, WWS, Lunatic, WasmEdge, …). */
const WASM_CLASS = /spin|wasm|slight|wws|lunatic|wasmedge|wasmer/i;

/**
 * Why a container looks like a Wasm app, or undefined. `spin` is true when the evidence is
 * specific to Spin (a known Spin app image); `command: ["/"]` is how every runwasi shim starts a
 * Wasm app, so it says Wasm but not which shim.
 */
export function wasmEvidence(c: ContainerInfo, knowledge: Knowledge): { why: string; spin: boolean } | undefined {
  if (c.image) {
    const repo = imageRepository(c.image);
    const app = knowledge.spinImages().find((i) => imageRepository(i.image) === repo);
    if (app) return { why: `its image ${c.image} is the Spin app ${app.source}`, spin: true };
  }
  if (c.commandSlash) return { why: 'its command is ["/"], the entrypoint the containerd Wasm shims use', spin: false };
  return undefined;
}

/** Hints for one workload's pod spec; needs the workspace/cluster knowledge (images, classes). */
export function workloadHints(w: WorkloadInfo, knowledge: Knowledge): RawDiagnostic[] {
  const out: RawDiagnostic[] = [];
  const rc = w.runtimeClassName?.value;
  const podSpecName = w.podSpecPath.join(".");

  for (const c of w.containers) {
    if (!c.misplacedRuntimeClass) continue;
    out.push({
      span: c.misplacedRuntimeClass.keySpan,
      severity: DiagnosticSeverity.Error,
      code: Codes.runtimeClassInContainer,
      message: `runtimeClassName is a pod-level field, not a container field: the API server rejects it here (unknown field). Move it to ${podSpecName}.runtimeClassName${rc && rc !== c.misplacedRuntimeClass.value ? ` (which already says ${rc})` : ""}.`,
      data: { podSpecPath: w.podSpecPath, value: c.misplacedRuntimeClass.value } satisfies MoveRuntimeClassData,
    });
  }

  const wasm = w.containers.flatMap((c) => {
    const e = wasmEvidence(c, knowledge);
    return e ? [{ c, ...e }] : [];
  });
  const spinClass = rc !== undefined && isSpinRuntimeClass(rc, knowledge);
  // A Spin image needs a Spin class; a generic Wasm entrypoint needs some Wasm class.
  const missing = wasm.find((x) => (x.spin ? !spinClass : rc === undefined || !WASM_CLASS.test(rc)));

  if (missing && !w.containers.some((c) => c.misplacedRuntimeClass)) {
    const { c, why, spin } = missing;
    const suggestion = knowledge.runtimeClasses().find((r) => r.handler !== undefined && SPIN_HANDLERS.includes(r.handler))?.name ?? DEFAULT_SPIN_RUNTIME_CLASS;
    out.push({
      span: c.imageSpan ?? c.nameSpan,
      severity: DiagnosticSeverity.Warning,
      code: Codes.wasmWithoutRuntimeClass,
      message: `Container "${c.name ?? "?"}" is a ${spin ? "Spin" : "Wasm"} app (${why}), but the pod ${rc === undefined ? "has no runtimeClassName" : `uses runtimeClassName ${rc}, which is not a ${spin ? "Spin" : "Wasm"} runtime`}: ${rc === undefined ? "it would run on the default runtime (runc), which cannot start a Wasm artifact" : "that runtime cannot start it"}. Add runtimeClassName: ${suggestion} to ${podSpecName}.`,
      data: { podSpecPath: w.podSpecPath, runtimeClassName: suggestion } satisfies AddRuntimeClassData,
    });
  }

  if (rc !== undefined) out.push(...unknownClass(rc, w.runtimeClassName!.span, knowledge));

  if (spinClass) {
    for (const { c } of wasm) {
      for (const p of c.execProbes)
        out.push({
          span: p.span,
          severity: DiagnosticSeverity.Warning,
          code: Codes.wasmExecProbe,
          message: `${p.probe} uses exec, but container "${c.name ?? "?"}" runs as a Spin app under the shim: there is no shell or process to exec into, so the probe always fails. Use an httpGet probe.`,
        });
      if (c.shellSpan)
        out.push({
          span: c.shellSpan,
          severity: DiagnosticSeverity.Warning,
          code: Codes.wasmShellCommand,
          message: `Container "${c.name ?? "?"}" runs as a Spin app under the shim, which has no shell: a command run through sh/bash cannot start. Spin containers use command: ["/"] or no command.`,
        });
    }
    const defaults = wasm.filter(({ c }) => !c.initContainer && (c.listenAddr === undefined || c.listenAddr === "0.0.0.0:80"));
    for (const { c } of defaults.slice(1))
      out.push({
        span: c.nameSpan,
        severity: DiagnosticSeverity.Warning,
        code: Codes.wasmPortClash,
        message: `Container "${c.name ?? "?"}" and "${defaults[0].c.name ?? "?"}" are both Spin apps listening on the default 0.0.0.0:80 in one pod: the second fails with "address 0.0.0.0:80 is already used". Give each a distinct SPIN_HTTP_LISTEN_ADDR env value (e.g. 0.0.0.0:8080).`,
      });
  }
  return out;
}

/**
 * An executor's or pod's runtimeClassName that the connected cluster does not have (nor the
 * workspace). Without a cluster nobody can tell — installers and operators create RuntimeClasses
 * that no workspace file defines — so this stays quiet then.
 */
export function unknownClass(name: string, span: [number, number], knowledge: Knowledge): RawDiagnostic[] {
  const cluster = knowledge.clusterContext;
  if (cluster === undefined) return [];
  const known = knowledge.runtimeClasses();
  if (known.some((r) => r.name === name)) return [];
  const names = [...new Set(known.map((r) => r.name))];
  const suggestions = closest(name, names);
  return [
    {
      span,
      severity: DiagnosticSeverity.Warning,
      code: Codes.unknownRuntimeClass,
      message: `No RuntimeClass "${name}" in cluster context ${cluster} or this workspace${names.length ? ` (known: ${names.join(", ")})` : ""}. Pods naming a missing RuntimeClass are rejected and the SpinApp never becomes ready.${suggestions.length ? ` Did you mean "${suggestions[0]}"?` : ""}`,
      data: { name, suggestions },
    },
  ];
}

/** A hint on a RuntimeClass document whose Spin-looking handler is not one the shim registers. */
export function runtimeClassDocHint(name: string | undefined, handler: string | undefined, handlerSpan: [number, number]): RawDiagnostic[] {
  if (handler === undefined) return [];
  const spinish = /spin/i.test(handler) || /spin/i.test(name ?? "");
  if (!spinish || SPIN_HANDLERS.includes(handler)) return [];
  return [
    {
      span: handlerSpan,
      severity: DiagnosticSeverity.Hint,
      code: Codes.runtimeClassHandler,
      message: `handler "${handler}" must equal the containerd runtime name on the nodes. The Spin shim is registered as "spin" by the manual setup and the shim's installer images, and as "spin-v2" by runtime-class-manager; with any other name pods fail with: no runtime for "${handler}" is configured.`,
    },
  ];
}

/** Hover text for a runtimeClassName value: which shim and setup each well-known name belongs to. */
export function runtimeClassExplanation(name: string, knowledge: Knowledge): string | undefined {
  const known: KnownObject | undefined = knowledge.runtimeClasses().find((r) => r.name === name);
  const handler = known?.handler ? `Its handler is \`${known.handler}\` (${known.origin === "cluster" ? "from the cluster" : "from this workspace"}).` : "";
  const table: Record<string, string> = {
    "wasmtime-spin-v2":
      "`wasmtime-spin-v2` runs Spin apps with containerd-shim-spin v2 (`io.containerd.spin.v2`). Two flavours exist: the Spin Operator's release asset uses handler `spin` (manual or installer-image setup), runtime-class-manager creates it with handler `spin-v2`. The handler must match how the nodes' containerd names the runtime.",
    "wasmtime-spin":
      "`wasmtime-spin` is the name containerd-shim-spin's own demos and tests use, with handler `spin` (the v2 shim). SpinKube's executor samples use `wasmtime-spin-v2` instead.",
    "wasmtime-spin-v1":
      "`wasmtime-spin-v1` is the legacy name from the deislabs/containerd-wasm-shims era (the v1 shim). Current SpinKube installs use `wasmtime-spin-v2` with containerd-shim-spin.",
  };
  const text = table[name];
  if (!text && !known) return undefined;
  return [text ?? `RuntimeClass \`${name}\`.`, handler].filter(Boolean).join(" ");
}
