/**
 * Hover for the runtime side of workloads: a runtimeClassName value (which shim and setup the
 * name belongs to, the handler it has here), and the containers of a pod under the Spin shim (how
 * runwasi decides, per container, whether it runs as Wasm or as an ordinary Linux container).
 */
import { isScalar } from "yaml";
import type { Hover } from "vscode-languageserver-types";
import { chunkAt, parseChunk, type Chunk } from "./documents";
import type { Knowledge } from "./knowledge";
import { toRange } from "./ranges";
import { isSpinRuntimeClass, runtimeClassExplanation, wasmEvidence } from "./runtimeHints";
import { extractWorkload, POD_SPEC_PATHS } from "./workloads";
import { astPathAt, topLevelScalar } from "./yamlPath";

const HOW_THE_SHIM_DECIDES =
  "The Spin shim (runwasi) decides per container: an image with Wasm layers runs as Wasm; otherwise, if the entrypoint resolves in the image to an ELF binary or a `#!` script it runs as an ordinary Linux container (youki's libcontainer); anything else is handed to Spin (for example a scratch image with `/spin.toml` and entrypoint `/`).";

/** Hover at a file offset on workload runtime facts, or null. */
export function workloadHover(chunks: readonly Chunk[], offset: number, knowledge: Knowledge): Hover | null {
  const chunk = chunks[chunkAt(chunks, offset)];
  const kind = topLevelScalar(chunk.text, "kind");
  if (!kind || !/runtimeClassName|containers/.test(chunk.text)) return null;
  const { doc, lines } = parseChunk(chunk.text);
  const hit = astPathAt(doc, offset - chunk.start);
  if (!hit?.node.range || !isScalar(hit.node)) return null;
  const range = toRange(lines, [hit.node.range[0], hit.node.range[1]], chunk.line);
  const last = hit.path[hit.path.length - 1];

  if (last === "runtimeClassName" && !hit.onKey) {
    const text = runtimeClassExplanation(String(hit.node.value), knowledge);
    return text ? { contents: { kind: "markdown", value: text }, range } : null;
  }

  const podSpecPath = POD_SPEC_PATHS[kind];
  if (!podSpecPath || (last !== "name" && last !== "image")) return null;
  const w = extractWorkload(doc, chunk.text, kind);
  const rc = w?.runtimeClassName?.value;
  if (!w || rc === undefined || !isSpinRuntimeClass(rc, knowledge)) return null;
  const containerPath = hit.path.slice(0, -1);
  const c = w.containers.find((x) => JSON.stringify(x.path) === JSON.stringify(containerPath));
  if (!c) return null;
  const evidence = wasmEvidence(c, knowledge);
  const verdict = evidence
    ? `**Runs as Wasm** under \`${rc}\`: ${evidence.why}. Exec probes and shell commands do not apply to it; it listens on \`SPIN_HTTP_LISTEN_ADDR\` (default \`0.0.0.0:80\`).`
    : `**Likely runs as an ordinary Linux container** under \`${rc}\` (nothing marks it as a Spin app), provided its entrypoint is a real binary in the image. Sidecars such as Dapr or Redis run this way.`;
  return { contents: { kind: "markdown", value: `${verdict}\n\n${HOW_THE_SHIM_DECIDES}` }, range };
}
