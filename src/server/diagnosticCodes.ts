/**
 * Diagnostic codes the server publishes (`Diagnostic.code`) and the `data` each carries, so code
 * actions can fix a diagnostic without re-deriving it. The source of every diagnostic is "SpinKube".
 */

export const SOURCE = "SpinKube";

export const Codes = {
  /** YAML syntax error (tabs, duplicate keys, bad indentation, unclosed quotes). */
  yamlSyntax: "yaml-syntax",
  /** apiVersion uses the pre-v0.4 group. data: LegacyGroupData */
  legacyGroup: "legacy-group",
  /** A key the schema does not allow. data: UnknownFieldData */
  unknownField: "unknown-field",
  /** A required field is missing. data: MissingFieldData */
  missingField: "missing-field",
  /** Wrong value type (string for an integer, …). */
  type: "type",
  /** Value not one of the allowed values. */
  enumValue: "enum",
  /** Integer outside int32/int64. */
  format: "format",
  /** Not a Kubernetes quantity. data: QuantityData (when a fix is known) */
  quantity: "quantity",
  /** Other schema constraint (minItems, pattern, …). */
  schema: "schema",
  /** A YAML 1.1 boolean/number where Kubernetes expects a string (`yes`, `on`, `0777`). data: QuoteData */
  yaml11Scalar: "yaml11-scalar",
  /** metadata.name missing. */
  missingName: "missing-name",
  // Admission webhook rules (FACTS.md section (a)).
  replicasMin: "replicas-min",
  replicasWithAutoscaling: "replicas-with-autoscaling",
  annotationsWithoutDeployment: "annotations-without-deployment",
  invocationMemoryInvalid: "invocation-memory-invalid",
  invocationMemoryTooLarge: "invocation-memory-too-large",
  executorRuntimeExclusive: "executor-runtime-exclusive",
  executorRuntimeMissing: "executor-runtime-missing",
  /** spec.executor absent: the webhook defaults it (warning). data: MissingFieldData */
  executorMissing: "executor-missing",
  /** spec.executor names no executor in that namespace. data: ExecutorNotFoundData */
  executorNotFound: "executor-not-found",
  // Runtime hints (FACTS.md sections (b), (f)).
  /** runtimeClassName under a container. data: MoveRuntimeClassData (runtimeHints.ts) */
  runtimeClassInContainer: "runtime-class-in-container",
  /** A Spin app container in a pod without a Spin runtime class. data: AddRuntimeClassData */
  wasmWithoutRuntimeClass: "wasm-without-runtime-class",
  /** runtimeClassName names a class nobody defines. data: { name, suggestions } */
  unknownRuntimeClass: "unknown-runtime-class",
  /** exec probe on a container the shim runs as Wasm. */
  wasmExecProbe: "wasm-exec-probe",
  /** shell command on a container the shim runs as Wasm. */
  wasmShellCommand: "wasm-shell-command",
  /** two Spin containers on the default 0.0.0.0:80 in one pod. */
  wasmPortClash: "wasm-port-clash",
  /** RuntimeClass handler that is not a containerd runtime name the Spin shim registers. */
  runtimeClassHandler: "runtime-class-handler",
} as const;

export type Code = (typeof Codes)[keyof typeof Codes];

export interface LegacyGroupData {
  /** The apiVersion to write instead. */
  replacement: string;
}
export interface UnknownFieldData {
  key: string;
  /** YAML path of the object holding the key. */
  parentPath: (string | number)[];
  /** Closest allowed keys, best first. */
  suggestions: string[];
}
export interface MissingFieldData {
  /** The missing key. */
  field: string;
  /** YAML path of the object that lacks it. */
  parentPath: (string | number)[];
}
export interface QuantityData {
  replacement: string;
}
export interface QuoteData {
  /** The source text to quote. */
  text: string;
}
export interface ExecutorNotFoundData {
  name: string;
  namespace: string;
  suggestions: string[];
}
