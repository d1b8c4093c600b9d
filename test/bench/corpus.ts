/**
 * Generates the benchmark's multi-document SpinApp files: realistic apps (resources, variables from
 * a Secret, a readiness check) of 24 lines plus the `---` separator, valid per the SpinApp schema,
 * optionally with a misspelled key planted in every 10th document. Also returns the positions the
 * benchmark edits, completes and hovers at, and the lines of the planted errors.
 */

export interface BenchFile {
  text: string;
  docs: number;
  lines: number;
  /** 0-based lines of the planted misspelled keys (each must get an error). */
  plantedLines: number[];
  /** 0-based index of the middle document. */
  middleDoc: number;
  /** The `replicas` line of the middle document: edited (value digit), completed (key start), hovered (key). */
  replicasLine: number;
}

/** Planted mistakes, rotated: [correct key, misspelling]. Neither key is required. */
const MISSPELLINGS: readonly [string, string][] = [
  ["periodSeconds", "periodSecond"],
  ["limits", "limit"],
];

function spinApp(i: number, misspell: readonly [string, string] | undefined): string[] {
  const id = `app-${String(i).padStart(5, "0")}`;
  const key = (k: string): string => (misspell && misspell[0] === k ? misspell[1] : k);
  return [
    "apiVersion: core.spinkube.dev/v1alpha1",
    "kind: SpinApp",
    "metadata:",
    `  name: ${id}`,
    `  namespace: team-${i % 7}`,
    "spec:",
    `  image: "ghcr.io/example/${id}:v1.${i % 13}.0"`,
    "  executor: containerd-shim-spin",
    "  replicas: 2",
    "  resources:",
    `    ${key("limits")}:`,
    "      cpu: 500m",
    "      memory: 256Mi",
    "  variables:",
    "    - name: log_level",
    "      value: info",
    "    - name: api_token",
    "      valueFrom:",
    "        secretKeyRef:",
    `          name: ${id}-secrets`,
    "          key: api_token",
    "  checks:",
    "    readiness:",
    `      ${key("periodSeconds")}: 5`,
  ];
}

/** Offset of the `replicas` line inside a document's lines. */
const REPLICAS_OFFSET = 8;
/** The column of the replicas value (`  replicas: 2`). */
export const REPLICAS_VALUE_COLUMN = "  replicas: ".length;

/** `docs` SpinApps in one file; with `plantErrors`, documents 0, 10, 20, … carry one misspelled key. */
export function generateFile(docs: number, plantErrors: boolean): BenchFile {
  const out: string[] = [];
  const plantedLines: number[] = [];
  const middleDoc = Math.floor(docs / 2);
  let replicasLine = -1;
  for (let i = 0; i < docs; i++) {
    if (i > 0) out.push("---");
    const start = out.length;
    const misspell = plantErrors && i % 10 === 0 ? MISSPELLINGS[(i / 10) % MISSPELLINGS.length] : undefined;
    const lines = spinApp(i, misspell);
    if (misspell) plantedLines.push(start + lines.findIndex((l) => l.trimStart().startsWith(`${misspell[1]}:`)));
    if (i === middleDoc) replicasLine = start + REPLICAS_OFFSET;
    out.push(...lines);
  }
  return { text: out.join("\n") + "\n", docs, lines: out.length, plantedLines, middleDoc, replicasLine };
}
