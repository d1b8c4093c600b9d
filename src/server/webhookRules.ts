/**
 * The Spin Operator's admission-webhook rules (internal/webhook/spinapp_validating.go and
 * spinappexecutor_validating.go, FACTS.md section (a)) as checks on one document, with the
 * severity and the message text the cluster would give. Rules that need other documents (the
 * executor must exist; annotations vs an executor without deployments) are in crossChecks.ts.
 */
import type { Document } from "yaml";
import { DiagnosticSeverity } from "vscode-languageserver-types";
import { Codes, type QuantityData } from "./diagnosticCodes";
import type { RawDiagnostic } from "./errorMapping";
import { spanFor } from "./ranges";
import { WebhookMessages, withQuantity } from "./webhookMessages";
import { isQuantity, quantityValue, suggestQuantity } from "./quantity";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined);

/** Webhook rules for a SpinApp that need only the document itself. */
export function spinAppRules(doc: Document, text: string, value: Obj): RawDiagnostic[] {
  const out: RawDiagnostic[] = [];
  const spec = obj(value.spec);
  const autoscaling = spec?.enableAutoscaling === true;
  const replicas = spec?.replicas;

  // replicas vs enableAutoscaling (ValidateReplicas). Replicas is an int32 in Go: absent means 0.
  if (autoscaling && typeof replicas === "number" && replicas !== 0) {
    out.push({
      span: spanFor(doc, text, ["spec", "replicas"], "key"),
      severity: DiagnosticSeverity.Error,
      code: Codes.replicasWithAutoscaling,
      message:
        `${WebhookMessages.replicasWithAutoscaling} (the webhook rejects it). Remove spec.replicas and set the range on your HPA or KEDA ScaledObject, or set enableAutoscaling: false.`,
    });
  } else if (!autoscaling && (replicas === undefined || (typeof replicas === "number" && replicas < 1))) {
    const present = replicas !== undefined;
    out.push({
      span: present ? spanFor(doc, text, ["spec", "replicas"], "value") : spanFor(doc, text, spec ? ["spec"] : [], "container"),
      severity: DiagnosticSeverity.Error,
      code: Codes.replicasMin,
      message: present
        ? `${WebhookMessages.replicasMin} (the webhook rejects ${String(replicas)}; it applies no default). Write replicas: 1 or more, or enable autoscaling.`
        : `${WebhookMessages.replicasMin}: spec.replicas is not set and the webhook applies no default. Add replicas: 1 (or more), or enableAutoscaling: true for an HPA/KEDA.`,
      data: present ? undefined : { field: "replicas", parentPath: ["spec"] },
    });
  }

  // invocationLimits.memory (ValidateInvocationLimits).
  const limits = obj(spec?.invocationLimits);
  if (limits && "memory" in limits) {
    const mem = limits.memory;
    const path = ["spec", "invocationLimits", "memory"];
    if (!isQuantity(mem)) {
      // The schema check already explains non-strings; the webhook message covers the rest.
      if (typeof mem === "string")
        out.push({
          span: spanFor(doc, text, path, "value"),
          severity: DiagnosticSeverity.Error,
          code: Codes.invocationMemoryInvalid,
          message: `${WebhookMessages.invocationMemoryInvalid}; "${mem}" is not one.`,
          data: quantityFix(mem),
        });
    } else {
      const res = obj(spec?.resources);
      const limit = obj(res?.limits)?.memory;
      const request = obj(res?.requests)?.memory;
      const bound = limit !== undefined ? { q: limit, what: "limit" } : request !== undefined ? { q: request, what: "request" } : undefined;
      const inv = quantityValue(mem);
      const max = bound ? quantityValue(bound.q) : undefined;
      if (bound && inv !== undefined && max !== undefined && inv > max) {
        out.push({
          span: spanFor(doc, text, path, "value"),
          severity: DiagnosticSeverity.Error,
          code: Codes.invocationMemoryTooLarge,
          message: `${withQuantity(bound.what === "limit" ? WebhookMessages.invocationAboveLimit : WebhookMessages.invocationAboveRequest, String(bound.q))}. Lower invocationLimits.memory or raise resources.${bound.what === "limit" ? "limits" : "requests"}.memory.`,
        });
      }
    }
  }
  return out;
}

function quantityFix(mem: string): QuantityData | undefined {
  const replacement = suggestQuantity(mem);
  return replacement ? { replacement } : undefined;
}

/** Webhook rules for a SpinAppExecutor (ValidateDeploymentConfig). */
export function executorRules(doc: Document, text: string, value: Obj): RawDiagnostic[] {
  const spec = obj(value.spec);
  const dc = obj(spec?.deploymentConfig);
  if (!dc) return [];
  const hasRc = typeof dc.runtimeClassName === "string" && dc.runtimeClassName !== "";
  const hasImage = typeof dc.spinImage === "string" && dc.spinImage !== "";
  if (hasRc && hasImage)
    return [
      {
        span: spanFor(doc, text, ["spec", "deploymentConfig", "runtimeClassName"], "key"),
        severity: DiagnosticSeverity.Error,
        code: Codes.executorRuntimeExclusive,
        message: `${WebhookMessages.runtimeExclusive}. Keep runtimeClassName to run apps with the containerd shim, or spinImage to run them in a container with \`spin up\` (spintainer).`,
      },
    ];
  if (!hasRc && !hasImage)
    return [
      {
        span: spanFor(doc, text, ["spec", "deploymentConfig"], "key"),
        severity: DiagnosticSeverity.Error,
        code: Codes.executorRuntimeMissing,
        message: `${WebhookMessages.runtimeMissing} in deploymentConfig. For the containerd shim write runtimeClassName: wasmtime-spin-v2.`,
        data: { field: "runtimeClassName", parentPath: ["spec", "deploymentConfig"] },
      },
    ];
  return [];
}
