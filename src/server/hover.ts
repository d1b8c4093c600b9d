/**
 * Hover for SpinApp and SpinAppExecutor fields: the field's path, type, description (kept from the
 * CRD), default and allowed values, and the operator's admission-webhook rule for that field with
 * the exact message the cluster answers (FACTS.md section (a)). On a pre-v0.4 `apiVersion`
 * (`core.spinoperator.dev`) it explains the group rename. Also formats the field documentation
 * completion items show, so both say the same thing. vscode-free.
 */
import { isScalar } from "yaml";
import type { Hover } from "vscode-languageserver-types";
import { chunkAt, parseChunk, splitDocuments, type Chunk } from "./documents";
import { describeType, schemaAt, schemaRegistry, type JsonSchema } from "./schemas";
import { astPathAt, topLevelScalar } from "./yamlPath";
import { dotted } from "./errorMapping";
import { toRange, type YamlPath } from "./ranges";
import {
  API_VERSION,
  GROUP,
  KIND_EXECUTOR,
  KIND_SPINAPP,
  LEGACY_GROUP,
  isSpinKind,
  splitApiVersion,
  type SpinKind,
} from "../shared/spinApp";
import { WebhookMessages } from "./webhookMessages";

/** An admission-webhook rule of the operator, shown on hover of the fields it concerns. */
export interface WebhookRule {
  kind: SpinKind;
  /** Dotted field paths (no indexes) the rule is about. */
  paths: string[];
  /** What the rule requires, in words. */
  rule: string;
  /** The webhook's messages, verbatim (`<q>` stands for the quantity it quotes). */
  messages: string[];
}

/** The operator's validating-webhook rules (OP internal/webhook/spinapp_validating.go, spinappexecutor_validating.go). */
export const WEBHOOK_RULES: readonly WebhookRule[] = [
  {
    kind: KIND_SPINAPP,
    paths: ["spec.replicas", "spec.enableAutoscaling"],
    rule:
      "Without `enableAutoscaling: true`, `replicas` must be at least 1: the webhook applies no default. " +
      "With autoscaling on, leave `replicas` unset so an HPA or KEDA owns the count.",
    messages: [WebhookMessages.replicasMin, WebhookMessages.replicasWithAutoscaling],
  },
  {
    kind: KIND_SPINAPP,
    paths: ["spec.executor"],
    rule:
      "When `executor` is omitted the mutating webhook fills in the alphabetically first SpinAppExecutor it can list; " +
      "the validating webhook then requires a SpinAppExecutor of that name in the SpinApp's own namespace.",
    messages: [WebhookMessages.executorUnset, WebhookMessages.executorNotInNamespace],
  },
  {
    kind: KIND_SPINAPP,
    paths: ["spec.deploymentAnnotations"],
    rule: "Not allowed when the executor has `createDeployment: false` (the operator makes no Deployment to annotate).",
    messages: [WebhookMessages.deploymentAnnotations],
  },
  {
    kind: KIND_SPINAPP,
    paths: ["spec.podAnnotations"],
    rule: "Not allowed when the executor has `createDeployment: false` (the operator makes no pods to annotate).",
    messages: [WebhookMessages.podAnnotations],
  },
  {
    kind: KIND_SPINAPP,
    paths: ["spec.invocationLimits", "spec.invocationLimits.memory"],
    rule:
      "`memory` must be a Kubernetes quantity no larger than `resources.limits.memory` " +
      "(or `resources.requests.memory` when only a request is set).",
    messages: [WebhookMessages.invocationMemoryInvalid, WebhookMessages.invocationAboveLimit, WebhookMessages.invocationAboveRequest],
  },
  {
    kind: KIND_EXECUTOR,
    paths: ["spec.deploymentConfig", "spec.deploymentConfig.runtimeClassName", "spec.deploymentConfig.spinImage"],
    rule:
      "When `deploymentConfig` is present, set exactly one of `runtimeClassName` (run on the containerd Spin shim) " +
      "and `spinImage` (run `spin up` in an ordinary container).",
    messages: [WebhookMessages.runtimeExclusive, WebhookMessages.runtimeMissing],
  },
];

const WEBHOOK_NAME: Record<SpinKind, string> = { [KIND_SPINAPP]: "vspinapp.kb.io", [KIND_EXECUTOR]: "vspinappexecutor.kb.io" };

/** The webhook rules about a field (indexes ignored). */
export function webhookRulesFor(kind: SpinKind, path: YamlPath): WebhookRule[] {
  const dotted = path.filter((s) => typeof s === "string").join(".");
  return WEBHOOK_RULES.filter((r) => r.kind === kind && r.paths.includes(dotted));
}

function code(v: unknown): string {
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return "`" + s.replace(/`/g, "'") + "`";
}

/**
 * Markdown documentation of one field: type, description, default, allowed values and the webhook
 * rule. `parent` supplies the description for map entries (`resources.limits.memory`).
 */
export function fieldMarkdown(kind: SpinKind, path: YamlPath, schema: JsonSchema, parent?: JsonSchema): string {
  const parts: string[] = [];
  const description = schema.description ?? parent?.description;
  if (description) parts.push(description.trim());
  const facts: string[] = [];
  if (schema.default !== undefined) facts.push(`Default: ${code(schema.default)}`);
  if (schema.enum) facts.push(`Allowed values: ${schema.enum.map(code).join(", ")}`);
  if (schema.required?.length) facts.push(`Required fields: ${schema.required.map(code).join(", ")}`);
  if (facts.length) parts.push(facts.join("  \n"));
  for (const r of webhookRulesFor(kind, path)) {
    parts.push(
      `**Admission webhook** (${code(WEBHOOK_NAME[kind])}): ${r.rule} The cluster rejects violations with:\n` +
        r.messages.map((m) => `- ${code(m)}`).join("\n"),
    );
  }
  return parts.join("\n\n");
}

/** The explanation shown on a `core.spinoperator.dev` apiVersion. */
export function legacyGroupMarkdown(kind: string | undefined): string {
  const k = kind && isSpinKind(kind) ? kind : KIND_SPINAPP;
  return [
    `**${code(LEGACY_GROUP)} is the API group of spin-operator v0.3.0 and earlier.**`,
    `spin-operator v0.4.0 (2024-11-05) renamed it to ${code(GROUP)}, with no conversion webhook and no alias: ` +
      `a cluster running operator v0.4.0 or later answers ${code(`no matches for kind "${k}" in version "${LEGACY_GROUP}/v1alpha1"`)}.`,
    `Write \`apiVersion: ${API_VERSION}\` (a quick fix does it). Objects created under the old group must be deleted and ` +
      "re-created after upgrading the operator (SpinKube docs: upgrading to v0.4.0).",
  ].join("\n\n");
}

/**
 * Hover at a file offset: field documentation in SpinKube documents, the rename explanation on a
 * legacy apiVersion, null elsewhere. Parses only the document under the cursor; pass `chunks`
 * when the caller already split the file.
 */
export function hover(text: string, offset: number, chunks?: readonly Chunk[]): Hover | null {
  const all = chunks ?? splitDocuments(text);
  const chunk = all[chunkAt(all, offset)];
  const apiVersion = topLevelScalar(chunk.text, "apiVersion");
  const kind = topLevelScalar(chunk.text, "kind");
  const group = apiVersion === undefined ? undefined : splitApiVersion(apiVersion).group;
  if (group !== GROUP && group !== LEGACY_GROUP) return null;
  const { doc, lines } = parseChunk(chunk.text);
  const hit = astPathAt(doc, offset - chunk.start);
  if (!hit || hit.path.length === 0 || !(hit.onKey || isScalar(hit.node)) || !hit.node.range) return null;
  const range = toRange(lines, [hit.node.range[0], hit.node.range[1]], chunk.line);
  if (group === LEGACY_GROUP) {
    if (hit.path.length !== 1 || hit.path[0] !== "apiVersion") return null;
    return { contents: { kind: "markdown", value: legacyGroupMarkdown(kind) }, range };
  }
  if (!isSpinKind(kind)) return null;
  const root = schemaRegistry().schema(kind);
  const schema = schemaAt(root, hit.path);
  if (!schema) return null;
  const parent = schemaAt(root, hit.path.slice(0, -1));
  const head = `**${code(dotted(hit.path))}** · ${describeType(schema)} · ${kind}`;
  const entry = typeof hit.path[hit.path.length - 1] === "number" || typeof parent?.additionalProperties === "object";
  const body = fieldMarkdown(kind, hit.path, schema, entry ? parent : undefined);
  return { contents: { kind: "markdown", value: body ? `${head}\n\n${body}` : head }, range };
}
