/**
 * Reads the pod spec out of Pods and workload templates (Deployment, StatefulSet, DaemonSet,
 * ReplicaSet, Job, CronJob): where runtimeClassName is (or is misplaced), and per container the
 * image, command, probes and listen address — with spans for diagnostics. Runtime hints
 * (runtimeHints.ts) judge this; nothing else about these documents is validated.
 */
import { isMap, isSeq, isScalar, type Document, type Node } from "yaml";
import { nodeAt, nodeSpan, pairAt, spanFor, type YamlPath } from "./ranges";

/** Where each workload kind keeps its pod spec. */
export const POD_SPEC_PATHS: Record<string, readonly string[]> = {
  Pod: ["spec"],
  Deployment: ["spec", "template", "spec"],
  StatefulSet: ["spec", "template", "spec"],
  DaemonSet: ["spec", "template", "spec"],
  ReplicaSet: ["spec", "template", "spec"],
  Job: ["spec", "template", "spec"],
  CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};

export const WORKLOAD_KIND_PATTERN = /^kind:\s*["']?(Pod|Deployment|StatefulSet|DaemonSet|ReplicaSet|Job|CronJob)["']?\s*$/m;

export interface ContainerInfo {
  /** Path of the container item, e.g. ["spec", "containers", 0]. */
  path: YamlPath;
  name?: string;
  nameSpan: [number, number];
  image?: string;
  imageSpan?: [number, number];
  /** `command: ["/"]`, the entrypoint the shim (and the operator) use for Spin apps. */
  commandSlash: boolean;
  /** Span of a command/args that runs a shell (`sh -c …`). */
  shellSpan?: [number, number];
  /** Probes that use `exec`, with the span of their `exec` key. */
  execProbes: { probe: string; span: [number, number] }[];
  /** A runtimeClassName key inside the container (a mistake). */
  misplacedRuntimeClass?: { value: string; keySpan: [number, number] };
  /** Value of env SPIN_HTTP_LISTEN_ADDR when set. */
  listenAddr?: string;
  initContainer: boolean;
}

export interface WorkloadInfo {
  kind: string;
  podSpecPath: readonly string[];
  /** Span of the pod spec's own key (`spec` under template, …), where pod-level fixes go. */
  podSpecKeySpan: [number, number];
  runtimeClassName?: { value: string; span: [number, number] };
  containers: ContainerInfo[];
}

function str(n: unknown): string | undefined {
  return isScalar(n) && n.value != null ? String(n.value) : undefined;
}

const SHELLS = /^(?:\/bin\/|\/usr\/bin\/)?(?:sh|bash|ash|dash|zsh)$/;

/** Extracts the pod spec facts of a workload document, or undefined when it has no pod spec. */
export function extractWorkload(doc: Document, text: string, kind: string): WorkloadInfo | undefined {
  const podSpecPath = POD_SPEC_PATHS[kind];
  if (!podSpecPath) return undefined;
  const podSpec = nodeAt(doc, podSpecPath);
  if (!isMap(podSpec)) return undefined;
  const rcPair = pairAt(doc, [...podSpecPath, "runtimeClassName"]);
  const rcValue = str(rcPair?.value);
  const info: WorkloadInfo = {
    kind,
    podSpecPath,
    podSpecKeySpan: spanFor(doc, text, podSpecPath, "key"),
    runtimeClassName: rcValue !== undefined ? { value: rcValue, span: spanFor(doc, text, [...podSpecPath, "runtimeClassName"], "value") } : undefined,
    containers: [],
  };
  for (const list of ["containers", "initContainers"] as const) {
    const seq = nodeAt(doc, [...podSpecPath, list]);
    if (!isSeq(seq)) continue;
    seq.items.forEach((item, i) => {
      if (!isMap(item)) return;
      const path: YamlPath = [...podSpecPath, list, i];
      info.containers.push(readContainer(doc, text, path, list === "initContainers"));
    });
  }
  return info;
}

function readContainer(doc: Document, text: string, path: YamlPath, initContainer: boolean): ContainerInfo {
  const get = (k: string) => nodeAt(doc, [...path, k]);
  const name = str(get("name"));
  const image = str(get("image"));
  const command = get("command");
  const args = get("args");
  const words = (n: unknown) => (isSeq(n) ? n.items.map(str) : []);
  const cmd = words(command);
  const c: ContainerInfo = {
    path,
    name,
    nameSpan: name !== undefined ? spanFor(doc, text, [...path, "name"], "value") : spanFor(doc, text, path, "key"),
    image,
    imageSpan: image !== undefined ? spanFor(doc, text, [...path, "image"], "value") : undefined,
    commandSlash: cmd.length === 1 && cmd[0] === "/",
    execProbes: [],
    initContainer,
  };
  const first = cmd[0] ?? (cmd.length === 0 ? words(args)[0] : undefined);
  if (first !== undefined && SHELLS.test(first)) c.shellSpan = spanFor(doc, text, [...path, cmd.length ? "command" : "args"], "value");
  for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) {
    if (nodeAt(doc, [...path, probe, "exec"]) !== undefined) c.execProbes.push({ probe, span: spanFor(doc, text, [...path, probe, "exec"], "key") });
  }
  const rc = pairAt(doc, [...path, "runtimeClassName"]);
  if (rc) {
    c.misplacedRuntimeClass = { value: str(rc.value) ?? "", keySpan: nodeSpan(rc.key as Node) ?? [0, 0] };
  }
  const env = get("env");
  if (isSeq(env))
    for (const e of env.items) {
      if (isMap(e) && str(e.get("name", true)) === "SPIN_HTTP_LISTEN_ADDR") c.listenAddr = str(e.get("value", true));
    }
  return c;
}
